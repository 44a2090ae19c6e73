"""The evidence capability as the registry sees it: captures, custody, timestamps, bundles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marsad.core.plugins import hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

# Evidence cites posts (raw records) and reports (attachments) by reference only.
REQUIRES: tuple[str, ...] = ()


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.evidence.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    return []


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.evidence.settings import EvidenceSettings

    return [("evidence", EvidenceSettings)]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    # The evidence-core branch's cli.py builds this app and calls register() itself.
    import typer

    from marsad.evidence.extras_cli import register

    evidence_app = typer.Typer(help="Evidence: bundles, timestamps, re-uploads.")
    register(evidence_app)
    app.add_typer(evidence_app, name="evidence")


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.evidence import similar, timestamps

    return [*timestamps.JOB_KINDS, *similar.JOB_KINDS]


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.evidence import timestamps

    return list(timestamps.PERIODIC_JOBS)
