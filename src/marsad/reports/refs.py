"""References to reports: ``report:<id>``.

The title is for staff: the report's own title (a confidential case's is left out),
category and status, never its reporter's contact (sealed in the database, opened
only by the reports views for the people allowed to see it).
"""

from __future__ import annotations

from typing import Any

from marsad.core.refs import RefType, ResolvedRef
from marsad.reports import workflow
from marsad.reports.service import get_report


def resolve_report(session: Any, ident: str) -> ResolvedRef | None:
    """A report as staff may cite it; ``public`` only once it is published."""
    report = get_report(session, report_id=ident)
    public = report.status == workflow.PUBLISHED and not report.confidential
    # A citation does not know who reads it: a confidential case's title and place stay
    # with its caseworkers (the link leads to the page that checks).
    title = "confidential case" if report.confidential else report.title
    return ResolvedRef(
        ref=f"report:{report.id}",
        kind="report",
        title=f"{title} · {report.category.slug} · {report.status}",
        url=f"/staff/reports/{report.id}",
        public=public,
        extra={
            "status": report.status,
            "category": report.category.slug,
            "confidential": report.confidential,
            "governorate": None if report.confidential else report.governorate_pcode,
            "public_url": f"/reports/{report.id}" if public else None,
        },
    )


REF_TYPES: list[RefType] = [
    RefType("report", resolve_report, "A citizen report, by its id (staff view).")
]
