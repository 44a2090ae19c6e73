"""The jobs service and its execution path, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import session_scope
from marsad.core.errors import ConfigError, InvalidInput, MarsadError, NotFound
from marsad.core.jobs import execution, runners, scheduler, service
from marsad.core.jobs.models import Job
from marsad.core.models import AuditRecord
from marsad.core.settings import Settings
from tests.core.jobs.jobkinds import MODULE, count_rows, create_rows_table


@pytest.fixture(autouse=True)
def job_kinds(monkeypatch: pytest.MonkeyPatch, engine: Engine, settings: Settings) -> None:
    # The test kinds are a plugin: for processes started here (environment) and for
    # the registry of the settings the tests pass around.
    monkeypatch.setenv("MARSAD_PLUGINS", MODULE)
    monkeypatch.setattr(settings, "plugins", MODULE)
    create_rows_table(engine)


def submit(sessions: sessionmaker[Session], settings: Settings, kind: str, **params: object) -> str:
    return service.submit_job(
        sessions=sessions, settings=settings, kind=kind, params=params, requested_by="amal"
    )


def show(sessions: sessionmaker[Session], job_id: str) -> dict:
    with sessions() as session:
        job = service.get_job(session, job_id=job_id)
        return service.job_public(job, progress=service.shard_progress(session, job=job))


def run(settings: Settings, sessions: sessionmaker[Session], job_id: str) -> dict:
    runners.run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
    return show(sessions, job_id)


def test_a_job_runs_to_its_result_and_is_audited(settings, sessions, engine) -> None:
    job_id = submit(sessions, settings, "test.steps", steps="4")
    assert show(sessions, job_id)["status"] == "queued"
    body = run(settings, sessions, job_id)
    assert body == {
        "id": job_id,
        "kind": "test.steps",
        "status": "succeeded",
        "progress": 1.0,
        "result": {"done": 4, "resumed_from": 0},
        "error": None,
    }
    assert count_rows(engine, job_id) == (4, 4)
    with sessions() as session:
        actions = session.execute(
            select(AuditRecord.action, AuditRecord.actor).where(AuditRecord.subject_id == job_id)
        ).all()
    assert [tuple(a) for a in actions] == [("job.submitted", "amal")]


def test_an_unknown_kind_or_parameter_is_refused_by_name(settings, sessions) -> None:
    with pytest.raises(InvalidInput) as caught:
        submit(sessions, settings, "test.nosuch")
    assert caught.value.code == "err_job_kind_unknown"
    assert "test.nosuch" in caught.value.message and "test.steps" in caught.value.message

    with pytest.raises(InvalidInput) as caught:
        submit(sessions, settings, "test.steps", steps=2, colour="red")
    assert caught.value.code == "err_job_param_unknown"
    assert caught.value.where == "params.colour" and "steps" in caught.value.message

    with pytest.raises(InvalidInput) as caught:
        submit(sessions, settings, "test.steps", steps="many")
    assert caught.value.code == "err_job_param_invalid"
    assert caught.value.where == "params.steps"

    with sessions() as session:
        assert service.list_jobs(session) == []


def test_a_vanished_input_file_fails_the_job_with_its_code(settings, sessions, tmp_path) -> None:
    path = tmp_path / "export.json"
    path.write_text("{}")
    job_id = submit(sessions, settings, "test.needs_file", path=str(path))
    path.unlink()
    body = run(settings, sessions, job_id)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "err_test_input_missing"
    assert str(path) in body["error"]["message"]

    # Put the file back and retry: the same job now succeeds, and the retry is audited.
    path.write_text("{}")
    again = service.retry_job(sessions=sessions, settings=settings, job_id=job_id, actor="amal")
    assert again["status"] == "queued" and again["error"] is None
    assert run(settings, sessions, job_id)["result"] == {"bytes": 2}
    with sessions() as session:
        actions = session.execute(
            select(AuditRecord.action).where(AuditRecord.subject_id == job_id)
        ).scalars()
        assert list(actions) == ["job.submitted", "job.retried"]


def test_a_crash_is_recorded_without_the_parameters(settings, sessions, caplog) -> None:
    job_id = submit(sessions, settings, "test.crash", secret="reporter-07700000000")
    with caplog.at_level(logging.INFO):
        body = run(settings, sessions, job_id)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "err_job_crashed"
    assert "RuntimeError" in body["error"]["message"]
    assert "07700000000" not in body["error"]["message"]
    assert "07700000000" not in caplog.text
    assert job_id in caplog.text


def test_two_runners_cannot_claim_one_job(settings, sessions) -> None:
    job_id = submit(sessions, settings, "test.steps", steps=1)
    first = execution.claim_job(sessions=sessions, job_id=job_id)
    assert first is not None and first.attempts == 1
    assert execution.claim_job(sessions=sessions, job_id=job_id) is None
    assert execution.claim_next(sessions=sessions) is None


def _stale(sessions: sessionmaker[Session], job_id: str, seconds: int) -> None:
    with session_scope(sessions) as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=datetime.now(UTC) - timedelta(seconds=seconds))
        )


def test_a_job_whose_worker_died_is_queued_again_and_resumes(settings, sessions, engine) -> None:
    job_id = submit(sessions, settings, "test.steps", steps=6)
    claim = execution.claim_job(sessions=sessions, job_id=job_id)
    assert claim is not None
    # The dead worker committed steps 0-2 with their cursor, and step 3 without it.
    context = execution.RunContext(settings=settings, sessions=sessions, claim=claim)
    from tests.core.jobs.jobkinds import ROWS

    for step in range(4):
        with engine.begin() as conn:
            conn.execute(ROWS.insert().values(job_id=job_id, step=step, pid=1))
        if step < 3:
            context.save_cursor(step + 1)
    assert execution.sweep(settings=settings, sessions=sessions)["requeued"] == []  # still fresh
    _stale(sessions, job_id, settings.jobs_heartbeat_timeout + 1)
    assert execution.sweep(settings=settings, sessions=sessions)["requeued"] == [job_id]
    assert show(sessions, job_id)["status"] == "queued"

    body = run(settings, sessions, job_id)
    assert body["status"] == "succeeded"
    assert body["result"] == {"done": 6, "resumed_from": 3}
    assert count_rows(engine, job_id) == (6, 6)
    # The old runner's claim is gone: it can no longer write over the job.
    with pytest.raises(execution.JobLost):
        context.save_cursor(99)


def test_a_job_whose_workers_keep_dying_fails_with_a_clear_code(settings, sessions) -> None:
    job_id = submit(sessions, settings, "test.steps", steps=2)
    for attempt in range(settings.jobs_max_attempts):
        assert execution.claim_job(sessions=sessions, job_id=job_id) is not None
        _stale(sessions, job_id, settings.jobs_heartbeat_timeout + 1)
        swept = execution.sweep(settings=settings, sessions=sessions)
        if attempt < settings.jobs_max_attempts - 1:
            assert swept["requeued"] == [job_id]
    assert swept["failed"] == [job_id]
    body = show(sessions, job_id)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "err_job_worker_lost"


def test_a_sharded_job_merges_to_what_one_run_gives(settings, sessions) -> None:
    single = run(settings, sessions, submit(sessions, settings, "test.sum_single", stop=95))
    job_id = submit(sessions, settings, "test.sum", stop=95, shard_size=10)
    body = run(settings, sessions, job_id)
    assert body["status"] == "succeeded" and body["progress"] == 1.0
    assert body["result"] == {"sum": single["result"]["sum"], "count": 95}
    with sessions() as session:
        shards = session.execute(
            select(Job.params, Job.status).where(Job.parent_id == job_id).order_by(Job.shard_index)
        ).all()
        # The list shows parents only; shards are reached through them.
        assert [j.id for j in service.list_jobs(session, kind="test.sum")] == [job_id]
    assert len(shards) == 10
    assert [s.params["start"] for s in shards] == list(range(0, 95, 10))
    assert {s.status for s in shards} == {"succeeded"}


def test_cancelling_a_queued_job_and_refusing_to_cancel_a_finished_one(settings, sessions) -> None:
    job_id = submit(sessions, settings, "test.steps", steps=3)
    assert service.cancel_job(sessions=sessions, job_id=job_id, actor="amal")["status"] == (
        "cancelled"
    )
    assert execution.claim_job(sessions=sessions, job_id=job_id) is None
    with pytest.raises(InvalidInput) as caught:
        service.cancel_job(sessions=sessions, job_id=job_id, actor="amal")
    assert caught.value.code == "err_job_finished"
    with pytest.raises(NotFound):
        service.cancel_job(sessions=sessions, job_id="no-such-job", actor="amal")


def test_a_running_job_stops_at_its_next_safe_point_when_cancelled(settings, sessions) -> None:
    job_id = submit(sessions, settings, "test.steps", steps=3)
    claim = execution.claim_job(sessions=sessions, job_id=job_id)
    assert claim is not None
    service.cancel_job(sessions=sessions, job_id=job_id, actor="amal")
    kinds = {"test.steps": __import__(MODULE, fromlist=["x"]).marsad_job_kinds()[0]}
    status = execution.run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)
    assert status == "cancelled"
    assert show(sessions, job_id)["result"] == {"done": 0, "resumed_from": 0}


def test_the_embedded_runner_runs_what_is_submitted(settings, sessions, engine) -> None:
    runner = runners.EmbeddedRunner(settings=settings, sessions=sessions).start()
    try:
        job_id = submit(sessions, settings, "test.steps", steps=3)
        status = runners.wait_for(sessions=sessions, job_id=job_id, poll=0.1, timeout=30)
    finally:
        runner.stop()
    assert status == "succeeded"
    assert count_rows(engine, job_id) == (3, 3)


def _own(schedule) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The test plugin's periodic jobs in a schedule (the built-ins' are there too)."""
    return [(s.job.name, s.every) for s in schedule if s.job.name.startswith("test.")]


