"""Benchmark: SQLite's own share of a posts ingest, with nothing to parse.

Replays the posts of a database that ``bench/posts_ingest.py --keep DIR`` left
(DIR/x.db or DIR/telegram.db) into a fresh one, the way a parallel bulk ingest writes
them: batches of 5,000 posts, one transaction each, with the ingest's own multi-row
statements for the accounts, the posts rows and the full-text rows, the write-ahead
log emptied every 10 batches, and the account index built once at the end. The rows
are read from the source beforehand, batch by batch, and that reading is not counted.

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
from marsad.posts import service
from marsad.posts.search import search_key

# Where posts_search.py keeps the database it builds.
_DEFAULT_FOLDER = Path("/tmp/marsad-bench")
BATCH = 5_000
CHECKPOINT_EVERY = 10


def _batches(source: Path, limit: int | None):
    """(accounts rows, posts rows) of each batch, in id order, accounts once each."""
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    post_columns = [r[1] for r in con.execute("PRAGMA table_info(posts)")]
    account_columns = list(service._ACCOUNT_COLUMNS)  # noqa: SLF001 - the ingest's own order
    accounts = {
        (row[1], row[2]): row
        for row in con.execute(f"SELECT {', '.join(account_columns)} FROM accounts")  # noqa: S608
    }
    platform_at, account_at = post_columns.index("platform"), post_columns.index("account_id")
    seen: set[tuple[str, str]] = set()
    last, done = 0, 0
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        rows = con.execute(
            f"SELECT {', '.join(post_columns)} FROM posts WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
            (last, size),
        ).fetchall()
        if not rows:
            break
        new = []
        for row in rows:
            key = (row[platform_at], row[account_at])
            if key not in seen and key in accounts:
                seen.add(key)
                new.append(accounts[key])
        yield post_columns, account_columns, new, rows
        last, done = rows[-1][0], done + len(rows)
    con.close()


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

    batches = list(_batches(args.db, args.posts))
    spent = dict.fromkeys(("accounts", "posts", "fts", "commit", "checkpoint", "index"), 0.0)
    posts = 0
    cpu, wall = time.process_time(), time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {service._ACCOUNT_INDEX}")  # noqa: SLF001
    for number, (post_columns, account_columns, accounts, rows) in enumerate(batches, 1):
        created_at, ident = post_columns.index("created_at"), post_columns.index("id")
        search = post_columns.index("search_text")
        index = [
            (
                search_key(datetime.fromisoformat(r[created_at]) if r[created_at] else None, r[0]),
                r[search],
            )
            for r in rows
        ]
        assert ident == 0  # noqa: S101 - the ingest's own column order
        t = time.perf_counter()
        conn = engine.connect()
        transaction = conn.begin()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")
        head = f"INSERT INTO accounts ({', '.join(account_columns)})"
        service._insert_rows(conn, head, accounts, service._SQLITE_ON_ACCOUNT)  # noqa: SLF001
        t, spent["accounts"] = time.perf_counter(), spent["accounts"] + time.perf_counter() - t
        service._insert_rows(conn, f"INSERT INTO posts ({', '.join(post_columns)})", rows)  # noqa: SLF001
        t, spent["posts"] = time.perf_counter(), spent["posts"] + time.perf_counter() - t
        service._insert_rows(conn, "INSERT INTO posts_fts(rowid, search_text)", index)  # noqa: SLF001
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
    service.restore_indexes(engine)
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
