"""Coordination's staff pages: runs, a run's clusters and network, a cluster's evidence."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marsad.coordination import lineage, runs, statuses
from marsad.coordination.params import make_params
from marsad.coordination.service import METHODS
from marsad.core.errors import InvalidInput
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
    request: Request,
    user: StaffUser,
    methods: Annotated[list[str] | None, Form()] = None,
    window: Annotated[int, Form(ge=0, le=366 * 86400)] = 60,
    min_repeat: Annotated[int, Form(ge=1, le=1_000_000)] = 3,
) -> Response:
    params = make_params(methods=methods, window=window, min_repeat=min_repeat)
    run = runs.start_run(request.app.state.sessions, actor=user.username, params=params)
    return RedirectResponse(f"/staff/coordination/runs/{run.id}", status_code=303)


@router.get("/staff/coordination/runs/{run_id}")
def run_page(run_id: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    run = runs.get_run(session, run_id=run_id)
    return render(
        request, "coordination/run.html", {"run": run, "cluster": None, "methods": METHODS}
    )


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
            "methods": METHODS,
        },
    )


@router.get("/staff/coordination/successors")
def successors_page(
    request: Request, user: StaffUser, session: DbSession, suspended: str = ""
) -> Response:
    name = suspended.strip()
    candidates: list[dict[str, Any]] = []
    unknown = False
    if name:
        try:
            candidates = lineage.propose_successors(session, suspended=name)
        except InvalidInput:
            # A mistyped name: say so on the same page, with the stored accounts it may mean.
            unknown = True
    return render(
        request,
        "coordination/successors.html",
        {
            "suspended": name,
            "unknown": unknown,
            "suggestions": lineage.similar_accounts(session, text=name) if unknown else [],
            "likely": [c for c in candidates if c["likely"]],
            "weaker": [c for c in candidates if not c["likely"]],
            "candidates": candidates,
            "likely_score": lineage.LIKELY_SCORE,
            "chain": lineage.lineage(session, account=name) if name and not unknown else [],
            "gone": statuses.list_accounts_with_status(session, status=statuses.GONE, limit=200),
        },
    )


@router.post("/staff/coordination/successors", dependencies=[CsrfChecked])
def decide_successor(
    user: StaffUser,
    session: DbSession,
    predecessor: Annotated[str, Form()],
    successor: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    score: Annotated[float | None, Form()] = None,
) -> Response:
    lineage.decide(
        session,
        predecessor=predecessor,
        successor=successor,
        decision=decision,
        actor=user.username,
        score=score,
    )
    return RedirectResponse(
        f"/staff/coordination/successors?suspended={quote(predecessor)}", status_code=303
    )


@router.get("/staff/coordination/accounts/{account:path}")
def account_page(account: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    groups = runs.account_groups(session, account=account, limit=20)
    return render(
        request,
        "coordination/account.html",
        {
            "account": account,
            "groups": groups,
            "chain": lineage.lineage(session, account=account),
            "signals": lineage.account_signals_for(session, account=account),
            "copy_paste": runs.copy_paste_of(session, account=account),
            "statuses": statuses.status_history(session, account=account),
            "status_choices": statuses.STATUSES,
        },
    )


@router.post("/staff/coordination/statuses", dependencies=[CsrfChecked])
def record_status(
    request: Request,
    user: StaffUser,
    session: DbSession,
    account: Annotated[str, Form()],
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    observed_at: Annotated[str, Form()] = "",
) -> Response:
    """Record an account's status from its page; the time typed is local time."""
    zone = ZoneInfo(request.app.state.settings.timezone)
    when = statuses.parse_time(observed_at, zone=zone) if observed_at.strip() else None
    statuses.record_status(
        session,
        account=account,
        status=status,
        actor=user.username,
        source="staff",
        observed_at=when,
        note=note,
    )
    return RedirectResponse(
        f"/staff/coordination/accounts/{quote(account.strip())}", status_code=303
    )
