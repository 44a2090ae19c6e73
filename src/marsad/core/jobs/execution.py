"""Running a job: the one execution path every runner (in-process, Celery, CLI) shares.

1. **Claim** the job with one conditional UPDATE (``queued`` → ``running`` with a new
   claim token): of two runners handed the same job, exactly one gets it.
2. **Run** the kind with a real :class:`RunContext`. A heartbeat thread stamps the
   row while it runs; progress, cursor and result writes all require the claim
   token, so a runner that lost its claim (declared dead, the job queued again)
   stops at its next write instead of writing over the new runner's work.
3. **Finish**: succeeded (with the result), cancelled, or failed with an error
   code and message: a ``MarsadError``'s own, else ``err_job_crashed`` (logged
   with the exception's type and place, never the job's parameters).
4. **Recover** (:func:`sweep`): a running job whose heartbeat is older than
   ``jobs_heartbeat_timeout`` lost its worker. It is queued again and resumes
   from its saved cursor, or, after ``jobs_max_attempts`` starts, fails with
   ``err_job_worker_lost``. No job stays "running" after its worker died.

Sharded kinds: the first run of a job whose kind has ``plan`` stores one child
job per shard and releases the parent; whichever runner finishes the last
shard claims the parent and ``merge``\\ s the shards' results into it.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, exists, func, literal, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from marsad.core.db import UTCDateTime, new_id, session_scope, utcnow
from marsad.core.errors import MarsadError
from marsad.core.jobs.kinds import JobKind
from marsad.core.jobs.models import Job

log = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress writes (the last one always goes)


class JobLost(Exception):  # noqa: N818 - a signal, not an error shown to anyone
    """This runner no longer holds the job's claim: stop without writing anything."""


@dataclass(frozen=True)
class Claim:
    """What a runner holds once it has claimed a job."""

    job_id: str
    token: str
    kind: str
    params: dict[str, Any]
    cursor: Any
    requested_by: str | None
    parent_id: str | None
    shard_index: int | None
    attempts: int


def _engine(sessions: sessionmaker[Session]) -> Engine:
    return sessions.kw["bind"]


def _owned(job_id: str, token: str) -> Any:
    return (Job.id == job_id) & (Job.claim_token == token)


def _write(sessions: sessionmaker[Session], statement: Any) -> int:
    with session_scope(sessions) as session:
        result = session.execute(statement.execution_options(synchronize_session=False))
        return int(result.rowcount or 0)


# --- 1. claim --------------------------------------------------------------------------


def claim_job(*, sessions: sessionmaker[Session], job_id: str) -> Claim | None:
    """Take a queued job for this runner; None when another runner has it or it is not queued."""
    token = new_id()
    now = utcnow()
    claimed = _write(
        sessions,
        update(Job)
        .where(Job.id == job_id, Job.status == "queued", Job.cancel_requested.is_(False))
        .values(
            status="running",
            claim_token=token,
            attempts=Job.attempts + 1,
            started_at=func.coalesce(Job.started_at, literal(now, UTCDateTime())),
            heartbeat_at=now,
        ),
    )
    if claimed != 1:
        return None
    with sessions() as session:
        job = session.get(Job, job_id)
        assert job is not None  # noqa: S101 - we hold its claim; rows are never deleted here
        return Claim(
            job_id=job.id,
            token=token,
            kind=job.kind,
            params=dict(job.params or {}),
            cursor=job.cursor,
            requested_by=job.requested_by,
            parent_id=job.parent_id,
            shard_index=job.shard_index,
            attempts=job.attempts,
        )


def claim_next(*, sessions: sessionmaker[Session], family: str | None = None) -> Claim | None:
    """Claim the oldest queued job (of one job's family when ``family`` is given)."""
    query = (
        select(Job.id)
        .where(Job.status == "queued", Job.cancel_requested.is_(False))
        .order_by(Job.created_at, Job.shard_index, Job.id)
        .limit(20)
    )
    if family is not None:
        query = query.where((Job.id == family) | (Job.parent_id == family))
    with sessions() as session:
        candidates = list(session.execute(query).scalars())
    for job_id in candidates:
        claim = claim_job(sessions=sessions, job_id=job_id)
        if claim is not None:
            return claim
    return None


