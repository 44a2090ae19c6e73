"""Public statistics of reports: the dashboard's and the weekly report's section.

Only aggregate queries (GROUP BY in the database), never report rows, so the
figures answer quickly over 100,000 reports. The public figures count
published, non-confidential reports, by the week they were published (the
observatory's own act: it reveals nothing about when a case happened). Any
count below the small-count threshold ``reports_min_public_count`` (k) is
shown as ``null`` with ``fewer_than``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, Literal

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import i18n
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.places import GOVERNORATE, Place
from marsad.publish import stored
from marsad.publish.sections import (
    Figures,
    Period,
    Section,
    as_date,
    local_day,
    queue_figures,
    shown_count,
    source,
    week_label,
)
from marsad.reports import workflow
from marsad.reports.models import Category, Report

By = Literal["governorate", "category", "week"]
BY: tuple[str, ...] = ("governorate", "category", "week")
UNKNOWN = "unknown"
SECTION_KEY = "reports"


def _public() -> Any:
    return (Report.status == workflow.PUBLISHED, Report.confidential.is_(False))


def _labels(session: Session, by: str, lang: str) -> dict[str, str]:
    if by == "governorate":
        column = getattr(Place, f"name_{lang}", Place.name_en)
        query = select(Place.pcode, column, Place.name_en).where(Place.level == GOVERNORATE)
        return {pcode: name or name_en for pcode, name, name_en in session.execute(query)}
    if by == "category":
        return {c.slug: c.name(lang) for c in session.execute(select(Category)).scalars()}
    return {}


def _grouped(
    session: Session, by: str, conditions: tuple[Any, ...], timezone: str
) -> tuple[Counter[str], Any]:
    """Counts by governorate P-code, category slug or publication week."""
    if by == "governorate":
        key = Report.governorate_pcode
        query = select(key, func.count()).where(*conditions).group_by(key)
    elif by == "category":
        key = Category.slug
        query = (
            select(key, func.count())
            .select_from(Report)
            .join(Category, Category.id == Report.category_id)
            .where(*conditions)
            .group_by(key)
        )
    else:
        key = local_day(Report.published_at, session.get_bind().dialect.name, timezone)
        query = select(key, func.count()).where(*conditions).group_by(key)
    counts: Counter[str] = Counter()
    for value, n in session.execute(query):
        if by == "week":
            counts[week_label(as_date(value)) if value is not None else UNKNOWN] += n
        else:
            counts[value or UNKNOWN] += n
    return counts, query


def report_rows(
    session: Session,
    *,
    by: str,
    k: int,
    lang: str,
    timezone: str,
    start: Any = None,
    end: Any = None,
    labels: dict[str, dict[str, str]] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Published reports counted by ``by``: rows ``{key, label, count[, fewer_than]}``.

    ``start``/``end`` (UTC) limit to reports published in that interval.
    Returns the rows and the figure's source. InvalidInput names ``by`` when it
    is not one of governorate, category, week.
    """
    if by not in BY:
        raise InvalidInput(
            "err_invalid_input",
            _("{field} must be one of: {choices}").format(field="by", choices=", ".join(BY)),
            "by",
        )
    conditions = _public()
    if start is not None:
        conditions += (Report.published_at >= start,)
    if end is not None:
        conditions += (Report.published_at < end,)
    counts, query = _grouped(session, by, conditions, timezone)
    names = labels[by] if labels and by in labels else _labels(session, by, lang)
    by_size = sorted(counts, key=lambda key: (-counts[key], key))
    keys = sorted(counts) if by == "week" else by_size
    rows = [
        {
            "key": key,
            "label": names.get(key, _("Unknown") if key == UNKNOWN else key),
            **shown_count(counts[key], k),
        }
        for key in keys
    ]
    where = {"status": workflow.PUBLISHED, "confidential": False, "k": k, "by": by}
    if start is not None:
        where.update(published_from=start, published_before=end)
    return rows, source(f"reports.by_{by}", query, **where)


