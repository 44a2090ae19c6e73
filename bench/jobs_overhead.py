"""What the jobs layer costs per job: submit, claim and finish of empty jobs, in-process.

    python bench/jobs_overhead.py [--jobs 500] [--threads 2] [--database-url URL]

A job's own work is not measured (the kind does nothing): the figures are the
layer's overhead, i.e. the floor under any job, and the time a sharded job of
SHARDS empty shards spends in planning, claiming and merging. Default database:
a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.jobs import runners, service
from marsad.core.jobs.kinds import JobKind
from marsad.core.plugins import hookimpl
from marsad.core.settings import Settings


class Empty(BaseModel):
    shards: int = 0


def run_empty(context: Any, params: Empty) -> dict[str, Any]:  # noqa: ARG001
    return {"n": 1}


def plan(context: Any, params: Empty) -> list[Empty]:  # noqa: ARG001
    return [Empty() for _ in range(params.shards)]


def merge(context: Any, params: Empty, results: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: ARG001
    return {"n": sum(r["n"] for r in results)}


@hookimpl
def marsad_job_kinds() -> list[JobKind]:
    return [
        JobKind("bench.empty", Empty, run_empty),
        JobKind("bench.sharded", Empty, run_empty, plan=plan, merge=merge),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--shards", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ["MARSAD_PLUGINS"] = "jobs_overhead"

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test",
            data_dir=Path(tmp),
            database_url=args.database_url,
            secret_key="bench-secret-key-that-is-long-enough-0123456789",
            jobs_threads=args.threads,
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)

        start = time.perf_counter()
        ids = [
            service.submit_job(
                sessions=sessions,
                settings=settings,
                kind="bench.empty",
                params={},
                requested_by=None,
            )
            for _ in range(args.jobs)
        ]
        submit_s = time.perf_counter() - start

        runner = runners.EmbeddedRunner(settings=settings, sessions=sessions, poll=0.05)
        start = time.perf_counter()
        runner.start()
        for job_id in ids:
            runners.wait_for(sessions=sessions, job_id=job_id, poll=0.01)
        run_s = time.perf_counter() - start

        start = time.perf_counter()
        parent = service.submit_job(
            sessions=sessions,
            settings=settings,
            kind="bench.sharded",
            params={"shards": args.shards},
            requested_by=None,
        )
        status = runners.wait_for(sessions=sessions, job_id=parent, poll=0.01)
        sharded_s = time.perf_counter() - start
        runner.stop()
        engine.dispose()

    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"backend {backend}, {args.threads} runner threads")  # noqa: T201
    print(f"submit: {args.jobs} jobs in {submit_s:.2f} s ({args.jobs / submit_s:.0f}/s, audited)")  # noqa: T201
    print(f"run:    {args.jobs} empty jobs in {run_s:.2f} s ({args.jobs / run_s:.0f}/s)")  # noqa: T201
    shards = f"{args.shards} empty shards planned, run and merged in {sharded_s:.2f} s"
    print(f"shards: {shards} ({status})")  # noqa: T201


if __name__ == "__main__":
    main()
