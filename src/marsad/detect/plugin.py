"""The detect capability as the registry sees it: glossary, classifiers, flags and review."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

HERE = Path(__file__).resolve().parent
# Flags point at posts (a foreign key): detect cannot run with posts switched off.
REQUIRES = ("posts",)


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.detect.models", "marsad.detect.learning.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.detect import api, views
    from marsad.detect.learning import api as learning_api
    from marsad.detect.learning import views as learning_views

    return [api.router, views.router, learning_api.router, learning_views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.detect.cli import app as detect_app

    app.add_typer(detect_app, name="detect")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates", HERE / "learning" / "templates"]


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("learning", HERE / "learning" / "static")]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [
        NavEntry("/glossary", N_("Glossary of hate speech"), "public", 30),
        NavEntry("/staff/flags", N_("Flagged posts"), "staff", 40),
        NavEntry("/staff/labels", N_("Labelling"), "staff", 45),
        NavEntry("/staff/models", N_("Models"), "staff", 47),
        NavEntry("/staff/glossary", N_("Glossary"), "staff", 60),
    ]


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.detect.learning.settings import LearningSettings
    from marsad.detect.settings import DetectSettings

    return [("detect", DetectSettings), ("learning", LearningSettings)]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    from marsad.detect.flagging import run_detection

    flags = run_detection(sessions=context.sessions)
    return [f"posts flagged for review: {flags.flagged} of {flags.processed} looked at"]


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.detect.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.detect.jobs import JOB_KINDS
    from marsad.detect.learning.jobs import JOB_KINDS as LEARNING_JOB_KINDS

    return [*JOB_KINDS, *LEARNING_JOB_KINDS]


@hookimpl
def marsad_periodic_jobs() -> list[Any]:
    from marsad.detect.jobs import PERIODIC_JOBS
    from marsad.detect.learning.jobs import PERIODIC_JOBS as LEARNING_PERIODIC

    return [*PERIODIC_JOBS, *LEARNING_PERIODIC]


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.detect import stats

    return [stats.SECTION, stats.QUEUE]
