"""Import of IODA's curated list of investigated outages (a messy spreadsheet export).

The file (InetIntel's ``ioda_investigated_outages_cleaned``) has one row per
outage with columns ``ID, Begin time, End time, Country``, three "visible by
human" booleans (BGP, AP = active probing, IBR = the network telescope),
``Scope`` (``Country``, ``Region (Ninawa)``, ``AS (50710)``), ``Cause`` and
``Confirmation Status``. Dates are written like ``Wednesday, June 13, 2018,
3:00 AM`` with variants (no comma after the weekday, ``3:20: AM``); they are
read as UTC, which is how IODA shows time. Booleans are ``TRUE``, ``True ``,
``ture``, ``FALSE``, ``N/A`` or empty.

Each row of the chosen country is either turned into an event (the row's ID
makes a second import change nothing) or rejected with the reason; rows of
other countries are counted and skipped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.connectivity.outages import networks as nets
from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.core import audit
from marsad.core.errors import InvalidInput

SOURCE_NAME = "IODA investigated outages (Georgia Tech Internet Intelligence Lab)"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )  # fmt: skip
}
_DATE = re.compile(
    r"^\s*(?:[A-Za-z]+,?\s+)?(?P<month>[A-Za-z]+)\s+(?P<day>\d{1,2}),?\s*(?P<year>\d{4}),?\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{0,2}))?:?\s*(?P<ampm>[AaPp][Mm])?\s*$"
)
_TRUE = {"true", "ture", "yes", "y", "t", "1"}
_FALSE = {"false", "no", "n", "f", "0"}
_EMPTY = {"", "n/a", "na", "-"}
# IODA's region names that the gazetteer spells otherwise.
_REGION_NAMES = {"ninawa": "IQG15", "at ta mim": "IQG13", "tamim": "IQG13", "arbil": "IQG11"}
_SIGNALS = (
    ("IODA BGP visible by human", "bgp"),
    ("IODA AP visible by human", "ping-slash24"),
    ("IODA IBR visible by human", "merit-nt"),
)


def parse_ioda_time(text: str) -> datetime:
    """``Wednesday, June 13, 2018, 3:00 AM`` (and its variants) as UTC; ValueError otherwise."""
    match = _DATE.match(text or "")
    if not match:
        raise ValueError(f"unreadable date {text.strip()[:40]!r}")
    month = _MONTHS.get(match["month"].lower())
    if month is None:
        raise ValueError(f"unknown month {match['month'][:12]!r}")
    hour = int(match["hour"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    return datetime(
        int(match["year"]), month, int(match["day"]), hour, int(match["minute"]),
        int(match["second"] or 0), tzinfo=UTC,
    )  # fmt: skip


def parse_flag(text: str | None, column: str) -> bool | None:
    """A spreadsheet boolean; None when empty or N/A; ValueError naming the column otherwise."""
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value in _EMPTY:
        return None
    raise ValueError(f"{column}: not a yes/no value: {text!r}")


def _region(name: str) -> str | None:
    folded = re.sub(r"[^a-z0-9]+", " ", name.lower()).strip()
    return _REGION_NAMES.get(folded) or nets.region_pcode(name)


@dataclass
class IodaImport:
    file: str
    rows: int = 0
    other_countries: int = 0
    created: int = 0
    already: int = 0
    rejected: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _columns(row: dict[str, str]) -> dict[str, str]:
    # The export's headers carry stray spaces and a BOM; match them loosely.
    return {(k or "").strip().lstrip("\ufeff"): (v or "") for k, v in row.items()}


def row_to_event(row: dict[str, str]) -> dict[str, Any]:
    """The event columns of one row; ValueError with the reason when it cannot be used."""
    ident = row.get("ID", "").strip()
    if not ident:
        raise ValueError("ID is empty")
    start = parse_ioda_time(row.get("Begin time", ""))
    end = parse_ioda_time(row.get("End time", ""))
    if end <= start:
        raise ValueError(f"ends ({end:%Y-%m-%d %H:%M}) before it begins ({start:%Y-%m-%d %H:%M})")
    signals = [name for column, name in _SIGNALS if parse_flag(row.get(column), column)]
    scope_text = next((v for k, v in row.items() if k.startswith("Scope")), "").strip()
    kind, _, inner = scope_text.partition("(")
    kind, inner = kind.strip().lower(), inner.rstrip(") ").strip()
    governorates: list[str] = []
    networks: list[str] = []
    if kind == "country":
        scope = "national"
        entities = ["IQ"]
    elif kind == "region":
        pcode = _region(inner)
        if pcode is None:
            raise ValueError(f"unknown region {inner[:40]!r}")
        scope, governorates, entities = "regional", [pcode], [pcode]
    elif kind == "as":
        scope = "network"
        networks = [nets.normalise_asn(inner)]
        entities = list(networks)
        governorates = list(nets.governorates_of(networks[0]))
    else:
        raise ValueError(f"unknown scope {scope_text[:40]!r}")
    cause = row.get("Cause", "").strip()
    confirmed = row.get("Confirmation Status", "").strip().lower() == "confirmed"
    return {
        "start": start,
        "end": end,
        "scope": scope,
        "shutdown_type": "full",
        "governorates": governorates,
        "networks": networks,
        "entities": entities,
        "cause": cause[:200],
        "ordered_by": "government" if cause.lower() == "government-ordered" else "",
        "justification": "exams" if cause.lower() == "exams" else "",
        "signal_sources": signals,
        "sources": [{"name": SOURCE_NAME, "url": ""}],
        "origin": "imported",
        "status": "confirmed" if confirmed else "detected",
        "fingerprint": f"ioda:{ident[:60]}",
        "note": row.get("Notes", "").strip()[:500],
    }


def import_ioda_outages(
    session: Session, *, path: Path, actor: str, country: str = "Iraq"
) -> IodaImport:
    """Turn the country's rows into events; reject each unusable row with its reason."""
    if not path.is_file():
        raise InvalidInput("err_file_missing", "no such file", where=str(path))
    result = IodaImport(file=path.name)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [(h or "").strip() for h in reader.fieldnames or []]
        if "Begin time" not in header or "Country" not in header:
            raise InvalidInput(
                "err_ioda_columns",
                "not an IODA outage list: the header needs ID, Begin time, End time, Country",
                where=f"{path.name}: row 1",
            )
        for number, raw in enumerate(reader, start=2):
            row = _columns(raw)
            if row.get("Country", "").strip().lower() != country.lower():
                result.other_countries += 1
                continue
            result.rows += 1
            try:
                columns = row_to_event(row)
            except (ValueError, InvalidInput) as exc:
                result.rejected += 1
                reason = exc.message if isinstance(exc, InvalidInput) else str(exc)
                result.errors.append({"where": f"{path.name}: row {number}", "reason": reason})
                continue
            exists = session.scalar(
                select(ConnectivityEvent.id).where(
                    ConnectivityEvent.fingerprint == columns["fingerprint"]
                )
            )
            if exists:
                result.already += 1
                continue
            session.add(ConnectivityEvent(**columns, created_by=actor))
            result.created += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="connectivity.ioda_imported",
        subject_type="ioda_file",
        subject_id=path.name[:100],
        details={"created": result.created, "rejected": result.rejected},
    )
    return result
