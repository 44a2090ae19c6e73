"""What the public may see of a report, and nothing more.

Every public format (HTML, JSON, GeoJSON, CSV, counts) is built from
:class:`ReportPublic`, made here from a published, non-confidential report
at the precision its reviewer chose:

- location ``exact``: the report's point; ``district``: the district's
  representative point, the same for every report there; ``governorate``:
  the governorate's point, and no district name.
- time ``exact`` | ``day`` | ``week`` | ``month``: only the coarse period. Filters and
  sorting use that period too, so a date filter cannot narrow a month down to a day.

Never public: the contact, files, links, comments, channel, receipt, reviewer
and the time the report was received.

Small areas (k, ``MARSAD_REPORTS_MIN_PUBLIC_COUNT``): a report is never placed
in an area that shows fewer than k published reports. A district (or exact
point) with fewer than k reports shown there moves its reports up to their
governorate; a governorate with fewer than k published reports shows no
place at all (``location_precision`` ``"hidden"``). Every public output (list,
map, GeoJSON, CSV, a report's page) goes through :func:`published_reports`
or :func:`published_report`, so they all apply the same rule as ``/counts``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core.places import Place, PlaceIndex
from marsad.reports import workflow
from marsad.reports.models import Report


class ReportPublic(BaseModel):
    """A published report at its public precision."""

    id: str
    title: str
    description: str
    category: str = Field(description="category slug")
    category_name: str
    verified: bool = Field(description="false when published as unverified")
    governorate: str | None = Field(None, description="P-code, e.g. IQG08")
    governorate_name: str | None = None
    district: str | None = Field(None, description="P-code; absent at governorate precision")
    district_name: str | None = None
    lat: float | None = Field(None, description="at the chosen location precision")
    lon: float | None = None
    location_precision: str
    occurred: str | None = Field(None, description="2024-05-01, 2024-W18 or 2024-05")
    time_precision: str
    language: str
    # A report too alone to be placed still counts in its governorate's "fewer than k".
    _counted_in: str | None = PrivateAttr(default=None)


def public_point(
    report: Report, places: PlaceIndex, *, precision: str | None = None
) -> tuple[float | None, float | None]:
    """The point shown publicly for a report at its (or the given) location precision."""
    precision = precision or _chosen_precision(report)
    if precision == "exact" and report.lat is not None and report.lon is not None:
        return report.lat, report.lon
    area: Place | None = None
    if precision in ("exact", "district"):
        area = places.get(report.district_pcode)
    area = area or places.get(report.governorate_pcode)
    return (area.lat, area.lon) if area else (None, None)


HIDDEN = "hidden"


@dataclass(frozen=True)
class AreaCounts:
    """How many published reports each area shows, to keep small areas unplaced."""

    k: int
    districts: Counter[str]
    governorates: Counter[str]

    @classmethod
    def of(cls, reports: list[Report], *, k: int) -> AreaCounts:
        districts: Counter[str] = Counter()
        governorates: Counter[str] = Counter()
        for report in reports:
            if report.governorate_pcode:
                governorates[report.governorate_pcode] += 1
            if report.district_pcode and _chosen_precision(report) in ("exact", "district"):
                districts[report.district_pcode] += 1
        return cls(k=k, districts=districts, governorates=governorates)

    @classmethod
    def load(cls, session: Session, *, k: int) -> AreaCounts:
        """The same counts from the database, without loading the reports (one report's page)."""
        public = (Report.status == workflow.PUBLISHED, Report.confidential.is_(False))
        chosen = func.coalesce(Report.location_precision, workflow.DEFAULT_LOCATION_PRECISION)
        governorates = session.execute(
            select(Report.governorate_pcode, func.count())
            .where(*public, Report.governorate_pcode.is_not(None))
            .group_by(Report.governorate_pcode)
        )
        districts = session.execute(
            select(Report.district_pcode, func.count())
            .where(*public, Report.district_pcode.is_not(None), chosen.in_(("exact", "district")))
            .group_by(Report.district_pcode)
        )
        return cls(
            k=k,
            districts=Counter(dict(districts.all())),
            governorates=Counter(dict(governorates.all())),
        )

    def precision(self, report: Report) -> str:
        """The location precision this report may be shown at, given its neighbours."""
        loc = _chosen_precision(report)
        if loc in ("exact", "district") and self.districts[report.district_pcode or ""] < self.k:
            loc = "governorate"
        if self.governorates[report.governorate_pcode or ""] < self.k:
            return HIDDEN
        return loc


def _chosen_precision(report: Report) -> str:
    return report.location_precision or workflow.DEFAULT_LOCATION_PRECISION


def to_public(
    report: Report,
    places: PlaceIndex,
    *,
    lang: str,
    zone: str,
    areas: AreaCounts | None = None,
) -> ReportPublic:
    """The public form of one published report (placed no finer than ``areas`` allows)."""
    if report.status != workflow.PUBLISHED or report.confidential:
        raise ValueError("only published, non-confidential reports have a public form")
    loc = areas.precision(report) if areas is not None else _chosen_precision(report)
    tim = report.time_precision or workflow.DEFAULT_TIME_PRECISION
    if report.occurred_precision == "day" and tim == "exact":
        tim = "day"  # the reporter gave a date alone: its stored noon is no hour
    if loc == HIDDEN:
        gov = dist = None
        lat = lon = None
    else:
        gov = places.get(report.governorate_pcode)
        dist = places.get(report.district_pcode) if loc in ("exact", "district") else None
        lat, lon = public_point(report, places, precision=loc)
    row = ReportPublic(
        id=report.id,
        title=report.title,
        description=report.description,
        category=report.category.slug,
        category_name=report.category.name(lang),
        verified=report.verified,
        governorate=gov.pcode if gov else None,
        governorate_name=gov.name(lang) if gov else None,
        district=dist.pcode if dist else None,
        district_name=dist.name(lang) if dist else None,
        lat=lat,
        lon=lon,
        location_precision=loc,
        occurred=workflow.coarse_time(report.occurred_at, tim, zone),
        time_precision=tim,
        language=report.language,
    )
    row._counted_in = report.governorate_pcode
    return row


@dataclass
class PublicFilter:
    """Filters of the public list and map; dates compare with the public period only."""

    category: str | None = None
    governorate: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _period(value: str | None) -> tuple[date, date] | None:
    """The first and last day of a public period string."""
    if not value:
        return None
    if "-W" in value:
        year, week = value.split("-W")
        start = date.fromisocalendar(int(year), int(week), 1)
        return start, start + timedelta(days=6)
    if len(value) == 7:
        start = date.fromisoformat(value + "-01")
        nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start, nxt - timedelta(days=1)
    day = datetime.fromisoformat(value).date()
    return day, day


def _public_query() -> Any:
    return select(Report).where(Report.status == workflow.PUBLISHED, Report.confidential.is_(False))


def published_reports(
    session: Session,
    *,
    filters: PublicFilter,
    lang: str,
    zone: str,
    k: int,
    places: PlaceIndex | None = None,
) -> list[ReportPublic]:
    """Every published report matching the filters, newest period first.

    Areas are counted over every published report, before the filters: a
    filter can hide reports but never place one more finely.
    """
    everything = list(session.execute(_public_query()).scalars())
    areas = AreaCounts.of(everything, k=k)
    places = places or PlaceIndex.load(session)
    rows = [
        to_public(r, places, lang=lang, zone=zone, areas=areas)
        for r in everything
        if (not filters.category or r.category.slug == filters.category)
    ]
    if filters.governorate:
        rows = [row for row in rows if row.governorate == filters.governorate]
    if filters.date_from or filters.date_to:
        low = filters.date_from or date.min
        high = filters.date_to or date.max
        kept = []
        for row in rows:
            period = _period(row.occurred)
            if period and period[1] >= low and period[0] <= high:
                kept.append(row)
        rows = kept
    # Order by public period, then by the random id: no finer order leaks.
    rows.sort(key=lambda r: r.id)
    rows.sort(key=lambda r: _period(r.occurred)[0] if r.occurred else date.min, reverse=True)
    return rows


def published_report(
    session: Session, *, report_id: str, lang: str, zone: str, k: int
) -> ReportPublic | None:
    """One published report's public form, or None when it is not public."""
    report = session.get(Report, report_id)
    if report is None or report.status != workflow.PUBLISHED or report.confidential:
        return None
    areas = AreaCounts.load(session, k=k)
    return to_public(report, PlaceIndex.load(session), lang=lang, zone=zone, areas=areas)


def geojson(rows: list[ReportPublic]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of public reports (points at public precision).

    The small-area rule is already applied to ``rows`` (see :class:`AreaCounts`):
    a report too alone to be placed has no point (``geometry: null``).
    """
    features = []
    for row in rows:
        props = row.model_dump(exclude={"lat", "lon"})
        geometry = (
            {"type": "Point", "coordinates": [row.lon, row.lat]} if row.lat is not None else None
        )
        features.append(
            {"type": "Feature", "id": row.id, "geometry": geometry, "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def public_counts(
    rows: list[ReportPublic], *, k: int, places: PlaceIndex, lang: str
) -> dict[str, Any]:
    """Counts per governorate, and per category and district where at least ``k`` reports.

    A (category, district) count below ``k`` is added to its governorate's
    (category, governorate-level) count instead; any count still below ``k`` is
    shown as ``null`` with ``"fewer_than": k``, never as the small number.
    """

    def shown(n: int) -> dict[str, Any]:
        return {"count": n} if n >= k else {"count": None, "fewer_than": k}

    by_gov: Counter[str] = Counter()
    cells: Counter[tuple[str, str, str | None]] = Counter()
    for row in rows:
        governorate = row.governorate or row._counted_in
        if not governorate:
            continue
        by_gov[governorate] += 1
        cells[(governorate, row.category, row.district)] += 1
    rolled: defaultdict[tuple[str, str], int] = defaultdict(int)
    district_rows = []
    for (gov, cat, dist), n in sorted(
        cells.items(), key=lambda c: (c[0][0], c[0][1], c[0][2] or "")
    ):
        if dist is not None and n >= k:
            place = places.get(dist)
            district_rows.append(
                {
                    "governorate": gov,
                    "district": dist,
                    "district_name": place.name(lang) if place else dist,
                    "category": cat,
                    "count": n,
                }
            )
        else:
            rolled[(gov, cat)] += n
    result = []
    for gov_place in places.governorates():
        total = by_gov.get(gov_place.pcode, 0)
        if not total:
            continue
        result.append(
            {
                "governorate": gov_place.pcode,
                "name": gov_place.name(lang),
                "lat": gov_place.lat,
                "lon": gov_place.lon,
                **shown(total),
                "categories": [
                    {"category": cat, "level": "governorate", **shown(n)}
                    for (gov, cat), n in sorted(rolled.items())
                    if gov == gov_place.pcode
                ],
                "districts": [d for d in district_rows if d["governorate"] == gov_place.pcode],
            }
        )
    return {"k": k, "governorates": result}
