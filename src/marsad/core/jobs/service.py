"""The jobs service: submit, read, cancel and retry jobs (every runner and shell uses it).

CLI, API, staff page and scheduler are thin shells over these functions; the
execution path every runner shares is in :mod:`marsad.core.jobs.execution`.
Submitting, cancelling and retrying are audited. A job's parameters are not
copied into the audit trail or the logs: they may name a file or an account.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import session_scope, utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.jobs.catalog import registered_kinds
from marsad.core.jobs.kinds import JobKind
from marsad.core.jobs.models import FINISHED, STATUSES, Job

SYSTEM = "system"


# --- parameters ------------------------------------------------------------------


def find_kind(kinds: dict[str, JobKind], name: str) -> JobKind:
    """The kind called ``name``, or InvalidInput listing the known ones."""
    kind = kinds.get(name)
    if kind is None:
        known = ", ".join(sorted(kinds)) or "none"
        raise InvalidInput(
            "err_job_kind_unknown",
            f"there is no job kind {name!r}; known kinds: {known}",
            "kind",
            kind=name,
        )
    return kind


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (list, tuple, set):
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def validate_params(kind: JobKind, params: dict[str, Any] | None) -> BaseModel:
    """Check ``params`` against the kind's model; InvalidInput names the parameter at fault.

    Values may arrive as text (``--param n=3``, a form): the model converts them. A
    single value given for a list parameter becomes a list of one.
    """
    params = dict(params or {})
    # Parameters are named as users type them: a field's alias where it has one
    # (``map`` for a field that Python must call ``map_``).
    fields = {field.alias or name: field for name, field in kind.params.model_fields.items()}
    unknown = sorted(set(params) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields)) or "none"
        raise InvalidInput(
            "err_job_param_unknown",
            f"job kind {kind.name!r} has no parameter {unknown[0]!r}; its parameters: {known}",
            f"params.{unknown[0]}",
            param=unknown[0],
        )
    for name, value in params.items():
        if isinstance(value, str) and _is_list(fields[name].annotation):
            params[name] = [value]
    try:
        return kind.params.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "params"
        raise InvalidInput(
            "err_job_param_invalid",
            f"parameter {name!r} of job kind {kind.name!r}: {first['msg']}",
            f"params.{name}",
            param=name,
        ) from None


# --- submitting --------------------------------------------------------------------


def create_job(
    session: Session,
    *,
    kinds: dict[str, JobKind],
    kind: str,
    params: dict[str, Any] | None,
    requested_by: str | None,
    dedupe_key: str | None = None,
    created_at: datetime | None = None,
) -> Job:
    """Validate and insert one queued job in the caller's transaction, audited.

    ``created_at`` defaults to now; the scheduler gives the time it found the job due.
    """
    job_kind = find_kind(kinds, kind)
    model = validate_params(job_kind, params)
    job = Job(
        kind=kind,
        params=model.model_dump(mode="json", by_alias=True),
        status="queued",
        progress=0.0,
        attempts=0,
        cancel_requested=False,
        requested_by=requested_by,
        dedupe_key=dedupe_key,
        created_at=created_at or utcnow(),
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor=requested_by or SYSTEM,
        action="job.submitted",
        subject_type="job",
        subject_id=job.id,
        details={"kind": kind},
    )
    return job


def submit_job(
    *,
    sessions: sessionmaker[Session],
    settings: Any,
    kind: str,
    params: dict[str, Any],
    requested_by: str | None,
) -> str:
    """Queue a job of ``kind`` and hand it to the configured runner; return its id.

    Raises InvalidInput for an unknown kind or a parameter that is unknown or
    not valid, before anything is stored.
    """
    from marsad.core.jobs.runners import dispatch

    with session_scope(sessions) as session:
        job = create_job(
            session,
            kinds=registered_kinds(settings),
            kind=kind,
            params=params,
            requested_by=requested_by,
        )
        job_id = job.id
    dispatch(settings=settings, sessions=sessions, job_ids=[job_id])
    return job_id


# --- reading -----------------------------------------------------------------------


def get_job(session: Session, *, job_id: str) -> Job:
    """The job with this id, or NotFound."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("err_job_not_found", f"there is no job {job_id!r}", "id")
    return job


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    before: datetime | None = None,
    include_shards: bool = False,
) -> list[Job]:
    """The newest jobs first, optionally of one status and kind (shards hidden by default)."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(
            "err_job_status_unknown",
            f"{status!r} is not a job status; use one of {', '.join(STATUSES)}",
            "status",
        )
    query = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    if before is not None:
        query = query.where(Job.created_at < before)
    if not include_shards:
        query = query.where(Job.parent_id.is_(None))
    return list(session.execute(query).scalars())


def shard_progress(session: Session, *, job: Job) -> float:
    """A job's progress; a sharded parent's is the mean of its shards'."""
    if not job.shards or job.status in FINISHED:
        return job.progress
    total = session.execute(
        select(func.coalesce(func.sum(Job.progress), 0.0)).where(Job.parent_id == job.id)
    ).scalar_one()
    return min(1.0, float(total) / job.shards)


