"""Coordination's JSON API (staff only): runs, clusters, the network, exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from marsad.coordination import lineage, runs
from marsad.coordination.params import RunParams
from marsad.coordination.service import METHODS
from marsad.core.errors import InvalidInput
from marsad.core.spreadsheets import with_bom_bytes
from marsad.web.deps import DbSession, StaffUser
from marsad.web.downloads import Bom

router = APIRouter(prefix="/api/v1/coordination", tags=["coordination"])


def _summary(run: runs.CoordinationRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "created_at": run.created_at.isoformat(),
        "created_by": run.created_by,
        "parameters": run.parameters,
        "posts": run.posts,
        "clusters": run.clusters,
    }


@router.post("/runs", status_code=202)
def start(body: RunParams, request: Request, user: StaffUser) -> dict[str, Any]:
    """Queue a run over the stored posts; it is saved under ``run_id`` when its job ends.

    Detection over the whole store takes minutes on a large one: the request only
    queues a ``coordination.run`` job (split by object where workers can share it)
    and answers at once. The job's progress is at ``/api/v1/jobs/{job_id}``.
    """
    # Imported when used: the jobs layer builds on the registry that mounts this router.
    from marsad.core.jobs.service import submit_job

    params = body.model_dump(exclude_none=True)
    job_id = submit_job(
        sessions=request.app.state.sessions,
        settings=request.app.state.settings,
        kind="coordination.run",
        params=params,
        requested_by=user.username,
    )
    return {
        "job_id": job_id,
        "kind": "coordination.run",
        "status": "queued",
        "parameters": params,
        "run_id": runs.run_id_for_job(job_id),
        "job": f"/api/v1/jobs/{job_id}",
    }


@router.get("/runs")
def list_runs(user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Saved runs, newest first."""
    return {"items": [_summary(r) for r in runs.list_runs(session)]}


@router.get("/runs/{run_id}")
def get_run(run_id: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """One run's full result: clusters with evidence, and edges."""
    run = runs.get_run(session, run_id=run_id)
    return {**_summary(run), "result": run.result}


@router.get("/runs/{run_id}/network")
def network(
    run_id: str,
    user: StaffUser,
    session: DbSession,
    cluster: Annotated[int | None, Query(ge=0, le=2**31)] = None,
    method: str | None = None,
) -> dict[str, Any]:
    """Nodes and edges for the network view, of the whole run or one cluster.

    Nodes are labelled with the accounts' display names and carry their degree;
    ``method`` (links, text, hashtags, shares) keeps only the ties that method found.
    """
    if method is not None and method not in METHODS:
        raise InvalidInput(
            "err_coordination_method", f"use one of {', '.join(METHODS)}", where="method"
        )
    run = runs.get_run(session, run_id=run_id)
    return runs.network(
        run,
        cluster_id=cluster,
        method=method,
        names=runs.network_names(session, run=run),
    )


@router.get("/runs/{run_id}/export.{fmt}")
def export(
    run_id: str, fmt: str, user: StaffUser, session: DbSession, bom: Bom = False
) -> Response:
    """The run's network as GraphML, CSV or JSON (``?bom=1``: a CSV for Excel)."""
    body = runs.export_run(runs.get_run(session, run_id=run_id), fmt=fmt)
    body = with_bom_bytes(body, bom and fmt == "csv")
    return Response(
        body,
        media_type=runs.EXPORTS[fmt],
        headers={"Content-Disposition": f'attachment; filename="coordination-{run_id}.{fmt}"'},
    )


class SuccessorRequest(BaseModel):
    suspended: str = Field(..., description="The suspended account, e.g. x:12345")
    limit: int = Field(10, ge=1, le=100)


@router.post("/successors")
def successors(body: SuccessorRequest, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Rank stored accounts that may re-create a suspended one, with each feature's share."""
    return {
        "suspended": body.suspended,
        "candidates": lineage.propose_successors(
            session, suspended=body.suspended, limit=body.limit
        ),
    }


class LinkRequest(BaseModel):
    predecessor: str
    successor: str
    decision: str = Field(..., description="confirmed or rejected")
    score: float | None = None
    contributions: dict[str, float] | None = None
    note: str | None = None


@router.post("/links", status_code=201)
def decide(body: LinkRequest, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Confirm or reject a successor; confirmed links build the account's lineage."""
    link = lineage.decide(session, actor=user.username, **body.model_dump())
    return {
        "id": link.id,
        "predecessor": link.predecessor,
        "successor": link.successor,
        "status": link.status,
        "lineage": lineage.lineage(session, account=link.successor),
    }


@router.get("/accounts/{account:path}/lineage")
def account_lineage(account: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """The account's confirmed chain across bans, oldest first."""
    return {"account": account, "lineage": lineage.lineage(session, account=account)}


# --- account statuses ---------------------------------------------------------------


class StatusOut(BaseModel):
    id: str
    account: str = Field(..., description="Platform-prefixed, e.g. x:12345")
    status: str = Field(..., description="active, suspended, deactivated, deleted, protected")
    source: str = Field(..., description="data (a compliance file) or staff")
    reason: str | None = None
    note: str | None = None
    observed_at: str = Field(..., description="When it happened (UTC, ISO 8601)")
    recorded_by: str
    recorded_at: str


class StatusList(BaseModel):
    items: list[StatusOut]


class StatusHistory(BaseModel):
    account: str
    current: StatusOut | None
    history: list[StatusOut] = Field(..., description="Latest observation first")


class StatusRequest(BaseModel):
    account: str = Field(..., description="Platform-prefixed, e.g. x:12345")
    status: str = Field(..., description="active, suspended, deactivated, deleted, protected")
    note: str | None = Field(None, max_length=2000)
    observed_at: str | None = Field(None, description="ISO 8601, naive = UTC; default now")


@router.get("/statuses", response_model=StatusList)
def list_statuses(
    user: StaffUser,
    session: DbSession,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> dict[str, Any]:
    """Accounts with their current status (optionally only those currently ``status``)."""
    from marsad.coordination import statuses

    rows = statuses.list_accounts_with_status(
        session, status=status or None, limit=max(1, min(limit, 5000))
    )
    return {"items": [statuses.to_json(r) for r in rows]}


@router.post("/statuses", status_code=201, response_model=StatusOut)
def record_status(body: StatusRequest, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Record an account's status as staff (audited; appended to its history)."""
    from marsad.coordination import statuses

    row = statuses.record_status(
        session,
        account=body.account,
        status=body.status,
        actor=user.username,
        source="staff",
        observed_at=body.observed_at,
        note=body.note,
    )
    return statuses.to_json(row)


@router.get("/accounts/{account:path}/statuses", response_model=StatusHistory)
def account_statuses(account: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """The account's current status and its whole status history."""
    from marsad.coordination import statuses

    history = [statuses.to_json(r) for r in statuses.status_history(session, account=account)]
    return {"account": account, "current": history[0] if history else None, "history": history}
