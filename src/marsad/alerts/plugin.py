"""The alerts capability as the registry sees it: rules on events, sent by webhook and e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

HERE = Path(__file__).resolve().parent


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.alerts.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.alerts import api, views

    return [api.router, views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.alerts.cli import app as alerts_app

    app.add_typer(alerts_app, name="alerts")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry("/staff/alerts", N_("Alerts"), "staff", 85)]


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.alerts.settings import AlertSettings

    return [("alerts", AlertSettings)]


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.alerts.jobs import JOB_KINDS

    return list(JOB_KINDS)


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.alerts.jobs import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


@hookimpl
def marsad_on_event(session: Any, events: list[Any]) -> None:
    from marsad.alerts.matching import record_deliveries

    record_deliveries(session, events)


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("alerts", HERE / "static")]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    """Two sample rules whose e-mails land in the demo's outbox (once; never doubled)."""
    from marsad.alerts import rules
    from marsad.core.db import session_scope

    with session_scope(context.sessions) as session:
        if rules.list_rules(session):
            return []
        rules.add_rule(
            session,
            settings=context.settings,
            event="report.received",
            email="desk@marsad.example",
            actor="demo",
        )
        rules.add_rule(
            session,
            settings=context.settings,
            event="flag.created",
            filters=["label=incitement"],
            email="monitors@marsad.example",
            mode="digest",
            actor="demo",
        )
    return ["alert rules added: 2 (e-mails go to the outbox folder)"]
