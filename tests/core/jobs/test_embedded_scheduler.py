"""The embedded default submits periodic jobs itself: ``marsad serve`` without a broker
runs the scheduler on a thread, unless ``MARSAD_JOBS_EMBEDDED_SCHEDULER`` is off."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from marsad.cli.main import make_app
from marsad.core.db import read_scope, session_scope, utcnow
from marsad.core.errors import ConfigError
from marsad.core.jobs.catalog import registered_periodic_jobs
from marsad.core.jobs.models import Job
from marsad.core.jobs.scheduler import start_embedded_scheduler
from marsad.core.settings import Settings
from tests.core.jobs.jobkinds import MODULE
from tests.serving import serving


def _periodic(sessions: sessionmaker[Session], kind: str | None = None) -> list[Job]:
    query = select(Job).where(Job.requested_by == "scheduler")
    if kind is not None:
        query = query.where(Job.kind == kind)
    with read_scope(sessions) as session:  # SQLite: never takes the server's write lock
        return list(session.execute(query).scalars())


def _own_schedule(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the test plugin's two periodic jobs: the built-in ones would reach for the network."""
    monkeypatch.setattr(settings, "plugins", MODULE)
    names = {job.name for job in registered_periodic_jobs(settings)}
    schedule = dict.fromkeys(names, 0) | {"test.hourly": 3600, "test.daily": 86400}
    monkeypatch.setattr(settings, "jobs_schedule", schedule)


def test_no_scheduler_with_a_broker_or_when_switched_off(settings: Settings, sessions) -> None:
    with_broker = Settings(**{**settings.model_dump(), "broker_url": "redis://127.0.0.1:1/0"})
    switched_off = Settings(**{**settings.model_dump(), "jobs_embedded_scheduler": False})
    for chosen in (with_broker, switched_off):
        assert start_embedded_scheduler(settings=chosen, sessions=sessions) is None
    assert _periodic(sessions) == []


def test_a_wrong_schedule_stops_the_server_at_start(settings: Settings, sessions) -> None:
    wrong = Settings(**{**settings.model_dump(), "jobs_schedule": {"no.such-job": 60}})
    with pytest.raises(ConfigError) as caught:
        start_embedded_scheduler(settings=wrong, sessions=sessions)
    assert caught.value.where == "MARSAD_JOBS_SCHEDULE"


