"""The core's own commands: ``marsad db``, ``marsad users`` and ``marsad audit``.

Mounted on the ``marsad`` command by the core's plugin (``marsad.core.plugin``),
through the same hook as every capability's commands.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from marsad.cli.output import fail, print_json, user_errors
from marsad.cli.store import open_store
from marsad.core import audit, migrate, users
from marsad.core.db import session_scope
from marsad.core.i18n import nformat

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(
    help="Staff accounts: add, list, disable, reset 2FA, API tokens.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


# --- db ----------------------------------------------------------------------


@db_app.command("upgrade")
@user_errors
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
    json_: JsonOpt = False,
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    with open_store(check_current=False) as store:
        migrate.upgrade(store.engine, revision)
        current = sorted(migrate.current_revisions(store.engine))
    if json_:
        print_json({"revisions": current})
    else:
        typer.echo(f"database at migration {', '.join(current)}")


@db_app.command("downgrade")
@user_errors
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
    json_: JsonOpt = False,
) -> None:
    """Revert migrations down to REVISION."""
    with open_store(check_current=False) as store:
        migrate.downgrade(store.engine, revision)
        current = sorted(migrate.current_revisions(store.engine))
    if json_:
        print_json({"revisions": current})
    else:
        typer.echo(f"database at migration {', '.join(current) or 'base'}")


@db_app.command("current")
@user_errors
def db_current(json_: JsonOpt = False) -> None:
    """Show the database's migration and the newest one the code knows."""
    with open_store(check_current=False) as store:
        current, heads = migrate.current_revisions(store.engine), migrate.head_revisions()
    if json_:
        print_json(
            {"revisions": sorted(current), "heads": sorted(heads), "current": current == heads}
        )
    else:
        typer.echo(f"database at {migrate.describe(current)}; newest is {migrate.describe(heads)}")


# --- users ---------------------------------------------------------------------


@users_app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help="admin, reviewer or analyst.")] = "analyst",
    password: Annotated[
        str | None, typer.Option(help="Password (prompted for when absent).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a staff account."""
    if password is None:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != password:
                raise fail("the two passwords differ")
    with open_store() as store, session_scope(store.sessions) as session:
        user = users.create_user(session, username=name, role=role, password=password, actor="cli")
        body = {"username": user.username, "role": user.role, "id": user.id}
    if json_:
        print_json(body)
    else:
        typer.echo(f"added {body['username']} ({body['role']})")


@users_app.command("list")
@user_errors
def users_list(json_: JsonOpt = False) -> None:
    """List staff accounts."""
    with open_store() as store, session_scope(store.sessions) as session:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "active": u.is_active,
                "two_factor": u.totp_enabled,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in users.list_users(session)
        ]
    if json_:
        print_json({"users": rows})
        return
    for row in rows:
        state = "active" if row["active"] else "disabled"
        tfa = "2FA" if row["two_factor"] else "no 2FA"
        typer.echo(f"{row['username']:<24} {row['role']:<9} {state:<9} {tfa}")


def _change(name: str, action: str, json_: bool) -> None:
    with open_store() as store, session_scope(store.sessions) as session:
        if action == "disable":
            user = users.set_active(session, username=name, active=False, actor="cli")
        elif action == "enable":
            user = users.set_active(session, username=name, active=True, actor="cli")
        else:
            user = users.reset_2fa(session, username=name, actor="cli")
        body = {
            "username": user.username,
            "active": user.is_active,
            "two_factor": user.totp_enabled,
        }
    if json_:
        print_json(body)
    else:
        typer.echo(f"{action}: {name} done")


@users_app.command("disable")
@user_errors
def users_disable(name: str, json_: JsonOpt = False) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _change(name, "disable", json_)


@users_app.command("enable")
@user_errors
def users_enable(name: str, json_: JsonOpt = False) -> None:
    """Enable a disabled account again (its old API tokens stay revoked)."""
    _change(name, "enable", json_)


@users_app.command("reset-2fa")
@user_errors
def users_reset_2fa(name: str, json_: JsonOpt = False) -> None:
    """Remove an account's two-factor key (it enrols again at next sign-in if 2FA is required)."""
    _change(name, "reset-2fa", json_)


@users_app.command("token")
@user_errors
def users_token(
    name: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    json_: JsonOpt = False,
) -> None:
    """Issue an API token for NAME; it is shown once (only its hash is kept)."""
    with open_store() as store, session_scope(store.sessions) as session:
        token = users.create_token(session, username=name, actor="cli", label=label)
    if json_:
        print_json({"token": token})
    else:
        typer.echo(token)


@users_app.command("require-2fa")
@user_errors
def users_require_2fa(
    on: Annotated[bool, typer.Option("--on/--off", help="Require 2FA for all staff.")] = True,
    json_: JsonOpt = False,
) -> None:
    """Make two-factor sign-in mandatory for every staff account (or optional again)."""
    with open_store() as store, session_scope(store.sessions) as session:
        users.set_two_factor_required(session, required=on, actor="cli")
    if json_:
        print_json({"require_2fa": on})
    else:
        typer.echo("two-factor sign-in is now " + ("required" if on else "optional"))


# --- audit -------------------------------------------------------------------------


@audit_app.command("verify")
@user_errors
def audit_verify(json_: JsonOpt = False) -> None:
    """Check the hash chain; name the first broken or missing record and exit 1 if any."""
    with open_store() as store, session_scope(store.sessions) as session:
        result = audit.verify(session)
        if result.ok:
            # A verified head is anchored at once (outside the database, see core/anchor.py).
            audit.anchor_head(session)
    if json_:
        print_json(result.to_json())
    elif result.ok:
        typer.echo(
            nformat(
                "audit trail intact: %(num)s record",
                "audit trail intact: %(num)s records",
                result.records,
            )
        )
    else:
        typer.echo(
            f"audit trail BROKEN at record {result.first_bad_seq}: {result.problem}", err=True
        )
    if not result.ok:
        raise typer.Exit(1)
