"""Shutdowns and outages in figures, for the connectivity section of the dashboards.

Events staff did not reject (the public timeline's rule), counted for one week:
how many touched it and for how many hours, by type, by governorate (a
national event touches every governorate, as on the public map) and by
network; and how many began in each week of the trend. No staff note, no
author, no justification text leaves this module.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.connectivity.outages.networks import network_map
from marsad.core.db import utcnow
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.places import PlaceIndex
from marsad.publish.sections import Period, source

TYPE_NAMES = {
    "full": N_("Full shutdown"),
    "throttling": N_("Throttling"),
    "service-based": N_("Services blocked"),
}


def _hours(start: datetime, end: datetime | None, period: Period) -> float:
    """Hours of the event inside the week (an ongoing one runs until now)."""
    stop = min(end or utcnow(), period.end)
    begin = max(start, period.start)
    return max((stop - begin).total_seconds() / 3600, 0.0)


def _rows(counts: Counter[str], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": labels.get(key, key), "count": n}
        for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def figures(session: Session, period: Period, lang: str) -> tuple[dict[str, Any], list[Any]]:
    """The week's outages by type, governorate and network, and events begun per week."""
    e = ConnectivityEvent
    query = select(e.start, e.end, e.scope, e.shutdown_type, e.governorates, e.networks).where(
        e.status != "rejected",
        e.start < period.end,
        or_(e.end.is_(None), e.end > period.trend_start),
    )
    places = PlaceIndex.load(session).governorates()
    names = {p.pcode: p.name(lang) for p in places}
    operators = {asn: net.operator for asn, net in network_map().items()}
    weeks = period.trend_labels()
    begun: Counter[str] = Counter()
    types: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    networks: Counter[str] = Counter()
    events, hours = 0, 0.0
    for start, end, scope, kind, governorates, nets in session.execute(query):
        if start >= period.trend_start:
            begun[period.week_of(start)] += 1
        if start >= period.end or (end is not None and end <= period.start):
            continue
        events += 1
        hours += _hours(start, end, period)
        types[kind] += 1
        touched = list(names) if scope == "national" else [g for g in governorates or [] if g]
        areas.update(set(touched))
        networks.update(set(nets or []))
    network_labels = {
        asn: f"{asn} · {operators[asn]}" if operators.get(asn) else asn for asn in networks
    }
    doc = {
        "events": events,
        "hours": round(hours, 1),
        "by_type": _rows(types, {k: _(v) for k, v in TYPE_NAMES.items()}),
        "by_governorate": _rows(areas, names),
        "by_network": _rows(networks, network_labels),
        "begun_per_week": [begun[w] for w in weeks],
    }
    where = {"status_not": "rejected", "start": period.trend_start, "end": period.end}
    note = "events touching the week, by type, governorate (national: all) and network"
    return doc, [source("connectivity.outages", query, **where, note=note)]
