"""Scheduled shutdowns: exam timetables entered in advance, matched with what was measured.

The ministry of education and the KRG announce exam days and hours in local
time, so a timetable entry is a date and two times in Baghdad time (UTC+3, no
daylight saving); it is stored in UTC. ``region`` says who is to be cut:
``national`` (all Iraq), ``federal`` (Iraq outside the Kurdistan Region) or
``kurdistan``.

Matching compares entries with the stored national and regional events
(single-network outages happen for technical reasons and are left out):

- announced and measured: an event overlaps the entry (30 minutes of slack)
  in a compatible region;
- announced but not measured: no such event;
- measured but not announced: an event no entry explains — the news.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.connectivity.outages import networks as nets
from marsad.connectivity.outages.models import ConnectivityEvent, ScheduledShutdown
from marsad.core import audit
from marsad.core.errors import InvalidInput

BAGHDAD = ZoneInfo("Asia/Baghdad")
REGIONS = ("national", "federal", "kurdistan")
COLUMNS = ("date", "from", "to", "region", "authority", "title", "source_url")
SLACK = timedelta(minutes=30)


@dataclass(frozen=True)
class Entry:
    """One timetable line as a person writes it (local Baghdad date and times)."""

    date: str
    start: str
    end: str
    region: str = "national"
    authority: str = ""
    title: str = ""
    source_url: str = ""


def _local(date: str, clock: str, field_name: str) -> datetime:
    try:
        day = datetime.strptime(date.strip(), "%Y-%m-%d")
    except ValueError:
        raise InvalidInput("err_schedule_invalid", f"not a date YYYY-MM-DD: {date[:20]!r}",
                           "date") from None  # fmt: skip
    try:
        hour, minute = (int(p) for p in clock.strip().split(":"))
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise ValueError
    except ValueError:
        raise InvalidInput("err_schedule_invalid", f"not a time HH:MM: {clock[:20]!r}",
                           field_name) from None  # fmt: skip
    return day.replace(hour=hour, minute=minute, tzinfo=BAGHDAD).astimezone(UTC)


def clean_entry(entry: Entry) -> dict[str, Any]:
    """The columns of a timetable line; InvalidInput names the field at fault."""
    start = _local(entry.date, entry.start, "from")
    end = _local(entry.date, entry.end, "to")
    if end <= start:
        end += timedelta(days=1)  # a cut announced 22:00-02:00 ends the next day
    region = entry.region.strip().lower()
    if region not in REGIONS:
        raise InvalidInput(
            "err_schedule_invalid", f"region must be one of {', '.join(REGIONS)}", "region"
        )
    url = entry.source_url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput("err_schedule_invalid", "the source must be an http(s) link",
                           "source_url")  # fmt: skip
    return {
        "start": start,
        "end": end,
        "region": region,
        "authority": entry.authority.strip()[:200],
        "title": entry.title.strip()[:300],
        "source_url": url,
    }


def add_entry(session: Session, *, entry: Entry, actor: str) -> tuple[ScheduledShutdown, bool]:
    """Store a timetable line; the same start and region twice is one line (False: existed)."""
    columns = clean_entry(entry)
    existing = session.scalar(
        select(ScheduledShutdown).where(
            ScheduledShutdown.start == columns["start"],
            ScheduledShutdown.region == columns["region"],
        )
    )
    if existing is not None:
        return existing, False
    row = ScheduledShutdown(**columns, created_by=actor)
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="connectivity.schedule_added",
        subject_type="scheduled_shutdown", subject_id=str(row.id),
        details={"region": row.region},
    )  # fmt: skip
    return row, True


@dataclass
class ScheduleImport:
    file: str
    rows: int = 0
    added: int = 0
    already: int = 0
    rejected: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_csv(session: Session, *, path: Path, actor: str) -> ScheduleImport:
    """A timetable CSV (date, from, to, region, authority, title, source_url)."""
    if not path.is_file():
        raise InvalidInput("err_file_missing", "no such file", where=str(path))
    result = ScheduleImport(file=path.name)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [(h or "").strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in COLUMNS[:3] if c not in header]
        if missing:
            raise InvalidInput(
                "err_schedule_columns",
                f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}",
                where=f"{path.name}: row 1",
            )
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
            result.rows += 1
            entry = Entry(
                date=row["date"], start=row["from"], end=row["to"],
                region=row.get("region") or "national", authority=row.get("authority", ""),
                title=row.get("title", ""), source_url=row.get("source_url", ""),
            )  # fmt: skip
            try:
                _row, added = add_entry(session, entry=entry, actor=actor)
            except InvalidInput as exc:
                result.rejected += 1
                result.errors.append(
                    {"where": f"{path.name}: row {number}, {exc.where}", "reason": exc.message}
                )
                continue
            result.added += int(added)
            result.already += int(not added)
    return result


def list_entries(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> list[ScheduledShutdown]:
    query = select(ScheduledShutdown).order_by(ScheduledShutdown.start)
    if since is not None:
        query = query.where(ScheduledShutdown.end >= since)
    if until is not None:
        query = query.where(ScheduledShutdown.start < until)
    return list(session.scalars(query))


def event_region(event: ConnectivityEvent) -> str:
    """national, kurdistan or federal: where an event's governorates lie."""
    if event.scope == "national":
        return "national"
    places = set(event.governorates or [])
    if places and places <= nets.KURDISTAN_GOVERNORATES:
        return nets.KURDISTAN
    if places and not places & nets.KURDISTAN_GOVERNORATES:
        return nets.FEDERAL
    return "national"


def _compatible(entry_region: str, region: str) -> bool:
    return "national" in (entry_region, region) or entry_region == region


def entry_json(row: ScheduledShutdown) -> dict[str, Any]:
    return {
        "id": row.id,
        "start": row.start.isoformat().replace("+00:00", "Z"),
        "end": row.end.isoformat().replace("+00:00", "Z"),
        "region": row.region,
        "authority": row.authority,
        "title": row.title,
        "source_url": row.source_url,
    }


def match(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> dict[str, Any]:
    """Announced and measured, announced but not measured, measured but not announced."""
    entries = list_entries(session, since=since, until=until)
    query = select(ConnectivityEvent).where(
        ConnectivityEvent.status != "rejected",
        ConnectivityEvent.scope.in_(("national", "regional")),
        ConnectivityEvent.shutdown_type != "service-based",
    )
    if since is not None:
        query = query.where(ConnectivityEvent.start >= since - SLACK)
    if until is not None:
        query = query.where(ConnectivityEvent.start < until + SLACK)
    events = list(session.scalars(query.order_by(ConnectivityEvent.start)))
    explained: set[str] = set()
    matched, missing = [], []
    for entry in entries:
        hits = [
            e
            for e in events
            if e.start < entry.end + SLACK
            and (e.end or e.start) > entry.start - SLACK
            and _compatible(entry.region, event_region(e))
        ]
        explained.update(e.id for e in hits)
        item = {"schedule": entry_json(entry), "events": [e.id for e in hits]}
        (matched if hits else missing).append(item)
    unannounced = [
        {
            "id": e.id,
            "start": e.start.isoformat().replace("+00:00", "Z"),
            "end": e.end.isoformat().replace("+00:00", "Z") if e.end else None,
            "scope": e.scope,
            "region": event_region(e),
        }
        for e in events
        if e.id not in explained
    ]
    return {
        "announced_and_measured": matched,
        "announced_not_measured": missing,
        "measured_not_announced": unannounced,
    }
