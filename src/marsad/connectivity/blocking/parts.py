"""What the blocking half of the connectivity capability gives the registry.

``marsad.connectivity.plugin`` calls each function; return empty lists for what
this half does not provide. Commands are added to the shared ``marsad connectivity``
Typer app passed to :func:`register_cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import NavEntry

if TYPE_CHECKING:
    import typer

    from marsad.core.plugins import DemoContext

HERE = Path(__file__).resolve().parent


def models() -> list[str]:
    return ["marsad.connectivity.blocking.models"]


def routers() -> list[Any]:
    from marsad.connectivity.blocking import api, staff_views, views

    return [api.router, views.router, staff_views.router, staff_views.api_router]


def register_cli(app: typer.Typer) -> None:
    from marsad.connectivity.blocking.cli import register

    register(app)


def templates() -> list[Path]:
    return [HERE / "templates"]


def nav() -> list[NavEntry]:
    return [
        NavEntry("/connectivity/blocked", N_("Blocking"), "public", 60),
        NavEntry("/staff/connectivity/fingerprints", N_("Blockpages"), "staff", 60),
    ]


def job_kinds() -> list[Any]:
    from marsad.connectivity.blocking.jobs import JOB_KINDS

    return list(JOB_KINDS)


def periodic_jobs() -> list[Any]:
    from marsad.connectivity.blocking.jobs import PERIODIC_JOBS

    return list(PERIODIC_JOBS)


def references() -> list[Any]:
    from marsad.connectivity.blocking.refs import REF_TYPES

    return list(REF_TYPES)


def demo_data(context: DemoContext) -> list[str]:
    from marsad.connectivity.blocking.demo import load_demo

    return load_demo(context)
