"""The ``marsad`` command: one Typer app on which every enabled plugin mounts its commands.

``serve``, ``demo`` and the global options live here; everything else (the core's
``db``/``users``/``audit`` included) is mounted through the registry's
``marsad_cli`` hook, so switching a capability off removes its commands.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

import marsad
from marsad.cli.logs import configure_logging, start_logging
from marsad.cli.output import user_errors
from marsad.cli.store import open_store, require_current
from marsad.core import migrate
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.core.settings import Settings, load_settings, plugin_selection

log = logging.getLogger(__name__)


def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    start_logging()  # WARNING; the long-running commands set MARSAD_LOG_LEVEL
    if version:
        typer.echo(marsad.__version__)
        raise typer.Exit(0)


@user_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.", min=1, max=65535)] = None,
) -> None:
    """Serve the observatory over HTTP (put a TLS reverse proxy in front in production)."""
    settings = load_settings()
    configure_logging(settings.log_level)
    _serve(settings, host or settings.host, port or settings.port)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from marsad.core.db import make_engine
    from marsad.core.jobs.runners import start_embedded_runner
    from marsad.core.jobs.scheduler import start_embedded_scheduler
    from marsad.web.app import create_app

    engine = make_engine(settings)
    require_current(engine)
    application = create_app(settings, engine=engine)
    # Without a broker this process runs background jobs itself, and submits the
    # periodic ones too unless MARSAD_JOBS_EMBEDDED_SCHEDULER is off (docs/jobs.md).
    # Here only, not in create_app: a test's app or a second app in one process
    # starts no scheduler of its own.
    periodic = start_embedded_scheduler(settings=settings, sessions=application.state.sessions)
    runner = start_embedded_runner(settings=settings, sessions=application.state.sessions)
    if periodic is not None:
        typer.echo(
            _("Periodic jobs are submitted by this server (MARSAD_JOBS_EMBEDDED_SCHEDULER)."),
            err=True,
        )
    # uvicorn shuts down gracefully on Ctrl+C or SIGTERM and then raises the signal
    # again: the process then died of it (exit 130, or "Terminated" under make). A
    # stop asked for is a clean end: the handler below turns it into a normal return.
    previous = signal.signal(signal.SIGTERM, _stop_requested)
    try:
        # No access log: it would record visitors' IP addresses, which we never keep.
        # uvicorn's own lines go through the one handler marsad.cli.logs set up.
        uvicorn.run(
            application,
            host=host,
            port=port,
            access_log=False,
            log_config=None,
            log_level="warning",
            server_header=False,
            proxy_headers=False,  # MARSAD_TRUSTED_PROXIES decides (marsad.web.proxies)
        )
    except (KeyboardInterrupt, _StopRequested):
        typer.echo("Stopped.", err=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if periodic is not None:
            periodic.stop()  # first: nothing new is submitted while the runner stops
        if runner is not None:
            runner.stop()


class _StopRequested(Exception):
    """SIGTERM after the server has shut down: end the command normally."""


def _stop_requested(_signum: int, _frame: object) -> None:
    raise _StopRequested


@user_errors
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option(help="Data folder (default: ./data).")] = None,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Start the server.")] = True,
) -> None:
    """Create an SQLite observatory with sample data, print the admin login, and serve it."""
    from marsad.demo import load_demo

    settings = load_settings(**({"data_dir": data_dir} if data_dir is not None else {}))
    configure_logging(settings.log_level)
    settings.ensure_data_dir()  # the sample files go there, whichever database is used
    with open_store(settings=settings, check_current=False) as store:
        migrate.upgrade(store.engine)
        summary = load_demo(settings=settings, engine=store.engine, sessions=store.sessions)
    typer.echo(f"Marsad demo: data in {settings.data_dir.resolve()}")
    for line in summary.lines:
        typer.echo(f"  {line}")
    typer.echo(f"Admin login: username {summary.admin_username}  password {summary.admin_password}")
    if serve_:
        typer.echo(f"Serving at http://{host}:{port}  (Ctrl+C to stop)")
        _serve(_offline_schedule(settings), host, port)


def _offline_schedule(settings: Settings) -> Settings:
    """``settings`` with the periodic jobs that ask other hosts of their own accord
    (``PeriodicJob.external``) off, unless ``MARSAD_JOBS_SCHEDULE`` names them: trying
    Marsad out tells no third party."""
    from marsad.core.jobs.catalog import registered_periodic_jobs

    off = {
        job.name: 0
        for job in registered_periodic_jobs(settings)
        if job.external and job.name not in settings.jobs_schedule
    }
    return settings.model_copy(update={"jobs_schedule": {**settings.jobs_schedule, **off}})


def make_app(settings: object = None) -> typer.Typer:
    """The ``marsad`` app with the commands of the plugins ``settings`` enable.

    ``settings`` needs only ``plugins`` and ``disabled_plugins``; None reads them
    from the environment (and the TOML file). Raises ConfigError for a plugin
    module that cannot be imported.
    """
    from marsad.core.plugins import get_registry

    cli = typer.Typer(
        name="marsad",
        help="Marsad (مرصد): an observatory of digital rights and online harms.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    cli.callback()(main_callback)
    cli.command()(serve)
    cli.command()(demo)
    registry = get_registry(plugin_selection() if settings is None else settings)
    registry.mount_cli(cli)
    return cli


def _startup_app() -> tuple[typer.Typer, MarsadError | None]:
    try:
        return make_app(), None
    except MarsadError as exc:
        # A plugin that cannot be loaded: main() reports it as one line and exits.
        return typer.Typer(name="marsad"), exc


app, _startup_error = _startup_app()


def main() -> None:
    if _startup_error is not None:
        typer.echo(f"error: {_startup_error} [{_startup_error.code}]", err=True)
        raise SystemExit(_startup_error.exit_code)
    try:
        app()
    except MarsadError as exc:  # raised outside a command, e.g. while reading settings
        typer.echo(f"error: {exc} [{exc.code}]", err=True)
        raise SystemExit(exc.exit_code) from None
