"""Benchmark: SQLite's own share of a posts ingest, with nothing to parse.

Replays the posts of a database that ``bench/posts_ingest.py --keep DIR`` left
(DIR/x.db or DIR/telegram.db) into a fresh one, the way a parallel bulk ingest writes
them: batches of 5,000 posts, one transaction each, with the ingest's own multi-row
statements for the accounts, the posts rows and the full-text rows, the write-ahead
log emptied every 10 batches, and the account index built once at the end. The rows
are read from the source beforehand, batch by batch, with their full-text keys, and
that is not counted.

The parallel workers write one at a time, so this is a floor under the wall time of
an ingest of the same posts on the same machine, however fast the parsing.

    nice python bench/posts_sqlite_floor.py [--db DIR/x.db] [--posts 1000000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from marsad.core import migrate
from marsad.core.db import make_engine
from marsad.core.settings import Settings
from marsad.posts.indexes import ACCOUNT_INDEX, restore_indexes
from marsad.posts.rows import ACCOUNT_COLUMNS, SQLITE_ON_ACCOUNT, insert_rows
from marsad.posts.search import search_key

# Where posts_search.py keeps the database it builds.
_DEFAULT_FOLDER = Path("/tmp/marsad-bench")
BATCH = 5_000
CHECKPOINT_EVERY = 10


# The ingest's own column orders: posts as the table has them (id first), accounts as
# the writer binds them.
_ACCOUNTS = ACCOUNT_COLUMNS


def _batches(source: Path, limit: int | None) -> tuple[list[str], list[tuple]]:
    """The posts columns, and each batch's (new accounts, posts rows, full-text rows),
    in id order, each account in the batch of its first post."""
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    columns = [r[1] for r in con.execute("PRAGMA table_info(posts)")]
    assert columns[0] == "id"  # noqa: S101
    accounts = {
        (row[1], row[2]): row
        for row in con.execute(f"SELECT {', '.join(_ACCOUNTS)} FROM accounts")  # noqa: S608
    }
    platform, account = columns.index("platform"), columns.index("account_id")
    created, search = columns.index("created_at"), columns.index("search_text")
    seen: set[tuple[str, str]] = set()
    batches: list[tuple] = []
    last, done = 0, 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = con.execute(
            f"SELECT {', '.join(columns)} FROM posts WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
            (last, size),
        ).fetchall()
        if not rows:
            break
        new = []
        for row in rows:
            key = (row[platform], row[account])
            if key not in seen and key in accounts:
                seen.add(key)
                new.append(accounts[key])
        index = [
            (
                search_key(datetime.fromisoformat(r[created]) if r[created] else None, r[0]),
                r[search],
            )
            for r in rows
        ]
        batches.append((new, rows, index))
        last, done = rows[-1][0], done + len(rows)
    con.close()
    return columns, batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db",
        type=Path,
        help="a database posts_ingest.py kept (default: build one, as posts_search.py)",
    )
    parser.add_argument("--posts", type=int, help="replay only the first POSTS posts")
    args = parser.parse_args()
    if args.db is None:
        args.db = _DEFAULT_FOLDER / "x.db"
        if not args.db.is_file():
            ingest = Path(__file__).with_name("posts_ingest.py")
            command = [sys.executable, str(ingest), "--only", "x", "--keep", str(_DEFAULT_FOLDER)]
            subprocess.run(command, check=True)
    if not args.db.is_file():
        raise SystemExit(f"{args.db}: no such database (run bench/posts_ingest.py --keep DIR)")

    folder = Path(tempfile.mkdtemp(prefix="marsad-floor-"))
    db = folder / "floor.db"
    settings = Settings(
        env="test",
        data_dir=folder,
        database_url=f"sqlite:///{db}",
        secret_key="bench-secret-key-long-enough-0123456789abcdef",
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)

    columns, batches = _batches(args.db, args.posts)
    insert_posts = f"INSERT INTO posts ({', '.join(columns)})"
    insert_accounts = f"INSERT INTO accounts ({', '.join(_ACCOUNTS)})"
    spent = dict.fromkeys(("accounts", "posts", "fts", "commit", "checkpoint", "index"), 0.0)
    posts = 0
    cpu, wall = time.process_time(), time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {ACCOUNT_INDEX}")
    for number, (accounts, rows, index) in enumerate(batches, 1):
        t = time.perf_counter()
        conn = engine.connect()
        transaction = conn.begin()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")
        insert_rows(conn, insert_accounts, accounts, SQLITE_ON_ACCOUNT)
        t, spent["accounts"] = time.perf_counter(), spent["accounts"] + time.perf_counter() - t
        insert_rows(conn, insert_posts, rows)
        t, spent["posts"] = time.perf_counter(), spent["posts"] + time.perf_counter() - t
        insert_rows(conn, "INSERT INTO posts_fts(rowid, search_text)", index)
        t, spent["fts"] = time.perf_counter(), spent["fts"] + time.perf_counter() - t
        transaction.commit()
        conn.close()
        t, spent["commit"] = time.perf_counter(), spent["commit"] + time.perf_counter() - t
        if number % CHECKPOINT_EVERY == 0:
            raw = engine.raw_connection()
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            raw.close()
            spent["checkpoint"] += time.perf_counter() - t
        posts += len(rows)
    t = time.perf_counter()
    restore_indexes(engine)
    spent["index"] = time.perf_counter() - t
    elapsed = time.perf_counter() - wall
    figures = {
        "posts": posts,
        "seconds": round(elapsed, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "posts_per_s": round(posts / elapsed),
        **{f"{k}_s": round(v, 1) for k, v in spent.items()},
        "db_mb": round(db.stat().st_size / 1e6),
    }
    engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    folder.rmdir()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
