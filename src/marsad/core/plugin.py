"""The core's own parts, declared through the same hooks as every capability.

Accounts, the audit trail, migrations and places (``marsad users``, ``marsad audit``,
``marsad db``, ``marsad geo``), the sign-in pages and the core API. Imports happen inside the
hooks so that building the registry stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import NavEntry, hookimpl

if TYPE_CHECKING:
    import typer
    from pydantic import BaseModel

NAME = "core"


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.core.models", "marsad.core.places", "marsad.core.blobs"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.core.places import layer
    from marsad.web import auth_views, core_api

    return [core_api.router, auth_views.router, layer.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.cli import backup as backup_cli
    from marsad.cli.admin import audit_app, db_app, users_app
    from marsad.core.places.cli import app as geo_app

    app.add_typer(db_app, name="db")
    app.add_typer(geo_app, name="geo")
    app.command("backup")(backup_cli.backup)
    app.command("restore")(backup_cli.restore)
    app.command("backup-key")(backup_cli.backup_key)
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [
        NavEntry("/staff", N_("Staff"), "staff", 10),
        NavEntry("/admin/users", N_("Users"), "admin", 10),
        NavEntry("/admin/audit", N_("Audit trail"), "admin", 30),
    ]


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    from marsad.core.mail import MailSettings

    return [("mail", MailSettings)]
