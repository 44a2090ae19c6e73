"""The outages service: what the CLI, the web pages and the jobs call.

Signals go in (``import_signals``), detection turns them into events
(``detect_outages``, which saves new events and emits ``connectivity.outage``),
staff add and edit events by hand and link them to other records, and the
public reads events (``list_events``, ``event_public``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.connectivity.outages import networks as nets
from marsad.connectivity.outages.detection import (
    Event,
    Params,
    Scoping,
    detect_events,
    events_document,
)
from marsad.connectivity.outages.models import ConnectivityEvent, ConnectivityEventLink
from marsad.connectivity.outages.signals import ParsedSignals, read_signals
from marsad.connectivity.outages.store import read_series, serialise_writers, write_series
from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.events import emit

SCOPES = ("national", "regional", "network")
TYPES = ("full", "throttling", "service-based")
STATUSES = ("detected", "confirmed", "rejected")
# STOP's per-service columns, in its order.
SERVICES = ("facebook", "twitter", "whatsapp", "instagram", "telegram", "other", "sms", "phonecall")


@dataclass
class ImportResult:
    file: str
    rows: int
    series: int
    points: int
    gaps: int
    reordered: int
    rejected: int
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_signals(session: Session, *, path: Path, actor: str) -> ImportResult:
    """Read one signals file and merge its points into the store."""
    parsed: ParsedSignals = read_signals(path)
    written = write_series(session, parsed.series)
    audit.record(
        session,
        actor=actor,
        action="connectivity.signals_imported",
        subject_type="signals_file",
        subject_id=path.name[:100],
        details={"points": written.points, "rejected": parsed.rejected},
    )
    return ImportResult(
        file=path.name,
        rows=parsed.rows,
        series=len(parsed.series),
        points=written.points,
        gaps=parsed.gaps,
        reordered=parsed.reordered,
        rejected=parsed.rejected,
        errors=[e.to_json() for e in parsed.errors],
    )


def _data_scoping(series_codes: set[str]) -> Scoping:
    """Scoping against the networks actually present in the signals (at least two)."""
    known = len(nets.networks())
    present = len({c for c in series_codes if nets.is_asn(c)})
    return Scoping(networks=max(present, 2) if present else known, region_of=nets.region_of)


def find_outages(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    params: Params | None = None,
) -> list[Event]:
    """Detect events in the stored signals, without saving anything."""
    series = read_series(
        session,
        since=int(since.timestamp()) if since else None,
        until=int(until.timestamp()) if until else None,
    )
    return detect_events(series, _data_scoping({s.entity_code for s in series}), params)


def _fingerprint(event: Event) -> str:
    # The same outage detected again (a re-run, a job delivered twice) is one event.
    key = f"{event.start}|{event.scope}|{','.join(event.entities)}"
    return "detected:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _when(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def _governorates(codes: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for code in codes:
        found.update(nets.governorates_of(code))
    return sorted(found)


def save_detected(
    session: Session, events: Iterable[Event], *, actor: str, settings: Any = None
) -> list[str]:
    """Store detected events that are not stored yet; emit ``connectivity.outage`` for each."""
    serialise_writers(session)  # two detections at once must not both insert one event
    created = []
    for event in events:
        fingerprint = _fingerprint(event)
        if session.scalar(
            select(ConnectivityEvent.id).where(ConnectivityEvent.fingerprint == fingerprint)
        ):
            continue
        row = ConnectivityEvent(
            start=_when(event.start),
            end=_when(event.end),
            scope=event.scope,
            shutdown_type="full" if event.depth >= 0.8 else "throttling",
            governorates=_governorates(event.entities),
            networks=[c for c in event.entities if nets.is_asn(c)],
            entities=list(event.entities),
            signal_sources=list(event.sources),
            depth=event.depth,
            origin="detected",
            status="detected",
            fingerprint=fingerprint,
            sources=[{"name": "Marsad outage detection", "url": ""}],
            created_by=actor,
        )
        session.add(row)
        session.flush()
        emit(
            session,
            "connectivity.outage",
            {
                "event_id": row.id,
                "scope": row.scope,
                "entities": list(row.entities),
                "start": row.start.isoformat(),
                "end": row.end.isoformat() if row.end else None,
            },
            settings=settings,
        )
        created.append(row.id)
    if created:
        audit.record(
            session,
            actor=actor,
            action="connectivity.outages_detected",
            subject_type="connectivity_event",
            subject_id=created[0],
            details={"created": len(created)},
        )
    return created


def detect_outages(
    session: Session,
    *,
    actor: str,
    since: datetime | None = None,
    until: datetime | None = None,
    save: bool = True,
    params: Params | None = None,
    settings: Any = None,
) -> dict[str, Any]:
    """Detect, optionally save, and return ``{"events": [...]}`` (plus ``created`` when saved).

    ``settings`` decide which plugins hear ``connectivity.outage`` (default: the built-ins).
    """
    events = find_outages(session, since=since, until=until, params=params)
    document = events_document(events)
    if save:
        created = save_detected(session, events, actor=actor, settings=settings)
        document["created"] = len(created)
    return document


# ---- events by hand -----------------------------------------------------------------------


def _choice(value: str, allowed: tuple[str, ...], where: str) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise InvalidInput(
            "err_event_invalid", f"must be one of {', '.join(allowed)}, not {value!r}", where
        )
    return value


def _pcodes(values: Iterable[str], where: str) -> list[str]:
    result = []
    for value in values:
        if not value.strip():
            continue
        pcode = nets.region_pcode(value)
        if pcode is None:
            raise InvalidInput("err_event_invalid", f"unknown governorate {value[:40]!r}", where)
        result.append(pcode)
    return sorted(set(result))


@dataclass
class EventInput:
    """What a person types to record or edit an event (validated by :func:`clean_event`)."""

    start: datetime
    end: datetime | None = None
    scope: str = "national"
    shutdown_type: str = "full"
    governorates: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    ordered_by: str = ""
    justification: str = ""
    cause: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    note: str = ""
    status: str = "confirmed"


def clean_event(data: EventInput) -> dict[str, Any]:
    """The columns of an event from a person's input; InvalidInput names the field."""
    start = data.start if data.start.tzinfo else data.start.replace(tzinfo=UTC)
    end = data.end if (data.end is None or data.end.tzinfo) else data.end.replace(tzinfo=UTC)
    if end is not None and end <= start:
        raise InvalidInput("err_event_invalid", "the end must be after the start", "end")
    services = [_choice(s, SERVICES, "services") for s in data.services if s.strip()]
    try:
        networks = sorted({nets.normalise_asn(n) for n in data.networks if n.strip()})
    except InvalidInput as exc:
        raise InvalidInput(exc.code, exc.message, "networks") from None
    for i, source in enumerate(data.sources):
        url = (source.get("url") or "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise InvalidInput(
                "err_event_invalid", "a source link must be http(s)", f"sources[{i}]"
            )
    return {
        "start": start,
        "end": end,
        "scope": _choice(data.scope, SCOPES, "scope"),
        "shutdown_type": _choice(data.shutdown_type, TYPES, "type"),
        "governorates": _pcodes(data.governorates, "governorates"),
        "networks": networks,
        "services": sorted(set(services)),
        "ordered_by": data.ordered_by.strip()[:200],
        "justification": data.justification.strip(),
        "cause": data.cause.strip()[:200],
        "sources": [
            {"name": (s.get("name") or "").strip()[:200], "url": (s.get("url") or "").strip()}
            for s in data.sources
            if (s.get("name") or s.get("url") or "").strip()
        ],
        "note": data.note.strip(),
        "status": _choice(data.status, STATUSES, "status"),
    }


