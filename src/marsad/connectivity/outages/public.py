"""The one door for public connectivity output: the timeline, the governorate map, an event.

The HTML pages and their JSON twins are built from :func:`overview` and
:func:`public_event`, so what a page shows and what the API returns cannot
drift. Events rejected by staff never pass; staff notes and authors never do.

The map is drawn on the server as SVG: governorate outlines when the OCHA
boundaries were imported (``marsad geo import``), otherwise one circle per
governorate at its representative point. Either way the page needs no script
and no tile server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from marsad.connectivity.outages import service
from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.core.places import PlaceIndex

# Iraq's box (lon/lat) and the SVG's size; x is shrunk by cos(33°) to keep shapes honest.
WEST, SOUTH, EAST, NORTH = 38.7, 29.0, 48.7, 37.45
WIDTH = 400
SCALE = WIDTH / ((EAST - WEST) * 0.84)
HEIGHT = round((NORTH - SOUTH) * SCALE)


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - WEST) * 0.84 * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _path(geometry: dict[str, Any]) -> str:
    """An SVG path of the outer rings, thinned to whole pixels so the page stays light."""
    parts = []
    for ring in _rings(geometry):
        points: list[tuple[int, int]] = []
        for lon, lat, *_ in ring:
            x, y = _xy(lon, lat)
            point = (round(x), round(y))  # whole pixels of a 400-pixel map: about 3 km
            if not points or point != points[-1]:
                points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
    return "".join(parts)


@dataclass(frozen=True)
class MapArea:
    pcode: str
    name: str
    events: int
    hours: float
    path: str | None
    x: float
    y: float
    shade: int  # 0 (none) to 4 (most)


def _hours(event: ConnectivityEvent) -> float:
    if event.end is None:
        return 0.0
    return (event.end - event.start).total_seconds() / 3600


def _touches(event: ConnectivityEvent, pcode: str) -> bool:
    return event.scope == "national" or pcode in (event.governorates or [])


def governorate_map(
    events: list[ConnectivityEvent], places: PlaceIndex, lang: str
) -> list[MapArea]:
    """Each governorate with how many events touched it and for how many hours."""
    rows = []
    for place in places.governorates():
        touching = [e for e in events if _touches(e, place.pcode)]
        path = _path(json.loads(place.geometry)) if place.geometry else None
        x, y = _xy(place.lon, place.lat)
        rows.append((place, len(touching), round(sum(_hours(e) for e in touching), 1), path, x, y))
    most = max((r[1] for r in rows), default=0)
    return [
        MapArea(
            pcode=p.pcode,
            name=p.name(lang),
            events=n,
            hours=h,
            path=path,
            x=x,
            y=y,
            shade=0 if n == 0 else 1 + min(3, (3 * n) // max(most, 1)),
        )  # fmt: skip
        for p, n, h, path, x, y in rows
    ]


def overview(
    session: Session,
    *,
    lang: str,
    governorate: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The public timeline: events (newest first), and the governorates with their counts."""
    places = PlaceIndex.load(session)
    if governorate and places.get(governorate) is None:
        governorate = None
    events = service.list_events(
        session, public=True, since=since, until=until, governorate=governorate
    )
    areas = governorate_map(
        service.list_events(session, public=True, since=since, until=until), places, lang
    )
    names = {a.pcode: a.name for a in areas}
    items = []
    for event in events:
        item = service.event_public(event)
        item["governorate_names"] = [names.get(p, p) for p in item["governorates"]]
        item["hours"] = round(_hours(event), 1) if event.end else None
        items.append(item)
    return {
        "events": items,
        "governorates": [
            {"pcode": a.pcode, "name": a.name, "events": a.events, "hours": a.hours} for a in areas
        ],
        "filter": {"governorate": governorate},
        "map": {"width": WIDTH, "height": HEIGHT, "areas": areas},
        "outlines": any(a.path for a in areas),
    }


def _resolved(session: Session, ref: str, types: Any) -> Any:
    """What a link points at, or None when its record (or its capability) is gone."""
    from marsad.core.errors import MarsadError
    from marsad.core.refs import resolve_ref

    try:
        return resolve_ref(session, ref, types)
    except MarsadError:
        return None


def public_event(session: Session, *, event_id: str, lang: str) -> dict[str, Any]:
    """One event as the public sees it, with the references it links to that are public."""
    from marsad.core.errors import NotFound
    from marsad.core.plugins import get_registry

    event = service.get_event(session, event_id=event_id)
    if event.status == "rejected":
        raise NotFound("err_event_not_found", "no such connectivity event", where="id")
    places = PlaceIndex.load(session)
    item = service.event_public(event)
    item["governorate_names"] = [
        (places.get(p).name(lang) if places.get(p) else p)  # type: ignore[union-attr]
        for p in item["governorates"]
    ]
    item["hours"] = round(_hours(event), 1) if event.end else None
    types = get_registry().references()
    links = []
    for ref in service.event_links(session, event_id=event.id):
        resolved = _resolved(session, ref, types)
        if resolved is not None and resolved.public:
            links.append({"ref": resolved.ref, "title": resolved.title, "url": resolved.url})
    item["links"] = links
    return item
