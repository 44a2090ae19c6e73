"""The blocking half's store: import OONI data, say what is blocked now, show one measurement.

The CLI, the pages, the API and the ``connectivity.fetch_ooni`` job all call
these functions. Imports are idempotent: a measurement is one row by its OONI
uid and an aggregation row one row by (test, target, network, country, day), so
a file or an API page read twice doubles nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.connectivity.blocking.fingerprints import (
    Fingerprint,
    Matcher,
    make_fingerprint,
    shipped_fingerprints,
)
from marsad.connectivity.blocking.measurements import (
    BLOCKING_VERDICTS,
    Aggregate,
    Batch,
    Measurement,
    Rejected,
    explorer_url,
    read_file,
)
from marsad.connectivity.blocking.models import (
    BlockpageFingerprint,
    OoniAggregate,
    OoniMeasurement,
)
from marsad.core import audit
from marsad.core.db import new_id, session_scope, utcnow
from marsad.core.errors import NotFound

CHUNK = 500
LINKS_PER_TARGET = 5
_REF_ID_MAX = 200


# --- fingerprints ----------------------------------------------------------------------------


def _from_row(row: BlockpageFingerprint) -> Fingerprint:
    return make_fingerprint(
        {
            "name": row.name,
            "location": row.location,
            "pattern_type": row.pattern_type,
            "pattern": row.pattern,
            "scope": row.scope,
            "countries": row.countries,
            "source": row.source,
            "notes": row.notes,
        },
        where=f"fingerprint {row.name}",
    )


def fingerprint_rows(session: Session) -> list[dict[str, Any]]:
    """Every fingerprint: shipped and staff-added, with where it comes from and whether it is on."""
    stored = {r.name: r for r in session.execute(select(BlockpageFingerprint)).scalars()}
    rows: list[dict[str, Any]] = []
    for fp in shipped_fingerprints():
        row = stored.pop(fp.name, None)
        if row is not None:
            rows.append({**_from_row(row).to_json(), "origin": "database", "enabled": row.enabled})
        else:
            rows.append({**fp.to_json(), "origin": "shipped", "enabled": True})
    for row in sorted(stored.values(), key=lambda r: r.name):
        rows.append({**_from_row(row).to_json(), "origin": "database", "enabled": row.enabled})
    return rows


def active_matcher(session: Session) -> Matcher:
    """The fingerprints in force: the shipped ones, as staff changed, added or turned off."""
    stored = {r.name: r for r in session.execute(select(BlockpageFingerprint)).scalars()}
    chosen = {fp.name: fp for fp in shipped_fingerprints()}
    for name, row in stored.items():
        if row.enabled:
            chosen[name] = _from_row(row)
        else:
            chosen.pop(name, None)
    return Matcher.of(chosen.values())


def save_fingerprints(
    session: Session, *, fingerprints: Sequence[Fingerprint], actor: str
) -> dict[str, int]:
    """Add or replace fingerprints by name (audited); a later import uses them."""
    added = replaced = 0
    for fp in fingerprints:
        row = session.execute(
            select(BlockpageFingerprint).where(BlockpageFingerprint.name == fp.name)
        ).scalar_one_or_none()
        if row is None:
            row = BlockpageFingerprint(name=fp.name)
            session.add(row)
            added += 1
        else:
            replaced += 1
        row.location, row.pattern_type, row.pattern = fp.location, fp.pattern_type, fp.pattern
        row.scope, row.countries = fp.scope[:16], list(fp.countries)
        row.source, row.notes = fp.source, fp.notes
        row.enabled, row.updated_by, row.updated_at = True, actor, utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="connectivity.fingerprints_saved",
        subject_type="connectivity_fingerprint",
        subject_id=",".join(fp.name for fp in fingerprints)[:200],
        details={"added": added, "replaced": replaced},
    )
    return {"added": added, "replaced": replaced}


def disable_fingerprint(session: Session, *, name: str, actor: str) -> None:
    """Turn a fingerprint off (a shipped one is kept in the database as off)."""
    row = session.execute(
        select(BlockpageFingerprint).where(BlockpageFingerprint.name == name)
    ).scalar_one_or_none()
    if row is None:
        shipped = {fp.name: fp for fp in shipped_fingerprints()}
        if name not in shipped:
            raise NotFound("err_connectivity_fingerprint_not_found", f"no fingerprint {name!r}")
        fp = shipped[name]
        row = BlockpageFingerprint(
            name=name,
            location=fp.location,
            pattern_type=fp.pattern_type,
            pattern=fp.pattern,
            scope=fp.scope,
            countries=list(fp.countries),
            source=fp.source,
            notes=fp.notes,
        )
        session.add(row)
    row.enabled, row.updated_by, row.updated_at = False, actor, utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="connectivity.fingerprint_disabled",
        subject_type="connectivity_fingerprint",
        subject_id=name,
    )


# --- import -----------------------------------------------------------------------------------


@dataclass
class FileResult:
    """What one file gave."""

    path: str
    kind: str
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "read": self.read,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": [r.to_json() for r in self.rejected],
        }


def _measurement_row(m: Measurement, source: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "uid": m.uid,
        "test_name": m.test_name,
        "target": m.target,
        "asn": m.asn,
        "network": m.network,
        "cc": m.cc,
        "day": m.day,
        "measured_at": m.measured_at,
        "verdict": m.verdict,
        "blocking": m.blocking,
        "evidence": m.evidence,
        "report_id": m.report_id,
        "input": m.input,
        "raw": m.raw,
        "source": source[:300],
        "imported_at": utcnow(),
    }


def _insert(session: Session, table: Any, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """Insert rows, skipping any a concurrent importer stored first (no error, no double)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(table).on_conflict_do_nothing(index_elements=keys), rows)