def public_rows(
    session: Session, *, by: str, k: int, lang: str, timezone: str
) -> list[dict[str, Any]]:
    """``GET /api/v1/stats/reports?by=…``: :func:`report_rows` over every published report,
    kept (``publish.stored``) until a report or a category name changes."""
    if by not in BY:
        report_rows(session, by=by, k=k, lang=lang, timezone=timezone)  # raises, naming by
    labels = {by: _labels(session, by, lang)} if by != "week" else {}
    stamp, scope = _stamp(session, labels), f"rows:{by}:{lang}:{k}@{timezone}"
    hit = stored.recall(session, SECTION_KEY, [scope]).get(scope)
    if hit is not None and hit.stamp == stamp:
        return list(hit.figures["rows"])
    rows, _source = report_rows(
        session, by=by, k=k, lang=lang, timezone=timezone, labels=labels or None
    )
    stored.remember(session, SECTION_KEY, scope, stored.Kept({"rows": rows}, stamp, stored.now()))
    return rows


def _week_counts(
    session: Session, period: Period, k: int, labels: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Reports received, verified and published in the period, by category and governorate."""
    out: dict[str, Any] = {}
    sources = []
    received = (Report.created_at >= period.start, Report.created_at < period.end)
    published = (*_public(), Report.published_at >= period.start, Report.published_at < period.end)
    verified = (*published, Report.verified.is_(True))
    for name, conditions in (
        ("received", received),
        ("verified", verified),
        ("published", published),
    ):
        total_query = select(func.count()).select_from(Report).where(*conditions)
        total = session.execute(total_query).scalar_one()
        out[name] = shown_count(total, k)
        sources.append(
            source(f"reports.week.{name}", total_query, start=period.start, end=period.end, k=k)
        )
    for by in ("category", "governorate"):
        counts, query = _grouped(session, by, published, period.timezone)
        out[f"published_by_{by}"] = [
            {"key": key, "label": labels[by].get(key, key), **shown_count(n, k)}
            for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        sources.append(
            source(
                f"reports.week.published_by_{by}", query, start=period.start, end=period.end, k=k
            )
        )
    return {"figures": out, "sources": sources}


def _weeks_by_category(
    session: Session, period: Period, k: int, labels: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Published reports per trend week and category; a cell below k is None."""
    day = local_day(Report.published_at, session.get_bind().dialect.name, period.timezone)
    query = (
        select(day, Category.slug, func.count())
        .select_from(Report)
        .join(Category, Category.id == Report.category_id)
        .where(
            *_public(),
            Report.published_at >= period.trend_start,
            Report.published_at < period.end,
        )
        .group_by(day, Category.slug)
    )
    cells: Counter[tuple[str, str]] = Counter()
    for value, slug, n in session.execute(query):
        cells[(week_label(as_date(value)), slug)] += n
    weeks = period.trend_labels()
    slugs = sorted({slug for _week, slug in cells})
    series = {
        labels.get(slug, slug): [shown_count(cells[(week, slug)], k)["count"] for week in weeks]
        for slug in slugs
    }
    hidden = any(0 < cells[(week, slug)] < k for week in weeks for slug in slugs)
    figure = {"weeks": weeks, "series": series, "hidden": hidden}
    where = {"start": period.trend_start, "end": period.end, "k": k}
    return figure, source("reports.by_week_and_category", query, **where)


def _stamp(session: Session, labels: dict[str, dict[str, str]]) -> str:
    """What the section's figures depend on, cheaply: every change to a report moves
    ``updated_at`` (``service._touch``); reports are never deleted; names are labels."""
    count, latest = session.execute(select(func.count(), func.max(Report.updated_at))).one()
    names = hashlib.sha256(orjson.dumps(labels, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    return f"{count}|{latest.isoformat() if latest else ''}|{names}"


def _scope(period: Period, lang: str, k: int) -> str:
    return f"week:{period.label}:{period.weeks}:{lang}:{k}@{period.timezone}"


def compute(session: Session, period: Period, settings: Any) -> Figures:
    """The reports section: the week's counts, trend by week, totals by category and area.

    Kept (``publish.stored``) and reused while no report changed since: counting every
    published report on each request is what made the dashboard slow.
    """
    k = settings.reports.reports_min_public_count
    lang = i18n.current_language.get()
    labels = {by: _labels(session, by, lang) for by in ("governorate", "category")}
    stamp, scope = _stamp(session, labels), _scope(period, lang, k)
    hit = stored.recall(session, SECTION_KEY, [scope]).get(scope)
    if hit is not None and hit.stamp == stamp:
        return hit.figures
    figures = _compute(session, period, k, lang, labels)
    stored.remember(session, SECTION_KEY, scope, stored.Kept(figures, stamp, stored.now()))
    return figures


def keep(session: Session, settings: Any) -> list[str]:
    """This week's and last week's figures in every language, for the refresh job to store."""
    k = settings.reports.reports_min_public_count
    this = Period.containing(stored.now(), timezone=settings.timezone)
    scopes = []
    for lang in i18n.LANGUAGES:
        token = i18n.current_language.set(lang)
        try:
            for period in (this, this.previous()):
                compute(session, period, settings)
                scopes.append(_scope(period, lang, k))
        finally:
            i18n.current_language.reset(token)
    return scopes


def _compute(
    session: Session, period: Period, k: int, lang: str, labels: dict[str, dict[str, str]]
) -> Figures:
    week = _week_counts(session, period, k, labels)
    trend, trend_source = report_rows(
        session,
        by="week",
        k=k,
        lang=lang,
        timezone=period.timezone,
        start=period.trend_start,
        end=period.end,
        labels=labels,
    )
    by_week_category, week_category_source = _weeks_by_category(
        session, period, k, labels["category"]
    )
    by_week = {row["key"]: row for row in trend}
    weeks = [
        by_week.get(label, {"key": label, "label": label, "count": 0})
        for label in period.trend_labels()
    ]
    by_category, category_source = report_rows(
        session,
        by="category",
        k=k,
        lang=lang,
        timezone=period.timezone,
        end=period.end,
        labels=labels,
    )
    by_governorate, governorate_source = report_rows(
        session,
        by="governorate",
        k=k,
        lang=lang,
        timezone=period.timezone,
        end=period.end,
        labels=labels,
    )
    return {
        "k": k,
        "week": week["figures"],
        "by_week": weeks,
        "by_week_category": by_week_category,
        "by_category": by_category,
        "by_governorate": by_governorate,
        "sources": [
            *week["sources"],
            trend_source,
            week_category_source,
            category_source,
            governorate_source,
        ],
    }


SECTION = Section(
    key=SECTION_KEY,
    title=N_("Citizen reports"),
    order=10,
    compute=compute,
    template="reports/stats_section.html",
    description=N_("Published reports (never confidential ones), by the week they were published."),
    keep=keep,
)


def compute_queue(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Reports awaiting triage, the oldest one's age, and reports received this week vs last."""
    queue_query = select(func.count(), func.min(Report.created_at)).where(
        Report.status == workflow.RECEIVED
    )
    waiting, oldest = session.execute(queue_query).one()

    def received(start: Any, end: Any) -> int:
        query = (
            select(func.count())
            .select_from(Report)
            .where(Report.created_at >= start, Report.created_at < end)
        )
        return session.execute(query).scalar_one()

    return queue_figures(
        queue="reports",
        waiting=waiting,
        oldest=oldest,
        count=received,
        period=period,
        href="/staff/reports?status=received",
        sources=[source("reports.awaiting_triage", queue_query)],
    )


QUEUE = Section(
    key="report-queue",
    title=N_("Reports awaiting triage"),
    order=10,
    compute=compute_queue,
    template="publish/queue.html",
    audience="staff",
)
