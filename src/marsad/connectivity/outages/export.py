"""Events as rows of Access Now's STOP dataset, in STOP's column order (CSV and JSON).

The column names and their order are those of the #KeepItOn STOP spreadsheet
(2016 onwards) as its public header reads; Marsad fills the columns it knows
and leaves the rest empty, so a row pastes into the STOP sheet as it is.
Dates are written ISO 8601 (``2019-11-04``), times in UTC, and ``duration`` in
hours, so nobody has to guess month/day order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from marsad.connectivity.outages import networks as nets
from marsad.connectivity.outages.models import ConnectivityEvent
from marsad.core.places import GOVERNORATE, gazetteer

STOP_COLUMNS = (
    "start_date_type", "start_date", "country", "geo_scope", "area_name", "shutdown_type",
    "affected_network", "shutdown_extent", "ordered_by", "decision_maker", "actual_cause",
    "actual_cause_details", "info_source", "info_source_link", "shutdown_status", "end_date",
    "duration", "gov_justification", "gov_ack", "facebook_affected", "twitter_affected",
    "whatsapp_affected", "instagram_affected", "telegram_affected", "other_affected",
    "sms_affected", "phonecall_affected", "telcos_involved", "election", "violence",
    "hr_abuse_reported", "users_targeted", "users_target_detail", "event", "an_link", "region",
)  # fmt: skip
_TYPES = {"full": "Shutdown", "throttling": "Throttle", "service-based": "Shutdown"}
_EXTENT = {"full": "Full network", "throttling": "Full network", "service-based": "Service-based"}


def _names() -> dict[str, str]:
    return {r.pcode: r.name_en for r in gazetteer() if r.level == GOVERNORATE}


def stop_row(event: ConnectivityEvent) -> dict[str, str]:
    """One event as a STOP row (every column present, in order)."""
    names = _names()
    networks = nets.network_map()
    governorates = list(event.governorates or [])
    if event.scope == "national" or len(governorates) == len(names):
        geo_scope = "National"
    else:
        geo_scope = "Regional"
    services = set(event.services or [])
    service_based = event.shutdown_type == "service-based"
    duration = ""
    if event.end is not None:
        duration = f"{(event.end - event.start).total_seconds() / 3600:.1f}"
    row = dict.fromkeys(STOP_COLUMNS, "")
    row.update(
        {
            "start_date": event.start.date().isoformat(),
            "country": "Iraq",
            "geo_scope": geo_scope,
            "area_name": "; ".join(names.get(p, p) for p in governorates),
            "shutdown_type": _TYPES.get(event.shutdown_type, ""),
            "affected_network": "; ".join(event.networks or []),
            "shutdown_extent": _EXTENT.get(event.shutdown_type, ""),
            "ordered_by": event.ordered_by or "",
            "actual_cause": event.cause or "",
            "info_source": "; ".join(s.get("name", "") for s in event.sources or []),
            "info_source_link": "; ".join(
                s.get("url", "") for s in event.sources or [] if s.get("url")
            ),
            "shutdown_status": "Ended" if event.end is not None else "Ongoing",
            "end_date": event.end.date().isoformat() if event.end else "",
            "duration": duration,
            "gov_justification": event.justification or "",
            "telcos_involved": "; ".join(
                networks[a].operator for a in event.networks or [] if a in networks
            ),
        }
    )
    for service in ("facebook", "twitter", "whatsapp", "instagram", "telegram", "other", "sms"):
        if service in services:
            row[f"{service}_affected"] = "Yes"
        elif service_based:
            row[f"{service}_affected"] = "No"
    if "phonecall" in services:
        row["phonecall_affected"] = "Yes"
    elif service_based:
        row["phonecall_affected"] = "No"
    return row


def stop_rows(events: Iterable[ConnectivityEvent]) -> list[dict[str, str]]:
    return [stop_row(e) for e in events]


def stop_csv(events: Iterable[ConnectivityEvent]) -> str:
    """The events as CSV text with STOP's header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STOP_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in stop_rows(events):
        writer.writerow(row)
    return out.getvalue()


def stop_json(events: Iterable[ConnectivityEvent]) -> dict[str, Any]:
    """``{"columns": [...], "rows": [{...}]}``: every row's keys in STOP's order."""
    return {"columns": list(STOP_COLUMNS), "rows": stop_rows(events)}