def known_uids(session: Session, uids: Sequence[str]) -> set[str]:
    """Which of these OONI uids are stored already."""
    known: set[str] = set()
    for start in range(0, len(uids), CHUNK):
        chunk = [u for u in uids[start : start + CHUNK] if u]
        known.update(
            session.execute(
                select(OoniMeasurement.uid).where(OoniMeasurement.uid.in_(chunk))
            ).scalars()
        )
    return known


def store_measurements(
    session: Session, measurements: Sequence[Measurement], *, source: str
) -> tuple[int, int]:
    """Store new measurements; ``(inserted, duplicates)`` (already stored, by uid)."""
    inserted = duplicates = 0
    for start in range(0, len(measurements), CHUNK):
        chunk = measurements[start : start + CHUNK]
        known = known_uids(session, [m.uid for m in chunk])
        fresh = [_measurement_row(m, source) for m in chunk if m.uid not in known]
        _insert(session, OoniMeasurement.__table__, fresh, ["uid"])
        inserted += len(fresh)
        duplicates += len(chunk) - len(fresh)
    return inserted, duplicates


def store_aggregates(
    session: Session, aggregates: Sequence[Aggregate], *, source: str
) -> tuple[int, int]:
    """Store aggregation rows; one already stored takes the new counts. ``(inserted, updated)``."""
    inserted = updated = 0
    for agg in aggregates:
        row = session.execute(
            select(OoniAggregate).where(
                OoniAggregate.test_name == agg.test_name,
                OoniAggregate.target == agg.target,
                OoniAggregate.asn == agg.asn,
                OoniAggregate.cc == agg.cc,
                OoniAggregate.day == agg.day,
            )
        ).scalar_one_or_none()
        if row is None:
            row = OoniAggregate(
                test_name=agg.test_name, target=agg.target, asn=agg.asn, cc=agg.cc, day=agg.day
            )
            session.add(row)
            inserted += 1
        else:
            updated += 1
        row.measurement_count, row.anomaly_count = agg.measurement_count, agg.anomaly_count
        row.confirmed_count, row.failure_count = agg.confirmed_count, agg.failure_count
        row.ok_count, row.verdict, row.source = agg.ok_count, agg.verdict, source[:300]
        row.imported_at = utcnow()
    session.flush()
    return inserted, updated


