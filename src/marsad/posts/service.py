"""Posts service: ingest files, read posts back, search, manage watchlists and actors.

The web app, the CLI and job workers call these keyword-only functions; nothing else
touches the posts tables.

Ingest is built for millions of rows: adapters stream records, which are written in
batches (one transaction each) with Core ``executemany`` statements rather than ORM
objects. It is idempotent: a post already stored is never inserted twice; when it
arrives again (the same file, or another export that holds it), the stored row is
completed with whatever the new copy adds (see :func:`merge_post`).
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import logging
import multiprocessing
import operator
import os
import queue
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import zstandard
from sqlalchemy import JSON, Engine, String, and_, bindparam, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import new_id
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.core.i18n import gettext as _
from marsad.posts.models import (
    Account,
    Actor,
    Post,
    PostRawDict,
    Watchlist,
    WatchlistAccount,
    WatchlistKeyword,
)
from marsad.posts.schema import (
    AccountOut,
    PostDetail,
    PostRecord,
    PostSummary,
    Rejection,
    Repeat,
    SearchPage,
)
from marsad.posts.search import search_key, search_posts, search_text
from marsad.posts.sources import make_source
from marsad.posts.sources.base import LineSource, PartSource

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
_LOOKUP_CHUNK = 900
_posts = Post.__table__
_accounts = Account.__table__
_raw_dicts = PostRawDict.__table__

Progress = Callable[[str, int], None]


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

    Returns
    -------
    IngestResult with read / inserted / duplicates / rejected counts.
    """
    engine = _engine(engine, session_factory)
    source = make_source(fmt, mapping=mapping, platform=platform)
    source.skip_repeats = _SKIP_REPEATS
    result = IngestResult()
    watchlist_id = _ensure_watchlist(engine, watchlist) if watchlist else None
    restore_indexes(engine)
    writer = _Writer(engine, fmt=source.name, watchlist_id=watchlist_id)
    # Reading and preparing rows (Python) runs here while the previous batch is written
    # by a second thread: sqlite3 and psycopg release the GIL while the database works,
    # so the two overlap. The queue holds two batches at most, which bounds memory.
    try:
        parallel = _Parallel(engine, source, watchlist_id, batch_size, workers, parallel_min_bytes)
        with _no_cycle_collection():
            _read_all(source, paths, result, writer, batch_size, progress, parallel)
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


# Adapters may skip rebuilding a record identical to one already read (see Repeat).
_SKIP_REPEATS = True


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
    writer: _Writer,
    batch_size: int,
    progress: Progress | None,
    parallel: _Parallel | None = None,
) -> None:
    with _BackgroundWriter(writer, result) as background:
        batch: list[PostRecord] = []
        for path in _expand(paths, source.name, result):
            name = str(path)
            if parallel is not None and parallel.applies(path):
                result.absorb(parallel.run(path))
                if progress:
                    progress(name, result.read)
                continue
            for item in source.iter_posts(path):
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
                    if progress:
                        progress(name, result.read)
            if progress:
                progress(name, result.read)
        if batch:
            background.put(writer.prepare(batch))


class _Parallel:
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
                _account_index_deferred(self.engine, path.stat().st_size),
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
# arrive in no order, so every batch dirties pages all over it; see _account_index_deferred.
_ACCOUNT_INDEX = "ix_posts_account_time"
_ACCOUNT_INDEX_DDL = (
    f"CREATE INDEX IF NOT EXISTS {_ACCOUNT_INDEX} ON posts (platform, account_id, created_at)"
)
# Fewer bytes than any export spends on a post: a file of this many bytes per stored post
# or more is a bulk load (twarc2 pages hold about 1,000 bytes a tweet, Telegram 800).
_BULK_BYTES_PER_POST = 500


def restore_indexes(engine: Engine) -> None:
    """Build the posts index by account and time if an ingest left without building it.

    A bulk ingest drops it and builds it at its end (see _account_index_deferred); a
    process killed outright in between leaves it missing. Queries stay correct without
    it, only slower, until the next ingest calls this.
    """
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            # SQLite sorts the keys on helper threads too (a third faster, while the
            # ingest's other cores are idle); for this statement only.
            conn.exec_driver_sql(f"PRAGMA threads={min(os.cpu_count() or 1, 4)}")
            conn.exec_driver_sql(_ACCOUNT_INDEX_DDL)
            conn.exec_driver_sql("PRAGMA threads=0")


@contextlib.contextmanager
def _account_index_deferred(engine: Engine, file_bytes: int) -> Iterator[None]:
    """Drop the account index for a bulk load into SQLite and build it once at the end.

    Only parallel ingests call this, and they are SQLite's alone.

    Kept up row by row, the index costs a third of SQLite's work in a big ingest: each
    batch's keys land on thousands of scattered pages, all rewritten at its commit. Built
    at the end, it is one sort (about 4 s for a million posts here, against about 20 s
    kept up). The sort covers the posts stored before, too, so this is done only when
    the file can add at least as many posts as the table already holds. Meanwhile
    searches by account and account pages are slower, not wrong.
    """
    with engine.connect() as conn:
        # Ids are dense from 1 (chosen by ingest), so the largest is the count, read at once.
        stored = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM posts").scalar_one()
    if stored > file_bytes // _BULK_BYTES_PER_POST:
        yield
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {_ACCOUNT_INDEX}")
    try:
        yield
    finally:
        restore_indexes(engine)


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
    source.skip_repeats = _SKIP_REPEATS
    result = IngestResult()
    turns = Path(job["turns"]) if job.get("turns") else None
    writer = _Writer(engine, fmt=source.name, watchlist_id=job["watchlist_id"], turns=turns)
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

    def __init__(self, writer: _Writer, result: IngestResult) -> None:
        self.writer = writer
        self.result = result
        self.queue: queue.Queue[_Prepared | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="posts-ingest-writer", daemon=True)

    def __enter__(self) -> _BackgroundWriter:
        self.thread.start()
        return self

    def put(self, prepared: _Prepared) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(prepared)

    def _run(self) -> None:
        while (prepared := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.writer.write(prepared, self.result)
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
            Watchlist.__table__.insert().values(id=watchlist_id, name=name, created_at=_now())
        )
        return watchlist_id


def _now() -> datetime:
    return datetime.now(UTC)


# The stdlib encoder, for what orjson refuses (integers beyond 64 bits, non-string
# keys). Records come from json parsers, so they hold no cycles. default=str keeps the
# odd non-JSON value (a Decimal) instead of failing.
_RAW_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, default=str
)


def _json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, as json.dumps(ensure_ascii=False) writes it, five times faster."""
    try:
        return orjson.dumps(value, default=str)
    except TypeError:
        return _RAW_ENCODER.encode(value).encode()


def _json_text(value: Any) -> str:
    return _json_bytes(value).decode()


# Raw records are zstd frames (level 3: a third of zlib's time for a 500-byte record,
# at 4% less compression); rows written before are zlib streams. A zstd frame starts
# with its magic number, which is never a valid zlib header, so both read back.
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_LEVEL = 3
# Records of one format repeat the same keys and values, which a zstd dictionary holds
# once: with one of 32 KB trained on 2,000 records, a 600-byte tweet takes a quarter of
# the space and a third of the time. Each writer trains one on its first batch of at
# least _DICT_MIN_RECORDS records when none is stored for its format (fewer samples
# train a dictionary that fits them and little else); post_raw_dicts keeps them.
_DICT_SIZE = 32 * 1024
_DICT_SAMPLES = 2_000
_DICT_MIN_RECORDS = 256
# zstd derives a trained dictionary's id from its content, in [32768, 2**31 - 1].
_DICT_ID_MAX = 2**31 - 1

# Reads a stored dictionary by id: its bytes (ZstdCompressionDict.as_bytes()), None
# when the database has none with that id.
RawDictionaries = Callable[[int], bytes | None]


def _raw_bytes(raw: Any) -> bytes:
    """A raw record as the bytes that are compressed (JSON for parsed records)."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return _json_bytes(raw)


