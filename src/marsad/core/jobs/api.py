"""The jobs API under /api/v1/jobs (staff: bearer token or session)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from marsad.core.jobs import service
from marsad.web.deps import DbSession, StaffUser

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


def release(session: Any) -> None:
    """End the request's transaction before a service opens its own.

    On SQLite every transaction holds the write lock (BEGIN IMMEDIATE), and a
    job must be committed before its message can reach a worker.
    """
    session.commit()


class JobSubmit(BaseModel):
    kind: str = Field(description="The job kind, e.g. `detect.run`.")
    params: dict[str, Any] = Field(default_factory=dict, description="The kind's parameters.")


@router.get("")
def list_jobs(
    user: StaffUser,
    session: DbSession,
    status: str | None = Query(None, description="queued, running, succeeded, failed, cancelled"),
    kind: str | None = Query(None, description="Only jobs of this kind"),
    before: datetime | None = Query(None, description="Only jobs created before this time"),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """The newest jobs first, paginated with ``next``."""
    jobs = service.list_jobs(session, status=status, kind=kind, before=before, limit=limit)
    items = [service.job_detail(session, job=job) for job in jobs]
    nxt = None
    if len(jobs) == limit:
        query = {"before": jobs[-1].created_at.isoformat(), "limit": limit}
        query.update({k: v for k, v in (("status", status), ("kind", kind)) if v})
        nxt = f"/api/v1/jobs?{urlencode(query)}"
    return {"items": items, "next": nxt}


@router.get("/{job_id}")
def get_job(job_id: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """One job: status, progress (a sharded job's is its shards' mean), result or error."""
    return service.job_detail(session, job=service.get_job(session, job_id=job_id))


@router.post("", status_code=202)
def submit_job(
    body: JobSubmit, request: Request, user: StaffUser, session: DbSession
) -> JSONResponse:
    """Queue a job; answers at once with its id (poll ``GET /api/v1/jobs/{id}``)."""
    release(session)
    job_id = service.submit_job(
        sessions=request.app.state.sessions,
        settings=request.app.state.settings,
        kind=body.kind,
        params=body.params,
        requested_by=user.username,
    )
    return JSONResponse({"job_id": job_id}, status_code=202)


@router.post("/{job_id}/cancel")
def cancel_job(
    job_id: str, request: Request, user: StaffUser, session: DbSession
) -> dict[str, Any]:
    """Cancel a queued or running job."""
    release(session)
    return service.cancel_job(
        sessions=request.app.state.sessions, job_id=job_id, actor=user.username
    )


@router.post("/{job_id}/retry")
def retry_job(job_id: str, request: Request, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Queue a failed or cancelled job again."""
    release(session)
    return service.retry_job(
        sessions=request.app.state.sessions,
        settings=request.app.state.settings,
        job_id=job_id,
        actor=user.username,
    )