# --- 2. run ------------------------------------------------------------------------------


class Heartbeat:
    """Stamps the job's heartbeat while it runs; notices when the claim is gone."""

    def __init__(self, sessions: sessionmaker[Session], claim: Claim, interval: float) -> None:
        self._sessions = sessions
        self._claim = claim
        self._interval = interval
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(
            target=self._beat, name=f"marsad-heartbeat-{claim.job_id[:8]}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                stamped = _write(
                    self._sessions,
                    update(Job)
                    .where(_owned(self._claim.job_id, self._claim.token))
                    .values(heartbeat_at=utcnow()),
                )
            except Exception as exc:  # noqa: BLE001 - a missed beat is retried; the sweep judges
                log.warning("job %s: heartbeat not written (%s)", self._claim.job_id, type(exc))
                continue
            if stamped != 1:
                self.lost = True
                return


class RunContext:
    """The :class:`~marsad.core.jobs.kinds.JobContext` a kind's ``run``/``plan``/``merge`` sees."""

    def __init__(
        self,
        *,
        settings: Any,
        sessions: sessionmaker[Session],
        claim: Claim,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.job_id = claim.job_id
        self.requested_by = claim.requested_by
        self.settings = settings
        self.sessions = sessions
        self.engine = _engine(sessions)
        self._claim = claim
        self._cursor = claim.cursor
        self._heartbeat = heartbeat
        self._last_progress = 0.0

    def _check(self, written: int) -> None:
        if written != 1 or (self._heartbeat is not None and self._heartbeat.lost):
            raise JobLost(self.job_id)

    def progress(self, fraction: float, note: str | None = None) -> None:
        """Record progress between 0 and 1 (written at most twice a second)."""
        fraction = min(1.0, max(0.0, float(fraction)))
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < PROGRESS_EVERY:
            return
        self._last_progress = now
        values: dict[str, Any] = {"progress": fraction}
        if note is not None:
            values["note"] = note[:200]
        self._check(
            _write(
                self.sessions,
                update(Job).where(_owned(self.job_id, self._claim.token)).values(**values),
            )
        )

    def cursor(self) -> Any:
        """The cursor the last run of this job saved (None on a first run)."""
        return self._cursor

    def save_cursor(self, value: Any) -> None:
        """Persist a resume point (after committing the work it covers)."""
        self._check(
            _write(
                self.sessions,
                update(Job).where(_owned(self.job_id, self._claim.token)).values(cursor=value),
            )
        )
        self._cursor = value

    def cancelled(self) -> bool:
        """True once someone asked to cancel this job (or a shard's parent)."""
        with self.sessions() as session:
            row = session.execute(
                select(Job.cancel_requested, Job.claim_token).where(Job.id == self.job_id)
            ).one_or_none()
        if row is None or row.claim_token != self._claim.token:
            raise JobLost(self.job_id)
        return bool(row.cancel_requested)


def _crash_message(exc: BaseException) -> str:
    """Where an unexpected error happened, without its message (it may quote parameters)."""
    frames = traceback.extract_tb(exc.__traceback__)
    place = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{place}"


def run_claim(
    *,
    settings: Any,
    sessions: sessionmaker[Session],
    claim: Claim,
    kinds: dict[str, JobKind],
) -> str | None:
    """Run a claimed job to its end; return its final status (None when the claim was lost)."""
    kind = kinds.get(claim.kind)
    if kind is None:
        return _finish(
            settings,
            sessions,
            claim,
            status="failed",
            error=(
                "err_job_kind_unknown",
                f"this worker has no job kind {claim.kind!r}; is its capability enabled?",
            ),
        )
    interval = max(0.5, settings.jobs_heartbeat_timeout / 4)
    try:
        with Heartbeat(sessions, claim, interval) as heartbeat:
            context = RunContext(
                settings=settings, sessions=sessions, claim=claim, heartbeat=heartbeat
            )
            params = kind.params.model_validate(claim.params)
            if kind.plan is not None and claim.parent_id is None:
                return _plan(settings, sessions, claim, kind, context, params)
            result = kind.run(context, params)
            status = "cancelled" if _cancel_requested(sessions, claim.job_id) else "succeeded"
            return _finish(settings, sessions, claim, status=status, result=result)
    except JobLost:
        log.warning("job %s: another runner took it over; this run stops here", claim.job_id)
        return None
    except MarsadError as exc:
        return _finish(settings, sessions, claim, status="failed", error=(exc.code, str(exc)))
    except Exception as exc:  # noqa: BLE001 - recorded on the job, never a stuck "running"
        where = _crash_message(exc)
        # The job's parameters and the exception's text are left out on purpose.
        log.error("job %s of kind %s crashed: %s", claim.job_id, claim.kind, where)  # noqa: TRY400
        return _finish(
            settings,
            sessions,
            claim,
            status="failed",
            error=("err_job_crashed", f"the job stopped on an unexpected error ({where})"),
        )


def _cancel_requested(sessions: sessionmaker[Session], job_id: str) -> bool:
    with sessions() as session:
        return bool(
            session.execute(select(Job.cancel_requested).where(Job.id == job_id)).scalar_one()
        )


def _finish(
    settings: Any,
    sessions: sessionmaker[Session],
    claim: Claim,
    *,
    status: str,
    result: dict[str, Any] | None = None,
    error: tuple[str, str] | None = None,
) -> str | None:
    """Record the end of a claimed job; then let its parent know (fail it, or merge it)."""
    values: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "claim_token": None,
        "result": result,
    }
    if status == "succeeded":
        values["progress"] = 1.0
    if error is not None:
        values["error_code"], values["error_message"] = error
    with session_scope(sessions) as session:
        written = int(
            session.execute(
                update(Job)
                .where(_owned(claim.job_id, claim.token))
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
        if written == 1 and status == "failed" and claim.parent_id is None:
            _emit_failed(session, claim.job_id, claim.kind, error)
    if written != 1:
        log.warning("job %s: another runner took it over; its result is not recorded", claim.job_id)
        return None
    if claim.parent_id is not None:
        _shard_finished(settings, sessions, claim, status=status, error=error)
    return status


def _emit_failed(session: Session, job_id: str, kind: str, error: tuple[str, str] | None) -> None:
    """Tell the capabilities (alerts) that a job failed, in the transaction that says so.

    The payload holds the error's code, never its message (it may quote a file name).
    """
    from marsad.core.events import emit

    code = error[0] if error is not None else "err_job_failed"
    emit(session, "job.failed", {"job_id": job_id, "kind": kind, "error": code})


# --- shards ------------------------------------------------------------------------------


def _plan(
    settings: Any,
    sessions: sessionmaker[Session],
    claim: Claim,
    kind: JobKind,
    context: RunContext,
    params: Any,
) -> str | None:
    """Store one child job per shard and release the parent (it is merged, never run)."""
    from marsad.core.jobs.runners import dispatch

    assert kind.plan is not None  # noqa: S101 - the caller checked
    shard_params = kind.plan(context, params)
    now = utcnow()
    with session_scope(sessions) as session:
        released = session.execute(
            update(Job)
            .where(_owned(claim.job_id, claim.token))
            .values(shards=len(shard_params), claim_token=None, progress=0.0)
            .execution_options(synchronize_session=False)
        ).rowcount
        if released != 1:
            raise JobLost(claim.job_id)
        children = [
            Job(
                kind=claim.kind,
                params=shard.model_dump(mode="json", by_alias=True),
                status="queued",
                progress=0.0,
                attempts=0,
                cancel_requested=False,
                requested_by=claim.requested_by,
                parent_id=claim.job_id,
                shard_index=index,
                created_at=now,
            )
            for index, shard in enumerate(shard_params)
        ]
        session.add_all(children)
        session.flush()
        child_ids = [child.id for child in children]
    if child_ids:
        dispatch(settings=settings, sessions=sessions, job_ids=child_ids)
    else:
        try_merge(settings=settings, sessions=sessions, parent_id=claim.job_id)
    return "running"


def _shard_finished(
    settings: Any,
    sessions: sessionmaker[Session],
    claim: Claim,
    *,
    status: str,
    error: tuple[str, str] | None,
) -> None:
    parent_id = claim.parent_id
    assert parent_id is not None  # noqa: S101
    if status == "failed" and error is not None:
        with session_scope(sessions) as session:
            shards = session.execute(select(Job.shards).where(Job.id == parent_id)).scalar_one()
            number = (claim.shard_index or 0) + 1
            failed = session.execute(
                update(Job)
                .where(Job.id == parent_id, Job.status == "running")
                .values(
                    status="failed",
                    finished_at=utcnow(),
                    error_code=error[0],
                    error_message=f"shard {number} of {shards}: {error[1]}",
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if failed == 1:
                kind = session.execute(select(Job.kind).where(Job.id == parent_id)).scalar_one()
                _emit_failed(session, parent_id, kind, error)
            # The parent has failed: shards nobody started yet need not run.
            session.execute(
                update(Job)
                .where(Job.parent_id == parent_id, Job.status == "queued")
                .values(status="cancelled", finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        return
    if status == "succeeded":
        with session_scope(sessions) as session:
            done = session.execute(
                select(func.count()).where(Job.parent_id == parent_id, Job.status == "succeeded")
            ).scalar_one()
            session.execute(
                update(Job)
                .where(Job.id == parent_id, Job.status == "running", Job.shards > 0)
                .values(progress=func.min(1.0, literal(float(done)) / Job.shards))
                .execution_options(synchronize_session=False)
            )
        try_merge(settings=settings, sessions=sessions, parent_id=parent_id)


def try_merge(
    *,
    settings: Any,
    sessions: sessionmaker[Session],
    parent_id: str,
    kinds: dict[str, JobKind] | None = None,
) -> str | None:
    """Merge a parent whose shards have all succeeded, if no other runner is merging it.

    The claim is one conditional UPDATE that also checks no shard is unfinished,
    so of two runners finishing the last two shards at once, exactly one merges.
    """
    from marsad.core.jobs.catalog import registered_kinds

    child = aliased(Job)
    unfinished = exists().where(child.parent_id == parent_id, child.status != "succeeded")
    token = new_id()
    claimed = _write(
        sessions,
        update(Job)
        .where(
            Job.id == parent_id,
            Job.status == "running",
            Job.shards.is_not(None),
            Job.claim_token.is_(None),
            ~unfinished,
        )
        .values(claim_token=token, heartbeat_at=utcnow(), attempts=Job.attempts + 1),
    )
    if claimed != 1:
        return None
    with sessions() as session:
        parent = session.get(Job, parent_id)
        assert parent is not None  # noqa: S101
        results = list(
            session.execute(
                select(Job.result).where(Job.parent_id == parent_id).order_by(Job.shard_index)
            ).scalars()
        )
        claim = Claim(
            job_id=parent.id,
            token=token,
            kind=parent.kind,
            params=dict(parent.params or {}),
            cursor=parent.cursor,
            requested_by=parent.requested_by,
            parent_id=None,
            shard_index=None,
            attempts=parent.attempts,
        )
    kinds = kinds if kinds is not None else registered_kinds(settings)
    kind = kinds.get(claim.kind)
    if kind is None or kind.merge is None:
        return _finish(
            settings,
            sessions,
            claim,
            status="failed",
            error=("err_job_kind_unknown", f"this worker cannot merge job kind {claim.kind!r}"),
        )
    interval = max(0.5, settings.jobs_heartbeat_timeout / 4)
    try:
        with Heartbeat(sessions, claim, interval) as heartbeat:
            context = RunContext(
                settings=settings, sessions=sessions, claim=claim, heartbeat=heartbeat
            )
            merged = kind.merge(context, kind.params.model_validate(claim.params), results)
            return _finish(settings, sessions, claim, status="succeeded", result=merged)
    except JobLost:
        return None
    except MarsadError as exc:
        return _finish(settings, sessions, claim, status="failed", error=(exc.code, str(exc)))
    except Exception as exc:  # noqa: BLE001 - recorded on the job
        where = _crash_message(exc)
        log.error("job %s of kind %s crashed while merging: %s", parent_id, claim.kind, where)  # noqa: TRY400
        return _finish(
            settings,
            sessions,
            claim,
            status="failed",
            error=(
                "err_job_crashed",
                f"merging the shards stopped on an unexpected error ({where})",
            ),
        )


# --- 4. recover --------------------------------------------------------------------------


def sweep(*, settings: Any, sessions: sessionmaker[Session]) -> dict[str, list[str]]:
    """Queue again (or fail) running jobs whose worker stopped sending heartbeats.

    Safe to run from any number of processes at once: every change is
    conditional on the claim token the sweep saw. Also merges parents whose
    last shard finished on a worker that died before it could merge.
    """
    from marsad.core.jobs.runners import dispatch

    stale = utcnow() - timedelta(seconds=settings.jobs_heartbeat_timeout)
    with sessions() as session:
        rows = session.execute(
            select(
                Job.id, Job.claim_token, Job.attempts, Job.shards, Job.parent_id, Job.shard_index
            ).where(Job.status == "running", Job.claim_token.is_not(None), Job.heartbeat_at < stale)
        ).all()
        child = aliased(Job)
        unmerged = list(
            session.execute(
                select(Job.id).where(
                    Job.status == "running",
                    Job.shards.is_not(None),
                    Job.claim_token.is_(None),
                    ~exists().where(child.parent_id == Job.id, child.status != "succeeded"),
                )
            ).scalars()
        )
    requeued: list[str] = []
    failed: list[str] = []
    for row in rows:
        seen = update(Job).where(_owned(row.id, row.claim_token), Job.status == "running")
        # A parent's first start planned its shards; each later start is a merge.
        starts = row.attempts - 1 if row.shards is not None else row.attempts
        if row.shards is not None and starts < settings.jobs_max_attempts:
            # The runner merging this parent died: release it so the merge runs again.
            if _write(sessions, seen.values(claim_token=None)) == 1:
                unmerged.append(row.id)
            continue
        if starts >= settings.jobs_max_attempts:
            times = "once" if starts == 1 else f"{starts} times"
            message = (
                f"the job was started {times} and its worker stopped answering each time "
                f"(no heartbeat for {settings.jobs_heartbeat_timeout} s); it is not started again"
            )
            values = {
                "status": "failed",
                "claim_token": None,
                "finished_at": utcnow(),
                "error_code": "err_job_worker_lost",
                "error_message": message,
            }
            with session_scope(sessions) as session:
                lost = session.execute(
                    seen.values(**values).execution_options(synchronize_session=False)
                ).rowcount
                if lost == 1 and row.parent_id is None:
                    kind = session.execute(select(Job.kind).where(Job.id == row.id)).scalar_one()
                    _emit_failed(session, row.id, kind, ("err_job_worker_lost", message))
            if lost == 1:
                log.warning("job %s: its worker stopped answering; failed", row.id)
                failed.append(row.id)
                if row.parent_id is not None:
                    claim = Claim(row.id, "", "", {}, None, None, row.parent_id, row.shard_index, 0)
                    _shard_finished(
                        settings,
                        sessions,
                        claim,
                        status="failed",
                        error=("err_job_worker_lost", message),
                    )
            continue
        if _write(sessions, seen.values(status="queued", claim_token=None)) == 1:
            log.warning(
                "job %s: its worker stopped answering; queued again (start %d of %d)",
                row.id,
                row.attempts + 1,
                settings.jobs_max_attempts,
            )
            requeued.append(row.id)
    if requeued:
        dispatch(settings=settings, sessions=sessions, job_ids=requeued)
    for parent_id in unmerged:
        try_merge(settings=settings, sessions=sessions, parent_id=parent_id)
    return {"requeued": requeued, "failed": failed, "merged": unmerged}
