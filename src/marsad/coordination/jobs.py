"""The ``coordination.run`` job kind: a store run in the background, split by object.

Unsplit, the job is :func:`marsad.coordination.runs.start_run`, the call the
web form and the CLI make. Split (``plan``), each shard counts the co-actions
on its share of the objects (:func:`marsad.coordination.runs.run_shard`,
which writes nothing) and ``merge`` adds the counts and saves the run once
(:func:`marsad.coordination.runs.merge_shards`): the same clusters, members
and edge weights as one process. The run's id is derived from the job's, so a
job delivered again after its worker died finds the run it saved, or saves it;
a shard delivered again gives the same part, and the merge counts a part once.

The integrator registers ``JOB_KINDS`` through the capability's
``marsad_job_kinds`` hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field, model_validator

from marsad.coordination import runs
from marsad.coordination.params import RunParams
from marsad.core.jobs.kinds import JobContext, JobKind

__all__ = ["JOB_KINDS", "CoordinationJobParams"]

ACTOR = "jobs"


class CoordinationJobParams(RunParams):
    """The run's parameters, and how the job is split."""

    shards: int = Field(
        4, ge=1, le=runs.MAX_SHARDS, description="Shards a split run deals the objects to."
    )
    shard: int | None = Field(
        None, ge=0, description="Set by the plan on each shard's job: which shard it counts."
    )

    @model_validator(mode="after")
    def _shard_in_range(self) -> CoordinationJobParams:
        if self.shard is not None and self.shard >= self.shards:
            raise ValueError(f"shard must be below shards ({self.shards})")
        return self


def _steps(context: JobContext, start: float, end: float) -> Callable[[str], None]:
    """Report each step's message as progress creeping from ``start`` towards ``end``."""
    done = [start]

    def report(note: str) -> None:
        done[0] += (end - done[0]) / 4
        context.progress(done[0], note)

    return report


def _params(value: Any) -> CoordinationJobParams:
    """The job's parameters, whether the jobs layer hands over the model or its JSON."""
    if isinstance(value, CoordinationJobParams):
        return value
    return CoordinationJobParams.model_validate(value)


def _run_params(params: CoordinationJobParams) -> RunParams:
    return RunParams(**params.model_dump(exclude={"shards", "shard"}))


def run(context: JobContext, params: Any) -> dict[str, Any]:
    """A shard's part when ``shard`` is set, else the whole run, saved."""
    params = _params(params)
    if params.shard is not None:
        part = runs.run_shard(
            context.sessions,
            params=_run_params(params),
            shard=params.shard,
            shards=params.shards,
            progress=_steps(context, 0.0, 0.95),
        )
        context.progress(1.0, "counted")
        return part
    if context.cancelled():
        return {"cancelled": True}
    run_ = runs.start_run(
        context.sessions,
        actor=context.requested_by or ACTOR,
        params=_run_params(params),
        run_id=runs.run_id_for_job(context.job_id),
        progress=_steps(context, 0.0, 0.95),
    )
    context.progress(1.0, "saved")
    return _summary(run_)


def plan(context: JobContext, params: Any) -> list[CoordinationJobParams]:  # noqa: ARG001
    """One shard's parameters per shard: the same run, each counting its share of objects."""
    params = _params(params)
    return [params.model_copy(update={"shard": n}) for n in range(params.shards)]


def merge(context: JobContext, params: Any, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the shards' parts, group once and save the run."""
    params = _params(params)
    run_ = runs.merge_shards(
        context.sessions,
        actor=context.requested_by or ACTOR,
        params=_run_params(params),
        parts=results,
        run_id=runs.run_id_for_job(context.job_id),
        progress=_steps(context, 0.0, 0.95),
    )
    context.progress(1.0, "saved")
    return _summary(run_)


def _summary(run_: Any) -> dict[str, Any]:
    """The job's result: where the run is and what it found, not its whole document."""
    return {
        "run_id": run_.id,
        "posts": run_.posts,
        "clusters": run_.clusters,
        "parameters": run_.parameters,
    }


JOB_KINDS = [
    JobKind(
        name="coordination.run",
        params=CoordinationJobParams,
        run=run,
        description="Detect coordinated accounts over the posts store and save the run.",
        plan=plan,
        merge=merge,
    )
]
