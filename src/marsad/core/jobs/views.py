"""The staff page /staff/jobs: jobs with progress bars, errors in words, filters and retry.

It works without JavaScript: a page with unfinished jobs refreshes itself
every few seconds (a meta refresh), and retry/cancel are plain forms with a
CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core.i18n import gettext as _
from marsad.core.jobs import service
from marsad.core.jobs.api import release
from marsad.core.jobs.models import STATUSES
from marsad.web.deps import CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 5


def status_words() -> dict[str, str]:
    """Each status in the reader's language."""
    return {
        "queued": _("queued"),
        "running": _("running"),
        "succeeded": _("succeeded"),
        "failed": _("failed"),
        "cancelled": _("cancelled"),
    }


def error_words(code: str | None) -> str | None:
    """A job's error code in the reader's language (None for a code without words)."""
    words = {
        "err_job_crashed": _(
            "The job stopped on an unexpected error; the worker's log says where."
        ),
        "err_job_worker_lost": _(
            "The worker running this job stopped several times; it was not started again."
        ),
        "err_broker_unavailable": _("The job could not be sent: the job broker is unreachable."),
        "err_job_kind_unknown": _("No worker knows this kind of job."),
        "err_job_param_invalid": _("A parameter of this job is not valid."),
        "err_job_param_unknown": _("This job was given a parameter it does not know."),
    }
    if code is None:
        return None
    return words.get(code)


def _row(session: Any, job: Any) -> dict[str, Any]:
    body = service.job_public(job, progress=service.shard_progress(session, job=job))
    body.update(
        created_at=job.created_at,
        requested_by=job.requested_by,
        shards=job.shards,
        note=job.note,
        words=error_words(job.error_code),
    )
    return body


@router.get("/staff/jobs")
def jobs_page(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: Annotated[str, Query()] = "",
    kind: Annotated[str, Query()] = "",
) -> Response:
    jobs = service.list_jobs(session, status=status or None, kind=kind.strip() or None, limit=200)
    rows = [_row(session, job) for job in jobs]
    active = any(row["status"] in ("queued", "running") for row in rows)
    return render(
        request,
        "jobs/list.html",
        {
            "rows": rows,
            "statuses": STATUSES,
            "status_words": status_words(),
            "status": status,
            "kind": kind,
            "refresh": REFRESH_SECONDS if active else None,
        },
    )


@router.post("/staff/jobs/{job_id}/retry", dependencies=[CsrfChecked])
def retry(job_id: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    release(session)
    service.retry_job(
        sessions=request.app.state.sessions,
        settings=request.app.state.settings,
        job_id=job_id,
        actor=user.username,
    )
    return RedirectResponse("/staff/jobs", status_code=303)


@router.post("/staff/jobs/{job_id}/cancel", dependencies=[CsrfChecked])
def cancel(job_id: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    release(session)
    service.cancel_job(sessions=request.app.state.sessions, job_id=job_id, actor=user.username)
    return RedirectResponse("/staff/jobs", status_code=303)
