"""The reports capability as the registry sees it: citizen reports, review, the public map."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

HERE = Path(__file__).resolve().parent


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.reports.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.reports import api, basemap, case_api, case_views, file_views, views

    return [
        api.router,
        case_api.router,
        file_views.api_router,
        views.router,
        case_views.router,
        file_views.router,
        basemap.router,
    ]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.reports.cli import app as reports_app

    app.add_typer(reports_app, name="reports")


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [
        NavEntry("/report", N_("Report a violation"), "public", 10),
        NavEntry("/reports", N_("Published reports"), "public", 20),
        NavEntry("/staff/reports", N_("Reports"), "staff", 20),
        NavEntry("/admin/categories", N_("Categories"), "admin", 20),
        NavEntry("/admin/contact-requests", N_("Contact requests"), "admin", 25),
    ]


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.reports.settings import ReportSettings

    return [("reports", ReportSettings)]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    from marsad.core.db import session_scope
    from marsad.core.security import FieldCipher
    from marsad.reports.sample import load_sample_reports

    settings = context.settings
    cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
    with session_scope(context.sessions) as session:
        added = load_sample_reports(session, settings=settings, cipher=cipher)
    return [f"sample reports added: {added}"]


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.reports.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_publish_sections() -> list[Any]:
    from marsad.reports.stats import QUEUE, SECTION

    return [SECTION, QUEUE]


@hookimpl
def marsad_places_imported(session: Any) -> dict[str, int]:
    from marsad.reports.locate import locate_stored_reports

    return {"reports": locate_stored_reports(session)}
