"""The declaration capability as the registry sees it: the election digital declaration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

HERE = Path(__file__).resolve().parent
# Actors and accounts are posts'. The suggestion rules also read detect's flags,
# coordination's groups and evidence's perceptual hashes, each only while that
# capability is switched on (a rule whose capability is off is skipped).
REQUIRES = ("posts",)


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.declaration.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.declaration import api, staff_views, views

    return [api.router, views.router, staff_views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.declaration.cli import app as declaration_app

    app.add_typer(declaration_app, name="declaration")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("declaration", HERE / "static")]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [
        NavEntry("/declarations/iraq-2021", N_("Declaration"), "public", 40),
        NavEntry("/staff/violations", N_("Violations"), "staff", 60),
        NavEntry("/staff/actors", N_("Actors"), "staff", 61),
        NavEntry("/admin/declarations/iraq-2021", N_("Declaration"), "admin", 40),
    ]


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.declaration.settings import DeclarationSettings

    return [("declaration", DeclarationSettings)]


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.declaration.jobs import JOB_KINDS

    return list(JOB_KINDS)


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.declaration.jobs import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    from marsad.declaration.demo import load

    return load(context.settings, context.sessions)


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.declaration.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.declaration.stats import SECTION

    return [SECTION]
