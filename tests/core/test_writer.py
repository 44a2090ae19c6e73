"""The group-commit writer: many units in one transaction, none lost, none doubled.

Each unit appends an audit record (the chain is the strictest thing to keep
whole: a unit rolled back half-way must leave no gap or fork behind it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import durable, session_factory
from marsad.core.errors import InvalidInput
from marsad.core.models import AuditRecord
from marsad.core.writer import GroupCommitWriter


@pytest.fixture
def writer(engine, settings) -> GroupCommitWriter:  # type: ignore[no-untyped-def]
    return GroupCommitWriter(session_factory(durable(engine), settings), idle_seconds=0.5)


def note(key: str, *, fail: bool = False) -> Callable[[Session, int], str]:
    """A unit that records ``key`` once; written again, it finds its own record."""

    def unit(session: Session, attempt: int) -> str:
        if attempt > 1 and _count(session, key):
            return f"{key} (found)"
        audit.record(session, actor="test", action="test.note", subject_type="t", subject_id=key)
        if fail:
            raise InvalidInput("err_test", "this one is wrong", key)
        return key

    return unit


def _count(session: Session, key: str) -> int:
    query = select(func.count()).where(AuditRecord.subject_id == key)
    return session.execute(query).scalar_one()


def stored(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        query = select(AuditRecord.subject_id).where(AuditRecord.action == "test.note")
        return sorted(session.execute(query).scalars())


def test_a_bad_unit_fails_alone_and_the_rest_of_its_batch_commits(writer, sessions):  # type: ignore[no-untyped-def]
    futures = writer.submit_many([note("a"), note("b"), note("bad", fail=True), note("c")])
    assert [f.result(timeout=30) for f in (futures[0], futures[1], futures[3])] == ["a", "b", "c"]
    with pytest.raises(InvalidInput) as caught:
        futures[2].result(timeout=30)
    assert caught.value.where == "bad"
    assert writer.batches == 1  # one transaction held all four
    assert stored(sessions) == ["a", "b", "c"]
    with sessions() as session:
        assert audit.verify(session).ok  # the rolled-back record left no gap in the chain


def test_a_failed_commit_loses_nothing_each_unit_is_written_again_alone(writer, sessions):  # type: ignore[no-untyped-def]
    failures = []

    def fail_first_commit(session: Session) -> None:
        if not failures and not session.in_nested_transaction():
            failures.append(1)
            raise RuntimeError("the disk is full")

    event.listen(writer.sessions, "before_commit", fail_first_commit)
    futures = writer.submit_many([note("a"), note("bad", fail=True), note("b"), note("c")])
    assert [futures[i].result(timeout=30) for i in (0, 2, 3)] == ["a", "b", "c"]
    with pytest.raises(InvalidInput):
        futures[1].result(timeout=30)
    assert failures == [1]
    assert stored(sessions) == ["a", "b", "c"]  # each once
    with sessions() as session:
        assert audit.verify(session).ok


def test_a_commit_that_fails_after_committing_doubles_nothing(writer, sessions):  # type: ignore[no-untyped-def]
    failures = []

    def fail_after_first_commit(session: Session) -> None:
        if not failures and not session.in_nested_transaction():
            failures.append(1)
            raise RuntimeError("lost the answer")

    event.listen(writer.sessions, "after_commit", fail_after_first_commit)
    futures = writer.submit_many([note("a"), note("b")])
    # Both ran again alone and found what the first commit had stored.
    assert [f.result(timeout=30) for f in futures] == ["a (found)", "b (found)"]
    assert stored(sessions) == ["a", "b"]


def test_a_unit_whose_commit_keeps_failing_gets_the_error(writer, sessions):  # type: ignore[no-untyped-def]
    def always_fail(session: Session) -> None:
        if not session.in_nested_transaction():
            raise RuntimeError("read-only disk")

    event.listen(writer.sessions, "before_commit", always_fail)
    futures = writer.submit_many([note("a"), note("b")])
    for future in futures:
        with pytest.raises(RuntimeError, match="read-only disk"):
            future.result(timeout=30)
    assert stored(sessions) == []


def test_callers_are_answered_only_after_the_commit(writer, sessions):  # type: ignore[no-untyped-def]
    def unit(session: Session, attempt: int) -> bool:
        audit.record(session, actor="test", action="test.note", subject_type="t", subject_id="x")
        return True

    committed_when_answered = []

    async def caller() -> None:
        await writer.run(unit)
        committed_when_answered.append(stored(sessions) == ["x"])

    # In a thread of its own: a browser test earlier in this worker leaves Playwright's
    # event loop running on the main thread, where asyncio.run() refuses to start.
    runner = threading.Thread(target=lambda: asyncio.run(caller()))
    runner.start()
    runner.join(30)
    assert committed_when_answered == [True]
    assert writer.call(note("y")) == "y"
    assert stored(sessions) == ["x", "y"]


def test_the_thread_ends_when_idle_and_starts_again(writer, sessions):  # type: ignore[no-untyped-def]
    import time

    assert writer.call(note("a")) == "a"
    deadline = time.monotonic() + 10
    while writer._thread is not None and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.05)
    assert writer._thread is None  # noqa: SLF001
    assert writer.call(note("b")) == "b"
    assert stored(sessions) == ["a", "b"]
