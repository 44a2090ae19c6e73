"""The ingest writer: batches of records written to SQLite or PostgreSQL.

One :class:`Writer` per ingesting process. Each batch is one transaction: its accounts
upserted, its new posts inserted (with their full-text index rows, on SQLite), and
the posts already stored completed with what the new copies add (:func:`merge_post`).
Parallel workers on SQLite take turns through a lock file; the writer does, before its
turn, the work that needs no write lock (:meth:`Writer.stage`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import zstandard
from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from marsad.core.db import utcnow
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.posts import codec
from marsad.posts.codec import DICT_MIN_RECORDS, Packer
from marsad.posts.models import Account, Post, PostRawDict
from marsad.posts.rows import (
    COUNTS,
    FILL,
    LISTS,
    LOOKUP_CHUNK,
    SQLITE_INSERT_ACCOUNTS,
    SQLITE_INSERT_POSTS,
    SQLITE_ON_ACCOUNT,
    insert_rows,
    merge_post,
    new_ids,
    post_row,
    sqlite_account_values,
    sqlite_post_values,
    sqlite_time,
)
from marsad.posts.schema import PostRecord
from marsad.posts.search import search_key

if TYPE_CHECKING:
    from marsad.posts.ingest import IngestResult

try:
    import fcntl
except ImportError:  # Windows: parallel workers then take turns by SQLite's lock alone
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_posts = Post.__table__
_accounts = Account.__table__
_raw_dicts = PostRawDict.__table__

# What merge_post reads of a stored post, fetched in one statement per 900 keys.
_MERGE_NAMES = (
    "id",
    "post_id",
    "text",
    "raw_missing",
    *FILL,
    *COUNTS,
    *LISTS,
    "media",
    "extra",
)
_MERGE_JSON = (*LISTS, "media", "extra")
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
class Prepared:
    rows: dict[tuple[str, str], dict[str, Any]]
    accounts: dict[tuple[str, str], dict[str, Any]]
    now: datetime
    # SQLite, filled by Writer._stage before the batch's turn: the accounts to write
    # (as parameters), and the posts not stored yet as parameters (all but the id).
    account_values: list[tuple[Any, ...]] | None = None
    staged: dict[tuple[str, str], tuple[Any, ...]] | None = None
    # The dictionary the batch's records are compressed with (None: plain zstd), chosen
    # when it is staged.
    dictionary: zstandard.ZstdCompressionDict | None = None


class Writer:
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
        self.stage_packer = Packer()
        self.may_train = True
        # The writer thread's: its compressor (for the batch being written) and
        # whether a transaction stored the trained dictionary.
        self.packer = Packer()
        self.trained_stored = False
        self.batches = 0
        # (platform, account_id) -> (handle, display_name, registered_at) stored since
        self.accounts_written: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.accounts_since = time.monotonic()

    def prepare(self, records: list[PostRecord]) -> Prepared:
        """Turn records into rows (merging repeats of one post) and their accounts."""
        now = utcnow()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        accounts: dict[tuple[str, str], dict[str, Any]] = {}
        fmt = self.fmt
        quiet = self.quiet
        for rec in records:
            if quiet is not None:  # pause while this process holds the turn (see _turn)
                quiet.acquire()
                quiet.release()
            row = post_row(rec, fmt, now)
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
        return Prepared(rows, accounts, now)

    def stage(self, prepared: Prepared) -> Prepared:
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

    def write(self, prepared: Prepared, result: IngestResult) -> None:
        """Write one prepared batch in one transaction (staging it first, if not yet)."""
        if prepared.staged is None:
            self.stage(prepared)
        with self._turn():
            self._write(prepared, result)
            self.batches += 1
            if self.dialect == "sqlite" and self.batches % _CHECKPOINT_EVERY == 0:
                self._checkpoint()

    def _settle_dictionary(self, prepared: Prepared) -> None:
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
            self.stage_packer = Packer(self.dictionary)
            return
        if not self.may_train or len(records) < DICT_MIN_RECORDS:
            return
        trained = codec.train_dictionary(records)
        if trained is None:
            self.may_train = False  # such records will not do better in the next batch
            return
        self.dictionary = self.trained = trained
        self.stage_packer = Packer(trained)
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
        values = {"id": dict_id, "source": self.fmt, "created_at": utcnow(), "dictionary": data}
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

    def _stage(self, prepared: Prepared) -> None:
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
        prepared.account_values = sqlite_account_values(accounts)
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
                for start in range(0, len(ids), LOOKUP_CHUNK):
                    chunk = ids[start : start + LOOKUP_CHUNK]
                    sql = _SQLITE_KNOWN.format(marks=",".join("?" * len(chunk)))
                    known.update((platform, v[0]) for v in cursor.execute(sql, (platform, *chunk)))
            cursor.close()
        finally:
            raw.close()
        fresh = [key for key in prepared.rows if key not in known]
        at = sqlite_time(prepared.now)
        prepared.staged = self._post_values(prepared.rows, fresh, at, self.stage_packer)

    def _post_values(
        self,
        rows: dict[tuple[str, str], dict[str, Any]],
        keys: list[tuple[str, str]],
        at: str,
        packer: Packer,
    ) -> dict[tuple[str, str], tuple[Any, ...]]:
        """The posts ``keys`` of ``rows`` as SQLite parameters, records compressed in one call."""
        blobs = packer.pack_many([rows[key]["raw"] for key in keys])
        return {
            key: sqlite_post_values(rows[key], at, blob)
            for key, blob in zip(keys, blobs, strict=True)
        }

    def close(self) -> None:
        """Release the lock file (if any)."""
        if self.turns is not None:
            self.turns.close()
            self.turns = None

    def _write(self, prepared: Prepared, result: IngestResult) -> None:
        rows, now = prepared.rows, prepared.now
        if prepared.staged is None:
            accounts = self._changed_accounts(prepared.accounts)
        else:
            accounts = prepared.accounts
        # What this thread compresses goes with the batch's records: the same dictionary.
        if self.packer.dictionary is not prepared.dictionary:
            self.packer = Packer(prepared.dictionary)
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
                    account_values = sqlite_account_values(accounts)
                insert_rows(conn, SQLITE_INSERT_ACCOUNTS, account_values, SQLITE_ON_ACCOUNT)
            elif accounts:
                conn.execute(self.upsert_accounts, list(accounts.values()))
            existing = self.existing(conn, list(rows))
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
                self.watch(conn, list(accounts), now)
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
        self, conn: Any, keys: list[tuple[str, str]], prepared: Prepared, now: datetime
    ) -> None:
        """Insert new posts with ids chosen here, and index them in the same transaction.

        The transaction began with BEGIN IMMEDIATE, so no other writer can take an id
        between max(id) and the insert. Indexing from here rather than from a trigger
        costs a fifth as much per row.
        """
        start = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM posts").scalar_one()
        ingested_at = sqlite_time(now)
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
        insert_rows(conn, SQLITE_INSERT_POSTS, values)
        insert_rows(conn, "INSERT INTO posts_fts(rowid, search_text)", index)

    def existing(self, conn: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        """The stored rows among ``keys``, with what merge_post reads (raw: b"" or None)."""
        by_platform: dict[str, list[str]] = {}
        for platform, post_id in keys:
            by_platform.setdefault(platform, []).append(post_id)
        found: dict[tuple[str, str], Any] = {}
        for platform, ids in by_platform.items():
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = ids[start : start + LOOKUP_CHUNK]
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

    def watch(self, conn: Any, account_keys: list[tuple[str, str]], now: datetime) -> None:
        """Add the batch's accounts to the ingest's watchlist (the transaction's last step)."""
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
            for start in range(0, len(ids), LOOKUP_CHUNK):
                conn.execute(
                    stmt,
                    {
                        "wl": self.watchlist_id,
                        "now": when,
                        "platform": platform,
                        "ids": ids[start : start + LOOKUP_CHUNK],
                    },
                )
