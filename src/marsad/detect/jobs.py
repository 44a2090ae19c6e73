"""Detect's background work: the ``detect.run`` job kind, split into post-id shards.

``plan`` splits the posts the current versions have not scored into contiguous
post-id ranges; each range is a shard any worker may take. ``run`` scores one
range (or every unscored post when the parameters name none) through the same
service call as ``marsad detect run``, committing batch by batch and saving a
cursor after each, so a shard delivered again resumes where its last commit
left it; scoring a post twice with the same versions writes nothing anyway.
``merge`` adds up the shards' counts.

The registry helper registers ``JOB_KINDS`` (hook ``marsad_job_kinds``) and
``PERIODIC_JOBS`` (hook ``marsad_periodic_jobs``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from marsad.core.db import session_scope
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob
from marsad.detect.curation import current_glossary
from marsad.detect.model import DetectorModel
from marsad.detect.scoring import RunResult, Versions, plan_ranges, score_posts, unscored_count
from marsad.detect.settings import DetectSettings, merged_thresholds, parse_thresholds

__all__ = [
    "JOB_KINDS",
    "PERIODIC_JOBS",
    "DetectRunParams",
    "merge_shards",
    "plan_shards",
    "run_shard",
]

COUNTS = ("processed", "flagged", "superseded")


class DetectRunParams(BaseModel):
    """The parameters of ``detect.run``, as ``marsad detect run`` takes them."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        None,
        description="Model folder (default: MARSAD_DETECT_MODEL, else the promoted model, "
        "else the shipped one).",
    )
    thresholds: dict[str, float] | None = Field(
        None,
        description="Per-label decision thresholds: {'hate': 0.6} or 'hate=0.6,offensive=0.7'.",
    )
    limit: int | None = Field(None, ge=1, description="Stop after this many posts.")
    batch_size: int = Field(2000, ge=1, le=10_000, description="Posts per transaction.")
    shard_size: int = Field(50_000, ge=1, description="Unscored posts per shard when split.")
    lo: int | None = Field(None, ge=1, description="First post id of this shard (inclusive).")
    hi: int | None = Field(None, ge=1, description="Last post id of this shard (inclusive).")

    @field_validator("thresholds", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        # `marsad jobs submit detect.run --param thresholds=hate=0.6,offensive=0.7`
        if isinstance(value, str):
            items = [p.strip() for p in value.split(",") if p.strip()]
            return parse_thresholds(items, where="thresholds")
        return value

    @field_validator("thresholds")
    @classmethod
    def _known(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is None:
            return None
        return parse_thresholds([f"{k}={v}" for k, v in value.items()], where="thresholds")

    @model_validator(mode="after")
    def _range(self) -> DetectRunParams:
        if self.lo is not None and self.hi is not None and self.lo > self.hi:
            raise ValueError("lo must not be above hi")
        return self


def _params(params: BaseModel) -> DetectRunParams:
    if isinstance(params, DetectRunParams):
        return params
    return DetectRunParams.model_validate(params.model_dump())


def _detect_settings(context: JobContext) -> DetectSettings:
    """The job's detect settings: the ``detect`` section of its settings tree."""
    return context.settings.detect


def _scoring_tools(context: JobContext, params: DetectRunParams) -> tuple[DetectorModel, Any]:
    from marsad.detect.learning.registry import model_in_use

    with session_scope(context.sessions) as session:
        model = model_in_use(session, settings=context.settings, path=params.model)
        glossary = current_glossary(session)
    return model, glossary


def plan_shards(context: JobContext, params: BaseModel) -> list[BaseModel]:
    """One shard (the same parameters with ``lo``/``hi``) per range of unscored posts."""
    params = _params(params)
    model, glossary = _scoring_tools(context, params)
    versions = Versions(model=model.version, glossary=str(glossary.version))
    with session_scope(context.sessions) as session:
        ranges = plan_ranges(
            session,
            versions=versions,
            shard_size=params.shard_size,
            lo=params.lo,
            hi=params.hi,
            limit=params.limit,
        )
    # The plan already holds at most `limit` unscored posts: a shard takes its whole range.
    return [params.model_copy(update={"lo": lo, "hi": hi, "limit": None}) for lo, hi in ranges]


def run_shard(context: JobContext, params: BaseModel) -> dict[str, Any]:
    """Score the unscored posts of the shard's range (all of them without a range).

    The cursor holds the last post id committed and the counts so far, under
    the versions they were made with; a delivery after a crash continues from it.
    """
    params = _params(params)
    model, glossary = _scoring_tools(context, params)
    thresholds = merged_thresholds(
        _detect_settings(context).thresholds(model.thresholds), params.thresholds
    )
    versions = Versions(model=model.version, glossary=str(glossary.version))
    saved = context.cursor() or {}
    if saved.get("versions") != [versions.model, versions.glossary]:
        saved = {}  # another model or glossary since: its counts are not this run's
    before = {k: int(saved.get(k, 0)) for k in COUNTS}
    start = max(int(saved.get("after", 0)), (params.lo or 1) - 1)
    left = None if params.limit is None else params.limit - before["processed"]
    with session_scope(context.sessions) as session:
        todo = unscored_count(session, versions=versions, after_id=start, up_to=params.hi)
    if left is not None:
        todo = min(todo, max(left, 0))
    result = RunResult(before["processed"], before["flagged"], versions.model, versions.glossary)
    result.superseded = before["superseded"]
    if left is None or left > 0:

        def checkpoint(last: int, so_far: RunResult) -> None:
            totals = {k: before[k] + getattr(so_far, k) for k in COUNTS}
            context.save_cursor(
                {"after": last, "versions": [versions.model, versions.glossary], **totals}
            )
            context.progress(min(so_far.processed / todo, 1.0) if todo else 1.0)

        done = score_posts(
            sessions=context.sessions,
            model=model,
            glossary=glossary,
            thresholds=thresholds,
            after_id=start,
            up_to=params.hi,
            batch_size=params.batch_size,
            limit=left,
            on_batch=checkpoint,
            should_stop=context.cancelled,
        )
        for key in COUNTS:
            setattr(result, key, before[key] + getattr(done, key))
    context.progress(1.0)
    return {**result.to_json(), "lo": params.lo, "hi": params.hi}


def merge_shards(
    context: JobContext,  # noqa: ARG001 - the JobKind contract
    params: BaseModel,  # noqa: ARG001
    results: list[dict[str, Any]],
) -> dict[str, Any]:
    """The shards' counts added up, with the versions they scored with."""
    merged: dict[str, Any] = {k: sum(int(r.get(k, 0)) for r in results) for k in COUNTS}
    merged["shards"] = len(results)
    for key in ("model_version", "glossary_version"):
        # One version each when nothing changed while the shards ran.
        merged[key] = ", ".join(sorted({str(r[key]) for r in results if r.get(key)})) or None
    return merged


JOB_KINDS = [
    JobKind(
        name="detect.run",
        params=DetectRunParams,
        run=run_shard,
        description="Score the stored posts the current model and glossary versions have not "
        "scored, in post-id shards.",
        plan=plan_shards,
        merge=merge_shards,
    )
]

# Scoring new posts as they arrive (settings may change how often).
PERIODIC_JOBS = [PeriodicJob(name="detect.score-new-posts", kind="detect.run", every_seconds=300)]
