"""The capabilities' sharded job kinds on two real ``marsad worker`` processes.

``detect.run`` (post-id ranges) and ``coordination.run`` (objects dealt out by
hash) are submitted on PostgreSQL with Redis and with RabbitMQ as broker; what
the workers' shards merge to must be exactly what one process gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select

from marsad.coordination.params import RunParams
from marsad.coordination.runs import get_run, start_run
from marsad.core.db import session_scope
from marsad.core.jobs import service
from marsad.core.jobs.models import Job
from marsad.detect.flagging import run_detection
from marsad.detect.models import Flag
from marsad.posts.ingest import ingest_files
from tests.coordination.test_store import MAPPING, _posts
from tests.core.jobs.test_jobs_workers import (  # noqa: F401 - fixtures
    Workers,
    broker_url,
    job_row,
    pg_url,
    setup,
    wait_until,
)
from tests.detect.test_flagging import POSTS
from tests.detect.test_scoring import add_posts_with_ids

pytestmark = pytest.mark.slow


def _finished(sessions, job_id: str, workers: Workers) -> Job:  # type: ignore[no-untyped-def]
    wait_until(
        lambda: job_row(sessions, job_id).status in ("succeeded", "failed", "cancelled"),
        120,
        f"job {job_id} to finish",
        workers,
    )
    job = job_row(sessions, job_id)
    assert job.status == "succeeded", f"{job.error_code}: {job.error_message}\n{workers.logs()}"
    return job


def _shards(sessions, job_id: str) -> list[Job]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.execute(select(Job).where(Job.parent_id == job_id)).scalars())


def _flags(sessions) -> dict[int, tuple]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.execute(select(Flag).where(Flag.current.is_(True))).scalars()
        return {f.post_pk: (f.flagged, sorted(f.labels or []), round(f.top_score, 6)) for f in rows}


def test_detect_run_in_shards_on_two_workers_flags_what_one_process_flags(setup) -> None:  # noqa: F811
    settings, _engine, sessions, workers = setup
    add_posts_with_ids(sessions, {pk: POSTS[pk % len(POSTS)] for pk in range(1, 121)})
    workers.start()
    workers.start()
    wait_until(lambda: workers.logs().count(" ready.") == 2, 60, "two ready workers", workers)

    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind="detect.run",
        params={"shard_size": 20, "batch_size": 10},
        requested_by="amal",
    )
    job = _finished(sessions, job_id, workers)
    shards = _shards(sessions, job_id)
    assert len(shards) == 6 and {s.status for s in shards} == {"succeeded"}
    assert job.result["processed"] == 120
    sharded = _flags(sessions)
    assert len(sharded) == 120 and any(flagged for flagged, _l, _s in sharded.values())

    # The same store scored again by one process, from nothing.
    with session_scope(sessions) as session:
        session.execute(delete(Flag))
    single = run_detection(sessions=sessions, settings=settings)
    assert single.processed == 120
    assert _flags(sessions) == sharded


def test_coordination_run_in_shards_on_two_workers_finds_what_one_process_finds(
    setup,  # noqa: F811 - the workers' fixture
    tmp_path: Path,
) -> None:
    settings, engine, sessions, workers = setup
    ingest_files(fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING)
    workers.start()
    workers.start()
    wait_until(lambda: workers.logs().count(" ready.") == 2, 60, "two ready workers", workers)

    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind="coordination.run",
        params={"methods": ["links", "hashtags"], "shards": 3},
        requested_by="amal",
    )
    job = _finished(sessions, job_id, workers)
    assert len(_shards(sessions, job_id)) == 3
    with session_scope(sessions) as session:
        merged = get_run(session, run_id=job.result["run_id"]).result
    single = start_run(
        sessions, actor="test", params=RunParams(methods=["links", "hashtags"])
    ).result
    assert merged["clusters"] and merged["clusters"] == single["clusters"]
    assert merged["edges"] == single["edges"]