class _Packer:
    """Compresses raw records; one per thread (zstd compressors are not thread-safe).

    With ``dictionary``, every frame names it by its id (``dict_id`` in the frame
    header), which is how :func:`decompress_raw` finds it again.
    """

    def __init__(self, dictionary: zstandard.ZstdCompressionDict | None = None) -> None:
        self.dictionary = dictionary
        if dictionary is not None:
            dictionary.precompute_compress(level=_ZSTD_LEVEL)  # once, not per record
        self.zstd = zstandard.ZstdCompressor(level=_ZSTD_LEVEL, dict_data=dictionary)

    def pack(self, raw: Any) -> bytes | None:
        if raw is None:
            return None
        return self.zstd.compress(_raw_bytes(raw))

    def pack_many(self, raws: Sequence[Any]) -> list[bytes | None]:
        """``pack`` of each record, compressed in one call.

        zstd lets go of the GIL while it compresses, and the writer thread then waits to
        take it back from the thread parsing the next batch (up to the interpreter's
        switch interval, 5 ms). A record at a time, those waits cost a hundred times
        more than the compression; one call a batch waits once.
        """
        out: list[bytes | None] = [None] * len(raws)
        data = {i: _raw_bytes(raw) for i, raw in enumerate(raws) if raw is not None}
        if not data:
            return out
        empty = [i for i, value in data.items() if not value]
        for i in empty:  # zstd takes no empty input among many
            out[i] = self.zstd.compress(data.pop(i))
        if data:
            frames = self.zstd.multi_compress_to_buffer(list(data.values()))
            for i, frame in zip(data, frames, strict=True):
                out[i] = frame.tobytes()
        return out


def _compress(raw: Any, dictionary: bytes | None = None) -> bytes | None:
    """One raw record compressed as ingest stores it (zstd, with ``dictionary`` if given)."""
    return _Packer(zstandard.ZstdCompressionDict(dictionary) if dictionary else None).pack(raw)


def _train_dictionary(records: Sequence[Any]) -> zstandard.ZstdCompressionDict | None:
    """A dictionary trained on up to _DICT_SAMPLES of ``records``, None if zstd cannot.

    Samples are spread over the batch rather than its first records, which may all be
    one account's or one day's. Too few or too alike records make zstd refuse.
    """
    step = max(1, len(records) // _DICT_SAMPLES)
    samples = [_raw_bytes(raw) for raw in records[::step][:_DICT_SAMPLES]]
    try:
        trained = zstandard.train_dictionary(_DICT_SIZE, samples)
    except zstandard.ZstdError as exc:
        log.info("no raw-record dictionary from %d records: %s", len(samples), exc)
        return None
    # A frame naming dictionary 0 reads as naming none: such a dictionary is unusable.
    if not 0 < trained.dict_id() <= _DICT_ID_MAX:
        return None
    return trained


# Decompressors by dictionary id (0: none), for the process. Caching by id is sound:
# zstd derives a trained dictionary's id from its content, so two databases' ids match
# only for the same dictionary (but for a one-in-2**31 coincidence), and within one
# database ingest refuses to store a second dictionary under an id already taken. A
# decompressor is not thread-safe (the web app reads posts on several threads): each is
# used under the lock, which decompressing a record holds for microseconds.
_DECOMPRESSORS: dict[int, zstandard.ZstdDecompressor] = {0: zstandard.ZstdDecompressor()}
_DECOMPRESSORS_HELD = 64
_DECOMPRESSORS_LOCK = threading.Lock()


def decompress_raw(
    blob: bytes | None,
    dictionaries: RawDictionaries | None = None,
    *,
    post: int | str | None = None,
) -> Any:
    """The original record stored with a post (parsed JSON), None when absent.

    Reads zlib streams (rows written before zstd), plain zstd frames, and frames
    compressed with a dictionary, which ``dictionaries`` gives by id. ``post`` names the
    post in the error raised when the dictionary is not stored.
    """
    if not blob:
        return None
    if blob[:4] == _ZSTD_MAGIC:
        dict_id = zstandard.get_frame_parameters(blob).dict_id
        decompressor = _decompressor(dict_id, dictionaries, post)
        with _DECOMPRESSORS_LOCK:
            data = decompressor.decompress(blob)
    else:
        data = zlib.decompress(blob)  # rows written before zstd
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _decompressor(
    dict_id: int, dictionaries: RawDictionaries | None, post: int | str | None
) -> zstandard.ZstdDecompressor:
    with _DECOMPRESSORS_LOCK:
        found = _DECOMPRESSORS.get(dict_id)
    if found is not None:
        return found
    data = dictionaries(dict_id) if dictionaries is not None else None
    if data is None:
        raise MarsadError(
            code="err_post_raw_dictionary",
            message=_(
                "The original record of post {post} was compressed with zstd dictionary "
                "{dictionary}, which this database does not hold: restore the "
                "post_raw_dicts table from a backup of this database."
            ).format(post=post if post is not None else "?", dictionary=dict_id),
            where="post_raw_dicts",
            status=500,
            details={"post": post, "dictionary_id": dict_id},
        )
    decompressor = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(data))
    with _DECOMPRESSORS_LOCK:
        if len(_DECOMPRESSORS) > _DECOMPRESSORS_HELD:
            for held in [i for i in _DECOMPRESSORS if i != 0]:
                del _DECOMPRESSORS[held]
        return _DECOMPRESSORS.setdefault(dict_id, decompressor)


def _row(rec: PostRecord, fmt: str, now: datetime) -> dict[str, Any]:
    eng, rel = rec.engagement, rec.relations
    return {
        "platform": rec.platform,
        "post_id": rec.post_id,
        "account_id": rec.account.account_id if rec.account else None,
        "text": rec.text,
        "search_text": search_text(rec.text),
        "lang": rec.lang,
        "created_at": rec.created_at,
        "url": rec.url,
        "links": rec.links or None,
        "hashtags": rec.hashtags or None,
        "mentions": rec.mentions or None,
        "reply_to": rel.reply_to,
        "quote_of": rel.quote_of,
        "forward_from": rel.forward_from,
        "retweet_of": rel.retweet_of,
        "likes": eng.likes,
        "shares": eng.shares,
        "replies": eng.replies,
        "quotes": eng.quotes,
        "views": eng.views,
        "reactions": eng.reactions,
        "media": [m.to_json() for m in rec.media] or None,
        "extra": rec.extra or None,
        # Compressed only when the row is written (see _Writer.write): a copy of a post
        # already stored, a third of the records in a typical X collection, never is.
        "raw": rec.raw,
        "source": fmt,
        "ingested_at": now,
    }


_FILL = (
    "account_id",
    "created_at",
    "url",
    "lang",
    "reply_to",
    "quote_of",
    "forward_from",
    "retweet_of",
)
_COUNTS = ("likes", "shares", "replies", "quotes", "views", "reactions")
_LISTS = ("links", "hashtags", "mentions")


