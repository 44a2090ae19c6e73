"""Celery, used only when ``MARSAD_BROKER_URL`` is set (this module imports it).

A message carries nothing but a job id: parameters, cursor and result stay in
the database, so a message delivered twice, late or to another worker is
harmless (the claim decides who runs the job). The settings chosen here, and
why, are in docs/jobs.md:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged
  after the job ends, so a worker killed mid-job leaves it with the broker,
  which delivers it again (RabbitMQ at once, when the connection drops; Redis
  after ``visibility_timeout``).
- ``worker_prefetch_multiplier = 1``: a worker holds one message per free
  thread, so the jobs behind a long one go to other workers.
- the ``threads`` pool: a job, its heartbeat and the worker die together
  under ``kill -9``; a prefork child would outlive its parent and keep
  writing. Run one ``marsad worker`` per core for CPU-heavy kinds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from marsad.core.errors import ConfigError, MarsadError

log = logging.getLogger(__name__)

TASK = "marsad.jobs.run"
SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


def safe_url(url: str) -> str:
    """The broker URL without its password (it goes into messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username or ''}:***@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def broker_down(settings: Any, reason: BaseException | str) -> MarsadError:
    text = reason if isinstance(reason, str) else (str(reason).strip() or type(reason).__name__)
    return MarsadError(
        "err_broker_unavailable",
        f"cannot reach the job broker at {safe_url(settings.broker_url)}: {text.splitlines()[0]}",
        where="MARSAD_BROKER_URL",
        status=503,
        exit_code=2,
    )


def check_scheme(settings: Any) -> None:
    scheme = urlsplit(settings.broker_url or "").scheme
    if scheme not in SCHEMES:
        raise ConfigError(
            "MARSAD_BROKER_URL",
            f"{safe_url(settings.broker_url or '')!r} is not a broker URL Marsad supports; "
            "use redis://host:6379/0 or amqp://user:password@host:5672//",
        )


def make_celery(settings: Any) -> Any:
    """A Celery app for these settings (nothing connects until it is used)."""
    from celery import Celery

    check_scheme(settings)
    app = Celery("marsad", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.jobs_queue,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": settings.jobs_visibility_timeout,
            "socket_connect_timeout": 5,
            "socket_timeout": 30,
        },
        broker_connection_timeout=5,
        broker_connection_retry_on_startup=False,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


@lru_cache(maxsize=4)
def _publisher(broker_url: str, queue: str, visibility: int) -> Any:
    from types import SimpleNamespace

    return make_celery(
        SimpleNamespace(broker_url=broker_url, jobs_queue=queue, jobs_visibility_timeout=visibility)
    )


def send_jobs(settings: Any, job_ids: list[str]) -> None:
    """Send one message per job to the jobs queue; MarsadError when the broker is down."""
    app = _publisher(settings.broker_url, settings.jobs_queue, settings.jobs_visibility_timeout)
    try:
        for job_id in job_ids:
            app.send_task(TASK, args=[job_id], queue=settings.jobs_queue)
    except MarsadError:
        raise
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds; all mean "down"
        raise broker_down(settings, exc) from None


def check_broker(app: Any, settings: Any) -> None:
    """Connect once, or raise MarsadError naming the broker URL that failed."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds; all mean "down"
        raise broker_down(settings, exc) from None


def run_worker(*, settings: Any, concurrency: int) -> None:
    """Start a Celery worker on the jobs queue (blocks until it is stopped)."""
    from marsad.core.db import make_engine, session_factory
    from marsad.core.jobs.catalog import registered_kinds
    from marsad.core.jobs.execution import claim_job, run_claim, sweep

    app = make_celery(settings)
    check_broker(app, settings)
    engine = make_engine(settings)
    sessions = session_factory(engine, settings)
    kinds = registered_kinds(settings)

    @app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)
    def run_job(job_id: str) -> None:
        # Not queued any more (done, running elsewhere, cancelled): this message is a
        # duplicate and is acknowledged; the sweep re-queues a job whose worker died.
        claim = claim_job(sessions=sessions, job_id=job_id)
        if claim is not None:
            run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)

    stop = threading.Event()

    def sweeper() -> None:
        while True:
            try:
                sweep(settings=settings, sessions=sessions)
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.warning("job sweep failed: %s", type(exc).__name__)
            if stop.wait(settings.jobs_heartbeat_timeout / 2):
                return

    threading.Thread(target=sweeper, name="marsad-job-sweeper", daemon=True).start()
    hostname = f"marsad-{os.getpid()}@{socket.gethostname()}"
    try:
        app.worker_main(
            [
                "worker",
                "--queues",
                settings.jobs_queue,
                "--concurrency",
                str(concurrency),
                "--pool",
                "threads",
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                settings.log_level,
            ]
        )
    finally:
        stop.set()
        engine.dispose()
