"""Blocking confirmed by OONI, in figures, for the connectivity section of the dashboards.

A target counts as confirmed blocked on a network in a week when an OONI
measurement of that day said ``confirmed`` (a blockpage or DNS answer matching
a known fingerprint), or the aggregation API counted a confirmed measurement.
Anomalies alone are not counted here: they are signs, not proof. Targets are
the websites and apps measured, already public on ``/connectivity/blocked``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.connectivity.blocking.models import OoniAggregate, OoniMeasurement
from marsad.publish.sections import Period, source, week_label

TOP_TARGETS = 10


def figures(session: Session, period: Period) -> tuple[dict[str, Any], list[Any]]:
    """Targets confirmed blocked this week, per network, the most blocked ones, per week."""
    m, a = OoniMeasurement, OoniAggregate
    first = period.first_day - timedelta(days=7 * (period.weeks - 1))
    last = period.first_day + timedelta(days=7)
    measured = (
        select(m.day, m.asn, m.target, func.max(m.network))
        .where(m.verdict == "confirmed", m.day >= first, m.day < last)
        .group_by(m.day, m.asn, m.target)
    )
    aggregated = (
        select(a.day, a.asn, a.target, a.test_name)
        .where(a.confirmed_count > 0, a.asn != 0, a.day >= first, a.day < last)
        .distinct()
    )
    per_week: defaultdict[str, set[str]] = defaultdict(set)
    pairs: set[tuple[str, str]] = set()  # (asn, target) of this week
    operators: dict[str, str] = {}
    rows = [(day, asn, target, name) for day, asn, target, name in session.execute(measured)]
    rows += [
        (day, asn, target or test, "") for day, asn, target, test in session.execute(aggregated)
    ]
    for day, asn, target, name in rows:
        label = week_label(day)
        per_week[label].add(target)
        network = f"AS{asn}"
        if name:
            operators[network] = name
        if day >= period.first_day:
            pairs.add((network, target))
    networks = Counter(network for network, _target in pairs)
    targets = Counter(target for _network, target in pairs)
    weeks = period.trend_labels()
    doc = {
        "targets": len(targets),
        "networks": len(networks),
        "by_network": [
            {
                "key": network,
                "label": f"{network} · {operators[network]}" if network in operators else network,
                "count": n,
            }
            for network, n in sorted(networks.items(), key=lambda item: (-item[1], item[0]))
        ],
        "top_targets": [
            {"key": target, "label": target, "count": n}
            for target, n in sorted(targets.items(), key=lambda item: (-item[1], item[0]))[
                :TOP_TARGETS
            ]
        ],
        "targets_per_week": [len(per_week[w]) for w in weeks],
    }
    params = {"verdict": "confirmed", "first_day": first, "last_day": last}
    return doc, [
        source("connectivity.blocking_measured", measured, **params),
        source("connectivity.blocking_aggregated", aggregated, **params),
    ]
