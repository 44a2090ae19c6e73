"""The evidence capability as the registry sees it: captures, custody, timestamps, bundles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

# Evidence cites posts (raw records) and reports (attachments) by reference only.
REQUIRES: tuple[str, ...] = ()
HERE = Path(__file__).resolve().parent


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.evidence.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.evidence import api, views

    return [api.router, views.router]


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("evidence", HERE / "static")]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry("/staff/evidence", N_("Evidence"), "staff", 45)]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.evidence.cli import app as evidence_app

    app.add_typer(evidence_app, name="evidence")


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.evidence.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.evidence.capture_settings import CaptureSettings
    from marsad.evidence.settings import EvidenceSettings

    return [("evidence_capture", CaptureSettings), ("evidence", EvidenceSettings)]


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.evidence import similar, timestamps
    from marsad.evidence.jobs import JOB_KINDS

    return [*JOB_KINDS, *timestamps.JOB_KINDS, *similar.JOB_KINDS]


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.evidence import timestamps
    from marsad.evidence.jobs import PERIODIC_JOBS

    return [*PERIODIC_JOBS, *timestamps.PERIODIC_JOBS]
