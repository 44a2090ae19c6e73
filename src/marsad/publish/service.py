"""Dashboards as one call each: sections' figures for a period, for pages, API, CLI and PDF.

``dashboard`` runs every enabled section of an audience for one week and
returns a JSON-able document; the public page, ``/api/v1/stats``, the staff
page and the weekly report are all built from it, so a figure is computed by
the same code wherever it is shown.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.core.errors import NotFound
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.jobs.models import Job
from marsad.core.plugins import get_registry
from marsad.publish.sections import (
    Audience,
    Figures,
    Period,
    Section,
    queue_figures,
    sections,
    source,
)

log = logging.getLogger(__name__)


def current_period(settings: Any, weeks: int = 12) -> Period:
    """The week that holds now, in the observatory's time zone."""
    period = Period.containing(utcnow(), timezone=settings.timezone)
    return Period(period.year, period.week, period.timezone, weeks)


def parse_period(settings: Any, week: str | None, weeks: int = 12) -> Period:
    """``2026-W49`` (or the current week when None); InvalidInput naming ``week``."""
    if not week:
        return current_period(settings, weeks)
    return Period.parse(week, timezone=settings.timezone, weeks=weeks)


def section_doc(section: Section, figures: Figures) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": _(section.title),
        "description": _(section.description) if section.description else "",
        "order": section.order,
        "template": section.template,
        "figures": figures,
    }


def dashboard(
    session: Session, *, settings: Any, period: Period, audience: Audience = "public"
) -> dict[str, Any]:
    """Every enabled section of the audience computed for the period, in page order."""
    docs = []
    for section in sections(get_registry(settings), audience):
        docs.append(section_doc(section, section.compute(session, period, settings)))
    return {"period": period.to_json(), "sections": docs}


def one_section(session: Session, *, settings: Any, period: Period, key: str) -> dict[str, Any]:
    """One public section's figures; NotFound naming ``section`` for an unknown key."""
    for section in sections(get_registry(settings), "public"):
        if section.key == key:
            return {
                "period": period.to_json(),
                **section_doc(section, section.compute(session, period, settings)),
            }
    known = ", ".join(s.key for s in sections(get_registry(settings), "public"))
    raise NotFound(
        "err_section_not_found",
        _("No statistics are named {key}; known: {known}").format(key=key, known=known),
        "section",
    )


# --- the staff dashboard ------------------------------------------------------------------


def compute_failing_jobs(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Jobs that failed and were not retried, the oldest failure, failures this week vs last."""
    failed = (Job.status == "failed",)
    queue_query = select(func.count(), func.min(Job.finished_at)).where(*failed)
    waiting, oldest = session.execute(queue_query).one()

    def failures(start: Any, end: Any) -> int:
        query = (
            select(func.count())
            .select_from(Job)
            .where(*failed, Job.finished_at >= start, Job.finished_at < end)
        )
        return session.execute(query).scalar_one()

    return queue_figures(
        queue="jobs",
        waiting=waiting,
        oldest=oldest,
        count=failures,
        period=period,
        href="/staff/jobs?status=failed",
        sources=[source("jobs.failed", queue_query)],
    )


FAILING_JOBS = Section(
    key="failing-jobs",
    title=N_("Failing jobs"),
    order=90,
    compute=compute_failing_jobs,
    template="publish/queue.html",
    audience="staff",
)


def attention(staff: dict[str, Any]) -> list[dict[str, Any]]:
    """The staff queues that have something waiting, the longest-waiting first.

    A failing job comes first whatever its age (nothing downstream runs while it
    fails), then queues by the age of their oldest item, then by size.
    """
    waiting = [s for s in staff["sections"] if s["figures"].get("waiting")]

    def urgency(doc: dict[str, Any]) -> tuple[int, float, int]:
        figures = doc["figures"]
        return (
            0 if figures.get("queue") == "jobs" else 1,
            -(figures.get("oldest_hours") or 0.0),
            -figures["waiting"],
        )

    return [
        {
            "key": doc["key"],
            "title": doc["title"],
            "waiting": doc["figures"]["waiting"],
            "oldest_hours": doc["figures"].get("oldest_hours"),
            "href": doc["figures"].get("href"),
        }
        for doc in sorted(waiting, key=urgency)
    ]


def staff_dashboard(session: Session, *, settings: Any, period: Period) -> dict[str, Any]:
    """The staff queues and the public figures of the week, with what needs attention first."""
    staff = dashboard(session, settings=settings, period=period, audience="staff")
    return {**staff, "attention": attention(staff)}