def job_public(job: Job, *, progress: float | None = None) -> dict[str, Any]:
    """What the CLI and the API show of a job: id, kind, status, progress, result, error."""
    error = None
    if job.error_code:
        error = {"code": job.error_code, "message": job.error_message or ""}
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress if progress is None else progress, 4),
        "result": job.result,
        "error": error,
    }


def job_detail(session: Session, *, job: Job) -> dict[str, Any]:
    """``job_public`` plus who asked, when, attempts and shards (the API's single-job view)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    body = job_public(job, progress=shard_progress(session, job=job))
    body.update(
        {
            "params": job.params,
            "note": job.note,
            "attempts": job.attempts,
            "requested_by": job.requested_by,
            "parent_id": job.parent_id,
            "shards": job.shards,
            "cancel_requested": job.cancel_requested,
            "created_at": iso(job.created_at),
            "started_at": iso(job.started_at),
            "finished_at": iso(job.finished_at),
        }
    )
    return body


def _not_a_shard(job: Job, action: str) -> None:
    """Shards are cancelled and retried through their parent, which tracks them all."""
    if job.parent_id is not None:
        raise InvalidInput(
            "err_job_is_shard",
            f"job {job.id!r} is a shard of job {job.parent_id!r}; {action} that job instead",
            "id",
        )


# --- cancelling and retrying ---------------------------------------------------------------


def cancel_job(
    *, sessions: sessionmaker[Session], job_id: str, actor: str | None
) -> dict[str, Any]:
    """Cancel a job: a queued one at once, a running one at its next safe point.

    A sharded parent's shards are cancelled with it. Cancelling a finished job
    is refused (InvalidInput).
    """
    now = utcnow()
    with session_scope(sessions) as session:
        job = get_job(session, job_id=job_id)
        _not_a_shard(job, "cancel")
        if job.status in FINISHED:
            raise InvalidInput(
                "err_job_finished",
                f"job {job_id!r} has already {job.status}; there is nothing to cancel",
                "id",
            )
        family = or_(Job.id == job.id, Job.parent_id == job.id)
        session.execute(
            update(Job)
            .where(family, Job.status == "queued")
            .values(status="cancelled", finished_at=now, claim_token=None)
        )
        session.execute(
            update(Job).where(family, Job.status == "running").values(cancel_requested=True)
        )
        if job.shards:
            # Nobody runs the parent itself: it ends now; running shards stop at a safe point.
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(status="cancelled", finished_at=now, claim_token=None)
            )
        audit.record(
            session,
            actor=actor or SYSTEM,
            action="job.cancelled",
            subject_type="job",
            subject_id=job.id,
            details={"kind": job.kind, "was": job.status},
        )
        session.flush()
        session.refresh(job)
        return job_public(job)


def retry_job(
    *, sessions: sessionmaker[Session], settings: Any, job_id: str, actor: str | None
) -> dict[str, Any]:
    """Queue a failed or cancelled job again, from its last saved cursor.

    For a sharded parent only the shards that did not succeed run again. A job
    that is queued, running or succeeded is refused (InvalidInput).
    """
    from marsad.core.jobs.runners import dispatch

    with session_scope(sessions) as session:
        job = get_job(session, job_id=job_id)
        _not_a_shard(job, "retry")
        if job.status not in ("failed", "cancelled"):
            raise InvalidInput(
                "err_job_not_retryable",
                f"job {job_id!r} is {job.status}; only a failed or cancelled job can be retried",
                "id",
            )
        reset = {
            "status": "queued",
            "error_code": None,
            "error_message": None,
            "finished_at": None,
            "cancel_requested": False,
            "claim_token": None,
            "attempts": 0,
        }
        to_dispatch: list[str] = []
        if job.shards:
            again = list(
                session.execute(
                    select(Job.id).where(Job.parent_id == job.id, Job.status != "succeeded")
                ).scalars()
            )
            session.execute(update(Job).where(Job.id.in_(again)).values(**reset))
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(**{**reset, "status": "running", "result": None})
            )
            to_dispatch = again
        else:
            session.execute(update(Job).where(Job.id == job.id).values(**reset))
            to_dispatch = [job.id]
        audit.record(
            session,
            actor=actor or SYSTEM,
            action="job.retried",
            subject_type="job",
            subject_id=job.id,
            details={"kind": job.kind, "was": job.status},
        )
        session.flush()
        session.refresh(job)
        body = job_public(job)
    dispatch(settings=settings, sessions=sessions, job_ids=to_dispatch)
    if job.shards and not to_dispatch:
        # Every shard had succeeded (the merge failed): try the merge again.
        from marsad.core.jobs.execution import try_merge

        try_merge(settings=settings, sessions=sessions, parent_id=job.id)
    return body
