"""The posts.ingest job kind, and the audit record every ingest leaves.

Run on a migrated database (SQLite, and PostgreSQL when configured) with a small
JobContext of the test's own that keeps progress and cursor in memory, as the jobs
layer keeps them in its table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from marsad.core.errors import InvalidInput
from marsad.core.models import AuditRecord
from marsad.posts import service
from marsad.posts.ingest import BATCH_SIZE, IngestCursor, ingest_files
from marsad.posts.jobs import JOB_KINDS, IngestParams
from marsad.posts.models import Post

from .helpers import DATA

MAP = "id=id,author=user,text=text,created_at=time"


class WorkerKilled(Exception):
    """What a test raises to stop a job the way a killed worker stops."""


class RecordingContext:
    """A JobContext that records progress and the cursor, and can 'die' after N saves."""

    def __init__(self, settings, engine, sessions, *, die_after_saves: int | None = None):
        self.job_id = "job-1"
        self.requested_by = "monitor1"
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.progressed: list[float] = []
        self.saved: list[Any] = []
        self.die_after_saves = die_after_saves

    def progress(self, fraction: float, note: str | None = None) -> None:
        self.progressed.append(fraction)

    def cursor(self) -> Any:
        return self.saved[-1] if self.saved else None

    def save_cursor(self, value: Any) -> None:
        # A cursor goes through JSON in the jobs table: keep only what survives that.
        self.saved.append(json.loads(json.dumps(value)))
        if self.die_after_saves is not None and len(self.saved) >= self.die_after_saves:
            self.die_after_saves = None  # the next delivery runs to its end
            raise WorkerKilled


def kind():
    (found,) = [k for k in JOB_KINDS if k.name == "posts.ingest"]
    return found


def run(context, **params):
    job = kind()
    return job.run(context, job.params.model_validate(params))


def posts_file(path: Path, n: int) -> Path:
    """A JSON Lines file of ``n`` posts by 50 accounts."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            line = {"id": f"p{i}", "user": f"u{i % 50}", "text": f"منشور رقم {i}"}
            line["time"] = f"2024-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}"
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def stored(session) -> int:
    n = session.execute(select(func.count()).select_from(Post)).scalar_one()
    session.rollback()
    return n


def ingest_audits(session) -> list[AuditRecord]:
    rows = (
        session.execute(select(AuditRecord).where(AuditRecord.action == "posts.ingested"))
        .scalars()
        .all()
    )
    session.rollback()
    return list(rows)


def test_the_job_ingests_and_a_second_delivery_doubles_nothing(settings, engine, sessions, session):
    context = RecordingContext(settings, engine, sessions)
    first = run(context, source="telegram", path=str(DATA / "tg_channel"))
    assert first["read"] == 4 and first["inserted"] == 4 and first["rejected"] == 0
    assert stored(session) == 4
    assert context.progressed[-1] == 1.0
    assert context.saved[-1] == IngestCursor(file=1, read=4, inserted=4).to_json()
    # delivered again with the cursor it saved: the finished file is not read again
    again = run(context, source="telegram", path=str(DATA / "tg_channel"))
    assert again == first and stored(session) == 4
    # delivered again with no cursor (it died before saving one): nothing doubles
    fresh = RecordingContext(settings, engine, sessions)
    redo = run(fresh, source="telegram", path=str(DATA / "tg_channel"))
    assert redo["read"] == 4 and redo["inserted"] == 0 and redo["duplicates"] == 4
    assert stored(session) == 4


def test_a_job_killed_after_a_batch_resumes_from_its_cursor(
    settings, engine, sessions, session, tmp_path
):
    n = BATCH_SIZE * 2 + 123
    path = posts_file(tmp_path / "posts.jsonl", n)
    context = RecordingContext(settings, engine, sessions, die_after_saves=1)
    with pytest.raises(WorkerKilled):
        run(context, source="jsonl", path=str(path), map=MAP)
    # the first batch is committed, and the cursor says so
    assert stored(session) == BATCH_SIZE
    assert context.saved == [
        IngestCursor(file=0, items=BATCH_SIZE, read=BATCH_SIZE, inserted=BATCH_SIZE).to_json()
    ]
    assert ingest_audits(session) == []  # audited once the ingest is done
    # delivered again: it starts after that batch, and counts the whole file once
    result = run(context, source="jsonl", path=str(path), map=MAP)
    assert result["read"] == n and result["inserted"] == n and result["duplicates"] == 0
    assert stored(session) == n
    cursors = [IngestCursor.from_json(c) for c in context.saved]
    assert [c.items for c in cursors if c.file == 0] == [BATCH_SIZE, BATCH_SIZE * 2]
    assert cursors[-1] == IngestCursor(file=1, read=n, inserted=n)
    (audit,) = ingest_audits(session)
    assert audit.actor == "monitor1" and json.loads(audit.details)["inserted"] == n


def test_a_vanished_input_fails_the_job_with_a_clear_code(settings, engine, sessions, tmp_path):
    path = posts_file(tmp_path / "gone.jsonl", 3)
    params = kind().params.model_validate({"source": "jsonl", "path": str(path), "map": MAP})
    path.unlink()  # after it was queued, before a worker took it
    context = RecordingContext(settings, engine, sessions)
    with pytest.raises(InvalidInput) as caught:
        kind().run(context, params)
    assert caught.value.code == "err_posts_ingest_input_missing"
    assert caught.value.where == "path" and str(path) in caught.value.message
    assert context.saved == []


def test_a_file_with_nothing_usable_fails_the_job(settings, engine, sessions, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(InvalidInput) as caught:
        run(RecordingContext(settings, engine, sessions), source="youtube", path=str(empty))
    assert caught.value.code == "err_posts_ingest_nothing_usable"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"source": "myspace", "path": "a.csv"}, "source"),
        ({"source": "csv", "path": "a.csv"}, "mapping"),
        ({"source": "csv", "path": "a.csv", "map": "id=post_id"}, "text"),
        ({"source": "x", "path": " "}, "path"),
        ({"source": "x", "path": "a.jsonl", "maps": "id=id"}, "maps"),
    ],
)
def test_bad_parameters_are_refused_before_the_job_is_queued(params, field):
    with pytest.raises(ValidationError) as caught:
        IngestParams.model_validate(params)
    assert field in str(caught.value)


def test_every_ingest_through_the_service_is_audited(sessions, session):
    result = service.ingest(
        sessions=sessions,
        fmt="telegram",
        paths=[DATA / "tg_channel"],
        watchlist="channels",
        actor="analyst1",
    )
    (audit,) = ingest_audits(session)
    details = json.loads(audit.details)
    assert audit.actor == "analyst1" and audit.subject_id == "telegram"
    assert details["paths"] == [str(DATA / "tg_channel")] and details["watchlist"] == "channels"
    assert details["inserted"] == result.inserted == 4 and "errors" not in details


def test_the_engine_alone_leaves_no_audit_record(engine, session):
    # What the demo data loader and the benchmarks call; users go through the service.
    ingest_files(engine=engine, fmt="telegram", paths=[DATA / "tg_channel"])
    assert ingest_audits(session) == [] and stored(session) == 4
