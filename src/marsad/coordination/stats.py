"""Coordinated groups found, for the dashboards and the weekly report.

Counts only: how many detection runs were made and how many groups they found
per week, and the groups of the period's runs by method and size. No account
name or evidence leaves this module (those stay on the staff pages).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.coordination.models import CoordinationRun
from marsad.core.i18n.markers import N_
from marsad.publish.sections import Figures, Period, Section, as_date, local_day, source, week_label


def compute(session: Session, period: Period, settings: Any) -> Figures:  # noqa: ARG001
    """Runs and groups per week of the trend window; this week's groups by method and size."""
    day = local_day(CoordinationRun.created_at, session.get_bind().dialect.name, period.timezone)
    trend_query = (
        select(day, func.count(), func.sum(CoordinationRun.clusters))
        .where(
            CoordinationRun.created_at >= period.trend_start,
            CoordinationRun.created_at < period.end,
        )
        .group_by(day)
    )
    runs: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for value, n, clusters in session.execute(trend_query):
        week = week_label(as_date(value))
        runs[week] += n
        groups[week] += int(clusters or 0)
    week_query = select(CoordinationRun.result["clusters"]).where(
        CoordinationRun.created_at >= period.start, CoordinationRun.created_at < period.end
    )
    by_method: Counter[str] = Counter()
    sizes: list[int] = []
    for (clusters,) in session.execute(week_query):
        for cluster in clusters or []:
            by_method[str(cluster.get("method") or "unknown")] += 1
            sizes.append(int(cluster.get("size") or len(cluster.get("accounts") or [])))
    weeks = period.trend_labels()
    params = {"start": period.trend_start, "end": period.end, "timezone": period.timezone}
    return {
        "weeks": weeks,
        "runs": [runs[w] for w in weeks],
        "groups": [groups[w] for w in weeks],
        "week": {
            "groups": len(sizes),
            "accounts": sum(sizes),
            "largest": max(sizes, default=0),
            "by_method": [
                {"key": method, "label": method, "count": n}
                for method, n in sorted(by_method.items(), key=lambda item: (-item[1], item[0]))
            ],
        },
        "sources": [
            source("coordination.runs_and_groups_per_week", trend_query, **params),
            source(
                "coordination.week_groups",
                week_query,
                start=period.start,
                end=period.end,
                note="clusters of each run: method and size only",
            ),
        ],
    }


SECTION = Section(
    key="coordination",
    title=N_("Coordinated groups"),
    order=40,
    compute=compute,
    template="coordination/stats_section.html",
    description=N_("Groups of accounts acting together, found by the coordination runs."),
)
