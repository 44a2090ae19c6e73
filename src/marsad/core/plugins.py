"""The capability registry's contract: the pluggy hooks every capability implements.

Each capability (built-in or third-party) is one module that implements some of
these hooks with ``@hookimpl``. Built-ins are listed in ``DEFAULT_PLUGINS`` and go
through exactly the same path as a plugin found by the ``marsad.plugins`` entry
point group or named in ``MARSAD_PLUGINS=module,module``. No other list of
capabilities exists in the code: models, routers, CLI, templates, static files,
navigation, settings sections, demo data, job kinds and reference types are all
collected from these hooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter
    from pydantic import BaseModel

    from marsad.core.jobs.kinds import JobKind, PeriodicJob
    from marsad.core.refs import RefType

PROJECT = "marsad"
ENTRY_POINT_GROUP = "marsad.plugins"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class NavEntry:
    """One link in the page header.

    ``label`` is an English msgid, translated when the page is rendered (mark it
    with ``marsad.core.i18n.markers.N_`` so ``make messages`` extracts it).
    ``section`` decides who sees it: everyone, signed-in staff, or admins.
    """

    href: str
    label: str
    section: Literal["public", "staff", "admin"] = "staff"
    order: int = 100


@dataclass(frozen=True)
class DemoContext:
    """What a capability's demo-data hook is given (``marsad demo``)."""

    settings: Any
    engine: Any
    sessions: Any


class CapabilitySpec:
    """The hooks. A plugin implements only those it needs; each returns data, not side effects
    (``marsad_cli`` excepted, which mounts commands on the app it is given)."""

    @hookspec
    def marsad_models(self) -> list[str]:  # type: ignore[empty-body]
        """Module names whose import defines this capability's tables on ``Base.metadata``."""

    @hookspec
    def marsad_routers(self) -> list[APIRouter]:  # type: ignore[empty-body]
        """FastAPI routers (API and pages) to include in the web app."""

    @hookspec
    def marsad_cli(self, app: typer.Typer) -> None:
        """Mount this capability's sub-app(s) and commands on the ``marsad`` command."""

    @hookspec
    def marsad_templates(self) -> list[Path]:  # type: ignore[empty-body]
        """Folders of Jinja2 templates (searched after the web shell's own)."""

    @hookspec
    def marsad_static(self) -> list[tuple[str, Path]]:  # type: ignore[empty-body]
        """(name, folder) pairs served at ``/static/<name>/`` (vendored assets only)."""

    @hookspec
    def marsad_nav(self) -> list[NavEntry]:  # type: ignore[empty-body]
        """Links this capability adds to the page header."""

    @hookspec
    def marsad_settings(self) -> list[tuple[str, type[BaseModel]]]:  # type: ignore[empty-body]
        """(section name, settings model) pairs nested in the settings tree."""

    @hookspec
    def marsad_demo_data(self, context: DemoContext) -> list[str]:  # type: ignore[empty-body]
        """Load sample data for ``marsad demo``; return lines that describe what was loaded."""

    @hookspec
    def marsad_job_kinds(self) -> list[JobKind]:  # type: ignore[empty-body]
        """Background job kinds this capability can run (``posts.ingest``, ``detect.run``…)."""

    @hookspec
    def marsad_periodic_jobs(self) -> list[PeriodicJob]:  # type: ignore[empty-body]
        """Jobs ``marsad scheduler`` submits on a schedule unless settings say otherwise."""

    @hookspec
    def marsad_references(self) -> list[RefType]:  # type: ignore[empty-body]
        """Typed reference prefixes (``post``, ``report``…) this capability resolves."""
