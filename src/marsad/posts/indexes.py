"""The posts indexes an ingest manages: the account index of a bulk load, the full-text index.

A bulk load into SQLite drops the index by account and time and builds it once at its
end (:func:`account_index_deferred`); :func:`restore_indexes` builds it again if an
ingest was killed in between. :func:`rebuild_search_index` refills SQLite's full-text
index from the stored posts.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from sqlalchemy import Engine, select

from marsad.posts.models import Post
from marsad.posts.search import search_key

# arrive in no order, so every batch dirties pages all over it; see account_index_deferred.
ACCOUNT_INDEX = "ix_posts_account_time"
_ACCOUNT_INDEX_DDL = (
    f"CREATE INDEX IF NOT EXISTS {ACCOUNT_INDEX} ON posts (platform, account_id, created_at)"
)
# Fewer bytes than any export spends on a post: a file of this many bytes per stored post
# or more is a bulk load (twarc2 pages hold about 1,000 bytes a tweet, Telegram 800).
_BULK_BYTES_PER_POST = 500


def restore_indexes(engine: Engine) -> None:
    """Build the posts index by account and time if an ingest left without building it.

    A bulk ingest drops it and builds it at its end (see account_index_deferred); a
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
def account_index_deferred(engine: Engine, file_bytes: int) -> Iterator[None]:
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
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {ACCOUNT_INDEX}")
    try:
        yield
    finally:
        restore_indexes(engine)


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
