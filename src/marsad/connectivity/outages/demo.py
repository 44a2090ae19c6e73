"""Sample connectivity data for ``marsad demo``: three weeks of generated signals with
planted cuts, the events found in them, and an exam timetable that explains some."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from marsad.connectivity.outages import schedule, service
from marsad.connectivity.outages.detection import DAY, Series
from marsad.connectivity.outages.models import SignalChunk
from marsad.connectivity.outages.store import write_series
from marsad.connectivity.outages.synthetic import generate
from marsad.core.db import session_scope

# The generator's made-up ASNs shown as real Iraqi networks of both regions.
DEMO_NETWORKS = {
    "AS64512": "AS21277", "AS64513": "AS50710", "AS64514": "AS203214",
    "AS64515": "AS48492", "AS64516": "AS58322", "AS64517": "AS199739",
}  # fmt: skip


def load_demo(sessions: Any) -> list[str]:
    """Store the sample (once), detect, and enter two announced exam sessions."""
    with session_scope(sessions) as session:
        if session.scalar(select(func.count()).select_from(SignalChunk)):
            return []
    start = int(datetime(2026, 5, 10, tzinfo=UTC).timestamp()) // DAY * DAY
    generated = generate(networks=6, days=21, outages=6, seed=23, start=start)
    series = [
        Series(
            s.entity_type,
            DEMO_NETWORKS.get(s.entity_code, s.entity_code),
            s.source,
            s.timestamps,
            s.values,
        )  # fmt: skip
        for s in generated.series
    ]
    with session_scope(sessions) as session:
        points = write_series(session, series).points
        document = service.detect_outages(session, actor="demo")
        first = min((p for p in generated.planted if p.scope != "network"),
                    key=lambda p: p.start)  # fmt: skip
        moment = datetime.fromtimestamp(first.start, tz=schedule.BAGHDAD)
        schedule.add_entry(
            session,
            entry=schedule.Entry(
                date=f"{moment:%Y-%m-%d}", start=f"{moment:%H:%M}",
                end=f"{datetime.fromtimestamp(first.end, tz=schedule.BAGHDAD):%H:%M}",
                region="national", authority="Ministry of Education (sample)",
                title="Sample exam session",
            ),
            actor="demo",
        )  # fmt: skip
        schedule.add_entry(
            session,
            entry=schedule.Entry(
                date="2026-05-31",
                start="06:00",
                end="08:00",
                region="kurdistan",
                authority="KRG (sample)",
                title="Sample exam session, not measured",
            ),  # fmt: skip
            actor="demo",
        )
    return [
        f"connectivity signals stored: {points}",
        f"connectivity events detected: {len(document['events'])}",
    ]