def test_two_schedulers_submit_each_periodic_job_once(settings, sessions) -> None:
    now = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    results: list[list[dict]] = []

    def once() -> None:
        results.append(scheduler.submit_due(settings=settings, sessions=sessions, now=now))

    threads = [threading.Thread(target=once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    submitted = sorted(item["name"] for batch in results for item in batch)
    # The built-in capabilities' periodic jobs are due too; these tests count their own.
    assert [name for name in submitted if name.startswith("test.")] == [
        "test.daily",
        "test.hourly",
    ]
    assert submitted.count("detect.score-new-posts") == 1
    # Later in the same hour nothing is due; in the next hour the hourly job is.
    later = scheduler.submit_due(
        settings=settings, sessions=sessions, now=now + timedelta(minutes=20)
    )
    assert [item for item in later if item["name"].startswith("test.")] == []
    nxt = scheduler.submit_due(settings=settings, sessions=sessions, now=now + timedelta(hours=1))
    assert [item["name"] for item in nxt if item["name"].startswith("test.")] == ["test.hourly"]


def test_a_periodic_job_is_due_an_interval_after_its_last_run_not_at_a_new_slot(
    settings, sessions
) -> None:
    def due_at(now: datetime) -> list[str]:
        done = scheduler.submit_due(settings=settings, sessions=sessions, now=now)
        return sorted(item["name"] for item in done if item["name"].startswith("test."))

    late = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)  # half an hour before a new day's slot
    assert due_at(late) == ["test.daily", "test.hourly"]  # neither ever ran
    assert due_at(late + timedelta(hours=1)) == ["test.hourly"]  # the day began, an hour ago
    assert due_at(late + timedelta(hours=23, minutes=59)) == ["test.hourly"]  # a minute short
    assert due_at(late + timedelta(days=1)) == ["test.daily"]


def test_the_schedule_is_data_in_settings(settings, sessions) -> None:
    quiet = settings.model_copy(update={"jobs_schedule": {"test.hourly": 0, "test.daily": 60}})
    assert _own(scheduler.schedule(quiet)) == [("test.daily", 60)]
    wrong = settings.model_copy(update={"jobs_schedule": {"test.weekly": 60}})
    with pytest.raises(ConfigError) as caught:
        scheduler.submit_due(settings=wrong, sessions=sessions)
    assert caught.value.where == "MARSAD_JOBS_SCHEDULE" and "test.weekly" in caught.value.message


def test_a_broker_that_is_down_fails_the_job_and_says_which(settings, sessions) -> None:
    down = settings.model_copy(update={"broker_url": "redis://:hunter2@127.0.0.1:1/0"})
    with pytest.raises(MarsadError) as caught:
        submit(sessions, down, "test.steps", steps=1)
    assert caught.value.code == "err_broker_unavailable"
    assert "redis://:***@127.0.0.1:1/0" in caught.value.message
    assert "hunter2" not in caught.value.message
    with sessions() as session:
        (job,) = service.list_jobs(session)
        assert (job.status, job.error_code) == ("failed", "err_broker_unavailable")


def test_a_parent_shows_its_shards_progress_and_fails_with_a_shard(settings, sessions) -> None:
    from marsad.core.jobs.catalog import registered_kinds

    kinds = registered_kinds(settings)
    job_id = submit(sessions, settings, "test.sum", stop=40, shard_size=10)
    claim = execution.claim_job(sessions=sessions, job_id=job_id)
    assert claim is not None
    execution.run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)
    assert show(sessions, job_id) | {"result": None} == {
        "id": job_id,
        "kind": "test.sum",
        "status": "running",
        "progress": 0.0,
        "result": None,
        "error": None,
    }
    for _ in range(2):
        shard = execution.claim_next(sessions=sessions, family=job_id)
        assert shard is not None and shard.parent_id == job_id
        execution.run_claim(settings=settings, sessions=sessions, claim=shard, kinds=kinds)
    assert show(sessions, job_id)["progress"] == 0.5
    assert show(sessions, job_id)["status"] == "running"

    # A shard whose worker died too often fails the parent, naming the shard.
    shard = execution.claim_next(sessions=sessions, family=job_id)
    assert shard is not None
    quick = settings.model_copy(update={"jobs_max_attempts": 1})
    _stale(sessions, shard.job_id, settings.jobs_heartbeat_timeout + 1)
    assert execution.sweep(settings=quick, sessions=sessions)["failed"] == [shard.job_id]
    body = show(sessions, job_id)
    assert body["status"] == "failed"
    assert body["error"]["code"] == "err_job_worker_lost"
    assert body["error"]["message"].startswith("shard 3 of 4:")

    # A shard is cancelled or retried through its parent only.
    with pytest.raises(InvalidInput) as caught:
        service.cancel_job(sessions=sessions, job_id=shard.job_id, actor="amal")
    assert caught.value.code == "err_job_is_shard" and job_id in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        service.retry_job(sessions=sessions, settings=settings, job_id=shard.job_id, actor="amal")
    assert caught.value.code == "err_job_is_shard"

    # Retrying the parent runs only the shards that did not succeed, then merges.
    service.retry_job(sessions=sessions, settings=settings, job_id=job_id, actor="amal")
    body = run(settings, sessions, job_id)
    assert body["status"] == "succeeded"
    assert body["result"] == {"sum": sum(i * i for i in range(40)), "count": 40}


