"""Connectivity pages: the public timeline and map, an event, and the staff desk.

Handlers are plain ``def``: FastAPI runs them in its thread pool, so their
database work never blocks the event loop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.connectivity.outages import public, schedule, service
from marsad.core import i18n
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.places import PlaceIndex
from marsad.web.deps import CsrfChecked, DbSession, PostedForm, ReadSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)

# Values shown to readers, translated in the template (``_(labels[value])``).
LABELS = {
    "national": N_("National"),
    "regional": N_("Regional"),
    "network": N_("One network"),
    "federal": N_("Federal Iraq"),
    "kurdistan": N_("Kurdistan Region"),
    "full": N_("Full shutdown"),
    "throttling": N_("Throttling"),
    "service-based": N_("Services blocked"),
    "detected": N_("Detected, not reviewed"),
    "confirmed": N_("Confirmed"),
    "rejected": N_("Rejected"),
    "manual": N_("Entered by staff"),
    "imported": N_("Imported list"),
}


@router.get("/connectivity")
def timeline(request: Request, session: ReadSession, governorate: str = "") -> Response:
    """Shutdowns and outages in Iraq, newest first, with a governorate map."""
    context = public.overview(
        session, lang=i18n.current_language.get(), governorate=governorate.strip() or None
    )
    return render(request, "connectivity/timeline.html", {**context, "labels": LABELS})


@router.get("/connectivity/events/{event_id}")
def event_page(request: Request, event_id: str, session: ReadSession) -> Response:
    event = public.public_event(session, event_id=event_id, lang=i18n.current_language.get())
    return render(request, "connectivity/event.html", {"event": event, "labels": LABELS})


# --- staff ------------------------------------------------------------------------------------


def _staff_context(session: Any, **extra: Any) -> dict[str, Any]:
    rows = service.list_events(session, public=False, limit=200)
    lang = i18n.current_language.get()
    return {
        "events": [
            service.event_public(r, service.event_links(session, event_id=r.id)) for r in rows
        ],  # fmt: skip
        "governorates": [
            {"pcode": g.pcode, "name": g.name(lang)}
            for g in PlaceIndex.load(session).governorates()
        ],
        "labels": LABELS,
        "schedule": [schedule.entry_json(r) for r in schedule.list_entries(session)],
        "match": schedule.match(session),
        "scopes": service.SCOPES,
        "types": service.TYPES,
        "statuses": service.STATUSES,
        "services": service.SERVICES,
        "regions": schedule.REGIONS,
        "error": None,
        "form": {},
        **extra,
    }


@router.get("/staff/connectivity")
def staff_page(request: Request, user: StaffUser, session: ReadSession) -> Response:
    return render(request, "connectivity/staff.html", _staff_context(session))


def _when(value: str, where: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("err_event_invalid", _("Not a date and time."), where) from None


def _event_input(form: Any) -> service.EventInput:
    start = _when(str(form.get("start", "")), "start")
    if start is None:
        raise InvalidInput("err_event_invalid", _("The start is required."), "start")
    # The form's times are Baghdad time, as staff read them on the clock.
    zone = schedule.BAGHDAD
    end = _when(str(form.get("end", "")), "end")
    sources = [{"name": str(form.get("source_name", "")), "url": str(form.get("source_url", ""))}]
    return service.EventInput(
        start=start.replace(tzinfo=zone) if start.tzinfo is None else start,
        end=(end.replace(tzinfo=zone) if end and end.tzinfo is None else end),
        scope=str(form.get("scope", "national")),
        shutdown_type=str(form.get("type", "full")),
        governorates=[str(v) for v in form.getlist("governorates")],
        networks=[n for n in str(form.get("networks", "")).replace(",", " ").split() if n],
        services=[str(v) for v in form.getlist("services")],
        ordered_by=str(form.get("ordered_by", "")),
        justification=str(form.get("justification", "")),
        cause=str(form.get("cause", "")),
        sources=sources,
        note=str(form.get("note", "")),
        status=str(form.get("status", "confirmed")),
    )


def _form_error(request: Request, session: Any, exc: InvalidInput, form: Any) -> Response:
    context = _staff_context(
        session,
        error={"where": exc.where, "message": exc.message},
        form={k: form.get(k) for k in form},
    )
    return render(request, "connectivity/staff.html", context, status=422)


@router.post("/staff/connectivity/events", dependencies=[CsrfChecked])
def staff_add_event(
    request: Request, user: StaffUser, session: DbSession, form: PostedForm
) -> Response:
    try:
        row = service.create_event(session, data=_event_input(form), actor=user.username)
    except InvalidInput as exc:
        session.rollback()
        return _form_error(request, session, exc, form)
    return RedirectResponse(f"/connectivity/events/{row.id}", status_code=303)


@router.post("/staff/connectivity/events/{event_id}/status", dependencies=[CsrfChecked])
def staff_event_status(
    event_id: str, user: StaffUser, session: DbSession, form: PostedForm
) -> Response:
    service.set_status(
        session, event_id=event_id, status=str(form.get("status", "")), actor=user.username
    )
    return RedirectResponse("/staff/connectivity", status_code=303)


@router.post("/staff/connectivity/events/{event_id}/links", dependencies=[CsrfChecked])
def staff_event_link(
    request: Request, event_id: str, user: StaffUser, session: DbSession, form: PostedForm
) -> Response:
    from marsad.core.plugins import get_registry

    try:
        service.link_event(
            session, event_id=event_id, ref=str(form.get("ref", "")),
            types=get_registry().references(), actor=user.username,
        )  # fmt: skip
    except InvalidInput as exc:
        session.rollback()
        return _form_error(request, session, exc, form)
    return RedirectResponse("/staff/connectivity", status_code=303)


@router.post("/staff/connectivity/schedule", dependencies=[CsrfChecked])
def staff_add_schedule(
    request: Request, user: StaffUser, session: DbSession, form: PostedForm
) -> Response:
    entry = schedule.Entry(
        date=str(form.get("date", "")), start=str(form.get("from", "")),
        end=str(form.get("to", "")), region=str(form.get("region", "national")),
        authority=str(form.get("authority", "")), title=str(form.get("title", "")),
        source_url=str(form.get("source_url", "")),
    )  # fmt: skip
    try:
        schedule.add_entry(session, entry=entry, actor=user.username)
    except InvalidInput as exc:
        session.rollback()
        return _form_error(request, session, exc, form)
    return RedirectResponse("/staff/connectivity", status_code=303)
