"""The ingest engine: files read by the source adapters, in batches, on one or more processes.

Ingest is built for millions of rows: adapters stream records, which are written in
batches (one transaction each, see :mod:`marsad.posts.writer`) by a second thread while
this one parses the next batch. A big file on SQLite is split across worker processes
(:class:`Parallel`). It is idempotent: a post already stored is never inserted twice;
when it arrives again (the same file, or another export that holds it), the stored row
is completed with whatever the new copy adds (see :func:`marsad.posts.rows.merge_post`).

The CLI, the web app and jobs call :func:`marsad.posts.service.ingest`, which runs this
engine and records the ingest in the audit trail.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import new_id, utcnow
from marsad.core.errors import MarsadError
from marsad.posts.indexes import account_index_deferred, restore_indexes
from marsad.posts.models import Watchlist
from marsad.posts.schema import PostRecord, Rejection, Repeat
from marsad.posts.sources import make_source
from marsad.posts.sources.base import LineSource, PartSource
from marsad.posts.writer import Prepared, Writer

try:
    import fcntl
except ImportError:  # Windows: parallel workers then take turns by SQLite's lock alone
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

BATCH_SIZE = 5_000
# Files from this size up are split across worker processes (SQLite only): JSON Lines
# by line ranges, single-document exports (Telegram) by byte ranges.
PARALLEL_MIN_BYTES = 256 * 1024 * 1024
MAX_ERRORS = 1_000  # rejections listed in a result; the count is always exact

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class IngestCursor:
    """How far an ingest got: every record before this point is committed.

    ``file`` is the index of a file among those the paths name (folders expanded, in
    order), ``items`` how many of that file's records (posts, repeats and rejections
    alike) are committed; ``read``, ``inserted`` and ``rejected`` count everything
    before the point. An ingest given a cursor skips what it covers: whole files
    without opening them, and the first ``items`` records of the file it stops in
    without writing them (they are still parsed).
    """

    file: int = 0
    items: int = 0
    read: int = 0
    inserted: int = 0
    rejected: int = 0

    def to_json(self) -> dict[str, int]:
        """The cursor as a JSON object (what a job saves)."""
        return {
            "file": self.file,
            "items": self.items,
            "read": self.read,
            "inserted": self.inserted,
            "rejected": self.rejected,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any] | None) -> IngestCursor | None:
        """A cursor from :meth:`to_json`'s object; None for None."""
        if value is None:
            return None
        return cls(**{k: int(value.get(k, 0)) for k in cls.__dataclass_fields__})


# Called on the writing thread after each commit, with the point it reached.
OnCommit = Callable[[IngestCursor], None]


@dataclass
class IngestResult:
    """What an ingest did: counts, and the first rejections (file, position, reason)."""

    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def reject(self, rejection: Rejection) -> None:
        """Count a rejection and keep its details (up to MAX_ERRORS of them)."""
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(rejection.to_json())
        log.info("rejected %s at %s: %s", rejection.file, rejection.position, rejection.reason)

    def absorb(self, other: IngestResult) -> None:
        """Add another part's counts and rejections to this result."""
        self.read += other.read
        self.inserted += other.inserted
        self.rejected += other.rejected
        self.errors.extend(other.errors[: max(MAX_ERRORS - len(self.errors), 0)])

    @property
    def exit_code(self) -> int:
        """0: everything read; 3: some records rejected, the rest stored; 2: nothing usable."""
        if self.read == 0:
            return 2
        return 3 if self.rejected else 0

    def to_json(self) -> dict[str, Any]:
        """The JSON document ``marsad ingest --json`` prints."""
        body: dict[str, Any] = {
            "read": self.read,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": self.errors,
        }
        if self.rejected > len(self.errors):
            body["errors_omitted"] = self.rejected - len(self.errors)
        return body


# ------------------------------------------------------------------------------ ingest


