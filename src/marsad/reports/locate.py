"""Placing stored reports that have a point but no area, once boundaries exist.

A report sent with an exact point and no governorate or district is placed by
``PlaceIndex.locate`` when it arrives, but only where boundaries were imported
(``marsad geo import``). One sent before that kept its point and no area, and so
was missing from every count and filter by governorate. After each import the
places kernel calls the ``marsad_places_imported`` hook, and this places them.

A report whose reporter chose a governorate that the point's district is not in
is left alone: which one is right is for a reviewer to decide, not a polygon.
Each placed report is audited (``report.located``) and its version bumped, so a
reviewer's open edit form does not silently overwrite the new area.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.places import DISTRICT, GOVERNORATE, Place, PlaceIndex
from marsad.reports.models import Report


def _area(places: PlaceIndex, report: Report) -> tuple[Place | None, Place | None]:
    """(governorate, district) of the report's point, as far as the boundaries tell."""
    assert report.lat is not None and report.lon is not None
    district = places.locate(report.lat, report.lon) if places.has_boundaries(DISTRICT) else None
    if district is not None:
        return places.get(district.parent_pcode), district
    if places.has_boundaries(GOVERNORATE):
        return places.locate_governorate(report.lat, report.lon), None
    return None, None


def locate_stored_reports(session: Session) -> int:
    """Give a governorate and district to stored reports with a point but no district;
    return how many changed. Never commits (the caller owns the transaction)."""
    places = PlaceIndex.load(session)
    if not (places.has_boundaries(DISTRICT) or places.has_boundaries(GOVERNORATE)):
        return 0
    rows = session.execute(
        select(Report).where(
            Report.lat.is_not(None), Report.lon.is_not(None), Report.district_pcode.is_(None)
        )
    ).scalars()
    changed = 0
    for report in rows:
        governorate, district = _area(places, report)
        if governorate is None:
            continue
        if report.governorate_pcode not in (None, governorate.pcode):
            continue  # the reporter said another governorate: a reviewer decides
        if district is None and report.governorate_pcode == governorate.pcode:
            continue  # nothing new to say
        report.governorate_pcode = governorate.pcode
        report.district_pcode = district.pcode if district else None
        report.version += 1
        report.updated_at = utcnow()
        audit.record(
            session,
            actor="system",
            action="report.located",
            subject_type="report",
            subject_id=report.id,
            details={"governorate": report.governorate_pcode, "district": report.district_pcode},
        )
        changed += 1
    session.flush()
    return changed
