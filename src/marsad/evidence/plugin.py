"""The evidence capability as the registry sees it: captures, custody, timestamps, bundles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.plugins import hookimpl

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
    return []


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
    from marsad.evidence.settings import EvidenceSettings

    return [("evidence", EvidenceSettings)]


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.evidence.jobs import JOB_KINDS

    return list(JOB_KINDS)
