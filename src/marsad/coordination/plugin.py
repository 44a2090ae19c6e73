"""The coordination capability as the registry sees it: coordinated groups of accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer

HERE = Path(__file__).resolve().parent
# Runs read the posts store; the pages link to posts.
REQUIRES = ("posts",)


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.coordination.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.coordination import api, views

    return [api.router, views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.coordination.cli import app as coordination_app

    app.add_typer(coordination_app, name="coordination")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry("/staff/coordination", N_("Coordination"), "staff", 50)]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    from marsad.coordination.runs import list_runs, start_run
    from marsad.coordination.statuses import current_status, record_status
    from marsad.core.db import session_scope
    from marsad.demo_posts import ACCOUNTS, BANNED_ACCOUNT

    lines = []
    banned = f"demo:{ACCOUNTS[BANNED_ACCOUNT][0]}"
    with session_scope(context.sessions) as session:
        if current_status(session, account=banned) is None:
            record_status(
                session,
                account=banned,
                status="suspended",
                actor="demo",
                source="staff",
                observed_at=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
                note="Sample: suspended by the platform after threats of violence",
            )
            lines.append(f"suspended account recorded: {banned}")
        first_run = not list_runs(session, limit=1)
    if first_run:
        run = start_run(context.sessions, actor="demo")
        lines.append(f"coordinated groups found: {run.clusters}")
    return lines


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.coordination.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.coordination.jobs import JOB_KINDS

    return list(JOB_KINDS)


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.coordination import stats

    return [stats.SECTION]
