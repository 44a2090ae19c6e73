"""Group commit: one writer thread stores many small writes per transaction.

Many short write transactions, each from its own request thread, spend most of
their time queueing for SQLite's write lock (and SQLite's busy handler sleeps
in steps of up to 100 ms while it waits), then pay a commit each. A
:class:`GroupCommitWriter` takes units of work (functions of a session) from
any thread or coroutine, runs whatever has queued up in one transaction, each
unit inside its own SAVEPOINT, commits once, and only then answers each caller.
Nobody waits for a lock: while one batch commits, the next one gathers. At low
load a batch is one unit and nothing waits at all.

What callers may rely on:

- *Acknowledged means committed.* A caller gets its unit's result only after
  the transaction holding it has committed. Sessions made through
  :func:`marsad.core.db.durable` commit with ``synchronous=FULL`` on SQLite, so
  the commit has reached the disk, not only the operating system.
- *One bad unit fails alone.* A unit that raises is rolled back to its
  SAVEPOINT and its caller gets the exception; the rest of the batch commits.
- *A failed commit loses nothing and doubles nothing.* When the commit itself
  fails, nothing of the batch was stored, and each unit is run again alone, so
  only a unit that fails by itself fails. A unit that may be run again must
  recognise its own earlier write (a unit passes ``attempt``, starting at 1;
  see :mod:`marsad.reports.intake`), in case a commit reported an error after
  the database had in fact committed.

The thread starts with the first unit and ends after ``idle_seconds`` without
work, so an app that never writes holds no thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

T = TypeVar("T")

# A unit of work: called with the batch's session and the attempt number (1, then 2
# when its batch's commit failed and it runs again alone). It must not commit.
Unit = Callable[[Session, int], T]


@dataclass
class _Item(Generic[T]):
    unit: Unit[T]
    future: Future[T] = field(default_factory=Future)
    attempt: int = 1


class GroupCommitWriter:
    """Run units of work from many threads in few transactions; answer each after its commit.

    Parameters
    ----------
    sessions:
        Makes the writer's sessions (one per batch). Bind it to
        ``durable(engine)`` so that a commit is on disk when callers are told.
    max_batch:
        The most units one transaction holds; a batch never waits to fill up.
    idle_seconds:
        The thread ends after this long without work (a new unit starts it again).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = 64,
        idle_seconds: float = 5.0,
        name: str = "marsad-writer",
    ) -> None:
        self.sessions = sessions
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self.name = name
        self._queue: deque[_Item[Any]] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self.batches = 0  # committed transactions, for tests and benchmarks

    # --- callers -------------------------------------------------------------------------

    def submit(self, unit: Unit[T]) -> Future[T]:
        """Queue ``unit``; the future holds its result once its transaction has committed."""
        item: _Item[T] = _Item(unit)
        with self._ready:
            self._queue.append(item)
            self._start()
        return item.future

    def _start(self) -> None:
        # Under self._ready: start the thread if there is none, else wake it.
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        self._ready.notify()

    def submit_many(self, units: list[Unit[T]]) -> list[Future[T]]:
        """Queue several units at once: they go into one transaction (up to ``max_batch``)."""
        items: list[_Item[T]] = [_Item(unit) for unit in units]
        with self._ready:
            self._queue.extend(items)
            self._start()
        return [item.future for item in items]

    def call(self, unit: Unit[T]) -> T:
        """Run ``unit`` and wait for its commit (from a thread, never on the event loop)."""
        return self.submit(unit).result()

    async def run(self, unit: Unit[T]) -> T:
        """Run ``unit`` and wait for its commit without holding a thread."""
        return await asyncio.wrap_future(self.submit(unit))

    # --- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._ready:
                if not self._queue:
                    self._ready.wait(self.idle_seconds)
                if not self._queue:
                    self._thread = None  # under the lock: the next submit starts a new one
                    return
                batch = [
                    self._queue.popleft() for _i in range(min(self.max_batch, len(self._queue)))
                ]
            try:
                self._write(batch)
            except BaseException as exc:  # noqa: BLE001 - no caller may be left waiting
                log.exception("the writer failed a batch")
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)

    def _write(self, batch: list[_Item[Any]]) -> None:
        """Store a batch in one transaction; on a failed commit, each unit again alone."""
        batch = [item for item in batch if item.future.set_running_or_notify_cancel()]
        if not batch:
            return
        done: list[tuple[_Item[Any], Any]] = []
        failed: list[tuple[_Item[Any], BaseException]] = []
        session = self.sessions()
        try:
            try:
                session.connection()  # take the write lock now, before any unit runs
            except Exception as exc:  # noqa: BLE001 - every caller is told
                session.rollback()
                for item in batch:
                    item.future.set_exception(exc)
                return
            for item in batch:
                try:
                    with session.begin_nested():
                        result = item.unit(session, item.attempt)
                except Exception as exc:  # noqa: BLE001 - this unit alone fails
                    failed.append((item, exc))
                else:
                    done.append((item, result))
            try:
                session.commit()
            except Exception as exc:  # noqa: BLE001 - nothing of this batch is stored
                # close, not rollback: a commit that failed after the database had
                # committed leaves a session that refuses to roll back.
                session.close()
                self._after_failed_commit(done, exc)
                for item, error in failed:
                    item.future.set_exception(error)
                return
        finally:
            session.close()
        self.batches += 1
        for item, result in done:
            item.future.set_result(result)
        for item, error in failed:
            item.future.set_exception(error)

    def _after_failed_commit(self, done: list[tuple[_Item[Any], Any]], exc: Exception) -> None:
        log.warning(
            "a batch of %d failed to commit (%s); each is written again alone",
            len(done),
            type(exc).__name__,
        )
        for item, _result in done:
            self._write_alone(_Item(item.unit, item.future, attempt=item.attempt + 1))

    def _write_alone(self, item: _Item[Any]) -> None:
        # The future is already running: _write's first step would refuse it.
        session = self.sessions()
        try:
            try:
                result = item.unit(session, item.attempt)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - its caller is told
                session.close()
                item.future.set_exception(exc)
                return
        finally:
            session.close()
        self.batches += 1
        item.future.set_result(result)