def ingest_files(
    *,
    fmt: str,
    paths: Sequence[Path | str],
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    mapping: str | Mapping[str, str] | None = None,
    platform: str = "other",
    watchlist: str | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    parallel_min_bytes: int = PARALLEL_MIN_BYTES,
    skip_repeats: bool = True,
    resume: IngestCursor | None = None,
    on_commit: OnCommit | None = None,
) -> IngestResult:
    """Read ``paths`` in format ``fmt`` and store their posts and accounts.

    Parameters
    ----------
    fmt : a name from ``marsad.posts.sources.SOURCES`` (telegram, x, crowdtangle, …).
    paths : files, or folders (each file in them; a Telegram folder's result.json).
    engine, session_factory : where to write (one of them).
    mapping : ``FIELD=COLUMN,…`` for the csv and jsonl formats.
    platform : the platform csv and jsonl posts come from.
    watchlist : add every account seen to this watchlist (created when missing).
    progress : called as ``progress(file, posts_read_so_far)`` after each batch.
    workers : processes for one big file (JSON Lines, or a Telegram export) on SQLite
        (default: the CPU count, at most 4); files under ``parallel_min_bytes`` are read
        by this process.
    skip_repeats : let adapters skip rebuilding a record identical to one already read
        (see ``Repeat``); False builds every record (the same posts and counts, slower).
    resume : start after this point (from ``on_commit``) instead of at the beginning.
    on_commit : called with an :class:`IngestCursor` after each committed batch and
        after each file, on the writing thread; an exception it raises stops the ingest.

    Returns
    -------
    IngestResult with read / inserted / duplicates / rejected counts.
    """
    engine = _engine(engine, session_factory)
    source = make_source(fmt, mapping=mapping, platform=platform)
    source.skip_repeats = skip_repeats
    result = IngestResult()
    if resume is not None:
        result.read, result.inserted, result.rejected = (
            resume.read,
            resume.inserted,
            resume.rejected,
        )
    watchlist_id = _ensure_watchlist(engine, watchlist) if watchlist else None
    restore_indexes(engine)
    writer = Writer(engine, fmt=source.name, watchlist_id=watchlist_id)
    # Reading and preparing rows (Python) runs here while the previous batch is written
    # by a second thread: sqlite3 and psycopg release the GIL while the database works,
    # so the two overlap. The queue holds two batches at most, which bounds memory.
    try:
        parallel = Parallel(engine, source, watchlist_id, batch_size, workers, parallel_min_bytes)
        with _no_cycle_collection():
            _read_all(
                source,
                paths,
                result,
                writer,
                batch_size,
                progress,
                parallel,
                resume or IngestCursor(),
                on_commit,
            )
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise MarsadError(
            code="err_posts_storage",
            message=f"the database refused a write ({reason}); batches before it are kept, "
            "and ingesting the same files again completes the rest",
            where="MARSAD_DATABASE_URL",
            status=503,
            exit_code=2,
        ) from None
    result.duplicates = result.read - result.inserted
    log.info("ingest %s: %s", fmt, {k: v for k, v in result.to_json().items() if k != "errors"})
    return result


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while ingesting.

    Ingest allocates millions of short-lived dicts and lists (parsed records, rows);
    the collector's passes over them cost a quarter of ingest's time and grow with the
    number of live objects. Parsed JSON holds no reference cycles, so reference
    counting frees it all the same.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_all(
    source: Any,
    paths: Sequence[Path | str],
    result: IngestResult,
    writer: Writer,
    batch_size: int,
    progress: Progress | None,
    parallel: Parallel | None,
    resume: IngestCursor,
    on_commit: OnCommit | None,
) -> None:
    with _BackgroundWriter(writer, result) as background:

        def reached(file: int, items: int) -> None:
            """Report (point) once everything queued so far is committed."""
            if on_commit is not None:
                read, rejected = result.read, result.rejected
                background.after_writes(
                    lambda: on_commit(IngestCursor(file, items, read, result.inserted, rejected))
                )

        batch: list[PostRecord] = []
        for number, path in enumerate(_expand(paths, source.name, result)):
            if number < resume.file:  # committed by an earlier run
                continue
            skip = resume.items if number == resume.file else 0
            name = str(path)
            if not skip and parallel is not None and parallel.applies(path):
                if batch and on_commit is not None:
                    # queued before the workers start, so the point after them covers it
                    background.put(writer.prepare(batch))
                    batch = []
                result.absorb(parallel.run(path))
                reached(number + 1, 0)
                if progress:
                    progress(name, result.read)
                continue
            items = 0
            for item in source.iter_posts(path):
                items += 1
                if items <= skip:  # committed by an earlier run
                    continue
                if isinstance(item, Rejection):
                    result.reject(item)
                    continue
                result.read += 1
                if isinstance(item, Repeat):  # identical to a record read before: a duplicate
                    continue
                batch.append(item)
                if len(batch) >= batch_size:
                    background.put(writer.prepare(batch))
                    batch = []
                    reached(number, items)
                    if progress:
                        progress(name, result.read)
            if batch and on_commit is not None:
                # A batch ends with its file when someone keeps the point, so that a
                # resumed ingest need not open the file again.
                background.put(writer.prepare(batch))
                batch = []
            reached(number + 1, 0)
            if progress:
                progress(name, result.read)
        if batch:
            background.put(writer.prepare(batch))


