"""The ``marsad`` command: one Typer app that mounts each capability's commands."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

import marsad
from marsad.cli.output import fail, print_json, user_errors
from marsad.core import audit, migrate, users
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.errors import ConfigError, MarsadError
from marsad.core.settings import Settings, load_settings

app = typer.Typer(
    name="marsad",
    help="Marsad (مرصد): an observatory of digital rights and online harms.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(
    help="Staff accounts: add, list, disable, reset 2FA, API tokens.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _settings(**overrides: object) -> Settings:
    return load_settings(**{k: v for k, v in overrides.items() if v is not None})


def _sessions(settings: Settings):  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    return engine, session_factory(engine, settings)


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if version:
        typer.echo(marsad.__version__)
        raise typer.Exit(0)


@app.command()
@user_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1, max=65535)] = None,
) -> None:
    """Serve the observatory over HTTP (put a TLS reverse proxy in front in production)."""
    settings = _settings()
    _serve(settings, host or settings.host, port or settings.port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from marsad.web.app import create_app

    engine = make_engine(settings)
    if not migrate.is_current(engine):
        current = migrate.describe(migrate.current_revisions(engine))
        heads = migrate.describe(migrate.head_revisions())
        raise ConfigError(
            "MARSAD_DATABASE_URL",
            f"the database is at migration {current}, the code needs {heads}; "
            "run `marsad db upgrade` first",
        )
    application = create_app(settings, engine=engine)
    # No access log: it would record visitors' IP addresses, which we never keep.
    uvicorn.run(
        application,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,  # MARSAD_TRUSTED_PROXIES decides (marsad.web.proxies)
    )


@app.command()
@user_errors
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Data folder (default: ./data).")] = None,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server.")] = True,
) -> None:
    """Create an SQLite observatory with sample data, print the admin login, and serve it."""
    from marsad.demo import load_sample_data, load_sample_posts

    settings = _settings(data_dir=data_dir)
    settings.ensure_data_dir()
    engine, sessions = _sessions(settings)
    migrate.upgrade(engine)
    with session_scope(sessions) as session:
        summary = load_sample_data(session, settings=settings)
    summary.lines += load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    typer.echo(f"Marsad demo: data in {settings.data_dir.resolve()}")
    for line in summary.lines:
        typer.echo(f"  {line}")
    typer.echo(f"Admin login: username {summary.admin_username}  password {summary.admin_password}")
    if serve_:
        typer.echo(f"Serving at http://{host}:{port}  (Ctrl+C to stop)")
        _serve(settings, host, port)


# --- db ----------------------------------------------------------------------


@db_app.command("upgrade")
@user_errors
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
    json_: JsonOpt = False,
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = _settings()
    engine = make_engine(settings)
    migrate.upgrade(engine, revision)
    current = sorted(migrate.current_revisions(engine))
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
    engine = make_engine(_settings())
    migrate.downgrade(engine, revision)
    current = sorted(migrate.current_revisions(engine))
    if json_:
        print_json({"revisions": current})
    else:
        typer.echo(f"database at migration {', '.join(current) or 'base'}")


@db_app.command("current")
@user_errors
def db_current(json_: JsonOpt = False) -> None:
    """Show the database's migration and the newest one the code knows."""
    engine = make_engine(_settings())
    current, heads = migrate.current_revisions(engine), migrate.head_revisions()
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
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
    _, sessions = _sessions(_settings())
    with session_scope(sessions) as session:
        result = audit.verify(session)
    if json_:
        print_json(result.to_json())
    elif result.ok:
        typer.echo(f"audit trail intact: {result.records} records")
    else:
        typer.echo(
            f"audit trail BROKEN at record {result.first_bad_seq}: {result.problem}", err=True
        )
    if not result.ok:
        raise typer.Exit(1)


def _mount_capabilities() -> None:
    from marsad.coordination.cli import app as coordination_app
    from marsad.detect.cli import app as detect_app
    from marsad.posts.cli import app as posts_app
    from marsad.reports.cli import app as reports_app
    from marsad.reports.geo_cli import app as geo_app

    app.add_typer(reports_app, name="reports")
    app.add_typer(geo_app, name="geo")
    app.add_typer(detect_app, name="detect")
    app.add_typer(posts_app, name="posts")
    app.add_typer(coordination_app, name="coordination")
    try:
        from marsad.posts.cli import ingest_command
    except ImportError:
        return
    app.command("ingest")(ingest_command)


_mount_capabilities()


def main() -> None:
    try:
        app()
    except MarsadError as exc:  # raised outside a command, e.g. while reading settings
        typer.echo(f"error: {exc} [{exc.code}]", err=True)
        raise SystemExit(exc.exit_code) from None
