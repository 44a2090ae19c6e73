"""Real ``marsad worker`` processes on PostgreSQL, with Redis and with RabbitMQ as broker.

Each test uses its own queue, so tests never take each other's messages, and
every wait is bounded. A worker is killed with SIGKILL (no chance to clean up);
another worker must finish its job with nothing lost or doubled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.jobs import service
from marsad.core.jobs.models import Job
from marsad.core.settings import Settings
from tests.conftest import PG_URL, REPO, TEST_SECRET, postgres_schema
from tests.core.jobs.jobkinds import MODULE, count_rows, create_rows_table

pytestmark = pytest.mark.slow

BROKERS = {
    "redis": "redis://127.0.0.1:6379/0",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//",
}


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(params=sorted(BROKERS))
def broker_url(request: pytest.FixtureRequest) -> str:
    url = BROKERS[request.param]
    assert _reachable(url), f"the {request.param} broker at {url} is not running"
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL: set MARSAD_TEST_POSTGRES_URL to run real workers")
    with postgres_schema() as url:
        yield url


class Workers:
    """Starts ``marsad worker`` subprocesses on one database, broker and queue."""

    def __init__(self, settings: Settings, tmp_path: Path) -> None:
        self.settings = settings
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen[bytes]] = []
        base = {k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")}
        self.env = {
            **base,
            "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
            "MARSAD_ENV": "test",
            "MARSAD_DATA_DIR": str(settings.data_dir),
            "MARSAD_SECRET_KEY": TEST_SECRET,
            "MARSAD_DATABASE_URL": str(settings.database_url),
            "MARSAD_BROKER_URL": str(settings.broker_url),
            "MARSAD_JOBS_QUEUE": settings.jobs_queue,
            "MARSAD_JOBS_HEARTBEAT_TIMEOUT": str(settings.jobs_heartbeat_timeout),
            "MARSAD_PLUGINS": MODULE,
        }

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "marsad.cli", "worker", "--concurrency", "1"],
            env=self.env,
            cwd=self.tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp_path.glob("worker-*.log"))
        )

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


@pytest.fixture
def setup(
    pg_url: str, broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, Engine, sessionmaker[Session], Workers]]:
    monkeypatch.setenv("MARSAD_PLUGINS", MODULE)
    settings = Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=pg_url,
        secret_key=TEST_SECRET,
        broker_url=broker_url,
        jobs_queue=f"marsad-test-{uuid.uuid4().hex[:10]}",
        jobs_heartbeat_timeout=5,  # short, for the test; a stall under load stays below it
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    create_rows_table(engine)
    workers = Workers(settings, tmp_path)
    yield settings, engine, session_factory(engine, settings), workers
    workers.stop()
    engine.dispose()


def wait_until(check: Callable[[], bool], seconds: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}\n{workers.logs()}")


def job_row(sessions: sessionmaker[Session], job_id: str) -> Job:
    with sessions() as session:
        return service.get_job(session, job_id=job_id)


def test_a_job_survives_kill_9_of_its_worker(setup) -> None:
    settings, engine, sessions, workers = setup
    first = workers.start()
    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind="test.steps",
        params={"steps": 30, "delay": 0.15},
        requested_by="amal",
    )
    wait_until(lambda: (job_row(sessions, job_id).cursor or 0) >= 5, 60, "the first steps", workers)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=15)
    killed_at = job_row(sessions, job_id)
    assert killed_at.status == "running"
    assert killed_at.cursor < 30

    workers.start()
    wait_until(
        lambda: job_row(sessions, job_id).status in ("succeeded", "failed"),
        60,
        "the job to finish on the second worker",
        workers,
    )
    done = job_row(sessions, job_id)
    assert done.status == "succeeded", workers.logs()
    assert done.result["done"] == 30
    assert done.result["resumed_from"] >= killed_at.cursor  # resumed, not started over
    assert done.attempts == 2
    assert count_rows(engine, job_id) == (30, 30)  # nothing lost, nothing doubled


def test_two_workers_share_a_sharded_job(setup) -> None:
    settings, _engine, sessions, workers = setup
    workers.start()
    workers.start()
    # Both must be consuming before the work arrives, or the first up could take it all.
    wait_until(lambda: workers.logs().count(" ready.") == 2, 60, "two ready workers", workers)

    def submit(kind: str) -> str:
        return service.submit_job(
            sessions=sessions,
            settings=settings,
            kind=kind,
            params={"stop": 240, "shard_size": 20, "delay": 0.4},
            requested_by="amal",
        )

    sharded, single = submit("test.sum"), submit("test.sum_single")
    for job_id in (sharded, single):
        wait_until(
            lambda job_id=job_id: job_row(sessions, job_id).status in ("succeeded", "failed"),
            60,
            f"job {job_id} to finish",
            workers,
        )
    merged, whole = job_row(sessions, sharded), job_row(sessions, single)
    assert (merged.status, whole.status) == ("succeeded", "succeeded"), workers.logs()
    assert merged.result == {"sum": whole.result["sum"], "count": whole.result["count"]}
    assert merged.shards == 12
    with sessions() as session:
        shard_results = list(
            session.execute(select(Job.result).where(Job.parent_id == sharded)).scalars()
        )
    assert len(shard_results) == 12
    assert len({r["pid"] for r in shard_results}) == 2, "both workers should have taken shards"