def store_batch(session: Session, batch: Batch) -> FileResult:
    """Store what one file gave (inside the caller's transaction)."""
    result = FileResult(path=batch.path, kind=batch.kind, rejected=list(batch.rejected))
    if batch.kind == "aggregates":
        result.read = len(batch.aggregates) + len(batch.rejected)
        result.inserted, result.duplicates = store_aggregates(
            session, batch.aggregates, source=batch.path
        )
    else:
        result.read = len(batch.measurements) + len(batch.rejected)
        result.inserted, result.duplicates = store_measurements(
            session, batch.measurements, source=batch.path
        )
    return result


def import_files(
    sessions: sessionmaker[Session],
    *,
    paths: Iterable[Path],
    actor: str,
    test_name: str | None = None,
    country: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Import OONI files, each in its own transaction; the document ``import-ooni --json`` prints.

    A file that fails as a whole (unreadable, not OONI's format) is reported
    with the reason and the others are still imported: nothing accepted is lost.
    """
    with session_scope(sessions) as session:
        matcher = active_matcher(session)
    files: list[FileResult] = []
    for path in paths:
        if progress:
            progress(f"reading {path.name}")
        batch = read_file(path, matcher=matcher, test_name=test_name, country=country)
        with session_scope(sessions) as session:
            result = store_batch(session, batch)
            audit.record(
                session,
                actor=actor,
                action="connectivity.ooni_imported",
                subject_type="connectivity_import",
                subject_id=path.name[:200],
                details={
                    "kind": result.kind,
                    "inserted": result.inserted,
                    "duplicates": result.duplicates,
                    "rejected": len(result.rejected),
                },
            )
        files.append(result)
    return {
        "files": [f.to_json() for f in files],
        "read": sum(f.read for f in files),
        "inserted": sum(f.inserted for f in files),
        "duplicates": sum(f.duplicates for f in files),
        "rejected": sum(len(f.rejected) for f in files),
    }


# --- reading ----------------------------------------------------------------------------------


def measurement_ref(row: OoniMeasurement) -> str:
    """``ooni:<uid>``, or ``ooni:<id>`` when the uid cannot be written as a reference."""
    uid = row.uid
    if len(uid) <= _REF_ID_MAX and not any(c.isspace() for c in uid):
        return f"ooni:{uid}"
    return f"ooni:{row.id}"


def measurement_json(row: OoniMeasurement, *, full: bool = False) -> dict[str, Any]:
    """A measurement as the API and ``--json`` show it (``full`` adds evidence and raw keys)."""
    doc: dict[str, Any] = {
        "id": row.id,
        "uid": row.uid,
        "ref": measurement_ref(row),
        "test_name": row.test_name,
        "target": row.target,
        "asn": row.asn,
        "network": row.network,
        "cc": row.cc,
        "day": row.day.isoformat(),
        "measured_at": row.measured_at.isoformat(),
        "verdict": row.verdict,
        "blocking": row.blocking,
        "url": f"/connectivity/measurements/{row.id}",
        "explorer_url": explorer_url(row.uid, row.report_id, row.input),
    }
    if full:
        doc["evidence"] = row.evidence
        doc["report_id"] = row.report_id
        doc["source"] = row.source
        doc["raw"] = row.raw
    return doc


def get_measurement(session: Session, *, ident: str) -> OoniMeasurement:
    """A stored measurement by its Marsad id or its OONI uid; NotFound otherwise."""
    row = session.execute(
        select(OoniMeasurement).where(
            (OoniMeasurement.uid == ident) | (OoniMeasurement.id == ident)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            "err_connectivity_measurement_not_found", f"no measurement {ident[:80]!r}", "id"
        )
    return row


def _day_status(counts: dict[str, int]) -> str:
    """A target's status on a network for a day from its measurements' verdicts.

    Confirmed on any confirmed measurement; anomaly when anomalies are at least as
    many as reachable ones (one odd probe among many clean ones is not blocking).
    """
    if counts.get("confirmed"):
        return "confirmed"
    if counts.get("anomaly") and counts["anomaly"] >= counts.get("ok", 0):
        return "anomaly"
    if counts.get("ok"):
        return "ok"
    return "failure"


def _since(value: date | None) -> Any:
    return True if value is None else OoniMeasurement.day >= value


def blocked_now(
    session: Session,
    *,
    country: str | None = None,
    since: date | None = None,
    confirmed_only: bool = False,
) -> dict[str, Any]:
    """What is blocked now, per network: each target whose latest measured day shows blocking.

    "Now" is each target's latest day measured on that network (on or after
    ``since``): a target measured as reachable after a day of blocking is not listed.
    The document ``marsad connectivity blocked --json`` prints and the page shows.
    """
    m = OoniMeasurement
    where = [m.verdict != "other", _since(since)]
    if country:
        where.append(m.cc == country.upper())
    # One pass over the counts per day (an index-friendly GROUP BY), the latest day kept per
    # target and network in Python: far cheaper on SQLite than joining a max() subquery.
    counted = session.execute(
        select(m.test_name, m.target, m.asn, m.day, m.verdict, func.count())
        .where(*where)
        .group_by(m.test_name, m.target, m.asn, m.day, m.verdict)
    ).all()
    days: dict[tuple[str, str, int], dict[str, Any]] = {}
    for test, target, asn, day, verdict, n in counted:
        entry = days.get((test, target, asn))
        if entry is None or day > entry["day"]:
            entry = days[(test, target, asn)] = {"day": day, "counts": {}}
        if day == entry["day"]:
            entry["counts"][verdict] = n
    wanted = ("confirmed",) if confirmed_only else BLOCKING_VERDICTS
    listed = {key for key, entry in days.items() if _day_status(entry["counts"]) in wanted}
    # One query for the links of every listed target: its latest day's blocking measurements.
    links: dict[tuple[str, str, int], list[OoniMeasurement]] = defaultdict(list)
    kinds: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    prints: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    if listed:
        first_day = min(days[key]["day"] for key in listed)
        rows = session.execute(
            select(m)
            .where(*where, m.day >= first_day, m.verdict.in_(BLOCKING_VERDICTS))
            .order_by(m.measured_at.desc())
        ).scalars()
        for row in rows:
            key = (row.test_name, row.target, row.asn)
            if key not in listed or row.day != days[key]["day"]:
                continue
            if row.blocking:
                kinds[key].add(row.blocking)
            if row.evidence.get("fingerprint"):
                prints[key].add(str(row.evidence["fingerprint"]))
            if len(links[key]) < LINKS_PER_TARGET:
                links[key].append(row)
    entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for key in listed:
        test, target, asn = key
        entry, rows = days[key], links[key]
        entries[asn].append(
            {
                "target": target,
                "test_name": test,
                "status": _day_status(entry["counts"]),
                "day": entry["day"].isoformat(),
                "basis": "measurements",
                "counts": dict(sorted(entry["counts"].items())),
                "blocking": sorted(kinds[key]),
                "fingerprints": sorted(prints[key]),
                "measurements": [measurement_json(r) for r in rows],
            }
        )
    _add_aggregates(session, entries, country=country, since=since, wanted=wanted)
    names = _network_names(session, list(entries))
    networks = [
        {
            "asn": asn,
            "network": names.get(asn, ""),
            "targets": sorted(items, key=lambda e: (e["status"] != "confirmed", e["target"])),
        }
        for asn, items in sorted(entries.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return {
        "country": country.upper() if country else None,
        "since": since.isoformat() if since else None,
        "networks": networks,
        "count": sum(len(n["targets"]) for n in networks),
    }


def _add_aggregates(
    session: Session,
    entries: dict[int, list[dict[str, Any]]],
    *,
    country: str | None,
    since: date | None,
    wanted: Sequence[str],
) -> None:
    """Per-network aggregation rows whose latest day shows blocking (measurements win)."""
    a = OoniAggregate
    where = [a.asn != 0]
    if since is not None:
        where.append(a.day >= since)
    if country:
        where.append(a.cc == country.upper())
    latest = (
        select(a.test_name, a.target, a.asn, func.max(a.day).label("day"))
        .where(*where)
        .group_by(a.test_name, a.target, a.asn)
        .subquery()
    )
    rows = session.execute(
        select(a).join(
            latest,
            and_(
                a.test_name == latest.c.test_name,
                a.target == latest.c.target,
                a.asn == latest.c.asn,
                a.day == latest.c.day,
            ),
        )
    ).scalars()
    for row in rows:
        if row.verdict not in wanted or (country and row.cc != country.upper()):
            continue
        target = row.target or row.test_name
        known = {(e["test_name"], e["target"]) for e in entries.get(row.asn, [])}
        if (row.test_name, target) in known:
            continue  # the measurements themselves say more
        entries[row.asn].append(
            {
                "target": target,
                "test_name": row.test_name,
                "status": row.verdict,
                "day": row.day.isoformat(),
                "basis": "aggregate",
                "counts": {
                    "measurements": row.measurement_count,
                    "anomaly": row.anomaly_count,
                    "confirmed": row.confirmed_count,
                    "failure": row.failure_count,
                    "ok": row.ok_count,
                },
                "blocking": [],
                "fingerprints": [],
                "measurements": [],
            }
        )


def _network_names(session: Session, asns: list[int]) -> dict[int, str]:
    """An operator name the ASN's measurements gave (probes name their network)."""
    if not asns:
        return {}
    m = OoniMeasurement
    rows = session.execute(
        select(m.asn, func.max(m.network)).where(m.asn.in_(asns), m.network != "").group_by(m.asn)
    ).all()
    return {int(asn): str(name) for asn, name in rows}


def target_history(
    session: Session, *, target: str, asn: int | None = None, since: date | None = None
) -> dict[str, Any]:
    """A target's status per network and day, from its measurements and aggregation rows.

    The document ``marsad connectivity history --json`` prints: for each network, each
    day measured with its status (as :func:`blocked_now` reads a day) and the counts.
    """
    m = OoniMeasurement
    where = [m.target == target, m.verdict != "other", _since(since)]
    if asn is not None:
        where.append(m.asn == asn)
    days: dict[int, dict[date, dict[str, Any]]] = defaultdict(dict)
    for asn_, day, verdict, n in session.execute(
        select(m.asn, m.day, m.verdict, func.count())
        .where(*where)
        .group_by(m.asn, m.day, m.verdict)
    ):
        entry = days[asn_].setdefault(day, {"basis": "measurements", "counts": {}})
        entry["counts"][verdict] = n
    a = OoniAggregate
    agg_where = [(a.target == target) | ((a.target == "") & (a.test_name == target)), a.asn != 0]
    if asn is not None:
        agg_where.append(a.asn == asn)
    if since is not None:
        agg_where.append(a.day >= since)
    for row in session.execute(select(a).where(*agg_where)).scalars():
        days[row.asn].setdefault(
            row.day,
            {
                "basis": "aggregate",
                "status": row.verdict,
                "counts": {
                    "measurements": row.measurement_count,
                    "anomaly": row.anomaly_count,
                    "confirmed": row.confirmed_count,
                    "failure": row.failure_count,
                    "ok": row.ok_count,
                },
            },
        )
    names = _network_names(session, list(days))
    networks = []
    for asn_ in sorted(days):
        items = []
        for day in sorted(days[asn_]):
            entry = days[asn_][day]
            status = entry.get("status") or _day_status(entry["counts"])
            items.append(
                {
                    "day": day.isoformat(),
                    "status": status,
                    "basis": entry["basis"],
                    "counts": dict(sorted(entry["counts"].items())),
                }
            )
        networks.append({"asn": asn_, "network": names.get(asn_, ""), "days": items})
    return {"target": target, "networks": networks}