def test_the_schedule_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from marsad.core.settings import load_settings

    monkeypatch.setenv("MARSAD_JOBS_SCHEDULE", '{"test.hourly": 0, "test.daily": 600}')
    loaded = load_settings()
    assert loaded.jobs_schedule == {"test.hourly": 0, "test.daily": 600}
    assert _own(scheduler.schedule(loaded)) == [("test.daily", 600)]


def test_serve_runs_jobs_in_its_own_process(settings, sessions, monkeypatch) -> None:
    import uvicorn

    from marsad.cli import main

    seen: dict[str, str] = {}

    def serving(application, **_options) -> None:  # type: ignore[no-untyped-def]
        # While "serving": a job submitted (as the API does) is run by the server's threads.
        job_id = service.submit_job(
            sessions=application.state.sessions,
            settings=application.state.settings,
            kind="test.steps",
            params={"steps": 2},
            requested_by="amal",
        )
        seen["status"] = runners.wait_for(
            sessions=application.state.sessions, job_id=job_id, poll=0.1, timeout=30
        )

    monkeypatch.setattr(uvicorn, "run", serving)
    # The runner alone: the periodic jobs would queue ahead of this one
    # (the in-process scheduler has its own tests, in test_embedded_scheduler.py).
    monkeypatch.setattr(settings, "jobs_embedded_scheduler", False)
    main._serve(settings, "127.0.0.1", 8000)
    assert seen == {"status": "succeeded"}