def merge_post(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that make stored post ``old`` as rich as ``old`` and ``new`` together.

    The longer text wins (a retweet's truncated text loses to its full text), with its
    search form and original record; empty fields are filled; counts keep the highest
    value seen; lists are united; ``extra`` keys are added, never overwritten.
    Returns only the columns that change (empty: nothing to update).
    """
    changes: dict[str, Any] = {}
    if len(new.get("text") or "") > len(old.get("text") or ""):
        for key in ("text", "search_text", "lang"):
            changes[key] = new.get(key)
        if new.get("raw") is not None:
            changes["raw"] = new["raw"]
    elif old.get("raw") is None and new.get("raw") is not None and "raw" in old:
        changes["raw"] = new["raw"]
    for key in _FILL:
        if old.get(key) in (None, "") and new.get(key) not in (None, ""):
            changes.setdefault(key, new[key])
    for key in _COUNTS:
        if new.get(key) is not None and (old.get(key) is None or new[key] > old[key]):
            changes[key] = new[key]
    for key in _LISTS:
        merged = list(dict.fromkeys([*(old.get(key) or []), *(new.get(key) or [])]))
        if merged != list(old.get(key) or []):
            changes[key] = merged
    old_media = old.get("media") or []
    extra_media = [m for m in new.get("media") or [] if m not in old_media]
    if extra_media:
        changes["media"] = [*old_media, *extra_media]
    old_extra = old.get("extra") or {}
    added = {k: v for k, v in (new.get("extra") or {}).items() if k not in old_extra}
    if added:
        changes["extra"] = {**old_extra, **added}
    return changes


_POST_COLUMNS = tuple(c.name for c in _posts.c)
_SQLITE_INSERT_POSTS = f"INSERT INTO posts ({', '.join(_POST_COLUMNS)})"  # noqa: S608 - fixed names
# The most values SQLite binds in one statement (3.32 and later; 999 before).
_SQLITE_MAX_VALUES = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
_ROWS_A_STATEMENT = 256


def _insert_rows(conn: Any, head: str, rows: Sequence[tuple[Any, ...]], tail: str = "") -> None:
    """``head VALUES (…), (…), … tail`` for ``rows``, up to 256 rows a statement.

    executemany steps SQLite once a row and lets go of the GIL each time; the writer
    thread then waits to take it back from the thread parsing the next batch (up to
    the switch interval, 5 ms), row after row. A statement of 256 rows waits once, and
    SQLite stores them while the parsing goes on. Statements hold a power of two of
    rows, so that the driver's statement cache (which keeps each statement's last
    values) holds a few shapes, not one per batch size.
    """
    if not rows:
        return
    width = len(rows[0])
    per = min(_ROWS_A_STATEMENT, _SQLITE_MAX_VALUES // width)
    per = 1 << (per.bit_length() - 1)
    group = "(" + ",".join("?" * width) + ")"
    start = 0
    while start < len(rows):
        n = min(per, len(rows) - start)
        n = 1 << (n.bit_length() - 1)
        chunk = rows[start : start + n]
        sql = f"{head} VALUES {','.join([group] * n)}{tail}"
        conn.exec_driver_sql(sql, tuple(itertools.chain.from_iterable(chunk)))
        start += n


_ACCOUNT_COLUMNS = (
    "id",
    "platform",
    "account_id",
    "handle",
    "display_name",
    "registered_at",
    "actor_id",
    "first_seen",
    "last_seen",
)


def _sqlite_account_values(accounts: dict[Any, dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Accounts as _SQLITE_INSERT_ACCOUNTS parameters, stored as SQLAlchemy would."""
    return [
        (
            a["id"],
            a["platform"],
            a["account_id"],
            a["handle"],
            a["display_name"],
            _sqlite_time(a["registered_at"]),
            a["actor_id"],
            _sqlite_time(a["first_seen"]),
            _sqlite_time(a["last_seen"]),
        )
        for a in accounts.values()
    ]


_SQLITE_INSERT_ACCOUNTS = f"INSERT INTO accounts ({', '.join(_ACCOUNT_COLUMNS)})"  # noqa: S608
_SQLITE_ON_ACCOUNT = (
    " ON CONFLICT (platform, account_id) DO UPDATE SET "
    "handle = coalesce(excluded.handle, accounts.handle), "
    "display_name = coalesce(excluded.display_name, accounts.display_name), "
    "registered_at = coalesce(accounts.registered_at, excluded.registered_at), "
    "last_seen = excluded.last_seen"
)


# Version 4 UUID bits: byte 6 starts with 0100, byte 8 with 10.
_UUID_VERSION = bytes((b & 0x0F) | 0x40 for b in range(256))
_UUID_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))


def new_ids(n: int) -> list[str]:
    """``n`` random UUIDs as text, like ``new_id()`` each (a fifth of its time).

    An upsert needs an id for every account it might insert; uuid4() built a UUID
    object per account, a twentieth of a tweet's ingest time.
    """
    data = bytearray(os.urandom(16 * n))
    data[6::16] = data[6::16].translate(_UUID_VERSION)
    data[8::16] = data[8::16].translate(_UUID_VARIANT)
    h = data.hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-"
        f"{h[i + 20 : i + 32]}"
        for i in range(0, 32 * n, 32)
    ]