class Parallel:
    """Ingest one big file with several processes, each building its share of the posts.

    A JSON Lines file is cut into byte ranges at line starts, one per process. A
    single-document export (Telegram) is cut into byte ranges too, but each process
    parses the file from its start up to the end of its own range, and builds the
    posts of that range (:class:`PartSource`): the parser is C, a tenth of the cost of
    a post, and earlier ranges are longer to even out the work. Each process writes its own
    batches; SQLite's BEGIN IMMEDIATE makes them take turns, so deduplication, merging
    and id assignment stay exactly as in one process. Rejections keep their true
    positions, and are listed in file order.
    """

    def __init__(
        self,
        engine: Engine,
        source: Any,
        watchlist_id: str | None,
        batch_size: int,
        workers: int | None,
        min_bytes: int,
    ) -> None:
        self.engine = engine
        self.source = source
        self.watchlist_id = watchlist_id
        self.batch_size = batch_size
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.min_bytes = min_bytes

    def _turns_path(self) -> Path:
        """The lock file the workers take turns by, beside the database."""
        return Path(f"{self.engine.url.database}.ingest-lock")

    def applies(self, path: Path) -> bool:
        if not (
            self.workers > 1
            and self.engine.dialect.name == "sqlite"
            and path.stat().st_size >= self.min_bytes
        ):
            return False
        if isinstance(self.source, LineSource):
            return self.source.is_line_file(path)
        return isinstance(self.source, PartSource) and self.source.can_split(path)

    def run(self, path: Path) -> IngestResult:
        common = {
            "url": self.engine.url.render_as_string(hide_password=False),
            "fmt": self.source.name,
            "mapping": getattr(self.source, "mapping", None),
            "platform": getattr(self.source, "platform", "other"),
            "watchlist_id": self.watchlist_id,
            "batch_size": self.batch_size,
            "skip_repeats": self.source.skip_repeats,
            "path": str(path),
            "turns": str(self._turns_path()) if fcntl is not None else None,
        }
        if isinstance(self.source, LineSource):
            jobs = [
                {**common, "start": start, "end": end, "first_line": first_line}
                for start, end, first_line in _slices(path, self.workers)
            ]
        else:
            jobs = [{**common, "part": part, "parts": self.workers} for part in range(self.workers)]
        # spawn, not fork: the parent holds threads and open database connections.
        context = multiprocessing.get_context("spawn")
        try:
            with (
                account_index_deferred(self.engine, path.stat().st_size),
                ProcessPoolExecutor(max_workers=len(jobs), mp_context=context) as pool,
            ):
                parts = list(pool.map(_ingest_slice, jobs))
        finally:
            self._turns_path().unlink(missing_ok=True)
        total = IngestResult()
        if "part" in jobs[0]:
            # Each part lists its rejections in file order, and keeps its first
            # MAX_ERRORS, so the first MAX_ERRORS of the file are among them.
            errors = sorted(
                (e for part in parts for e in part.errors),
                key=lambda e: [int(n) for n in _NUMBERS.findall(e["position"])],
            )
            for part in parts:
                part.errors = []
                total.absorb(part)
            total.errors = errors[:MAX_ERRORS]
            return total
        for part in parts:
            total.absorb(part)
        return total


# The posts index by account and time (search by account, the account page). Its keys


