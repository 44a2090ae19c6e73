"""Scoring a million stored posts with the detect.run job kind: one process, then two.

    python bench/detect_jobs.py [--posts 1000000] [--shard-size 50000] [--workers 2]

1. Build a SQLite store (migrated like any other) and bulk-insert synthetic
   posts: real tweets from a data set (default: the Tunisian set), repeated.
2. One process: the job kind's ``run`` with no range scores everything.
3. The flags are emptied; ``plan`` splits the posts into shards and a runner
   hands them to N worker processes (multiprocessing), each calling ``run`` on
   its shards with a small in-memory context, then ``merge`` adds the counts.
4. Print both wall times, and check both runs flagged the same posts.

Runners are the one thing to switch for real Celery workers: add one to
``RUNNERS`` that submits each shard as a job and waits for them.
Prints figures only; nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from marsad.core.db import make_engine, new_id, session_factory
from marsad.core.settings import Settings

SYNTHETIC = [
    "صباح الخير يا بغداد، الجو جميل اليوم",
    "يا كلب يا حقير الله يلعنك",
    "The weather in Erbil is lovely this week",
    "اقتلوهم جميعا ولا تتركوا منهم احدا",
    "الانتخابات القادمة في العراق مهمة للجميع",
]


class Context:
    """A job context held in memory: the database is the real one, the rest is local."""

    def __init__(self, settings: Settings) -> None:
        self.job_id = new_id()
        self.requested_by = "bench"
        self.settings = settings
        self.engine = make_engine(settings)
        self.sessions = session_factory(self.engine, settings)
        self._cursor: Any = None

    def progress(self, fraction: float, note: str | None = None) -> None:
        pass

    def cursor(self) -> Any:
        return self._cursor

    def save_cursor(self, value: Any) -> None:
        self._cursor = value

    def cancelled(self) -> bool:
        return False


def bench_settings(folder: Path) -> Settings:
    return Settings(
        env="test",
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'bench.db'}",
        secret_key="bench-secret-key-long-enough-0123456789abcdef",
    )


def build_store(settings: Settings, n: int, texts: list[str]) -> None:
    """A migrated store holding ``n`` posts, inserted in large batches."""
    from marsad.core import migrate
    from marsad.core.db import utcnow
    from marsad.posts.models import Post

    engine = make_engine(settings)
    migrate.upgrade(engine)
    chunk = 50_000
    now = utcnow()
    with engine.begin() as conn:
        for start in range(0, n, chunk):
            rows = [
                {
                    "platform": "x",
                    "post_id": str(i),
                    "account_id": f"a{i % 5000}",
                    "text": texts[i % len(texts)],
                    "search_text": texts[i % len(texts)],
                    "source": "bench",
                    "ingested_at": now,
                }
                for i in range(start, min(start + chunk, n))
            ]
            conn.execute(Post.__table__.insert(), rows)
    engine.dispose()


def _run_one(args: tuple[Settings, dict[str, Any]]) -> dict[str, Any]:
    """One shard in a worker process (the model is loaded once per process)."""
    from marsad.detect.jobs import JOB_KINDS, DetectRunParams

    settings, params = args
    context = Context(settings)
    try:
        return JOB_KINDS[0].run(context, DetectRunParams.model_validate(params))
    finally:
        context.engine.dispose()


def run_inline(settings: Settings, shards: list[dict[str, Any]], _workers: int) -> list[dict]:
    return [_run_one((settings, s)) for s in shards]


def run_processes(settings: Settings, shards: list[dict[str, Any]], workers: int) -> list[dict]:
    # Each process takes the next shard as it finishes one: about half each with two.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(_run_one, [(settings, s) for s in shards], chunksize=1)


RUNNERS: dict[str, Callable[[Settings, list[dict[str, Any]], int], list[dict]]] = {
    "inline": run_inline,
    "processes": run_processes,
}


def _children_cpu() -> float:
    """CPU seconds used by finished worker processes (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def flagged_posts(settings: Settings) -> set[int]:
    from sqlalchemy import select

    from marsad.detect.models import Flag

    engine = make_engine(settings)
    with engine.connect() as conn:
        found = set(conn.execute(select(Flag.post_pk).where(Flag.flagged.is_(True))).scalars())
    engine.dispose()
    return found


def clear_flags(settings: Settings) -> None:
    from sqlalchemy import delete

    from marsad.detect.models import Flag

    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(delete(Flag))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--shard-size", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runner", choices=sorted(RUNNERS), default="processes")
    parser.add_argument("--tsv", default="../shared/datasets/t_hsab.tsv")
    parser.add_argument("--keep", type=Path, help="Build the store in this folder and keep it.")
    args = parser.parse_args()

    tsv = Path(args.tsv)
    texts = SYNTHETIC
    if tsv.is_file():
        with tsv.open(encoding="utf-8") as fh:
            texts = [row["text"] for row in csv.DictReader(fh, delimiter="\t")] or SYNTHETIC
    folder = args.keep or Path(tempfile.mkdtemp(prefix="marsad-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = bench_settings(folder)
    if not (folder / "bench.db").exists():
        start = time.perf_counter()
        build_store(settings, args.posts, texts)
        print(f"stored {args.posts:,} posts in {time.perf_counter() - start:.1f} s ({folder})")
    clear_flags(settings)
    print(f"cpus: {os.cpu_count()}, batch {args.batch}, shard size {args.shard_size:,}")

    from marsad.detect.jobs import JOB_KINDS, DetectRunParams

    kind = JOB_KINDS[0]
    params = DetectRunParams(batch_size=args.batch, shard_size=args.shard_size)

    start, cpu = time.perf_counter(), time.process_time()
    one = _run_one((settings, params.model_dump()))
    one_s, one_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"one process: {one['processed']:,} posts scored, {one['flagged']:,} flagged, "
        f"{one_s:.1f} s ({one['processed'] / one_s:,.0f} posts/s), CPU {one_cpu:.1f} s"
    )
    first = flagged_posts(settings)
    clear_flags(settings)

    start, cpu = time.perf_counter(), time.process_time()
    children = _children_cpu()
    context = Context(settings)
    shards = [s.model_dump() for s in kind.plan(context, params)]
    plan_s = time.perf_counter() - start
    results = RUNNERS[args.runner](settings, shards, args.workers)
    merged = kind.merge(context, params, results)
    many_s = time.perf_counter() - start
    many_cpu = time.process_time() - cpu + _children_cpu() - children
    context.engine.dispose()
    print(
        f"{args.workers} processes ({args.runner}, {len(shards)} shards, plan {plan_s:.1f} s): "
        f"{merged['processed']:,} posts scored, {merged['flagged']:,} flagged, "
        f"{many_s:.1f} s ({merged['processed'] / many_s:,.0f} posts/s), "
        f"CPU {many_cpu:.1f} s in all"
    )
    # Wall time only falls with more processes where cores are free: the load says.
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    same = flagged_posts(settings) == first and merged["flagged"] == one["flagged"]
    print(f"same posts flagged by both: {same}")
    figures = {"one_process_s": round(one_s, 1), "processes_s": round(many_s, 1)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