def _sqlite_time(value: datetime | None) -> str | None:
    """A datetime in SQLAlchemy's SQLite storage form (naive UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is five times faster than strftime and writes the same text (then
    # "+00:00", cut off; years are always four digits).
    return value.isoformat(" ", "microseconds")[:26]


_JSON_COLUMNS = frozenset(c.name for c in _posts.c if isinstance(c.type, JSON))
# All columns but the id (the first), which _insert_sqlite chooses inside the transaction.
_REST_COLUMNS = _POST_COLUMNS[1:]
assert _POST_COLUMNS[0] == "id"  # noqa: S101
_post_values = operator.itemgetter(*_REST_COLUMNS)
_JSON_AT = tuple(i for i, c in enumerate(_REST_COLUMNS) if c in _JSON_COLUMNS)
_CREATED_AT = _REST_COLUMNS.index("created_at")
_INGESTED_AT = _REST_COLUMNS.index("ingested_at")
_RAW = _REST_COLUMNS.index("raw")


def _sqlite_post_values(
    row: dict[str, Any], ingested_at: str, raw: bytes | None
) -> tuple[Any, ...]:
    """A posts row as SQLite parameters (JSON text, naive-UTC times, as SQLAlchemy stores them),
    without its id (the first column) and with ``raw`` (compressed) for its record."""
    values = list(_post_values(row))
    for i in _JSON_AT:
        value = values[i]
        values[i] = _json_text(value) if value is not None else None
    values[_CREATED_AT] = _sqlite_time(values[_CREATED_AT])
    values[_INGESTED_AT] = ingested_at
    values[_RAW] = raw
    return tuple(values)


# What merge_post reads of a stored post, fetched in one statement per 900 keys.
_MERGE_NAMES = (
    "id",
    "post_id",
    "text",
    "raw_missing",
    *_FILL,
    *_COUNTS,
    *_LISTS,
    "media",
    "extra",
)
_MERGE_JSON = (*_LISTS, "media", "extra")
_SQLITE_EXISTING = (
    "SELECT id, post_id, text, raw IS NULL, "  # noqa: S608 - fixed column names
    + ", ".join(_MERGE_NAMES[4:])
    + " FROM posts WHERE platform = ? AND post_id IN ({marks})"
)
# Batches between two checkpoints that empty SQLite's write-ahead log (see _checkpoint).
_CHECKPOINT_EVERY = 10
# An account seen again unchanged within this many seconds is not rewritten.
_ACCOUNT_REFRESH_S = 60.0
_ACCOUNTS_REMEMBERED = 200_000


_SQLITE_KNOWN = "SELECT post_id FROM posts WHERE platform = ? AND post_id IN ({marks})"  # noqa: S608
_SQLITE_NEWEST_DICT = (
    "SELECT dictionary FROM post_raw_dicts WHERE source = ? "
    "ORDER BY created_at DESC, id DESC LIMIT 1"
)


@dataclass
class _Prepared:
    rows: dict[tuple[str, str], dict[str, Any]]
    accounts: dict[tuple[str, str], dict[str, Any]]
    now: datetime
    # SQLite, filled by _Writer._stage before the batch's turn: the accounts to write
    # (as parameters), and the posts not stored yet as parameters (all but the id).
    account_values: list[tuple[Any, ...]] | None = None
    staged: dict[tuple[str, str], tuple[Any, ...]] | None = None
    # The dictionary the batch's records are compressed with (None: plain zstd), chosen
    # when it is staged.
    dictionary: zstandard.ZstdCompressionDict | None = None


class _Writer:
    """Writes batches of records: accounts upserted, new posts inserted, known ones merged."""

    def __init__(
        self,
        engine: Engine,
        *,
        fmt: str,
        watchlist_id: str | None,
        turns: Path | None = None,
    ) -> None:
        self.engine = engine
        # Parallel workers take turns through this lock file (see _turn).
        self.turns = turns.open("ab") if turns is not None and fcntl is not None else None
        # Held by the writer thread while it holds the turn; the thread building
        # batches waits on it between records (see _turn).
        self.quiet = threading.Lock() if self.turns is not None else None
        self.fmt = fmt
        self.watchlist_id = watchlist_id
        self.dialect = engine.dialect.name
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        posts_insert = insert(_posts)
        self.insert_posts = posts_insert.on_conflict_do_nothing(
            index_elements=["platform", "post_id"]
        )
        accounts_insert = insert(_accounts)
        excluded = accounts_insert.excluded
        self.upsert_accounts = accounts_insert.on_conflict_do_update(
            index_elements=["platform", "account_id"],
            set_={
                # Handles and names change; keep the latest one seen, never blank it out.
                "handle": func.coalesce(excluded.handle, _accounts.c.handle),
                "display_name": func.coalesce(excluded.display_name, _accounts.c.display_name),
                # A creation date does not change: the first one stored is kept.
                "registered_at": func.coalesce(_accounts.c.registered_at, excluded.registered_at),
                "last_seen": excluded.last_seen,
            },
        )
        merge_columns = [c for c in _posts.c if c.name not in ("raw",)]
        self.merge_columns = merge_columns
        self.insert_dictionary = insert(_raw_dicts).on_conflict_do_nothing(index_elements=["id"])
        # Plain zstd until _settle_dictionary finds or trains a dictionary (see there).
        # A parallel worker stages batches on its building thread (see stage) and writes
        # them on the writer thread, each with its own compressor (they are not
        # thread-safe). The building thread's: the dictionary chosen, the one this
        # writer trained (if any), and the compressor staging uses.
        self.dictionary: zstandard.ZstdCompressionDict | None = None
        self.trained: zstandard.ZstdCompressionDict | None = None
        self.stage_packer = _Packer()
        self.may_train = True
        # The writer thread's: its compressor (for the batch being written) and
        # whether a transaction stored the trained dictionary.
        self.packer = _Packer()
        self.trained_stored = False
        self.batches = 0
        # (platform, account_id) -> (handle, display_name, registered_at) stored since
        self.accounts_written: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.accounts_since = time.monotonic()

    def prepare(self, records: list[PostRecord]) -> _Prepared:
        """Turn records into rows (merging repeats of one post) and their accounts."""
        now = _now()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        accounts: dict[tuple[str, str], dict[str, Any]] = {}
        fmt = self.fmt
        quiet = self.quiet
        for rec in records:
            if quiet is not None:  # pause while this process holds the turn (see _turn)
                quiet.acquire()
                quiet.release()
            row = _row(rec, fmt, now)
            key = (rec.platform, rec.post_id)
            if key in rows:  # the same post twice in one batch (e.g. a much-retweeted one)
                rows[key].update(merge_post(rows[key], row))
            else:
                rows[key] = row
            ref = rec.account
            if ref is not None:
                acc_key = (rec.platform, ref.account_id)
                acc = accounts.get(acc_key)
                if acc is None:
                    accounts[acc_key] = {
                        "platform": rec.platform,
                        "account_id": ref.account_id,
                        "handle": ref.handle,
                        "display_name": ref.display_name,
                        "registered_at": ref.registered_at,
                        "first_seen": now,
                        "last_seen": now,
                        "actor_id": None,
                    }
                else:
                    acc["handle"] = ref.handle or acc["handle"]
                    acc["display_name"] = ref.display_name or acc["display_name"]
                    acc["registered_at"] = acc["registered_at"] or ref.registered_at
        return _Prepared(rows, accounts, now)

    def stage(self, prepared: _Prepared) -> _Prepared:
        """Do a parallel worker's work on a batch before its turn, on the building thread.

        On the writer thread, this Python work took the GIL from the thread building
        the next batch and gave it back, over and over (5% more CPU in all); here it
        follows the building, and the writer thread keeps to the database. Returns
        ``prepared`` (staged) for :meth:`write`.
        """
        self._settle_dictionary(prepared)
        prepared.dictionary = self.dictionary
        if self.dialect == "sqlite" and self.turns is not None:
            self._stage(prepared)
        return prepared

    def write(self, prepared: _Prepared, result: IngestResult) -> None:
        """Write one prepared batch in one transaction (staging it first, if not yet)."""
        if prepared.staged is None:
            self.stage(prepared)
        with self._turn():
            self._write(prepared, result)
            self.batches += 1
            if self.dialect == "sqlite" and self.batches % _CHECKPOINT_EVERY == 0:
                self._checkpoint()

    def _settle_dictionary(self, prepared: _Prepared) -> None:
        """Choose, on the first batch with raw records, the dictionary to compress with.

        The newest one stored for this writer's format, else one trained on this batch
        when it holds enough records (else plain zstd, and the next batch tries again).
        A trained dictionary is stored by the transaction of the first batch compressed
        with it (see _write), so no committed record names a dictionary that is not
        committed too. If that transaction fails, the dictionary stays unstored and the
        next batch's transaction stores it: nothing compressed with it is committed
        before it is. Parallel workers may each train one; each stores its own.
        """
        if self.dictionary is not None:
            return
        records = [row["raw"] for row in prepared.rows.values() if row["raw"] is not None]
        if not records:
            return
        stored = self._newest_dictionary()
        if stored is not None:
            self.dictionary = zstandard.ZstdCompressionDict(stored)
            self.stage_packer = _Packer(self.dictionary)
            return
        if not self.may_train or len(records) < _DICT_MIN_RECORDS:
            return
        trained = _train_dictionary(records)
        if trained is None:
            self.may_train = False  # such records will not do better in the next batch
            return
        self.dictionary = self.trained = trained
        self.stage_packer = _Packer(trained)
        log.info("raw records of %s: trained zstd dictionary %d", self.fmt, trained.dict_id())

    def _newest_dictionary(self) -> bytes | None:
        """The newest dictionary stored for this writer's format (its bytes), if any."""
        if self.dialect == "sqlite":
            # The driver's connection, outside any transaction (see _stage).
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                row = cursor.execute(_SQLITE_NEWEST_DICT, (self.fmt,)).fetchone()
                cursor.close()
            finally:
                raw.close()
            return bytes(row[0]) if row else None
        stmt = (
            select(_raw_dicts.c.dictionary)
            .where(_raw_dicts.c.source == self.fmt)
            .order_by(_raw_dicts.c.created_at.desc(), _raw_dicts.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            data = conn.execute(stmt).scalar()
        return bytes(data) if data is not None else None

    def _store_dictionary(self, conn: Any, dictionary: zstandard.ZstdCompressionDict) -> None:
        """Store the dictionary this writer trained, in the batch's transaction.

        Another dictionary under the same id (zstd ids are 31-bit hashes of the
        content: one chance in two billion) would make the records of one of the two
        unreadable, so that batch is refused instead; nothing of it is stored.
        """
        dict_id, data = dictionary.dict_id(), dictionary.as_bytes()
        values = {"id": dict_id, "source": self.fmt, "created_at": _now(), "dictionary": data}
        conn.execute(self.insert_dictionary, values)
        stored = conn.execute(
            select(_raw_dicts.c.dictionary).where(_raw_dicts.c.id == dict_id)
        ).scalar_one()
        if bytes(stored) != data:
            raise MarsadError(
                code="err_posts_raw_dictionary_id",
                message=_(
                    "The zstd dictionary trained for this ingest has id {dictionary}, "
                    "which a different stored dictionary already has; nothing of this "
                    "batch was stored. Ingest the files again in another order, or "
                    "with another batch size, to train a different one."
                ).format(dictionary=dict_id),
                where="post_raw_dicts",
                status=500,
                exit_code=2,
            )

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """Hold the parallel workers' lock file, when there is one, for one batch.

        SQLite's own lock makes a waiting writer poll, sleeping up to 100 ms between
        tries, so a worker often slept while the database was free. Waiting on a lock
        file wakes it the moment the other worker is done (BEGIN IMMEDIATE still
        guards the database itself). Holding it also lets the checkpoint empty the
        log at once: no other worker is inside a transaction.

        While a worker holds the turn, its own thread building batches pauses (on
        ``quiet``, between two records). SQLite works with the GIL let go, statement by
        statement; taking it back from a thread busy parsing took up to the switch
        interval (5 ms) each time, which made the turns, the only work the workers
        cannot do at once, half as long again as SQLite's work: the other workers
        then ran out of batches to build and waited. Paused, this process gives its
        core to SQLite, and the other workers' building goes on meanwhile.
        """
        if self.turns is None or fcntl is None:
            yield
            return
        fcntl.flock(self.turns.fileno(), fcntl.LOCK_EX)
        assert self.quiet is not None  # noqa: S101 - made with turns
        self.quiet.acquire()
        try:
            yield
        finally:
            self.quiet.release()
            fcntl.flock(self.turns.fileno(), fcntl.LOCK_UN)

    def _stage(self, prepared: _Prepared) -> None:
        """Do, before taking the batch's turn, the work that needs no write lock.

        Parallel workers write one at a time, so what a worker does while it holds the
        lock is what the others wait for. Which posts are stored already is read here
        from the latest committed state (WAL readers do not wait for the writer): those
        are only merged, as posts are never removed by an ingest. The others have their
        record compressed and their parameters built here; the lookup inside the
        transaction still decides, so a post that another worker stored meanwhile is
        merged, not inserted twice.
        """
        accounts = self._changed_accounts(prepared.accounts)
        prepared.accounts = accounts
        prepared.account_values = _sqlite_account_values(accounts)
        by_platform: dict[str, list[str]] = {}
        for platform, post_id in prepared.rows:
            by_platform.setdefault(platform, []).append(post_id)
        known: set[tuple[str, str]] = set()
        # The driver's connection, outside any transaction: the engine's connections
        # begin one with BEGIN IMMEDIATE, which would wait for the turn.
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for platform, ids in by_platform.items():
                for start in range(0, len(ids), _LOOKUP_CHUNK):
                    chunk = ids[start : start + _LOOKUP_CHUNK]
                    sql = _SQLITE_KNOWN.format(marks=",".join("?" * len(chunk)))
                    known.update((platform, v[0]) for v in cursor.execute(sql, (platform, *chunk)))
            cursor.close()
        finally:
            raw.close()
        fresh = [key for key in prepared.rows if key not in known]
        at = _sqlite_time(prepared.now)
        prepared.staged = self._post_values(prepared.rows, fresh, at, self.stage_packer)

    def _post_values(
        self,
        rows: dict[tuple[str, str], dict[str, Any]],
        keys: list[tuple[str, str]],
        at: str,
        packer: _Packer,
    ) -> dict[tuple[str, str], tuple[Any, ...]]:
        """The posts ``keys`` of ``rows`` as SQLite parameters, records compressed in one call."""
        blobs = packer.pack_many([rows[key]["raw"] for key in keys])
        return {
            key: _sqlite_post_values(rows[key], at, blob)
            for key, blob in zip(keys, blobs, strict=True)
        }

    def close(self) -> None:
        """Release the lock file (if any)."""
        if self.turns is not None:
            self.turns.close()
            self.turns = None

    def _write(self, prepared: _Prepared, result: IngestResult) -> None:
        rows, now = prepared.rows, prepared.now
        if prepared.staged is None:
            accounts = self._changed_accounts(prepared.accounts)
        else:
            accounts = prepared.accounts
        # What this thread compresses goes with the batch's records: the same dictionary.
        if self.packer.dictionary is not prepared.dictionary:
            self.packer = _Packer(prepared.dictionary)
        pack = self.packer.pack
        # The trained dictionary is stored by the first transaction whose records use it.
        store = prepared.dictionary is not None and prepared.dictionary is self.trained
        store = store and not self.trained_stored
        with self.engine.begin() as conn:
            if store:
                self._store_dictionary(conn, prepared.dictionary)
            if self.dialect == "sqlite":
                # A million-row table's indexes outgrow SQLite's default 2 MB page cache;
                # 64 MB keeps their upper levels in memory for the writer connection.
                conn.exec_driver_sql("PRAGMA cache_size=-65536")
            if accounts and self.dialect == "sqlite":
                account_values = prepared.account_values
                if account_values is None:
                    account_values = _sqlite_account_values(accounts)
                _insert_rows(conn, _SQLITE_INSERT_ACCOUNTS, account_values, _SQLITE_ON_ACCOUNT)
            elif accounts:
                conn.execute(self.upsert_accounts, list(accounts.values()))
            existing = self._existing(conn, list(rows))
            fresh_keys = [key for key in rows if key not in existing]
            fresh = [rows[key] for key in fresh_keys]
            if fresh and self.dialect == "sqlite":
                self._insert_sqlite(conn, fresh_keys, prepared, now)
            elif fresh:
                for row in fresh:
                    row["raw"] = pack(row["raw"])
                conn.execute(self.insert_posts, fresh)
            for key, old in existing.items():
                changes = merge_post(old, rows[key])
                if "raw" in changes:
                    changes["raw"] = pack(changes["raw"])
                if changes:
                    conn.execute(_posts.update().where(_posts.c.id == old["id"]).values(**changes))
            if self.watchlist_id and accounts:
                self._watch(conn, list(accounts), now)
        if store:
            self.trained_stored = True  # committed with this batch
        result.inserted += len(fresh)
        self._remember(accounts)

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it.

        SQLite's automatic checkpoints never get to restart the log while another
        writer (a parallel worker) always holds a transaction: the log then grows by
        every batch (2 GB for a million tweets), and every read of the next batch's
        lookups searches it. TRUNCATE waits (busy timeout) for any other transaction
        to end; if it cannot, it gives up and the next one tries again.
        """
        # Outside any transaction (the engine's connections begin one, IMMEDIATE, on
        # first use): the driver's own connection issues no BEGIN before a PRAGMA.
        raw = self.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()

    def _changed_accounts(
        self, accounts: dict[tuple[str, str], dict[str, Any]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """The accounts of a batch that this writer has not just stored as they are.

        An account is in most batches of a big collection; rewriting it unchanged costs
        as much as inserting a post. What was stored is forgotten every
        _ACCOUNT_REFRESH_S, so an account's last_seen is at most that much behind.
        """
        written = self.accounts_written
        if time.monotonic() - self.accounts_since > _ACCOUNT_REFRESH_S:
            written.clear()
            self.accounts_since = time.monotonic()
        changed = {}
        for key, acc in accounts.items():
            if written.get(key) != (acc["handle"], acc["display_name"], acc["registered_at"]):
                changed[key] = acc
        for acc, id_ in zip(changed.values(), new_ids(len(changed)), strict=True):
            acc["id"] = id_
        return changed

    def _remember(self, accounts: dict[tuple[str, str], dict[str, Any]]) -> None:
        """Note accounts just committed (called after the commit)."""
        written = self.accounts_written
        if len(written) + len(accounts) > _ACCOUNTS_REMEMBERED:
            written.clear()
        for key, acc in accounts.items():
            written[key] = (acc["handle"], acc["display_name"], acc["registered_at"])

    def _insert_sqlite(
        self, conn: Any, keys: list[tuple[str, str]], prepared: _Prepared, now: datetime
    ) -> None:
        """Insert new posts with ids chosen here, and index them in the same transaction.

        The transaction began with BEGIN IMMEDIATE, so no other writer can take an id
        between max(id) and the insert. Indexing from here rather than from a trigger
        costs a fifth as much per row.
        """
        start = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM posts").scalar_one()
        ingested_at = _sqlite_time(now)
        rows, staged = prepared.rows, prepared.staged or {}
        # Values are converted as SQLAlchemy's types would (JSON text, naive-UTC
        # datetimes in its storage format): its per-value processing held the GIL for
        # longer than SQLite took to store the row. _stage built them before the turn;
        # a post it found stored is only built here if it is gone (and every post, in
        # one process, which has no turns).
        unstaged = [key for key in keys if key not in staged]
        if unstaged:
            staged.update(self._post_values(rows, unstaged, ingested_at, self.packer))
        values = []
        index = []
        for number, key in enumerate(keys, start + 1):
            row = rows[key]
            row["id"] = number
            values.append((number, *staged[key]))
            index.append((search_key(row["created_at"], number), row["search_text"]))
        _insert_rows(conn, _SQLITE_INSERT_POSTS, values)
        _insert_rows(conn, "INSERT INTO posts_fts(rowid, search_text)", index)

    def _existing(self, conn: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """The stored rows among ``keys``, with what merge_post reads (raw: b"" or None)."""
        by_platform: dict[str, list[str]] = {}
        for platform, post_id in keys:
            by_platform.setdefault(platform, []).append(post_id)
        found: dict[tuple[str, str], Any] = {}
        for platform, ids in by_platform.items():
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                chunk = ids[start : start + _LOOKUP_CHUNK]
                if self.dialect == "sqlite":
                    self._existing_sqlite(conn, platform, chunk, found)
                    continue
                stmt = select(*self.merge_columns, _posts.c.raw.is_(None).label("raw_missing"))
                stmt = stmt.where(_posts.c.platform == platform, _posts.c.post_id.in_(chunk))
                for row in conn.execute(stmt):
                    data = dict(row._mapping)
                    data["raw"] = None if data.pop("raw_missing") else b""
                    found[(platform, data["post_id"])] = data
        return found

    def _existing_sqlite(
        self, conn: Any, platform: str, chunk: list[str], found: dict[tuple[str, str], Any]
    ) -> None:
        # Straight to sqlite3, skipping SQLAlchemy's result processing: only the columns
        # merge_post compares, JSON decoded here. Dates stay text: merge_post only asks
        # whether they are empty.
        sql = _SQLITE_EXISTING.format(marks=",".join("?" * len(chunk)))
        for values in conn.exec_driver_sql(sql, (platform, *chunk)):
            data = dict(zip(_MERGE_NAMES, values, strict=True))
            data["raw"] = None if data.pop("raw_missing") else b""
            for name in _MERGE_JSON:
                if data[name] is not None:
                    data[name] = orjson.loads(data[name])
            found[(platform, data["post_id"])] = data

    def _watch(self, conn: Any, account_keys: list[tuple[str, str]], now: datetime) -> None:
        by_platform: dict[str, list[str]] = {}
        for platform, account_id in account_keys:
            by_platform.setdefault(platform, []).append(account_id)
        stmt = text(
            "INSERT INTO watchlist_accounts (watchlist_id, account_pk, added_at) "
            "SELECT :wl, a.id, :now FROM accounts a WHERE a.platform = :platform "
            "AND a.account_id IN :ids ON CONFLICT DO NOTHING"
        ).bindparams(bindparam("ids", expanding=True))
        when = now.replace(tzinfo=None) if self.dialect == "sqlite" else now
        for platform, ids in by_platform.items():
            for start in range(0, len(ids), _LOOKUP_CHUNK):
                conn.execute(
                    stmt,
                    {
                        "wl": self.watchlist_id,
                        "now": when,
                        "platform": platform,
                        "ids": ids[start : start + _LOOKUP_CHUNK],
                    },
                )


# ------------------------------------------------------------------------------ reading


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    account = None
    if row.get("account_id"):
        account = AccountOut(
            platform=row["platform"],
            account_id=row["account_id"],
            handle=row.get("handle"),
            display_name=row.get("display_name"),
        )
    created = row.get("created_at")
    if isinstance(created, str):  # text() queries on SQLite bypass the UTC column type
        created = datetime.fromisoformat(created).replace(tzinfo=UTC)
    elif isinstance(created, datetime) and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    hashtags = row.get("hashtags")
    if isinstance(hashtags, str):
        hashtags = json.loads(hashtags)
    return {
        "id": row["id"],
        "platform": row["platform"],
        "post_id": row["post_id"],
        "account": account,
        "text": row["text"],
        "lang": row.get("lang"),
        "created_at": created,
        "url": row.get("url"),
        "hashtags": hashtags or [],
        **{k: row.get(k) for k in ("likes", "shares", "replies", "views", "reactions")},
    }


def search(
    *,
    session: Session,
    query: str = "",
    platform: str | None = None,
    account: str | None = None,
    watchlist: str | None = None,
    lang: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    flagged: bool = False,
    label: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Search posts (Arabic-aware, see :mod:`marsad.posts.search`), newest first, paginated.

    ``flagged`` keeps the posts a detector flagged and no reviewer rejected; ``label``
    (offensive, hate, violence, extremism) those flagged with that label.
    """
    among = None
    if flagged or label:
        # Imported here: detect's service loads scikit-learn (over a second), which
        # ingest, and its worker processes, never need.
        from marsad.detect import service as detect_service

        among = detect_service.flagged_post_ids(label=label or None)
    found = search_posts(
        session=session,
        query=query,
        platform=platform,
        account=account,
        watchlist=watchlist,
        lang=lang,
        since=since,
        until=until,
        among=among,
        limit=limit,
        offset=offset,
    )
    return SearchPage(
        query=query,
        total=found.total,
        total_exact=found.total_exact,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if found.more else None,
        items=[PostSummary(**_summary(r)) for r in found.rows],
    )


def get_post(*, session: Session, post_ref: int | str, include_raw: bool = True) -> PostDetail:
    """One post by its Marsad id, or by ``platform:post_id`` (e.g. ``x:1394735776701816833``)."""
    stmt = select(Post)
    if isinstance(post_ref, int) or str(post_ref).isdigit():
        stmt = stmt.where(Post.id == int(post_ref))
    elif ":" in str(post_ref):
        platform, _sep, post_id = str(post_ref).partition(":")
        stmt = stmt.where(Post.platform == platform, Post.post_id == post_id)
    else:
        raise InvalidInput("err_posts_ref", "give a post's id or platform:post_id", where="ID")
    post = session.execute(stmt).scalar_one_or_none()
    if post is None:
        raise NotFound("err_post_not_found", f"no post {post_ref}", where="ID")
    account = (
        session.execute(
            select(Account).where(
                Account.platform == post.platform, Account.account_id == post.account_id
            )
        ).scalar_one_or_none()
        if post.account_id
        else None
    )
    base = {c.name: getattr(post, c.name) for c in _posts.c if c.name != "raw"}
    if account is not None:
        base.update(handle=account.handle, display_name=account.display_name)
    summary = _summary(base)
    return PostDetail(
        **summary,
        links=post.links or [],
        mentions=post.mentions or [],
        reply_to=post.reply_to,
        quote_of=post.quote_of,
        forward_from=post.forward_from,
        retweet_of=post.retweet_of,
        quotes=post.quotes,
        media=post.media or [],
        extra=post.extra or {},
        source=post.source,
        ingested_at=post.ingested_at,
        raw=_read_raw(session, post) if include_raw else None,
    )


def _read_raw(session: Session, post: Post) -> Any:
    """A post's original record, its dictionary (if it has one) read from post_raw_dicts."""

    def dictionary(dict_id: int) -> bytes | None:
        if not 0 < dict_id <= _DICT_ID_MAX:  # no such id is ever stored (nor fits INTEGER)
            return None
        data = session.execute(
            select(PostRawDict.dictionary).where(PostRawDict.id == dict_id)
        ).scalar_one_or_none()
        return bytes(data) if data is not None else None

    return decompress_raw(post.raw, dictionary, post=f"{post.id} ({post.platform}:{post.post_id})")


def account_activity(*, session: Session, platform: str, account_id: str) -> dict[str, Any]:
    """An account and its number of posts per day (for the account page)."""
    account = session.execute(
        select(Account).where(Account.platform == platform, Account.account_id == account_id)
    ).scalar_one_or_none()
    if account is None:
        raise NotFound("err_posts_account_not_found", f"no account {platform}:{account_id}")
    day = func.substr(func.cast(Post.created_at, String()), 1, 10)
    rows = session.execute(
        select(day.label("day"), func.count().label("posts"))
        .where(Post.platform == platform, Post.account_id == account_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return {
        "account": AccountOut(
            platform=platform,
            account_id=account_id,
            handle=account.handle,
            display_name=account.display_name,
        ).model_dump(),
        "actor_id": account.actor_id,
        "registered_at": account.registered_at,
        "first_seen": account.first_seen,
        "last_seen": account.last_seen,
        "per_day": [{"day": r.day, "posts": r.posts} for r in rows if r.day],
    }


# ------------------------------------------------------------------------------ watchlists


def _watchlist(session: Session, name: str) -> Watchlist:
    found = session.execute(select(Watchlist).where(Watchlist.name == name)).scalar_one_or_none()
    if found is None:
        raise NotFound(
            "err_posts_watchlist_not_found", f"no watchlist named {name!r}", where="watchlist"
        )
    return found


def create_watchlist(
    *, session: Session, name: str, description: str | None = None, actor: str = audit.SYSTEM
) -> dict[str, Any]:
    """Create an empty watchlist; refuse a name already taken."""
    name = name.strip()
    if not name:
        raise InvalidInput("err_posts_watchlist_name", "a watchlist needs a name", where="NAME")
    if session.execute(select(Watchlist.id).where(Watchlist.name == name)).first():
        raise InvalidInput(
            "err_posts_watchlist_exists", f"a watchlist named {name!r} exists", where="NAME"
        )
    watchlist = Watchlist(name=name, description=description)
    session.add(watchlist)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.watchlist_created",
        subject_type="watchlist",
        subject_id=watchlist.id,
        details={"name": name},
    )
    return describe_watchlist(session=session, name=name)


def resolve_account(*, session: Session, ref: str) -> Account:
    """Find an account from ``platform:handle_or_id`` (or a handle or id on one platform only)."""
    platform, sep, who = ref.partition(":")
    if not sep:
        platform, who = "", ref
    who = who.lstrip("@")
    stmt = select(Account).where(
        (Account.account_id == who) | (func.lower(Account.handle) == who.lower())
    )
    if platform:
        stmt = stmt.where(Account.platform == platform)
    found = session.execute(stmt.limit(2)).scalars().all()
    if not found:
        raise NotFound(
            "err_posts_account_not_found", f"no account {ref!r} has been ingested", where="ACCOUNT"
        )
    if len(found) > 1:
        raise InvalidInput(
            "err_posts_account_ambiguous",
            f"{ref!r} names several accounts; write platform:{who}",
            where="ACCOUNT",
        )
    return found[0]


def add_to_watchlist(
    *,
    session: Session,
    name: str,
    accounts: Sequence[str] = (),
    keywords: Sequence[str] = (),
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Add accounts (``platform:handle_or_id``) and keywords to a watchlist."""
    watchlist = _watchlist(session, name)
    for ref in accounts:
        account = resolve_account(session=session, ref=ref)
        if session.get(WatchlistAccount, (watchlist.id, account.id)) is None:
            session.add(WatchlistAccount(watchlist_id=watchlist.id, account_pk=account.id))
    for keyword in keywords:
        keyword = keyword.strip()
        if keyword and session.get(WatchlistKeyword, (watchlist.id, keyword)) is None:
            session.add(
                WatchlistKeyword(
                    watchlist_id=watchlist.id, keyword=keyword, normalized=search_text(keyword)
                )
            )
    session.flush()
    _audit_change(session, actor, "posts.watchlist_added", watchlist, accounts, keywords)
    return describe_watchlist(session=session, name=name)


def remove_from_watchlist(
    *,
    session: Session,
    name: str,
    accounts: Sequence[str] = (),
    keywords: Sequence[str] = (),
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Remove accounts and keywords from a watchlist."""
    watchlist = _watchlist(session, name)
    for ref in accounts:
        account = resolve_account(session=session, ref=ref)
        link = session.get(WatchlistAccount, (watchlist.id, account.id))
        if link is not None:
            session.delete(link)
    for keyword in keywords:
        link = session.get(WatchlistKeyword, (watchlist.id, keyword.strip()))
        if link is not None:
            session.delete(link)
    session.flush()
    _audit_change(session, actor, "posts.watchlist_removed", watchlist, accounts, keywords)
    return describe_watchlist(session=session, name=name)


def _audit_change(
    session: Session,
    actor: str,
    action: str,
    watchlist: Watchlist,
    accounts: Sequence[str],
    keywords: Sequence[str],
) -> None:
    if accounts or keywords:
        audit.record(
            session,
            actor=actor,
            action=action,
            subject_type="watchlist",
            subject_id=watchlist.id,
            details={
                "name": watchlist.name,
                "accounts": list(accounts),
                "keywords": list(keywords),
            },
        )


def delete_watchlist(*, session: Session, name: str, actor: str = audit.SYSTEM) -> None:
    """Delete a watchlist (its accounts and posts stay)."""
    watchlist = _watchlist(session, name)
    session.execute(
        WatchlistAccount.__table__.delete().where(WatchlistAccount.watchlist_id == watchlist.id)
    )
    session.execute(
        WatchlistKeyword.__table__.delete().where(WatchlistKeyword.watchlist_id == watchlist.id)
    )
    session.delete(watchlist)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.watchlist_deleted",
        subject_type="watchlist",
        subject_id=watchlist.id,
        details={"name": name},
    )


def describe_watchlist(*, session: Session, name: str) -> dict[str, Any]:
    """A watchlist with its accounts and keywords."""
    watchlist = _watchlist(session, name)
    accounts = (
        session.execute(
            select(Account)
            .join(WatchlistAccount, WatchlistAccount.account_pk == Account.id)
            .where(WatchlistAccount.watchlist_id == watchlist.id)
            .order_by(Account.platform, Account.handle, Account.account_id)
        )
        .scalars()
        .all()
    )
    keywords = (
        session.execute(
            select(WatchlistKeyword.keyword)
            .where(WatchlistKeyword.watchlist_id == watchlist.id)
            .order_by(WatchlistKeyword.keyword)
        )
        .scalars()
        .all()
    )
    return {
        "name": watchlist.name,
        "description": watchlist.description,
        "accounts": [
            AccountOut(
                platform=a.platform,
                account_id=a.account_id,
                handle=a.handle,
                display_name=a.display_name,
            ).model_dump()
            for a in accounts
        ],
        "keywords": list(keywords),
    }


def list_watchlists(*, session: Session) -> list[dict[str, Any]]:
    """Every watchlist with how many accounts and keywords it holds."""
    rows = session.execute(
        select(
            Watchlist.name,
            Watchlist.description,
            select(func.count())
            .where(WatchlistAccount.watchlist_id == Watchlist.id)
            .correlate(Watchlist)
            .scalar_subquery()
            .label("accounts"),
            select(func.count())
            .where(WatchlistKeyword.watchlist_id == Watchlist.id)
            .correlate(Watchlist)
            .scalar_subquery()
            .label("keywords"),
        ).order_by(Watchlist.name)
    ).all()
    return [dict(r._mapping) for r in rows]


# ------------------------------------------------------------------------------ actors


def assign_actor(
    *,
    session: Session,
    actor_name: str,
    accounts: Sequence[str],
    kind: str | None = None,
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Attach accounts (on any platforms) to an actor, creating the actor when new.

    An account owned by another actor moves to this one; ``kind``, when given, is
    set on the actor, new or not. Every account is found before anything changes, so
    an unknown one changes nothing.
    """
    found = [resolve_account(session=session, ref=ref) for ref in accounts]
    owner = session.execute(select(Actor).where(Actor.name == actor_name)).scalars().first()
    if owner is None:
        owner = Actor(name=actor_name, kind=kind)
        session.add(owner)
        session.flush()
    elif kind is not None:
        owner.kind = kind
    for account in found:
        account.actor_id = owner.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.actor_accounts_assigned",
        subject_type="actor",
        subject_id=owner.id,
        details={"name": actor_name, "kind": owner.kind, "accounts": list(accounts)},
    )
    owned = session.execute(select(Account).where(Account.actor_id == owner.id)).scalars().all()
    return {
        "id": owner.id,
        "name": owner.name,
        "kind": owner.kind,
        "accounts": [
            AccountOut(
                platform=a.platform,
                account_id=a.account_id,
                handle=a.handle,
                display_name=a.display_name,
            ).model_dump()
            for a in owned
        ],
    }


def post_texts_after(
    *,
    session: Session,
    after_id: int,
    limit: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> list[tuple[int, str]]:
    """``(id, text)`` of the next ``limit`` posts above ``after_id``, in id order.

    ``up_to`` bounds the ids (inclusive). ``unless`` is given the posts' id
    column and returns a condition (e.g. a correlated ``EXISTS`` over another
    capability's table) that leaves a post out: a caller finds the posts it has
    not handled yet by what is missing, not by the highest id it has seen, since
    ids are not committed in order when two ingests run at once.
    """
    query = select(Post.id, Post.text).where(*_id_window(after_id, up_to, unless))
    rows = session.execute(query.order_by(Post.id).limit(limit))
    return [(int(pk), text_ or "") for pk, text_ in rows]


def post_ids_after(
    *,
    session: Session,
    after_id: int,
    limit: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> list[int]:
    """The ids :func:`post_texts_after` would return, without the texts (to plan work)."""
    query = select(Post.id).where(*_id_window(after_id, up_to, unless))
    return [int(pk) for pk in session.execute(query.order_by(Post.id).limit(limit)).scalars()]


def count_posts_after(
    *,
    session: Session,
    after_id: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> int:
    """How many posts :func:`post_texts_after` has left (same ``up_to`` and ``unless``)."""
    query = select(func.count()).select_from(Post).where(*_id_window(after_id, up_to, unless))
    return int(session.execute(query).scalar_one())


def _id_window(after_id: int, up_to: int | None, unless: Callable[[Any], Any] | None) -> list[Any]:
    conditions: list[Any] = [Post.id > after_id]
    if up_to is not None:
        conditions.append(Post.id <= up_to)
    if unless is not None:
        conditions.append(~unless(Post.id))
    return conditions


def post_texts(*, session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The text of each of these posts (ids that do not exist are left out)."""
    found: dict[int, str] = {}
    wanted = list(dict.fromkeys(int(i) for i in ids))
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        for pk, text_ in session.execute(select(Post.id, Post.text).where(Post.id.in_(chunk))):
            found[int(pk)] = text_ or ""
    return found


# What a coordination row needs of a post.
_SHARE_COLUMNS = (
    Post.platform,
    Post.post_id,
    Post.account_id,
    Post.created_at,
    Post.text,
    Post.links,
    Post.hashtags,
    Post.retweet_of,
    Post.forward_from,
    Post.quote_of,
)


def _share_row(row: Any) -> dict[str, Any]:
    shared = row.retweet_of or row.forward_from or row.quote_of
    return {
        "account_id": f"{row.platform}:{row.account_id}",
        "post_id": f"{row.platform}:{row.post_id}",
        "timestamp": row.created_at,
        "object_id": f"{row.platform}:{shared}" if shared else None,
        "url": " ".join(row.links or []) or None,
        "text": row.text or None,
        "hashtags": list(row.hashtags or []),
    }


def iter_share_rows(
    *, session: Session, account: str | None = None, batch: int = 10_000
) -> Iterable[dict[str, Any]]:
    """Every dated post (or one ``platform:account_id``'s) as a coordination row.

    Accounts and posts are prefixed with their platform, so the same id on two
    platforms never merges; ``object_id`` is what the post re-shares (a retweet,
    forward or quote), ``url`` its links separated by spaces.
    """
    query = (
        select(*_SHARE_COLUMNS)
        .where(Post.created_at.is_not(None), Post.account_id.is_not(None))
        .order_by(Post.id)
        .execution_options(yield_per=batch)
    )
    if account is not None:
        platform, _sep, account_id = account.partition(":")
        query = query.where(Post.platform == platform, Post.account_id == account_id)
    for row in session.execute(query):
        yield _share_row(row)


# ------------------------------------------------------------------------------ maintenance


def rebuild_search_index(*, engine: Engine, batch_size: int = 20_000) -> int:
    """Rebuild SQLite's full-text index from posts.search_text; return posts indexed.

    For a database whose posts were written by something other than this service.
    PostgreSQL's index is maintained by the database itself, so there is nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return 0
    done = 0
    last = 0
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('delete-all')")
        while True:
            rows = conn.execute(
                select(Post.id, Post.created_at, Post.search_text)
                .where(Post.id > last)
                .order_by(Post.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            conn.exec_driver_sql(
                "INSERT INTO posts_fts(rowid, search_text) VALUES (?, ?)",
                [(search_key(r.created_at, r.id), r.search_text) for r in rows],
            )
            done += len(rows)
            last = rows[-1].id
    return done


def iter_account_profiles(*, session: Session) -> Iterable[dict[str, Any]]:
    """Every stored account as ``{account_id (platform-prefixed), handle, display_name,
    created_at, registered_at}``.

    ``created_at`` is when Marsad first saw the account; ``registered_at`` is when it
    was created on its platform, None where no ingested export said (X exports do;
    Telegram and YouTube exports never do).
    """
    query = select(
        Account.platform,
        Account.account_id,
        Account.handle,
        Account.display_name,
        Account.first_seen,
        Account.registered_at,
    ).execution_options(yield_per=10_000)
    for row in session.execute(query):
        yield {
            "account_id": f"{row.platform}:{row.account_id}",
            "handle": row.handle,
            "display_name": row.display_name,
            "created_at": row.first_seen,
            "registered_at": row.registered_at,
        }


def iter_share_rows_of(*, session: Session, accounts: Sequence[str]) -> Iterable[dict[str, Any]]:
    """The rows of :func:`iter_share_rows` by these ``platform:account_id`` accounts only.

    One query (by the ``platform, account_id`` index), in the same order as
    :func:`iter_share_rows`; keep ``accounts`` to a few hundred per call.
    """
    by_platform: dict[str, list[str]] = {}
    for account in dict.fromkeys(accounts):
        platform, _sep, account_id = account.partition(":")
        by_platform.setdefault(platform, []).append(account_id)
    if not by_platform:
        return
    query = (
        select(*_SHARE_COLUMNS)
        .where(
            Post.created_at.is_not(None),
            or_(
                *(
                    and_(Post.platform == platform, Post.account_id.in_(ids))
                    for platform, ids in by_platform.items()
                )
            ),
        )
        .order_by(Post.id)
    )
    for row in session.execute(query):
        yield _share_row(row)


def iter_share_rows_near(
    *, session: Session, times: Sequence[int], window: int, gap: int = 600
) -> Iterable[dict[str, Any]]:
    """The rows of :func:`iter_share_rows`, without their text, posted within ``window``
    seconds of any of ``times`` that re-share or link something.

    ``times`` are epoch seconds (UTC). Spans closer than ``gap`` seconds are merged
    and each is read by the ``created_at`` index, one query a span (SQLite scans the
    table for an ``OR`` of ranges), so what is read is the posts around those
    moments, never the whole store. Rows come once each, by span in time order.
    """
    spans: list[list[int]] = []
    for t in sorted(set(times)):
        if spans and t - window <= spans[-1][1] + gap:
            spans[-1][1] = t + window
        else:
            spans.append([t - window, t + window])
    columns = (
        Post.platform,
        Post.post_id,
        Post.account_id,
        Post.created_at,
        Post.links,
        Post.retweet_of,
        Post.forward_from,
        Post.quote_of,
    )
    for lo, hi in spans:
        query = select(*columns).where(
            Post.account_id.is_not(None),
            Post.created_at.between(
                datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)
            ),
        )
        for row in session.execute(query):
            shared = row.retweet_of or row.forward_from or row.quote_of
            if not shared and not row.links:
                continue
            yield {
                "account_id": f"{row.platform}:{row.account_id}",
                "post_id": f"{row.platform}:{row.post_id}",
                "timestamp": row.created_at,
                "object_id": f"{row.platform}:{shared}" if shared else None,
                "url": " ".join(row.links) if row.links else None,
                "text": None,
                "hashtags": [],
            }
