"""Coordination's staff pages: runs, a run's clusters and network, a cluster's evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marsad.coordination import runs
from marsad.coordination.service import METHODS
from marsad.web.deps import CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/staff/coordination")
def runs_page(request: Request, user: StaffUser, session: DbSession) -> Response:
    return render(
        request,
        "coordination/runs.html",
        {"runs": runs.list_runs(session), "methods": METHODS},
    )


@router.post("/staff/coordination", dependencies=[CsrfChecked])
def start_run(
    user: StaffUser,
    session: DbSession,
    methods: Annotated[list[str] | None, Form()] = None,
    window: Annotated[int, Form()] = 60,
    min_repeat: Annotated[int, Form()] = 3,
) -> Response:
    run = runs.start_run(
        session, actor=user.username, methods=methods, window=window, min_repeat=min_repeat
    )
    return RedirectResponse(f"/staff/coordination/runs/{run.id}", status_code=303)


@router.get("/staff/coordination/runs/{run_id}")
def run_page(run_id: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    run = runs.get_run(session, run_id=run_id)
    return render(request, "coordination/run.html", {"run": run, "cluster": None})


@router.get("/staff/coordination/runs/{run_id}/clusters/{cluster_id}")
def cluster_page(
    run_id: str, cluster_id: int, request: Request, user: StaffUser, session: DbSession
) -> Response:
    run = runs.get_run(session, run_id=run_id)
    cluster = runs.get_cluster(run, cluster_id=cluster_id)
    evidence = sorted(
        cluster.get("evidence", []),
        key=lambda ev: min((s["timestamp"] for s in ev["shares"]), default=""),
    )
    return render(
        request,
        "coordination/cluster.html",
        {
            "run": run,
            "cluster": cluster,
            "evidence": evidence,
            "edges": runs.cluster_edges(run, cluster_id=cluster_id),
        },
    )
