"""The connectivity capability as the registry sees it: blocking (OONI) and outages.

The capability has two halves with their own modules; each half's ``parts``
module says what it contributes (a function per hook, absent when it gives
nothing), and this plugin hands the union to the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer

NAME = "connectivity"
HERE = Path(__file__).resolve().parent


def _halves() -> list[Any]:
    from marsad.connectivity.blocking import parts as blocking
    from marsad.connectivity.outages import parts as outages

    return [outages, blocking]


def _union(name: str, *args: Any) -> list[Any]:
    """What both halves give for one hook; a half without the function gives nothing."""
    items: list[Any] = []
    for half in _halves():
        part = getattr(half, name, None)
        if part is not None:
            items.extend(part(*args) or [])
    return items


@hookimpl
def marsad_models() -> list[str]:
    return _union("models")


@hookimpl
def marsad_routers() -> list[Any]:
    return _union("routers")


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    import typer

    connectivity_app = typer.Typer(
        help="Internet shutdowns and website blocking.", no_args_is_help=True
    )
    for half in _halves():
        half.register_cli(connectivity_app)
    app.add_typer(connectivity_app, name="connectivity")


@hookimpl
def marsad_templates() -> list[Path]:
    return [*_union("templates"), HERE / "templates"]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return _union("nav")


@hookimpl
def marsad_job_kinds() -> list[Any]:
    return _union("job_kinds")


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    return _union("periodic_jobs")


@hookimpl
def marsad_references() -> list[Any]:
    return _union("references")


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.connectivity.stats import SECTION

    # One section for both halves (shutdowns and blocking side by side).
    return [SECTION, *_union("publish_sections")]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    return _union("demo_data", context)
