"""The jobs layer declared to the registry, through the same hooks as any capability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import NavEntry, hookimpl

NAME = "jobs"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.core.jobs.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.core.jobs import api, views

    return [api.router, views.router]


@hookimpl
def marsad_cli(app: Any) -> None:
    from marsad.core.jobs import cli

    app.add_typer(cli.app, name="jobs")
    app.command("worker")(cli.worker_command)
    app.command("scheduler")(cli.scheduler_command)


@hookimpl
def marsad_templates() -> list[Path]:
    return [TEMPLATES]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry(href="/staff/jobs", label=N_("Jobs"), section="staff", order=90)]
