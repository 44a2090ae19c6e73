"""JSON twins of the dashboards: public statistics under ``/api/v1/stats``, staff queues.

Every handler is a plain ``def`` (run in the thread pool) and reads through a
read-only session; the figures come from the same service calls as the pages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from marsad.core import i18n
from marsad.publish import publications, service
from marsad.reports import stats as report_stats
from marsad.web.deps import ReadSession, StaffUser

router = APIRouter(prefix="/api/v1", tags=["publish"])


@router.get("/stats/reports")
def stats_reports(
    request: Request, session: ReadSession, by: str | None = None, week: str | None = None
) -> dict[str, Any]:
    """Published reports counted by governorate (default), category or publication week.

    A count below the small-count threshold k is ``null`` with ``fewer_than: k``. Asked
    for a ``week`` without ``by``, this is the ``reports`` dashboard section, like every
    other ``/stats/{key}`` (the path is shared with it).
    """
    settings = request.app.state.settings
    if by is None and week is not None:
        period = service.parse_period(settings, week)
        return service.one_section(session, settings=settings, period=period, key="reports")
    rows = report_stats.public_rows(
        session,
        by=by or "governorate",
        k=settings.reports.reports_min_public_count,
        lang=i18n.current_language.get(),
        timezone=settings.timezone,
    )
    return {"rows": rows}


@router.get("/stats")
def stats(request: Request, session: ReadSession, week: str | None = None) -> dict[str, Any]:
    """Every public dashboard section for one ISO week (default: this week)."""
    settings = request.app.state.settings
    period = service.parse_period(settings, week)
    return service.dashboard(session, settings=settings, period=period)


@router.get("/stats/{key}")
def stats_section(
    request: Request, key: str, session: ReadSession, week: str | None = None
) -> dict[str, Any]:
    """One public dashboard section (``hate-speech``, ``coordination``…) for one week."""
    settings = request.app.state.settings
    period = service.parse_period(settings, week)
    return service.one_section(session, settings=settings, period=period, key=key)


@router.get("/staff/dashboard", tags=["staff"])
def staff_dashboard(
    request: Request, session: ReadSession, user: StaffUser, week: str | None = None
) -> dict[str, Any]:
    """The staff queues, this week against last, and what needs attention first."""
    settings = request.app.state.settings
    period = service.parse_period(settings, week)
    return service.staff_dashboard(session, settings=settings, period=period)


@router.get("/publications")
def publications_list(session: ReadSession) -> dict[str, Any]:
    """Published weekly reports (twin of the ``/publications`` page)."""
    rows = [publications.to_json(p) for p in publications.published(session)]
    return {"results": rows}


@router.get("/staff/publications", tags=["staff"])
def staff_publications(session: ReadSession, user: StaffUser) -> dict[str, Any]:
    """Every weekly report and its state (twin of ``/staff/publications``)."""
    rows = [publications.to_json(p) for p in publications.all_publications(session)]
    return {"results": rows}
