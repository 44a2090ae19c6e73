"""``--queue`` on the long commands: each becomes a job that does what the command does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.coordination.runs import get_run
from marsad.core.jobs.runners import run_in_foreground
from marsad.core.settings import Settings
from marsad.detect.models import Flag
from marsad.posts.models import Post
from tests.conftest import TEST_SECRET
from tests.coordination.test_store import MAPPING, _posts


@pytest.fixture
def cli(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    env = {
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": str(settings.database_url),
        "MARSAD_SECRET_KEY": TEST_SECRET,
        "MARSAD_BROKER_URL": "",
        "MARSAD_LANGUAGE": "en",
    }
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


def _count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _run(settings, sessions, job_id: str) -> None:  # type: ignore[no-untyped-def]
    assert run_in_foreground(settings=settings, sessions=sessions, job_id=job_id) == "succeeded"


def test_ingest_detect_and_coordination_queue_jobs_that_do_the_work(
    cli, settings, sessions, tmp_path: Path
) -> None:
    posts = _posts(tmp_path / "p.jsonl")
    queued = cli("ingest", "jsonl", str(posts), "--map", MAPPING, "--queue", "--json")
    assert queued.exit_code == 0, queued.output
    job = json.loads(queued.stdout)
    assert job["kind"] == "posts.ingest" and _count(sessions, Post) == 0  # nothing ran yet
    _run(settings, sessions, job["job_id"])
    assert _count(sessions, Post) == 324

    queued = cli("detect", "run", "--queue", "--json")
    assert queued.exit_code == 0, queued.output
    job = json.loads(queued.stdout)
    assert job["kind"] == "detect.run" and _count(sessions, Flag) == 0
    _run(settings, sessions, job["job_id"])
    assert _count(sessions, Flag) == 324

    queued = cli("coordination", "detect", "--method", "links", "--queue", "--json")
    assert queued.exit_code == 0, queued.output
    job = json.loads(queued.stdout)
    assert job["kind"] == "coordination.run"
    _run(settings, sessions, job["job_id"])
    from marsad.core.jobs.service import get_job

    with sessions() as session:
        result = get_job(session, job_id=job["job_id"]).result
        run = get_run(session, run_id=result["run_id"])
        assert run.created_by == "cli" and run.parameters["methods"] == ["links"]
        assert run.clusters >= 1


def test_queue_refuses_what_a_job_cannot_take(cli, tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_text("account_id,created_at\n", encoding="utf-8")
    result = cli("coordination", "detect", "--accounts", str(csv), "--queue")
    assert result.exit_code == 2 and "--accounts" in result.output
    assert "Traceback" not in result.output
    result = cli("ingest", "nosuchformat", str(tmp_path), "--queue")
    assert result.exit_code == 2 and "nosuchformat" in result.output
