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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from marsad.core.i18n.markers import N_
from marsad.detect.models import Flag
from marsad.posts.models import Post
from marsad.publish import stored
from marsad.publish.sections import (
    Figures,
    Period,
    Section,
    queue_figures,
    source,
    week_label,
)

RISING_TERMS = 10


def _json(value: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded (PostgreSQL's driver)."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _share(flagged: int, total: int) -> float | None:
    return round(100.0 * flagged / total, 2) if total else None


@dataclass
class _Week:
    """One week's counts (the sum of its days')."""

    posts: int = 0
    flagged: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    targets: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    names: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def add(self, day: dict[str, Any]) -> None:
        self.posts += day["posts"]
        self.flagged += day["flagged"]
        self.labels.update(day["labels"])
        self.targets.update(day["targets"])
        self.terms.update(day["terms"])
        # Days counted before terms had several groups kept one group as a string.
        self.names.update(
            {
                k: (v[0], (v[1],) if isinstance(v[1], str) else tuple(v[1]))
                for k, v in day["names"].items()
            }
        )


# A day's counts are kept (publish.stored) and reused until posts of that day are
# ingested or scored again: only changed days are counted afresh.
KEY = "hate-speech"
FEW_DAYS = 7


def _scope(day: date, timezone: str) -> str:
    return f"day:{day.isoformat()}@{timezone}"


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def count_days(session: Session, days: list[date], timezone: str) -> dict[date, dict[str, Any]]:
    """Posts, flagged posts, labels, target groups and glossary terms of each local day.

    Posts: one index range count per day. Flags: the flagged posts' labels and spans
    over the days' span, parsed here (never a post's text).
    """
    if not days:
        return {}
    zone = ZoneInfo(timezone)
    out = {
        day: {"posts": 0, "flagged": 0, "labels": {}, "targets": {}, "terms": {}, "names": {}}
        for day in days
    }
    for day in days:
        bounds = {"start": _day_start(day, zone), "end": _day_start(day + timedelta(days=1), zone)}
        out[day]["posts"] = session.execute(POSTS_QUERY, bounds).scalar_one()
    labels: dict[date, Counter[str]] = defaultdict(Counter)
    targets: dict[date, Counter[str]] = defaultdict(Counter)
    terms: dict[date, Counter[str]] = defaultdict(Counter)
    for span in _runs(sorted(days)):
        starts = [_day_start(day, zone) for day in span]
        window = (
            Post.created_at >= starts[0],
            Post.created_at < _day_start(span[-1] + timedelta(days=1), zone),
        )
        query = _flags_query(window, few_days=len(span) <= FEW_DAYS)
        for created, flag_labels, spans in session.execute(query):
            day = span[bisect_right(starts, created) - 1]  # cheaper than a zone per row
            _count_flag(out[day], labels[day], targets[day], terms[day], flag_labels, spans)
    for day in days:
        out[day].update(
            labels=dict(labels[day]), targets=dict(targets[day]), terms=dict(terms[day])
        )
    return out


def _runs(days: list[date]) -> list[list[date]]:
    """Consecutive days grouped: one flags query per run, not over the gaps between."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _count_flag(
    out: dict[str, Any],
    labels: Counter[str],
    targets: Counter[str],
    terms: Counter[str],
    flag_labels: Any,
    spans: Any,
) -> None:
    """Add one flagged post's labels, target groups and glossary terms to its day."""
    out["flagged"] += 1
    labels.update(set(_json(flag_labels) or []))
    found = set()
    for item in _json(spans) or []:
        if not isinstance(item, dict) or not item.get("term_id"):
            continue
        # A term may target several groups: the post counts once for each of them.
        # Spans written before that name one group, as target_group.
        groups = [str(g) for g in item.get("target_groups") or [item.get("target_group") or ""]]
        found.update(groups)
        terms[item["term_id"]] += 1
        out["names"][item["term_id"]] = [str(item.get("term", "")), groups]
    targets.update(found - {""})


def changed_days(session: Session, since: datetime, timezone: str) -> dict[date, datetime]:
    """Each local day whose posts were ingested, or scored, after ``since``: the latest change.

    Both are index range scans (``posts.ingested_at``, ``flags.created_at``) over what
    arrived since, not over the days themselves.
    """
    zone = ZoneInfo(timezone)
    latest: dict[date, datetime] = {}
    posts = select(Post.created_at, Post.ingested_at).where(Post.ingested_at > since)
    flags = (
        select(Post.created_at, Flag.created_at)
        .join(Post, Post.id == Flag.post_pk)
        .where(Flag.created_at > since)
    )
    for query in (posts, flags):
        for created, changed in session.execute(query):
            if created is None:
                continue
            day = created.astimezone(zone).date()
            if day not in latest or latest[day] < changed:
                latest[day] = changed
    return latest


def _days(session: Session, period: Period) -> dict[date, dict[str, Any]]:
    """The counts of every day of the trend window: kept ones when still true, else afresh."""
    zone = period.timezone
    first = period.first_day - timedelta(days=7 * (period.weeks - 1))
    days = [first + timedelta(days=i) for i in range(7 * period.weeks)]
    scopes = {day: _scope(day, zone) for day in days}
    kept = stored.recall(session, KEY, list(scopes.values()))
    checked = stored.now()
    changed: dict[date, datetime] = {}
    if kept:
        oldest = min(k.computed_at for k in kept.values())
        changed = changed_days(session, oldest - stored.MARGIN, zone)
    found: dict[date, dict[str, Any]] = {}
    missing = []
    for day in days:
        hit = kept.get(scopes[day])
        if hit is not None and stored.is_current(hit, changed.get(day)):
            found[day] = hit.figures
            # Nothing changed up to now: as good as counted now. Renewing keeps the next
            # request's look-back short (from the last check, not from when it was counted).
            stored.remember(session, KEY, scopes[day], stored.Kept(hit.figures, "", checked))
        else:
            missing.append(day)
    fresh = count_days(session, missing, zone)
    for day, figures in fresh.items():
        stored.remember(session, KEY, scopes[day], stored.Kept(figures, "", checked))
    return {**found, **fresh}


def keep(session: Session, settings: Any, weeks: int = 13) -> list[str]:
    """Count the days of the last ``weeks`` weeks that changed or were never counted.

    Returns the scopes the ``publish.refresh-figures`` job then stores, so the first
    dashboard after a restart reads kept days instead of counting a million posts.
    """
    period = Period.containing(stored.now(), timezone=settings.timezone)
    period = Period(period.year, period.week, period.timezone, weeks)
    return [_scope(day, period.timezone) for day in _days(session, period)]


POSTS_QUERY = (
    select(func.count())
    .select_from(Post)
    .where(Post.created_at >= bindparam("start"), Post.created_at < bindparam("end"))
)


def _flags_query(window: tuple[Any, ...], few_days: bool = False) -> Any:
    """The current flagged flags of the posts in ``window``: their labels and spans.

    Over a few days, the posts of those days are read by time and their flags by post
    (``coalesce`` keeps SQLite, which has no statistics, from walking every flagged flag
    through ``ix_flags_queue`` instead: 17 ms against 260 ms for a day of a million posts).
    """
    current = func.coalesce(Flag.current, False) if few_days else Flag.current
    return (
        select(Post.created_at, cast(Flag.labels, Text), cast(Flag.spans, Text))
        .join(Post, Post.id == Flag.post_pk)
        .where(current.is_(True), Flag.flagged.is_(True), *window)
    )


def compute(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Weekly shares of flagged posts by label and target group; terms that rose."""
    data: dict[str, _Week] = defaultdict(_Week)
    for day, figures in _days(session, period).items():
        data[week_label(day)].add(figures)
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
    posts_query = POSTS_QUERY
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
    keep=keep,
)
QUEUE = Section(
    key="flag-queue",
    title=N_("Flags awaiting review"),
    order=20,
    compute=compute_queue,
    template="publish/queue.html",
    audience="staff",
)
