"""`marsad serve` logs at MARSAD_LOG_LEVEL, like `marsad worker`, and its log never holds
what was sent to it (a report's text, a contact) nor the statements that stored it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from marsad.core.jobs.catalog import registered_periodic_jobs
from marsad.core.jobs.models import Job
from marsad.core.settings import Settings
from tests.serving import serving

SECRET_TITLE = "Threatened-at-the-checkpoint-7731"
SECRET_CONTACT = "witness-7731@example.org"


def _env(tmp_path: Path, level: str) -> dict[str, str]:
    names = {job.name for job in registered_periodic_jobs(Settings(secret_key="x" * 40))}
    # One periodic job, soon: its lines are the scheduler's INFO lines this looks for.
    schedule = dict.fromkeys(names, 0) | {"publish.refresh-figures": 2}
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")},
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(tmp_path / "data"),
        "MARSAD_DATABASE_URL": f"sqlite:///{tmp_path / 'marsad.db'}",
        "MARSAD_SECRET_KEY": "x" * 40,
        "MARSAD_JOBS_SCHEDULE": json.dumps(schedule),
        "MARSAD_LOG_LEVEL": level,
        "MARSAD_LANGUAGE": "en",
    }


def _serve_and_report(env: dict[str, str], cwd: Path) -> str:
    """Start `marsad serve`, file one report, wait for a periodic job, stop; its stderr."""
    with serving(env, cwd=cwd, upgrade=True) as (server, base):
        body = {"title": SECRET_TITLE, "category": "threat", "contact": SECRET_CONTACT}
        request = urllib.request.Request(  # noqa: S310 - loopback
            base + "/api/v1/reports",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            assert answer.status == 201
        # The scheduler's first tick submits the job, the server's threads run it.
        deadline = time.monotonic() + 30
        while not _periodic_job_ran(env["MARSAD_DATABASE_URL"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err.decode()
    return err.decode()


def _periodic_job_ran(database_url: str) -> bool:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(Job.id).where(Job.requested_by == "scheduler", Job.status == "succeeded")
            return conn.execute(query).first() is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("level", ["DEBUG", "WARNING"])
def test_serve_logs_at_marsad_log_level_and_never_what_it_was_sent(
    tmp_path: Path, level: str
) -> None:
    log = _serve_and_report(_env(tmp_path, level), tmp_path)
    assert "Traceback" not in log
    # What a reporter sent, and the SQL that stored it, are in no line at any level.
    assert SECRET_TITLE not in log and SECRET_CONTACT not in log
    assert "INSERT INTO" not in log and "SELECT" not in log
    scheduler_lines = "INFO marsad.core.jobs.scheduler: periodic jobs are submitted in this process"
    if level == "WARNING":
        assert "INFO " not in log and "DEBUG " not in log
        return
    assert scheduler_lines in log
    assert "submitted periodic job publish.refresh-figures" in log


def test_a_log_level_that_is_not_one_is_refused_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marsad.cli.main import make_app

    for key, value in _env(tmp_path, "loud").items():
        if key.startswith("MARSAD_"):
            monkeypatch.setenv(key, value)
    assert CliRunner().invoke(make_app(), ["db", "upgrade"]).exit_code == 0
    for command in (["serve"], ["demo", "--no-serve"], ["scheduler", "--once"], ["worker"]):
        result = CliRunner().invoke(make_app(), command)
        assert result.exit_code == 2, (command, result.output)
        assert "MARSAD_LOG_LEVEL" in result.output and "'loud'" in result.output


def test_the_loggers_that_would_hold_urls_or_rows_stay_at_warning() -> None:
    """At DEBUG too: httpx logs each URL (a webhook's token), SQLAlchemy the rows it read."""
    script = (
        "import logging; from marsad.cli.logs import configure_logging; "
        "configure_logging('debug'); "
        "print([n for n in ('sqlalchemy.engine.Engine', 'httpx', 'httpcore.connection', "
        "'urllib3.connectionpool', 'uvicorn.error') "
        "if logging.getLogger(n).isEnabledFor(logging.INFO)], "
        "logging.getLogger('marsad.alerts.delivery').isEnabledFor(logging.DEBUG))"
    )
    done = subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["[]", "True"]
