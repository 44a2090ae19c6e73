"""The detect.run job kind: shards give exactly what one run gives, and resume without doubling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, func, select

from marsad.core.db import new_id, session_scope
from marsad.core.errors import InvalidInput
from marsad.detect import flagging
from marsad.detect.jobs import JOB_KINDS, DetectRunParams
from marsad.detect.models import Flag
from tests.detect.test_flagging import POSTS
from tests.detect.test_scoring import add_posts_with_ids

[KIND] = JOB_KINDS
# Ids with gaps, and the posts repeated: 20 posts over ids 3..60.
CORPUS = {3 * (i + 1): POSTS[i % len(POSTS)] + f" #{i}" for i in range(20)}


class Context:
    """What the jobs layer gives a running job, kept in memory (the database is real)."""

    def __init__(self, settings, engine, sessions, *, stop_after: int | None = None):  # type: ignore[no-untyped-def]
        self.job_id = new_id()
        self.requested_by = "test"
        self.settings = settings
        self.engine = engine
        self.sessions = sessions
        self.saved: Any = None
        self.saves = 0
        self.fractions: list[float] = []
        self.stop_after = stop_after

    def progress(self, fraction: float, note: str | None = None) -> None:  # noqa: ARG002
        self.fractions.append(fraction)

    def cursor(self) -> Any:
        return self.saved

    def save_cursor(self, value: Any) -> None:
        self.saved = json.loads(json.dumps(value))  # stored as JSON, as the job table would
        self.saves += 1

    def cancelled(self) -> bool:
        return self.stop_after is not None and self.saves >= self.stop_after


def snapshot(sessions) -> dict[int, tuple[Any, ...]]:  # type: ignore[no-untyped-def]
    """What the flags say about each post (ids and times aside)."""
    with session_scope(sessions) as session:
        rows = session.execute(select(Flag)).scalars().all()
        return {
            r.post_pk: (
                r.flagged,
                r.labels,
                r.scores,
                r.top_score,
                r.spans,
                r.model_version,
                r.glossary_version,
            )
            for r in rows
        }


def flag_count(sessions) -> int:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return session.execute(select(func.count()).select_from(Flag)).scalar_one()


def run_sharded(context: Context, params: DetectRunParams) -> dict[str, Any]:
    shards = KIND.plan(context, params)
    results = [
        KIND.run(Context(context.settings, context.engine, context.sessions), s) for s in shards
    ]
    return KIND.merge(context, params, results)


def test_shards_give_exactly_what_one_run_gives(settings, engine, sessions) -> None:
    add_posts_with_ids(sessions, CORPUS)
    context = Context(settings, engine, sessions)
    params = DetectRunParams(batch_size=2)
    whole = KIND.run(context, params)
    one_run = snapshot(sessions)
    assert whole["processed"] == len(CORPUS) and whole["flagged"] > 0
    assert context.fractions[-1] == 1.0

    with session_scope(sessions) as session:
        session.execute(delete(Flag))
    sharded = DetectRunParams(batch_size=2, shard_size=6)
    shards = KIND.plan(context, sharded)
    assert len(shards) == 4  # 20 unscored posts, 6 a shard
    bounds = [(s.lo, s.hi) for s in shards]
    assert bounds[0][0] == 3 and bounds[-1][1] == 60
    assert all(a[1] + 1 == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    merged = KIND.merge(
        context,
        sharded,
        [KIND.run(Context(settings, engine, sessions), s) for s in shards],
    )
    assert snapshot(sessions) == one_run
    for key in ("processed", "flagged", "superseded", "model_version", "glossary_version"):
        assert merged[key] == whole[key], key
    assert merged["shards"] == 4
    # Nothing left: a new plan is empty.
    assert KIND.plan(context, sharded) == []


def test_a_shard_run_twice_or_resumed_doubles_nothing(settings, engine, sessions) -> None:
    add_posts_with_ids(sessions, CORPUS)
    context = Context(settings, engine, sessions)
    [shard, *_rest] = KIND.plan(context, DetectRunParams(batch_size=2, shard_size=10))
    # The worker dies after two batches (four posts) were committed and the cursor saved.
    dying = Context(settings, engine, sessions, stop_after=2)
    partial = KIND.run(dying, shard)
    assert partial["processed"] == 4 and flag_count(sessions) == 4
    # Delivered again with the saved cursor: it goes on from there.
    dying.stop_after = None
    resumed = KIND.run(dying, shard)
    assert resumed["processed"] == 10 and flag_count(sessions) == 10
    # Delivered once more, even with no cursor at all: nothing is written twice.
    again = KIND.run(Context(settings, engine, sessions), shard)
    assert again["processed"] == 0 and flag_count(sessions) == 10
    once = snapshot(sessions)
    with session_scope(sessions) as session:
        session.execute(delete(Flag))
    KIND.run(Context(settings, engine, sessions), shard)
    assert snapshot(sessions) == once
    assert resumed["flagged"] == sum(1 for row in once.values() if row[0])


def test_a_post_committed_late_inside_a_planned_range_is_scored(settings, engine, sessions) -> None:
    add_posts_with_ids(sessions, {10: POSTS[0], 30: POSTS[2]})
    context = Context(settings, engine, sessions)
    params = DetectRunParams(shard_size=1)
    shards = KIND.plan(context, params)
    assert [(s.lo, s.hi) for s in shards] == [(10, 10), (11, 30)]
    add_posts_with_ids(sessions, {20: POSTS[4]})  # an ingest that committed late
    merged = KIND.merge(
        context, params, [KIND.run(Context(settings, engine, sessions), s) for s in shards]
    )
    assert merged["processed"] == 3
    counts = flagging.detection_status(sessions=sessions)
    assert counts["scored"] == counts["posts"] == 3


def test_limit_caps_the_plan_and_a_run(settings, engine, sessions) -> None:
    add_posts_with_ids(sessions, CORPUS)
    context = Context(settings, engine, sessions)
    assert run_sharded(context, DetectRunParams(limit=7, shard_size=3))["processed"] == 7
    assert KIND.run(context, DetectRunParams(limit=5))["processed"] == 5
    assert flag_count(sessions) == 12


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"lo": 9, "hi": 2}, "lo"),
        ({"limit": 0}, "limit"),
        ({"batch_size": 0}, "batch_size"),
        ({"shard": 3}, "shard"),
    ],
)
def test_bad_parameters_are_refused_by_name(params, where) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=where):
        DetectRunParams.model_validate(params)


@pytest.mark.parametrize("thresholds", ["hate=2", {"nosuch": 0.5}, "hate"])
def test_bad_thresholds_are_refused_with_a_code(thresholds) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        DetectRunParams.model_validate({"thresholds": thresholds})
    assert caught.value.code == "err_threshold" and caught.value.where == "thresholds"


def test_thresholds_given_as_text_are_parsed() -> None:
    params = DetectRunParams.model_validate({"thresholds": "hate=0.6, offensive=0.7"})
    assert params.thresholds == {"hate": 0.6, "offensive": 0.7}
