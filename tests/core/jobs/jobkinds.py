"""Job kinds used by the jobs tests, loaded as a plugin (MARSAD_PLUGINS) by tests and workers.

``test.steps`` writes one row per step into its own table, committing each step
before saving the cursor after it: the rows are what the kill -9 tests count.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)

from marsad.core.errors import InvalidInput
from marsad.core.jobs.kinds import JobKind, PeriodicJob
from marsad.core.plugins import hookimpl

MODULE = "tests.core.jobs.jobkinds"
METADATA = MetaData()
ROWS = Table(
    "job_test_rows",
    METADATA,
    Column("job_id", String(36), nullable=False),
    Column("step", Integer, nullable=False),
    Column("pid", Integer, nullable=False),
)


def create_rows_table(engine: Engine) -> None:
    METADATA.create_all(engine, checkfirst=True)


def count_rows(engine: Engine, job_id: str) -> tuple[int, int]:
    """(rows, distinct steps) written for one job."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(
                select(func.count(), func.count(ROWS.c.step.distinct())).where(
                    ROWS.c.job_id == job_id
                )
            ).one()
        )


class StepsParams(BaseModel):
    steps: int = Field(ge=1, le=100_000)
    delay: float = Field(0.0, ge=0)


def run_steps(context: Any, params: StepsParams) -> dict[str, Any]:
    start = context.cursor() or 0
    # Steps at or past the cursor may have been written by a run that died before
    # saving the cursor after them: they are done again, not counted twice.
    with context.engine.begin() as conn:
        conn.execute(delete(ROWS).where(ROWS.c.job_id == context.job_id, ROWS.c.step >= start))
    for step in range(start, params.steps):
        if context.cancelled():
            return {"done": step, "resumed_from": start}
        time.sleep(params.delay)
        with context.engine.begin() as conn:
            conn.execute(insert(ROWS).values(job_id=context.job_id, step=step, pid=os.getpid()))
        context.save_cursor(step + 1)
        context.progress((step + 1) / params.steps, f"step {step + 1}")
    return {"done": params.steps, "resumed_from": start}


class FileParams(BaseModel):
    path: str


def run_needs_file(context: Any, params: FileParams) -> dict[str, Any]:  # noqa: ARG001
    path = Path(params.path)
    if not path.is_file():
        raise InvalidInput("err_test_input_missing", f"the input file {path} is gone", "path")
    return {"bytes": path.stat().st_size}


class CrashParams(BaseModel):
    secret: str


def run_crash(context: Any, params: CrashParams) -> dict[str, Any]:  # noqa: ARG001
    raise RuntimeError(f"something broke near {params.secret}")


class SumParams(BaseModel):
    start: int = 0
    stop: int
    shard_size: int = Field(10, ge=1)
    delay: float = Field(0.0, ge=0)


def run_sum(context: Any, params: SumParams) -> dict[str, Any]:  # noqa: ARG001
    time.sleep(params.delay)
    total = sum(i * i for i in range(params.start, params.stop))
    return {"sum": total, "count": params.stop - params.start, "pid": os.getpid()}


def plan_sum(context: Any, params: SumParams) -> list[SumParams]:  # noqa: ARG001
    return [
        params.model_copy(update={"start": low, "stop": min(low + params.shard_size, params.stop)})
        for low in range(params.start, params.stop, params.shard_size)
    ]


def merge_sum(context: Any, params: SumParams, results: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: ARG001
    return {"sum": sum(r["sum"] for r in results), "count": sum(r["count"] for r in results)}


@hookimpl
def marsad_job_kinds() -> list[JobKind]:
    return [
        JobKind("test.steps", StepsParams, run_steps, "Write one row per step."),
        JobKind("test.needs_file", FileParams, run_needs_file, "Read a file that may vanish."),
        JobKind("test.crash", CrashParams, run_crash, "Fail with an unexpected error."),
        JobKind("test.sum", SumParams, run_sum, "Sum squares in shards.", plan_sum, merge_sum),
        JobKind("test.sum_single", SumParams, run_sum, "Sum squares in one run."),
    ]


@hookimpl
def marsad_periodic_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob("test.hourly", "test.steps", 3600, {"steps": 1}),
        PeriodicJob("test.daily", "test.steps", 86400, {"steps": 2}),
    ]
