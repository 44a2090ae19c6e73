"""``marsad jobs …``, ``marsad worker`` and ``marsad scheduler`` as a user types them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.core.plugins import get_registry
from marsad.core.settings import Settings
from tests.conftest import TEST_SECRET
from tests.core.jobs.jobkinds import MODULE, count_rows, create_rows_table
from tests.core.test_settings import run_marsad

# Switches off the built-in capabilities' periodic jobs, so a test counts only its own.
BUILT_IN_OFF = json.dumps({job.name: 0 for job in get_registry().periodic_jobs()})


@pytest.fixture
def cli(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    create_rows_table(engine)
    env = {
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": str(settings.database_url),
        "MARSAD_SECRET_KEY": TEST_SECRET,
        "MARSAD_PLUGINS": MODULE,
        # Only the test plugin's periodic jobs: the built-in scoring is switched off.
        "MARSAD_JOBS_SCHEDULE": BUILT_IN_OFF,
        "MARSAD_BROKER_URL": "",
    }
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_submit_wait_show_list_as_json(cli, engine: Engine) -> None:
    result = cli("jobs", "submit", "test.steps", "--param", "steps=3", "--wait", "--json")
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"id", "kind", "status", "progress", "result", "error"}
    assert (body["status"], body["progress"], body["error"]) == ("succeeded", 1.0, None)
    assert count_rows(engine, body["id"]) == (3, 3)

    shown = json.loads(cli("jobs", "show", body["id"], "--json").stdout)
    assert shown == body

    result = cli("jobs", "submit", "test.sum", "-p", "stop=50", "-p", "shard_size=7", "--json")
    assert result.exit_code == 0, result.stderr
    sharded = json.loads(result.stdout)
    assert set(sharded) == {"id"}  # ran in the foreground: there is no server in this test
    listed = json.loads(cli("jobs", "list", "--kind", "test.sum", "--json").stdout)["jobs"]
    assert [(j["id"], j["status"]) for j in listed] == [(sharded["id"], "succeeded")]
    assert listed[0]["result"] == {"sum": sum(i * i for i in range(50)), "count": 50}


def test_bad_input_is_one_line_naming_what_is_wrong(cli) -> None:
    for args, code, named in [
        (("jobs", "submit", "test.nosuch"), "err_job_kind_unknown", "test.nosuch"),
        (("jobs", "submit", "test.steps", "--param", "size=3"), "err_job_param_unknown", "size"),
        (("jobs", "submit", "test.steps", "--param", "steps"), "err_job_param_syntax", "steps"),
        (("jobs", "submit", "test.steps", "--param", "steps=x"), "err_job_param_invalid", "steps"),
        (("jobs", "show", "no-such-job"), "err_job_not_found", "no-such-job"),
        (("jobs", "list", "--status", "lost"), "err_job_status_unknown", "lost"),
    ]:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stdout)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert code in result.stderr and named in result.stderr


def test_a_failed_job_exits_1_and_can_be_retried(cli, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    result = cli("jobs", "submit", "test.needs_file", "-p", f"path={path}", "--wait", "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "err_test_input_missing"
    assert str(path) in body["error"]["message"]

    failed = json.loads(cli("jobs", "list", "--status", "failed", "--json").stdout)["jobs"]
    assert [j["id"] for j in failed] == [body["id"]]
    path.write_text("[]")
    retried = json.loads(cli("jobs", "retry", body["id"], "--json").stdout)
    assert (retried["status"], retried["result"]) == ("succeeded", {"bytes": 2})

    result = cli("jobs", "cancel", body["id"])
    assert result.exit_code == 2 and "err_job_finished" in result.stderr


def test_scheduler_once_submits_due_jobs_once(cli) -> None:
    first = json.loads(cli("scheduler", "--once", "--json").stdout)["submitted"]
    assert sorted(item["name"] for item in first) == ["test.daily", "test.hourly"]
    assert json.loads(cli("scheduler", "--once", "--json").stdout) == {"submitted": []}


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:1/0", "amqp://guest:secret@127.0.0.1:1//", "kafka://127.0.0.1:1"]
)
def test_a_worker_whose_broker_is_down_says_which_url(url: str, tmp_path: Path) -> None:
    result = run_marsad(
        "worker",
        env={"MARSAD_DATA_DIR": str(tmp_path / "data"), "MARSAD_BROKER_URL": url},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "MARSAD_BROKER_URL" in result.stderr
    assert url.replace(":secret@", ":***@") in result.stderr
    assert "secret" not in result.stderr


def test_the_embedded_default_never_imports_celery(settings: Settings, engine: Engine) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    create_rows_table(engine)
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from marsad.cli.main import app\n"
        "from marsad.web.app import create_app\n"
        "from marsad.core.settings import load_settings\n"
        "result = CliRunner().invoke(app, ['jobs', 'submit', 'test.steps', '-p', 'steps=1'])\n"
        "assert result.exit_code == 0, result.output\n"
        "create_app(load_settings())\n"
        "print('celery' in sys.modules, 'kombu' in sys.modules)\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": str(settings.database_url),
        "MARSAD_SECRET_KEY": TEST_SECRET,
        "MARSAD_PLUGINS": MODULE,
        # Only the test plugin's periodic jobs: the built-in scoring is switched off.
        "MARSAD_JOBS_SCHEDULE": BUILT_IN_OFF,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_scheduler_runs_until_stopped(settings: Settings, engine: Engine, tmp_path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import func, select

    from marsad.core.jobs.models import Job
    from tests.conftest import REPO

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")},
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
        "MARSAD_ENV": "test",
        "MARSAD_DATA_DIR": str(settings.data_dir),
        "MARSAD_DATABASE_URL": str(settings.database_url),
        "MARSAD_SECRET_KEY": TEST_SECRET,
        "MARSAD_PLUGINS": MODULE,
        # Only the test plugin's periodic jobs: the built-in scoring is switched off.
        "MARSAD_JOBS_SCHEDULE": BUILT_IN_OFF,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "marsad.cli", "scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        count = 0
        while time.monotonic() < deadline and count < 2:
            time.sleep(0.5)
            with engine.connect() as conn:
                count = conn.execute(select(func.count()).select_from(Job)).scalar_one()
        assert count == 2, "the scheduler submitted nothing within a minute"
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
