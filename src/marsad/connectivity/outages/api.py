"""The connectivity JSON API: twins of the pages, built from the same service calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from marsad.connectivity.outages import export, public, schedule, service
from marsad.core import i18n
from marsad.web.deps import ReadSession, StaffUser
from marsad.web.downloads import Bom, csv_download

router = APIRouter(prefix="/api/v1/connectivity", tags=["connectivity"])


@router.get("/events")
def events(session: ReadSession, governorate: str = "") -> dict[str, Any]:
    """The public timeline (twin of ``/connectivity``): events and governorate counts."""
    document = public.overview(
        session, lang=i18n.current_language.get(), governorate=governorate.strip() or None
    )
    return {
        "events": document["events"],
        "governorates": document["governorates"],
        "filter": document["filter"],
    }


@router.get("/events/{event_id}")
def event(event_id: str, session: ReadSession) -> dict[str, Any]:
    """One event (twin of ``/connectivity/events/{id}``)."""
    return public.public_event(session, event_id=event_id, lang=i18n.current_language.get())


@router.get("/export.csv")
def export_csv(session: ReadSession, bom: Bom = False) -> Response:
    """Every public event as CSV in the column order of Access Now's STOP dataset."""
    rows = list(reversed(service.list_events(session, public=True, limit=100_000)))
    return csv_download(export.stop_csv(rows), filename="marsad-connectivity-stop.csv", bom=bom)


@router.get("/export.json")
def export_json(session: ReadSession) -> dict[str, Any]:
    """Every public event as STOP rows: ``{"columns": [...], "rows": [...]}``."""
    return export.stop_json(reversed(service.list_events(session, public=True, limit=100_000)))


@router.get("/schedule/match")
def schedule_match(
    user: StaffUser,
    session: ReadSession,
    since: datetime | None = Query(None),  # noqa: B008 - FastAPI's declaration style
    until: datetime | None = Query(None),  # noqa: B008
) -> dict[str, Any]:
    """Staff: announced and measured, announced but not measured, measured but not announced."""
    return schedule.match(session, since=since, until=until)


@router.get("/schedule")
def schedule_list(user: StaffUser, session: ReadSession) -> dict[str, Any]:
    """Staff: the announced shutdowns (twin of the staff page's calendar)."""
    return {"schedule": [schedule.entry_json(r) for r in schedule.list_entries(session)]}


@router.get("/staff/events")
def staff_events(user: StaffUser, session: ReadSession) -> dict[str, Any]:
    """Staff: every event, rejected and unreviewed ones included, with links and notes
    (twin of the staff desk's list)."""
    rows = service.list_events(session, public=False, limit=200)
    return {
        "events": [
            {
                **service.event_public(r, service.event_links(session, event_id=r.id)),
                "note": r.note,
                "created_by": r.created_by,
            }  # fmt: skip
            for r in rows
        ]
    }