def _slices(path: Path, n: int) -> list[tuple[int, int | None, int]]:
    """(start, end, first line number) of ``n`` slices of a file, cut at line starts."""
    size = path.stat().st_size
    cuts = [0]
    with path.open("rb") as fh:
        for i in range(1, n):
            fh.seek(size * i // n)
            fh.readline()
            if cuts[-1] < fh.tell() < size:
                cuts.append(fh.tell())
        lines, counted, position = [1], 0, 0
        fh.seek(0)
        for cut in cuts[1:]:
            while position < cut:
                chunk = fh.read(min(cut - position, 8 << 20))
                counted += chunk.count(b"\n")
                position += len(chunk)
            lines.append(counted + 1)
    return list(zip(cuts, [*cuts[1:], None], lines, strict=True))


_NUMBERS = re.compile(r"\d+")


def _ingest_slice(job: dict[str, Any]) -> IngestResult:
    """One worker process: ingest one slice of a file (its lines, or its part)."""
    from sqlalchemy import create_engine, event

    from marsad.core import db as core_db

    engine = create_engine(job["url"], connect_args={"timeout": 60})
    # The core's SQLite setup (WAL, busy timeout, BEGIN IMMEDIATE), which the workers'
    # turn-taking relies on.
    event.listen(engine, "connect", core_db._sqlite_pragmas)  # noqa: SLF001
    event.listen(engine, "begin", core_db._sqlite_begin)  # noqa: SLF001
    source = make_source(job["fmt"], mapping=job["mapping"], platform=job["platform"])
    source.skip_repeats = job["skip_repeats"]
    result = IngestResult()
    turns = Path(job["turns"]) if job.get("turns") else None
    writer = Writer(engine, fmt=source.name, watchlist_id=job["watchlist_id"], turns=turns)
    try:
        with _no_cycle_collection(), _BackgroundWriter(writer, result) as background:
            batch: list[PostRecord] = []
            path = Path(job["path"])
            if "part" in job:
                items = source.iter_part(path, job["part"], job["parts"])
            else:
                items = source.iter_slice(path, job["start"], job["end"], job["first_line"])
            quiet = writer.quiet
            for item in items:
                if quiet is not None:  # pause while this process holds the turn (see _turn)
                    quiet.acquire()
                    quiet.release()
                if isinstance(item, Rejection):
                    result.reject(item)
                    continue
                result.read += 1
                if isinstance(item, Repeat):
                    continue
                batch.append(item)
                if len(batch) >= job["batch_size"]:
                    background.put(writer.stage(writer.prepare(batch)))
                    batch = []
            if batch:
                background.put(writer.stage(writer.prepare(batch)))
    finally:
        writer.close()
        engine.dispose()
    return result


class _BackgroundWriter:
    """Runs ``writer.write`` on a thread, fed through a small queue; re-raises its errors."""

    def __init__(self, writer: Writer, result: IngestResult) -> None:
        self.writer = writer
        self.result = result
        # Batches to write, and calls to make once the batches before them are written.
        self.queue: queue.Queue[Prepared | Callable[[], None] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="posts-ingest-writer", daemon=True)

    def __enter__(self) -> _BackgroundWriter:
        self.thread.start()
        return self

    def put(self, prepared: Prepared) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(prepared)

    def after_writes(self, call: Callable[[], None]) -> None:
        """Make ``call`` on the writing thread once every batch put so far is committed."""
        if self.error is not None:
            raise self.error
        self.queue.put(call)

    def _run(self) -> None:
        while (prepared := self.queue.get()) is not None:
            if self.error is None:
                try:
                    if isinstance(prepared, Prepared):
                        self.writer.write(prepared, self.result)
                    else:
                        prepared()
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                    self.error = exc

    def __exit__(self, *exc_info: object) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc_info[0] is None:
            raise self.error


def _engine(engine: Engine | None, session_factory: sessionmaker[Session] | None) -> Engine:
    if engine is not None:
        return engine
    if session_factory is not None and session_factory.kw.get("bind") is not None:
        return session_factory.kw["bind"]
    raise TypeError("ingest_files needs engine= or a bound session_factory=")


def input_files(paths: Iterable[Path | str], fmt: str) -> list[Path]:
    """The files an ingest of ``paths`` reads, in its order (what IngestCursor.file counts)."""
    return list(_expand(paths, fmt, IngestResult()))


def _expand(paths: Iterable[Path | str], fmt: str, result: IngestResult) -> Iterable[Path]:
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            if fmt == "telegram" and (path / "result.json").is_file():
                yield path / "result.json"
                continue
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if not files:
                result.reject(Rejection(str(path), "-", "folder holds no files"))
            yield from files
        elif path.is_file():
            yield path
        else:
            result.reject(Rejection(str(path), "-", "no such file"))


def _ensure_watchlist(engine: Engine, name: str) -> str:
    with engine.begin() as conn:
        row = conn.execute(select(Watchlist.id).where(Watchlist.name == name)).first()
        if row:
            return str(row[0])
        watchlist_id = new_id()
        conn.execute(
            Watchlist.__table__.insert().values(id=watchlist_id, name=name, created_at=utcnow())
        )
        return watchlist_id
