"""What the outages half of the connectivity capability gives the registry.

``marsad.connectivity.plugin`` calls each function; return empty lists for what
this half does not provide. Commands are added to the shared ``marsad connectivity``
Typer app passed to :func:`register_cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    from marsad.core.plugins import DemoContext, NavEntry


HERE = Path(__file__).resolve().parent


def models() -> list[str]:
    return ["marsad.connectivity.outages.models"]


def routers() -> list[Any]:
    from marsad.connectivity.outages import api, views

    return [api.router, views.router]


def register_cli(app: typer.Typer) -> None:
    from marsad.connectivity.outages.cli import register

    register(app)


def templates() -> list[Path]:
    return [HERE / "templates"]


def nav() -> list[NavEntry]:
    from marsad.core.i18n.markers import N_
    from marsad.core.plugins import NavEntry

    return [
        NavEntry("/connectivity", N_("Shutdowns"), "public", 40),
        NavEntry("/staff/connectivity", N_("Connectivity"), "staff", 60),
    ]


def job_kinds() -> list[Any]:
    from marsad.connectivity.outages.jobs import JOB_KINDS

    return list(JOB_KINDS)


def periodic_jobs() -> list[Any]:
    from marsad.connectivity.outages.jobs import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


def references() -> list[Any]:
    from marsad.connectivity.outages.refs import REF_TYPES

    return list(REF_TYPES)


def demo_data(context: DemoContext) -> list[str]:
    from marsad.connectivity.outages.demo import load_demo

    return load_demo(context.sessions)