def test_the_thread_submits_due_jobs_and_stops_when_asked(
    settings: Settings, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    _own_schedule(settings, monkeypatch)
    scheduler = start_embedded_scheduler(settings=settings, sessions=sessions)
    assert scheduler is not None
    try:
        deadline = time.monotonic() + 30
        while len(_periodic(sessions)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        started = time.monotonic()
        scheduler.stop()
    assert time.monotonic() - started < 5  # the stop event wakes it: no tick is waited out
    assert not scheduler._thread.is_alive()  # noqa: SLF001
    assert sorted(job.params["steps"] for job in _periodic(sessions)) == [1, 2]


def _ran_at(sessions: sessionmaker[Session], job: Job, at: datetime) -> None:
    """Record that the scheduler submitted ``job`` at ``at`` (its slot's key with it)."""
    _, name, every, _slot = job.dedupe_key.split(":")
    key = f"periodic:{name}:{every}:{int(at.timestamp()) // int(every)}"
    with session_scope(sessions) as session:
        session.execute(update(Job).where(Job.id == job.id).values(created_at=at, dedupe_key=key))


def _wait_until(check, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"the scheduler did not {what} in {timeout} s"
        time.sleep(0.05)


def test_a_restart_submits_only_the_jobs_whose_turn_has_come(
    settings: Settings, sessions, env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restarting the server does not rebuild what ran within its interval (the weekly PDF)."""
    _own_schedule(settings, monkeypatch)

    def restart(until, what: str) -> None:  # type: ignore[no-untyped-def]
        scheduler = start_embedded_scheduler(settings=settings, sessions=sessions)
        assert scheduler is not None
        try:
            _wait_until(until, what)
        finally:
            scheduler.stop()

    # First start: neither job ever ran, so both are submitted at once.
    restart(lambda: len(_periodic(sessions)) == 2, "submit both jobs")
    jobs = {job.params["steps"]: job for job in _periodic(sessions)}
    hourly, daily = jobs[1], jobs[2]

    # The server is killed while the hourly job runs, and started again at once. Its
    # first tick sweeps the job back into the queue (the sign that the tick is over)
    # and submits nothing: both jobs ran in their interval, the hourly one is resumed.
    with session_scope(sessions) as session:
        session.execute(
            update(Job)
            .where(Job.id == hourly.id)
            .values(
                status="running",
                claim_token="killed-worker",
                attempts=1,
                heartbeat_at=utcnow() - timedelta(hours=1),
            )
        )
    restart(
        lambda: all(job.status == "queued" for job in _periodic(sessions)),
        "sweep the killed job back",
    )
    assert sorted(job.id for job in _periodic(sessions)) == sorted([hourly.id, daily.id])

    # Later: the hourly job last ran two hours ago, the daily one just before this
    # day's slot began (an hour or more ago, but less than a day). A restart submits
    # the hourly job only: a new slot alone does not make a job due again.
    now = utcnow()
    _ran_at(sessions, hourly, now - timedelta(hours=2))
    day_began = datetime.fromtimestamp(int(now.timestamp()) // 86400 * 86400, tz=UTC)
    _ran_at(sessions, daily, day_began - timedelta(seconds=1))
    restart(lambda: len(_periodic(sessions)) >= 3, "submit the hourly job")
    again = [job for job in _periodic(sessions) if job.id not in (hourly.id, daily.id)]
    assert [job.params["steps"] for job in again] == [1]

    # `marsad scheduler` shares the rule: started now, it finds nothing due.
    monkeypatch.setenv("MARSAD_PLUGINS", MODULE)
    monkeypatch.setenv("MARSAD_JOBS_SCHEDULE", json.dumps(settings.jobs_schedule))
    root, level = logging.getLogger(), logging.getLogger().level
    try:
        result = CliRunner().invoke(make_app(settings), ["scheduler", "--once", "--json"])
    finally:
        root.setLevel(level)  # the command set MARSAD_LOG_LEVEL for this whole process
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"submitted": []}
    assert len(_periodic(sessions)) == 3


@pytest.mark.parametrize("embedded", [True, False], ids=["default", "switched-off"])
def test_marsad_serve_without_a_broker_runs_periodic_jobs(
    settings: Settings, engine: Engine, sessions, embedded: bool
) -> None:
    """The real server: the dashboards' figures are refreshed with no `marsad scheduler`."""
    names = {job.name for job in registered_periodic_jobs(settings)}
    # Every periodic job off but one, on a short interval (several network-bound ones
    # must not run here); the job itself runs as it would in a deployment.
    schedule = dict.fromkeys(names, 0) | {"publish.refresh-figures": 2}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")},
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": settings.resolved_database_url,
        "MARSAD_SECRET_KEY": str(settings.secret_key),
        "MARSAD_JOBS_SCHEDULE": json.dumps(schedule),
        "MARSAD_JOBS_EMBEDDED_SCHEDULER": "true" if embedded else "false",
        "MARSAD_LANGUAGE": "en",
    }
    with serving(env) as (server, _base):
        # The first tick is at start; its job runs on the server's own threads.
        deadline = time.monotonic() + (30 if embedded else 3)
        done: list[Job] = []
        while time.monotonic() < deadline:
            jobs = _periodic(sessions)
            done = [job for job in jobs if job.status == "succeeded"]
            if done:
                break
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    log = err.decode()
    assert server.returncode == 0, log
    assert "Traceback" not in log
    if not embedded:
        assert _periodic(sessions) == []
        assert "MARSAD_JOBS_EMBEDDED_SCHEDULER" not in log
        return
    assert done, f"no periodic job finished; jobs: {[(j.kind, j.status) for j in jobs]}"
    assert {job.kind for job in _periodic(sessions)} == {"publish.refresh-figures"}
    assert "stored" in (done[0].result or {})
    assert "Periodic jobs are submitted by this server" in log


def test_the_demo_asks_no_other_host_unless_told(settings: Settings) -> None:
    from marsad.cli.main import _offline_schedule
    from marsad.core.jobs.scheduler import schedule

    names = {item.job.name: item.every for item in schedule(settings)}
    assert names.get("connectivity.fetch-signals") == 3600  # `marsad serve` pulls IODA hourly
    demo = {item.job.name for item in schedule(_offline_schedule(settings))}
    assert "connectivity.fetch-signals" not in demo
    assert demo == set(names) - {"connectivity.fetch-signals"}  # everything else still runs
    told = Settings(
        **{**settings.model_dump(), "jobs_schedule": {"connectivity.fetch-signals": 600}}
    )
    assert {i.job.name: i.every for i in schedule(_offline_schedule(told))}[
        "connectivity.fetch-signals"
    ] == 600
