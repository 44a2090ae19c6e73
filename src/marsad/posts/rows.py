"""Posts and accounts as the writer stores them: rows, merges, and SQLite's parameters.

Pure functions and constants shared by the writer (:mod:`marsad.posts.writer`) and
what replays its statements (``bench/posts_sqlite_floor.py``): how a parsed record
becomes a ``posts`` row, how a repeat of a stored post completes it
(:func:`merge_post`), and the parameter forms that SQLite's multi-row statements take.
"""

from __future__ import annotations

import itertools
import operator
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON

from marsad.posts.codec import json_text
from marsad.posts.models import Post
from marsad.posts.schema import PostRecord
from marsad.posts.search import search_text

# Keys looked up in one statement (SQLite binds at most 999 values before 3.32).
LOOKUP_CHUNK = 900
_posts = Post.__table__


def post_row(rec: PostRecord, fmt: str, now: datetime) -> dict[str, Any]:
    """A parsed record as a ``posts`` row (its raw record not compressed yet, no id)."""
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
        # Compressed only when the row is written (see Writer.write): a copy of a post
        # already stored, a third of the records in a typical X collection, never is.
        "raw": rec.raw,
        "source": fmt,
        "ingested_at": now,
    }


FILL = (
    "account_id",
    "created_at",
    "url",
    "lang",
    "reply_to",
    "quote_of",
    "forward_from",
    "retweet_of",
)
COUNTS = ("likes", "shares", "replies", "quotes", "views", "reactions")
LISTS = ("links", "hashtags", "mentions")


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
    for key in FILL:
        if old.get(key) in (None, "") and new.get(key) not in (None, ""):
            changes.setdefault(key, new[key])
    for key in COUNTS:
        if new.get(key) is not None and (old.get(key) is None or new[key] > old[key]):
            changes[key] = new[key]
    for key in LISTS:
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


POST_COLUMNS = tuple(c.name for c in _posts.c)
SQLITE_INSERT_POSTS = f"INSERT INTO posts ({', '.join(POST_COLUMNS)})"  # noqa: S608 - fixed names
# The most values SQLite binds in one statement (3.32 and later; 999 before).
_SQLITE_MAX_VALUES = 32_766 if sqlite3.sqlite_version_info >= (3, 32) else 999
_ROWS_A_STATEMENT = 256


def insert_rows(conn: Any, head: str, rows: Sequence[tuple[Any, ...]], tail: str = "") -> None:
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


ACCOUNT_COLUMNS = (
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


def sqlite_account_values(accounts: dict[Any, dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Accounts as SQLITE_INSERT_ACCOUNTS parameters, stored as SQLAlchemy would."""
    return [
        (
            a["id"],
            a["platform"],
            a["account_id"],
            a["handle"],
            a["display_name"],
            sqlite_time(a["registered_at"]),
            a["actor_id"],
            sqlite_time(a["first_seen"]),
            sqlite_time(a["last_seen"]),
        )
        for a in accounts.values()
    ]


SQLITE_INSERT_ACCOUNTS = f"INSERT INTO accounts ({', '.join(ACCOUNT_COLUMNS)})"  # noqa: S608
SQLITE_ON_ACCOUNT = (
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


def sqlite_time(value: datetime | None) -> str | None:
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
_REST_COLUMNS = POST_COLUMNS[1:]
assert POST_COLUMNS[0] == "id"  # noqa: S101
_post_values = operator.itemgetter(*_REST_COLUMNS)
_JSON_AT = tuple(i for i, c in enumerate(_REST_COLUMNS) if c in _JSON_COLUMNS)
_CREATED_AT = _REST_COLUMNS.index("created_at")
_INGESTED_AT = _REST_COLUMNS.index("ingested_at")
_RAW = _REST_COLUMNS.index("raw")


def sqlite_post_values(row: dict[str, Any], ingested_at: str, raw: bytes | None) -> tuple[Any, ...]:
    """A posts row as SQLite parameters (JSON text, naive-UTC times, as SQLAlchemy stores them),
    without its id (the first column) and with ``raw`` (compressed) for its record."""
    values = list(_post_values(row))
    for i in _JSON_AT:
        value = values[i]
        values[i] = json_text(value) if value is not None else None
    values[_CREATED_AT] = sqlite_time(values[_CREATED_AT])
    values[_INGESTED_AT] = ingested_at
    values[_RAW] = raw
    return tuple(values)