def create_event(session: Session, *, data: EventInput, actor: str) -> ConnectivityEvent:
    """Record an event by hand."""
    columns = clean_event(data)
    row = ConnectivityEvent(
        **columns, entities=list(columns["networks"]), origin="manual", created_by=actor
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="connectivity.event_created",
        subject_type="connectivity_event", subject_id=row.id, details={"scope": row.scope},
    )  # fmt: skip
    return row


def update_event(
    session: Session, *, event_id: str, data: EventInput, actor: str
) -> ConnectivityEvent:
    """Edit an event's STOP fields (a detected event keeps its signal facts)."""
    row = get_event(session, event_id=event_id)
    for key, value in clean_event(data).items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    audit.record(
        session, actor=actor, action="connectivity.event_updated",
        subject_type="connectivity_event", subject_id=row.id, details={"status": row.status},
    )  # fmt: skip
    return row


def set_status(session: Session, *, event_id: str, status: str, actor: str) -> ConnectivityEvent:
    """Confirm or reject an event (a rejected one leaves every public view)."""
    row = get_event(session, event_id=event_id)
    row.status = _choice(status, STATUSES, "status")
    row.updated_at = utcnow()
    audit.record(
        session, actor=actor, action="connectivity.event_status",
        subject_type="connectivity_event", subject_id=row.id, details={"status": row.status},
    )  # fmt: skip
    return row


