"""The publish capability as the registry sees it: dashboards, statistics, weekly reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import NavEntry, hookimpl

if TYPE_CHECKING:
    import typer

HERE = Path(__file__).resolve().parent


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.publish.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.publish import api, views

    return [api.router, views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.publish.cli import app as publish_app

    app.add_typer(publish_app, name="publish")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("publish", HERE / "static")]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [
        NavEntry("/dashboard", N_("Dashboard"), "public", 25),
        NavEntry("/publications", N_("Weekly reports"), "public", 26),
    ]


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.publish.jobs import REFRESH_FIGURES, WEEKLY_REPORT

    return [WEEKLY_REPORT, REFRESH_FIGURES]


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.publish.jobs import REFRESH_PERIODIC, WEEKLY_PERIODIC

    return [WEEKLY_PERIODIC, REFRESH_PERIODIC]


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.publish.service import FAILING_JOBS

    return [FAILING_JOBS]
