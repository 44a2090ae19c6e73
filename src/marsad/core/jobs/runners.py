"""Who runs queued jobs: Celery workers, the web server's threads, or the CLI in the foreground.

``dispatch`` is called after a job is stored. With ``MARSAD_BROKER_URL`` set it
sends one message per job to the broker (Celery is imported only then). Without
a broker, the in-process :class:`EmbeddedRunner` of ``marsad serve``/``marsad
demo`` picks queued jobs up from the database (it is woken at once when the
job was submitted in its own process, and polls every second otherwise), and
``marsad jobs submit`` runs the job itself with :func:`run_in_foreground`.
Every runner claims jobs through :mod:`marsad.core.jobs.execution`, so a job
handed to two of them still runs once.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import session_scope, utcnow
from marsad.core.errors import MarsadError
from marsad.core.jobs.catalog import registered_kinds
from marsad.core.jobs.execution import claim_next, run_claim, sweep
from marsad.core.jobs.models import FINISHED, Job

log = logging.getLogger(__name__)

_LOCAL_RUNNERS: weakref.WeakSet[EmbeddedRunner] = weakref.WeakSet()


def dispatch(*, settings: Any, sessions: sessionmaker[Session], job_ids: list[str]) -> None:
    """Hand stored jobs to the configured runner.

    With a broker that cannot be reached the jobs are failed (``err_broker_unavailable``,
    never left queued with no message) and the error is raised for the caller to show.
    """
    if not job_ids:
        return
    if not settings.broker_url:
        for runner in list(_LOCAL_RUNNERS):
            runner.notify()
        return
    from marsad.core.jobs.celery_app import send_jobs

    try:
        send_jobs(settings, job_ids)
    except MarsadError as exc:
        with session_scope(sessions) as session:
            session.execute(
                update(Job)
                .where(Job.id.in_(job_ids), Job.status == "queued")
                .values(
                    status="failed",
                    finished_at=utcnow(),
                    error_code=exc.code,
                    error_message=exc.message,
                )
                .execution_options(synchronize_session=False)
            )
        raise


class EmbeddedRunner:
    """Runs queued jobs on a few daemon threads inside this process (no broker needed).

    Every ``jobs_heartbeat_timeout / 2`` seconds one thread also sweeps: a job left
    "running" by a process that stopped (a restarted server) is queued again.
    """

    def __init__(self, *, settings: Any, sessions: sessionmaker[Session], poll: float = 1.0):
        self.settings = settings
        self.sessions = sessions
        self.poll = poll
        self.kinds = registered_kinds(settings)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sweep_lock = threading.Lock()
        self._next_sweep = 0.0
        self._threads: list[threading.Thread] = []

    def start(self) -> EmbeddedRunner:
        for number in range(self.settings.jobs_threads):
            thread = threading.Thread(target=self._work, name=f"marsad-jobs-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        _LOCAL_RUNNERS.add(self)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop taking jobs. A job still running is left to finish (or to the next sweep)."""
        _LOCAL_RUNNERS.discard(self)
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout=timeout)

    def notify(self) -> None:
        self._wake.set()

    def _maybe_sweep(self) -> None:
        if time.monotonic() < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = time.monotonic() + self.settings.jobs_heartbeat_timeout / 2
            sweep(settings=self.settings, sessions=self.sessions)
        finally:
            self._sweep_lock.release()

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                self._maybe_sweep()
                claim = claim_next(sessions=self.sessions)
                if claim is not None:
                    run_claim(
                        settings=self.settings,
                        sessions=self.sessions,
                        claim=claim,
                        kinds=self.kinds,
                    )
                    continue
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not kill the runner
                log.warning("job runner: %s; trying again shortly", type(exc).__name__)
            self._wake.wait(self.poll)
            self._wake.clear()


def start_embedded_runner(
    *, settings: Any, sessions: sessionmaker[Session]
) -> EmbeddedRunner | None:
    """Start the in-process runner unless a broker is configured (then workers run jobs)."""
    if settings.broker_url:
        return None
    return EmbeddedRunner(settings=settings, sessions=sessions).start()


def job_status(sessions: sessionmaker[Session], job_id: str) -> str | None:
    with sessions() as session:
        return session.execute(select(Job.status).where(Job.id == job_id)).scalar_one_or_none()


def run_in_foreground(
    *,
    settings: Any,
    sessions: sessionmaker[Session],
    job_id: str,
    on_progress: Callable[[float], None] | None = None,
    poll: float = 0.2,
) -> str:
    """Run a job and its shards in this process until it ends; return its final status.

    When another runner (a server's) already holds the job or a shard, this waits for it.
    """
    kinds = registered_kinds(settings)
    next_sweep = 0.0
    while True:
        status = job_status(sessions, job_id)
        if status is None or status in FINISHED:
            return status or "failed"
        claim = claim_next(sessions=sessions, family=job_id)
        if claim is not None:
            run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)
            continue
        if time.monotonic() >= next_sweep:
            # Another runner holds the job or a shard: if it dies, take the job over.
            sweep(settings=settings, sessions=sessions)
            next_sweep = time.monotonic() + settings.jobs_heartbeat_timeout / 2
        if on_progress is not None:
            from marsad.core.jobs.service import get_job, shard_progress

            with sessions() as session:
                on_progress(shard_progress(session, job=get_job(session, job_id=job_id)))
        time.sleep(poll)


def wait_for(
    *, sessions: sessionmaker[Session], job_id: str, poll: float = 0.5, timeout: float | None = None
) -> str:
    """Wait until a job ends (it runs elsewhere); return its final status."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = job_status(sessions, job_id)
        if status is None or status in FINISHED:
            return status or "failed"
        if deadline is not None and time.monotonic() > deadline:
            return status
        time.sleep(poll)
