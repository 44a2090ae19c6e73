"""Hate-speech trends for the dashboards and the weekly report (never a post's text).

Per week of the trend window (by the post's own time, in the observatory's
zone): the share of posts the current detectors flagged, by label and by the
glossary target group their spans name; and the glossary terms that were found
more often this week than the week before. Only labels, target groups, term
ids and the glossary's own terms leave this module, never text from a post.
The staff section counts the flags awaiting review.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.core.i18n.markers import N_
from marsad.detect.models import Flag
from marsad.posts.models import Post
from marsad.publish.sections import (
    Figures,
    Period,
    Section,
    queue_figures,
    source,
)

RISING_TERMS = 10


def _json(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (PostgreSQL's driver)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _share(flagged: int, total: int) -> float | None:
    return round(100.0 * flagged / total, 2) if total else None


@dataclass
class _Week:
    """One week's counts; a finished week's are kept for ``CACHE_SECONDS``."""

    posts: int = 0
    flagged: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    targets: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    names: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


# Finished weeks change only when old posts are ingested or re-scored: their counts are
# reused for a few minutes (per database), so a dashboard reads only the current week.
CACHE_SECONDS = 600
_FINISHED: dict[tuple[str, str, str], tuple[float, _Week]] = {}


def _weeks(session: Session, period: Period) -> dict[str, _Week]:
    database = str(session.get_bind().url)  # the password is masked in str(url)
    now, clock = utcnow(), time.monotonic()
    trend = period.trend_weeks()
    found: dict[str, _Week] = {}
    for label, _start, end in trend:
        hit = _FINISHED.get((database, period.timezone, label))
        if hit is not None and end <= now and clock - hit[0] < CACHE_SECONDS:
            found[label] = hit[1]
    missing = [(label, start, end) for label, start, end in trend if label not in found]
    if not missing:
        return found
    # Posts per week: one index range count per week (a date() per row over a million
    # posts is what made this slow), then the flagged posts' labels and spans, parsed here.
    posts_query = (
        select(func.count())
        .select_from(Post)
        .where(Post.created_at >= bindparam("start"), Post.created_at < bindparam("end"))
    )
    fresh = {label: _Week() for label, _start, _end in missing}
    for label, start, end in missing:
        bounds = {"start": start, "end": end}
        fresh[label].posts = session.execute(posts_query, bounds).scalar_one()
    window = (Post.created_at >= missing[0][1], Post.created_at < missing[-1][2])
    flags_query = _flags_query(window)
    starts = [start for _label, start, _end in trend]
    for created, labels, spans in session.execute(flags_query):
        label = trend[bisect_right(starts, created) - 1][0]  # cheaper than a zone per row
        week = fresh.get(label)
        if week is None:  # a cached week inside the window
            continue
        week.flagged += 1
        week.labels.update(set(_json(labels) or []))
        targets = set()
        for span in _json(spans) or []:
            if not isinstance(span, dict) or not span.get("term_id"):
                continue
            # A term may target several groups: the post counts once for each of them.
            # Spans written before that name one group, as target_group.
            groups = span.get("target_groups") or [span.get("target_group") or ""]
            targets.update(str(g) for g in groups)
            week.terms[span["term_id"]] += 1
            week.names[span["term_id"]] = (str(span.get("term", "")), tuple(map(str, groups)))
        week.targets.update(targets - {""})
    for label, _start, end in missing:
        if end <= now:
            _FINISHED[(database, period.timezone, label)] = (clock, fresh[label])
    if len(_FINISHED) > 4096:
        _FINISHED.clear()
    return {**found, **fresh}


def _flags_query(window: tuple[Any, ...]) -> Any:
    return (
        select(Post.created_at, cast(Flag.labels, Text), cast(Flag.spans, Text))
        .join(Post, Post.id == Flag.post_pk)
        .where(Flag.current.is_(True), Flag.flagged.is_(True), *window)
    )


def compute(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Weekly shares of flagged posts by label and target group; terms that rose."""
    data = _weeks(session, period)
    posts = Counter({label: week.posts for label, week in data.items()})
    flagged = Counter({label: week.flagged for label, week in data.items()})
    by_label: defaultdict[str, Counter[str]] = defaultdict(Counter)
    by_target: defaultdict[str, Counter[str]] = defaultdict(Counter)
    terms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, tuple[str, tuple[str, ...]]] = {}
    for label, week in data.items():
        for name, n in week.labels.items():
            by_label[name][label] = n
        for name, n in week.targets.items():
            by_target[name][label] = n
        terms[label] = week.terms
        names.update(week.names)
    posts_query = (
        select(func.count())
        .select_from(Post)
        .where(Post.created_at >= bindparam("start"), Post.created_at < bindparam("end"))
    )
    flags_query = _flags_query(
        (Post.created_at >= period.trend_start, Post.created_at < period.end)
    )
    weeks = period.trend_labels()
    this, last = period.label, period.previous().label
    rising = sorted(
        (
            {
                "term_id": term_id,
                "term": names[term_id][0],
                "target_groups": [g for g in names[term_id][1] if g],
                "this_week": n,
                "last_week": terms[last][term_id],
            }
            for term_id, n in terms[this].items()
            if n > terms[last][term_id]
        ),
        key=lambda row: (-(row["this_week"] - row["last_week"]), row["term_id"]),
    )[:RISING_TERMS]
    params = {"start": period.trend_start, "end": period.end, "timezone": period.timezone}
    return {
        "weeks": weeks,
        "posts": [posts[w] for w in weeks],
        "flagged": [flagged[w] for w in weeks],
        "flagged_share": [_share(flagged[w], posts[w]) for w in weeks],
        "share_by_label": {
            label: [_share(by_label[label][w], posts[w]) for w in weeks]
            for label in sorted(by_label)
        },
        "share_by_target_group": {
            target: [_share(by_target[target][w], posts[w]) for w in weeks]
            for target in sorted(by_target)
        },
        "rising_terms": rising,
        "sources": [
            source("detect.posts_per_week", posts_query, **params),
            source(
                "detect.flagged_by_label_and_target",
                flags_query,
                **params,
                note="labels and spans' term_id/target_groups, counted per post and week",
            ),
        ],
    }


def compute_queue(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Flags awaiting review, the oldest one's age, and flags made this week against last."""
    pending = (Flag.current.is_(True), Flag.flagged.is_(True), Flag.review_status == "pending")
    queue_query = select(func.count(), func.min(Flag.created_at)).where(*pending)
    waiting, oldest = session.execute(queue_query).one()

    def made(start: Any, end: Any) -> int:
        query = (
            select(func.count())
            .select_from(Flag)
            .where(Flag.flagged.is_(True), Flag.created_at >= start, Flag.created_at < end)
        )
        return session.execute(query).scalar_one()

    return queue_figures(
        queue="flags",
        waiting=waiting,
        oldest=oldest,
        count=made,
        period=period,
        href="/staff/flags",
        sources=[source("detect.flags_awaiting_review", queue_query)],
    )


SECTION = Section(
    key="hate-speech",
    title=N_("Hate speech trends"),
    order=30,
    compute=compute,
    template="detect/stats_section.html",
    description=N_("Share of collected posts the detectors flagged, per week; never post text."),
)
QUEUE = Section(
    key="flag-queue",
    title=N_("Flags awaiting review"),
    order=20,
    compute=compute_queue,
    template="publish/queue.html",
    audience="staff",
)
