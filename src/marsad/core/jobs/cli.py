"""``marsad jobs …``, ``marsad worker`` and ``marsad scheduler``: thin shells over the service."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Any

import typer

from marsad.cli.output import print_json, user_errors
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.jobs import service
from marsad.core.jobs.models import STATUSES
from marsad.core.settings import Settings, load_settings

app = typer.Typer(
    help="Background jobs: submit, show, list, cancel and retry them.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
CLI_ACTOR = "cli"


def _open() -> tuple[Settings, Any]:
    """Settings and sessions for one command, refused like every other command's
    (``marsad.cli.store.require_current``) when the database is behind its migrations."""
    from marsad.cli.store import require_current

    settings = load_settings()
    engine = make_engine(settings)
    require_current(engine)
    return settings, session_factory(engine, settings)


QueueOpt = Annotated[
    bool,
    typer.Option(
        "--queue",
        help="Queue the work as a background job instead of doing it here: a worker (or the "
        "running server, without a broker) takes it. Prints the job's id.",
    ),
]


def queue_jobs(kind: str, params: list[dict[str, Any]]) -> list[str]:
    """Submit one job of ``kind`` per parameter set, for a long command's ``--queue``."""
    from marsad.cli.store import open_store

    with open_store() as store:
        return [
            service.submit_job(
                sessions=store.sessions,
                settings=store.settings,
                kind=kind,
                params=one,
                requested_by=CLI_ACTOR,
            )
            for one in params
        ]


def print_queued(kind: str, job_ids: list[str], json_: bool) -> None:
    """What ``--queue`` prints: ``{"job_id", "kind"}`` (``{"jobs": […]}`` for several)."""
    if json_:
        if len(job_ids) == 1:
            print_json({"job_id": job_ids[0], "kind": kind})
        else:
            print_json({"jobs": [{"job_id": j, "kind": kind} for j in job_ids]})
        return
    for job_id in job_ids:
        typer.echo(_("queued as job {job_id} ({kind})").format(job_id=job_id, kind=kind))


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as a dict; a key given twice becomes a list."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput(
                "err_job_param_syntax",
                f"{pair!r} is not KEY=VALUE",
                "--param",
            )
        if key in params:
            previous = params[key]
            params[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[key] = value
    return params


def _show(sessions: Any, job_id: str) -> dict[str, Any]:
    with sessions() as session:
        job = service.get_job(session, job_id=job_id)
        return service.job_public(job, progress=service.shard_progress(session, job=job))


def _report(body: dict[str, Any], json_: bool) -> None:
    if json_:
        print_json(body)
        return
    line = f"{body['id']}  {body['kind']}  {body['status']}  {body['progress']:.0%}"
    typer.echo(line)
    if body["error"]:
        typer.echo(f"  {body['error']['code']}: {body['error']['message']}")
    elif body["result"] is not None:
        typer.echo(f"  result: {body['result']}")


@app.command("submit")
@user_errors
def submit(
    kind: Annotated[str, typer.Argument(help="Job kind, e.g. detect.run.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as KEY=VALUE (repeat for more)."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the job to end and print its result.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Submit a job. Without a broker it runs here, in the foreground, unless a server takes it.

    With MARSAD_BROKER_URL set it is sent to the workers; --wait then waits for its end.
    A job that ends failed or cancelled with --wait exits 1.
    """
    from marsad.core.jobs.runners import run_in_foreground, wait_for

    settings, sessions = _open()
    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind=kind,
        params=parse_params(param or []),
        requested_by=CLI_ACTOR,
    )
    if not settings.broker_url:
        run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
    elif wait:
        wait_for(sessions=sessions, job_id=job_id)
    if not wait:
        if json_:
            print_json({"id": job_id})
        else:
            typer.echo(job_id)
        return
    body = _show(sessions, job_id)
    _report(body, json_)
    if body["status"] != "succeeded":
        raise typer.Exit(1)


@app.command("show")
@user_errors
def show(
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    json_: JsonOpt = False,
) -> None:
    """Show a job: status, progress, result or error."""
    _, sessions = _open()
    _report(_show(sessions, job_id), json_)


@app.command("list")
@user_errors
def list_(
    status: Annotated[
        str | None, typer.Option(help=f"Only jobs with this status ({', '.join(STATUSES)}).")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many jobs.", min=1, max=10000)] = 100,
    json_: JsonOpt = False,
) -> None:
    """List jobs, newest first (shards are shown with their parent's `show`)."""
    _, sessions = _open()
    with session_scope(sessions) as session:
        jobs = service.list_jobs(session, status=status, kind=kind, limit=limit)
        rows = [
            {
                **service.job_public(job, progress=service.shard_progress(session, job=job)),
                "created_at": job.created_at.isoformat(),
                "requested_by": job.requested_by,
            }
            for job in jobs
        ]
    if json_:
        print_json({"jobs": rows})
        return
    for row in rows:
        _report(row, False)


@app.command("cancel")
@user_errors
def cancel(
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    json_: JsonOpt = False,
) -> None:
    """Cancel a job: a queued one at once, a running one at its next safe point."""
    _, sessions = _open()
    _report(service.cancel_job(sessions=sessions, job_id=job_id, actor=CLI_ACTOR), json_)


@app.command("retry")
@user_errors
def retry(
    job_id: Annotated[str, typer.Argument(metavar="ID", help="The job's id.")],
    json_: JsonOpt = False,
) -> None:
    """Queue a failed or cancelled job again; it resumes from its last saved cursor.

    Without a broker it runs here, in the foreground, like `jobs submit`.
    """
    from marsad.core.jobs.runners import run_in_foreground

    settings, sessions = _open()
    body = service.retry_job(sessions=sessions, settings=settings, job_id=job_id, actor=CLI_ACTOR)
    if not settings.broker_url:
        run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
        body = _show(sessions, job_id)
    _report(body, json_)


@user_errors
def worker_command(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help="Jobs this worker runs at once.", min=1)
    ] = 1,
) -> None:
    """Start a Celery worker that runs jobs from MARSAD_JOBS_QUEUE (needs MARSAD_BROKER_URL)."""
    from marsad.cli.logs import configure_logging
    from marsad.core.errors import ConfigError
    from marsad.core.jobs.celery_app import run_worker

    settings = load_settings()
    configure_logging(settings.log_level)
    if not settings.broker_url:
        raise ConfigError(
            "MARSAD_BROKER_URL",
            "is not set; a worker needs a broker (redis://… or amqp://…). Without one, "
            "`marsad serve` runs jobs itself",
        )
    run_worker(settings=settings, concurrency=concurrency)


@user_errors
def scheduler_command(
    once: Annotated[
        bool, typer.Option("--once", help="Submit what is due now, then exit.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Submit periodic jobs on their schedule; several schedulers never double a job."""
    from marsad.cli.logs import configure_logging
    from marsad.core.jobs.scheduler import run_scheduler, submit_due

    settings, sessions = _open()
    configure_logging(settings.log_level)
    if once:
        submitted = submit_due(settings=settings, sessions=sessions)
        if json_:
            print_json({"submitted": submitted})
        else:
            for item in submitted:
                typer.echo(f"{item['name']}: {item['id']}")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    run_scheduler(settings=settings, sessions=sessions, stop=stop)