def get_event(session: Session, *, event_id: str) -> ConnectivityEvent:
    row = session.get(ConnectivityEvent, event_id)
    if row is None:
        raise NotFound("err_event_not_found", "no such connectivity event", where=event_id[:40])
    return row


def list_events(
    session: Session,
    *,
    public: bool = True,
    since: datetime | None = None,
    until: datetime | None = None,
    governorate: str | None = None,
    limit: int = 500,
) -> list[ConnectivityEvent]:
    """Events, newest first; the public never sees rejected ones."""
    query = select(ConnectivityEvent).order_by(ConnectivityEvent.start.desc()).limit(limit)
    if public:
        query = query.where(ConnectivityEvent.status != "rejected")
    if since is not None:
        query = query.where(ConnectivityEvent.start >= since)
    if until is not None:
        query = query.where(ConnectivityEvent.start < until)
    rows = list(session.scalars(query))
    if governorate:
        rows = [r for r in rows if governorate in r.governorates or r.scope == "national"]
    return rows


def link_event(session: Session, *, event_id: str, ref: str, types: Any, actor: str) -> str:
    """Link an event to a report, evidence item or OONI measurement by typed reference.

    The reference must point at an existing record (its owner resolves it).
    """
    from marsad.core.refs import resolve_ref

    get_event(session, event_id=event_id)
    text = resolve_ref(session, ref.strip(), types, where="ref").ref
    exists = session.scalar(
        select(ConnectivityEventLink.id).where(
            ConnectivityEventLink.event_id == event_id, ConnectivityEventLink.ref == text
        )
    )
    if not exists:
        session.add(ConnectivityEventLink(event_id=event_id, ref=text, created_by=actor))
        session.flush()
        audit.record(
            session, actor=actor, action="connectivity.event_linked",
            subject_type="connectivity_event", subject_id=event_id, details={"ref": text},
        )  # fmt: skip
    return text


def event_links(session: Session, *, event_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ConnectivityEventLink.ref)
            .where(ConnectivityEventLink.event_id == event_id)
            .order_by(ConnectivityEventLink.id)
        )
    )


def event_public(row: ConnectivityEvent, links: list[str] | None = None) -> dict[str, Any]:
    """An event as the public (page, JSON, export) sees it: no staff note, no author."""
    return {
        "id": row.id,
        "start": row.start.isoformat().replace("+00:00", "Z"),
        "end": row.end.isoformat().replace("+00:00", "Z") if row.end else None,
        "scope": row.scope,
        "type": row.shutdown_type,
        "governorates": list(row.governorates or []),
        "networks": list(row.networks or []),
        "entities": list(row.entities or []),
        "services": list(row.services or []),
        "ordered_by": row.ordered_by,
        "justification": row.justification,
        "cause": row.cause,
        "sources": list(row.sources or []),
        "signal_sources": list(row.signal_sources or []),
        "depth": row.depth,
        "origin": row.origin,
        "status": row.status,
        "links": list(links or []),
    }
