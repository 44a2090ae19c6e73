"""Hate-speech trends for the dashboards and the weekly report (never a post's text).

Per week of the trend window (by the post's own time, in the observatory's
zone): the share of posts the current detectors flagged, by label and by the
glossary target group their spans name; and the glossary terms that were found
more often this week than the week before. Only labels, target groups, term
ids and the glossary's own terms leave this module, never text from a post.
The staff section counts the flags awaiting review.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import timedelta
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
    source,
)

RISING_TERMS = 10


def _json(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (PostgreSQL's driver)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _share(flagged: int, total: int) -> float | None:
    return round(100.0 * flagged / total, 2) if total else None


def compute(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Weekly shares of flagged posts by label and target group; terms that rose."""
    # Posts per week: one index range count per week (a date() per row over a million
    # posts is what made this slow), then the flagged posts' labels and spans, parsed here.
    posts_query = (
        select(func.count())
        .select_from(Post)
        .where(Post.created_at >= bindparam("start"), Post.created_at < bindparam("end"))
    )
    posts: Counter[str] = Counter()
    for label, start, end in period.trend_weeks():
        posts[label] = session.execute(posts_query, {"start": start, "end": end}).scalar_one()
    window = (Post.created_at >= period.trend_start, Post.created_at < period.end)
    flags_query = (
        select(Post.created_at, cast(Flag.labels, Text), cast(Flag.spans, Text))
        .join(Post, Post.id == Flag.post_pk)
        .where(Flag.current.is_(True), Flag.flagged.is_(True), *window)
    )
    by_label: defaultdict[str, Counter[str]] = defaultdict(Counter)
    by_target: defaultdict[str, Counter[str]] = defaultdict(Counter)
    flagged: Counter[str] = Counter()
    terms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    names: dict[str, tuple[str, str]] = {}
    trend = period.trend_weeks()
    starts = [start for _label, start, _end in trend]
    for created, labels, spans in session.execute(flags_query):
        week = trend[bisect_right(starts, created) - 1][0]  # cheaper than a zone per row
        flagged[week] += 1
        for label in set(_json(labels) or []):
            by_label[label][week] += 1
        targets = set()
        for span in _json(spans) or []:
            if not isinstance(span, dict) or not span.get("term_id"):
                continue
            targets.add(span.get("target_group") or "")
            terms[week][span["term_id"]] += 1
            names[span["term_id"]] = (str(span.get("term", "")), span.get("target_group") or "")
        for target in targets - {""}:
            by_target[target][week] += 1
    weeks = period.trend_labels()
    this, last = period.label, period.previous().label
    rising = sorted(
        (
            {
                "term_id": term_id,
                "term": names[term_id][0],
                "target_group": names[term_id][1],
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
                note="labels and spans' term_id/target_group, counted per post and week",
            ),
        ],
    }


def compute_queue(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Flags awaiting review, the oldest one's age, and flags made this week against last."""
    pending = (Flag.current.is_(True), Flag.flagged.is_(True), Flag.review_status == "pending")
    queue_query = select(func.count(), func.min(Flag.created_at)).where(*pending)
    waiting, oldest = session.execute(queue_query).one()
    previous = period.previous()

    def made(start: Any, end: Any) -> int:
        query = (
            select(func.count())
            .select_from(Flag)
            .where(Flag.flagged.is_(True), Flag.created_at >= start, Flag.created_at < end)
        )
        return session.execute(query).scalar_one()

    age = (utcnow() - oldest) if oldest else None
    return {
        "queue": "flags",
        "waiting": waiting,
        "oldest_hours": round(age / timedelta(hours=1), 1) if age else None,
        "this_week": made(period.start, period.end),
        "last_week": made(previous.start, previous.end),
        "href": "/staff/flags",
        "sources": [source("detect.flags_awaiting_review", queue_query)],
    }


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
