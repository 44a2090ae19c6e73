"""Exports: CSV, HXL-tagged CSV and GeoJSON, for the public and for staff.

The public export is built from :class:`~marsad.reports.public.ReportPublic`
rows, so it can never be more precise than the map. The staff export carries
exact places and times and the workflow fields, but never the reporter's
contact, files or comments: an export file travels further than the app. A
confidential case keeps only its id, status, category and dates, except for
the caseworkers of that case (the web export) or an admin named with an
audited ``--as`` (the CLI, :func:`cases_in_full`).

Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-`` or ``@``) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import Forbidden, InvalidInput
from marsad.core.models import User
from marsad.core.places import PlaceIndex
from marsad.reports import cases
from marsad.reports.models import Category, Report
from marsad.reports.public import ReportPublic

# (column, HXL hashtag)
PUBLIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("title", "#event+name"),
    ("description", "#description"),
    ("category", "#event+type+code"),
    ("category_name", "#event+type+name"),
    ("verified", "#status+verified"),
    ("governorate", "#adm1+code"),
    ("governorate_name", "#adm1+name"),
    ("district", "#adm2+code"),
    ("district_name", "#adm2+name"),
    ("lat", "#geo+lat"),
    ("lon", "#geo+lon"),
    ("location_precision", "#geo+precision"),
    ("occurred", "#date+occurred"),
    ("time_precision", "#date+precision"),
    ("language", "#meta+lang"),
)
STAFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("status", "#status"),
    ("confidential", "#meta+confidential"),
    ("verified", "#status+verified"),
    ("channel", "#meta+channel"),
    ("title", "#event+name"),
    ("description", "#description"),
    ("category", "#event+type+code"),
    ("governorate", "#adm1+code"),
    ("district", "#adm2+code"),
    ("lat", "#geo+lat"),
    ("lon", "#geo+lon"),
    ("occurred_at", "#date+occurred"),
    ("created_at", "#date+reported"),
    ("published_at", "#date+published"),
    ("location_precision", "#geo+precision"),
    ("time_precision", "#date+precision"),
    ("duplicate_of", "#event+id+duplicate_of"),
    ("language", "#meta+lang"),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[tuple[str, str]], *, hxl: bool
) -> str:
    """CSV text with a header row (and, for HXL, a hashtag row under it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _tag in columns])
    if hxl:
        writer.writerow([tag for _name, tag in columns])
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name, _tag in columns])
    return out.getvalue()


def public_csv(rows: Sequence[ReportPublic], *, hxl: bool = False) -> str:
    """The public CSV (or HXL CSV) of published reports at public precision."""
    return write_csv((r.model_dump() for r in rows), PUBLIC_COLUMNS, hxl=hxl)


def _occurred(report: Report, zone: str) -> str | None:
    """When it happened: a local date when the reporter gave a date alone, else ISO 8601."""
    if report.occurred_at is None:
        return None
    if report.occurred_precision == "day":
        return report.occurred_at.astimezone(ZoneInfo(zone)).date().isoformat()
    return report.occurred_at.isoformat()


def staff_rows(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    governorate: str | None = None,
    readable: set[str] | None = None,
    zone: str = "Asia/Baghdad",
) -> list[dict[str, Any]]:
    """Every report matching the filter, as exact rows for staff (no contact).

    With ``readable`` (the confidential cases the viewer works on), any other
    confidential case keeps only its id, status, category and dates.
    """
    query = select(Report).join(Category).order_by(Report.created_at)
    if status:
        query = query.where(Report.status == status)
    if category:
        query = query.where(Category.slug == category)
    if governorate:
        query = query.where(Report.governorate_pcode == governorate.upper())
    rows = []
    for report in session.execute(query).scalars():
        rows.append(
            {
                "id": report.id,
                "status": report.status,
                "confidential": report.confidential,
                "verified": report.verified,
                "channel": report.channel,
                "title": report.title,
                "description": report.description,
                "category": report.category.slug,
                "governorate": report.governorate_pcode,
                "district": report.district_pcode,
                "lat": report.lat,
                "lon": report.lon,
                "occurred_at": _occurred(report, zone),
                "created_at": report.created_at.isoformat(),
                "published_at": report.published_at.isoformat() if report.published_at else None,
                "location_precision": report.location_precision,
                "time_precision": report.time_precision,
                "duplicate_of": report.duplicate_of_id,
                "language": report.language,
            }
        )
        if readable is not None and report.confidential and report.id not in readable:
            # A case's text is for its caseworkers: others learn only that it exists.
            rows[-1].update(
                title="",
                description="",
                governorate=None,
                district=None,
                lat=None,
                lon=None,
                occurred_at=None,
            )
    return rows


def cases_in_full(session: Session, *, username: str | None, channel: str) -> set[str]:
    """The confidential cases an export outside the web app may carry in full.

    None, unless ``username`` names an active admin: then the cases that admin
    works on as a caseworker, the same rule as the web export, and the choice is
    audited (``reports.export_confidential``). Anything else is refused, naming
    ``--as``.
    """
    if not username:
        return set()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise InvalidInput("err_user_not_found", f"no staff account named {username!r}", "--as")
    if not user.is_active or user.role != "admin":
        raise Forbidden(
            "err_export_forbidden",
            f"--as: {username} is not an active admin; only an admin may export cases in full",
        )
    readable = cases.readable_cases(session, user=user)
    audit.record(
        session,
        actor=user.username,
        action="reports.export_confidential",
        subject_type="report",
        subject_id="export",
        details={"channel": channel, "cases": len(readable)},
    )
    return readable


def staff_geojson(rows: Sequence[dict[str, Any]], places: PlaceIndex) -> dict[str, Any]:
    """Staff rows as GeoJSON: the exact point, else the district's or governorate's point."""
    features = []
    for row in rows:
        point = None
        if row["lat"] is not None and row["lon"] is not None:
            point = (row["lon"], row["lat"])
        else:
            area = places.get(row["district"]) or places.get(row["governorate"])
            point = (area.lon, area.lat) if area else None
        features.append(
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
                "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")},
            }
        )
    return {"type": "FeatureCollection", "features": features}