def test_a_parent_whose_merging_worker_died_is_merged_by_the_sweep(settings, sessions) -> None:
    from marsad.core.jobs.catalog import registered_kinds

    kinds = registered_kinds(settings)
    job_id = submit(sessions, settings, "test.sum", stop=20, shard_size=10)
    for _ in range(2):  # the plan, then the first shard
        claim = execution.claim_next(sessions=sessions, family=job_id)
        assert claim is not None
        execution.run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)
    last = execution.claim_next(sessions=sessions, family=job_id)
    assert last is not None and last.shard_index == 1
    # The last shard's worker recorded its result, claimed the merge, and died.
    with session_scope(sessions) as session:
        session.execute(
            update(Job)
            .where(Job.id == last.job_id)
            .values(status="succeeded", result={"sum": 2185, "count": 10}, claim_token=None)
        )
        session.execute(
            update(Job).where(Job.id == job_id).values(claim_token="dead-merger", attempts=2)
        )
    _stale(sessions, job_id, settings.jobs_heartbeat_timeout + 1)
    swept = execution.sweep(settings=settings, sessions=sessions)
    assert swept["merged"] == [job_id]
    body = show(sessions, job_id)
    assert body["status"] == "succeeded"
    assert body["result"] == {"sum": sum(i * i for i in range(20)), "count": 20}
