"""The scheduler: submit the periodic jobs capabilities declare, once per interval.

A periodic job is due when the scheduler never submitted it, or submitted it
last at least its interval ago: the jobs table is the record, so a scheduler
that starts (a server restarted, ``marsad scheduler`` started again) submits
only what is due, not every job at its first look. Time is also cut into slots
of each job's interval (seconds since the epoch divided by it): the job
submitted for a slot carries the key ``periodic:<name>:<every>:<slot>``, unique
in the job table, so two schedulers running at once submit it once: the second
insert fails and is skipped. (A job submitted at least an interval after the
last one is always in a later slot, so the key never holds a due job back.)
Intervals come from the capability (``PeriodicJob.every_seconds``) unless
``MARSAD_JOBS_SCHEDULE`` overrides them.

It runs as ``marsad scheduler`` (with a broker, beside the workers), or, in the
embedded default, on a thread of ``marsad serve`` (:func:`start_embedded_scheduler`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import read_scope, session_scope, utcnow
from marsad.core.errors import ConfigError, MarsadError
from marsad.core.jobs.catalog import registered_kinds, registered_periodic_jobs
from marsad.core.jobs.kinds import PeriodicJob
from marsad.core.jobs.models import Job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    job: PeriodicJob
    every: int


def schedule(settings: Any) -> list[ScheduledJob]:
    """The periodic jobs with their intervals after settings; ConfigError for an unknown name."""
    declared = {job.name: job for job in registered_periodic_jobs(settings)}
    overrides = dict(settings.jobs_schedule or {})
    for name, every in overrides.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise ConfigError(
                "MARSAD_JOBS_SCHEDULE", f"there is no periodic job {name!r}; known: {known}"
            )
        if every < 0:
            raise ConfigError(
                "MARSAD_JOBS_SCHEDULE", f"{name!r}: the interval must be 0 (off) or more seconds"
            )
    return [
        ScheduledJob(job, overrides.get(name, job.every_seconds))
        for name, job in sorted(declared.items())
        if overrides.get(name, job.every_seconds) > 0
    ]


def submitted_since(session: Session, *, job: PeriodicJob, since: datetime) -> bool:
    """Whether the scheduler submitted ``job`` after ``since`` (run, running or not yet)."""
    query = (
        select(Job.id)
        .where(
            Job.kind == job.kind,  # indexed: the prefix match below reads few rows
            Job.dedupe_key.startswith(f"periodic:{job.name}:", autoescape=True),
            Job.created_at > since,
        )
        .limit(1)
    )
    return session.execute(query).first() is not None


def submit_due(
    *, settings: Any, sessions: sessionmaker[Session], now: datetime | None = None
) -> list[dict[str, str]]:
    """Submit every periodic job that is due; return what was submitted.

    Due: never submitted, or last submitted at least its interval before ``now``.
    A job counts as run once it is submitted, whatever became of it: one that
    failed waits for its next turn, and one a killed worker left half done is
    taken up again by the sweep, not submitted twice.
    """
    from marsad.core.jobs.runners import dispatch
    from marsad.core.jobs.service import create_job

    now = now or utcnow()
    kinds = registered_kinds(settings)
    submitted: list[dict[str, str]] = []
    for item in schedule(settings):
        since = now - timedelta(seconds=item.every)
        # A read first (on SQLite it takes no write lock): most ticks submit nothing.
        with read_scope(sessions) as session:
            if submitted_since(session, job=item.job, since=since):
                continue
        slot = int(now.timestamp()) // item.every
        key = f"periodic:{item.job.name}:{item.every}:{slot}"
        try:
            with session_scope(sessions) as session:
                # Again in the write (on SQLite it holds the lock): another scheduler may
                # have submitted the job a moment ago, in the slot before this one.
                if submitted_since(session, job=item.job, since=since):
                    continue
                job = create_job(
                    session,
                    kinds=kinds,
                    kind=item.job.kind,
                    params=item.job.params or {},
                    requested_by="scheduler",
                    dedupe_key=key,
                    created_at=now,
                )
                job_id = job.id
        except IntegrityError:
            continue  # another scheduler submitted this slot's job first
        # Names and ids only: periodic jobs' parameters stay out of the logs.
        log.info("submitted periodic job %s (%s)", item.job.name, job_id)
        submitted.append({"name": item.job.name, "kind": item.job.kind, "id": job_id})
    if submitted:
        dispatch(settings=settings, sessions=sessions, job_ids=[s["id"] for s in submitted])
    return submitted


def run_scheduler(
    *, settings: Any, sessions: sessionmaker[Session], stop: threading.Event, tick: float = 5.0
) -> None:
    """Submit due jobs and sweep lost ones until ``stop`` is set."""
    from marsad.core.jobs.execution import sweep

    schedule(settings)  # a wrong MARSAD_JOBS_SCHEDULE fails at start, not an hour later
    while not stop.is_set():
        try:
            submit_due(settings=settings, sessions=sessions)
            sweep(settings=settings, sessions=sessions)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - the next tick tries again
            log.warning("scheduler: %s; trying again in %s s", type(exc).__name__, tick)
        stop.wait(tick)


class EmbeddedScheduler:
    """:func:`run_scheduler` on a daemon thread of ``marsad serve``, with its own stop event.

    Its writes go through the server's own sessions, like the in-process runner's
    (on SQLite: short ``BEGIN IMMEDIATE`` transactions that queue for the lock).
    """

    def __init__(
        self, *, settings: Any, sessions: sessionmaker[Session], tick: float = 5.0
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.tick = tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="marsad-scheduler", daemon=True)

    def start(self) -> EmbeddedScheduler:
        """Check the schedule (a wrong one stops the server at start), then start the thread."""
        jobs = schedule(self.settings)
        self._thread.start()
        # Names and intervals only: periodic jobs' parameters stay out of the logs.
        log.info(
            "periodic jobs are submitted in this process: %s",
            ", ".join(f"{item.job.name} every {item.every} s" for item in jobs) or "none",
        )
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Submit nothing more; wait (up to ``timeout``) for a submission under way."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def _run(self) -> None:
        try:
            run_scheduler(
                settings=self.settings, sessions=self.sessions, stop=self._stop, tick=self.tick
            )
        except MarsadError as exc:  # the server goes on serving; only periodic jobs stop
            log.error("the in-process scheduler stopped: %s [%s]", exc, exc.code)  # noqa: TRY400


def start_embedded_scheduler(
    *, settings: Any, sessions: sessionmaker[Session]
) -> EmbeddedScheduler | None:
    """Run the scheduler inside this process, unless a broker is configured (then
    ``marsad scheduler`` runs beside the workers) or ``MARSAD_JOBS_EMBEDDED_SCHEDULER``
    is off. Raises ConfigError for a wrong ``MARSAD_JOBS_SCHEDULE``."""
    if settings.broker_url or not settings.jobs_embedded_scheduler:
        return None
    return EmbeddedScheduler(settings=settings, sessions=sessions).start()
