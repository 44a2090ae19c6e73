"""The staff page /staff/alerts: rules, subscriptions, tests and recent deliveries.

Plain forms with a CSRF token; no JavaScript needed. Any staff member sees the
page and subscribes; adding, removing and testing a rule need an admin. A new
rule's secret is shown once, on the page the form answers with.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.alerts import api, rules, service
from marsad.core.errors import InvalidInput
from marsad.core.events import EVENT_NAMES
from marsad.core.i18n import gettext as _
from marsad.web.deps import AdminUser, CsrfChecked, DbSession, PostedForm, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)


def status_words() -> dict[str, str]:
    """Each delivery status in the reader's language."""
    return {
        "pending": _("waiting to be sent"),
        "sending": _("sending"),
        "delivered": _("delivered"),
        "failed": _("failed"),
        "held": _("held for the digest"),
        "digested": _("sent in a digest"),
    }


def event_words() -> dict[str, str]:
    return {
        "report.received": _("A report was received"),
        "flag.created": _("A post was flagged"),
        "coordination.group_found": _("A coordinated group was found"),
        "connectivity.outage": _("An internet outage was detected"),
        "job.failed": _("A background job failed"),
    }


def _page(
    request: Request,
    user: Any,
    session: Any,
    *,
    form: dict[str, str] | None = None,
    error: InvalidInput | None = None,
    new_secret: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    data = api.overview(session, admin=user.role == "admin")
    mine = {
        rule["id"]: next((s["email"] for s in rule["subscribers"] if s["user_id"] == user.id), None)
        for rule in data["rules"]
    }
    return render(
        request,
        "alerts/page.html",
        {
            **data,
            "events": EVENT_NAMES,
            "event_words": event_words(),
            "status_words": status_words(),
            "filter_keys": {e: sorted(keys) for e, keys in rules.FILTER_KEYS.items()},
            "is_admin": user.role == "admin",
            "mine": mine,
            "form": form or {},
            "error": error,
            "new_secret": new_secret,
        },
        status=status,
    )


@router.get("/staff/alerts")
def alerts_page(request: Request, user: StaffUser, session: DbSession) -> Response:
    return _page(request, user, session)


@router.post("/staff/alerts", dependencies=[CsrfChecked])
def add_rule(request: Request, user: AdminUser, session: DbSession, form: PostedForm) -> Response:
    values = {k: str(form.get(k) or "") for k in ("on", "filters", "email", "webhook", "mode")}
    filters = [line.strip() for line in values["filters"].splitlines() if line.strip()]
    try:
        with session.begin_nested():
            new = rules.add_rule(
                session,
                settings=session.info["settings"],
                event=values["on"],
                filters=filters,
                email=values["email"],
                webhook=values["webhook"],
                mode=values["mode"] or "immediate",
                actor=user.username,
            )
    except InvalidInput as exc:
        return _page(request, user, session, form=values, error=exc, status=422)
    return _page(request, user, session, new_secret={"id": new.id, "secret": new.secret})


@router.post("/staff/alerts/{rule_id}/remove", dependencies=[CsrfChecked])
def remove_rule(rule_id: str, user: AdminUser, session: DbSession) -> Response:
    rules.remove_rule(session, rule_id=rule_id, actor=user.username)
    return RedirectResponse("/staff/alerts", status_code=303)


@router.post("/staff/alerts/{rule_id}/test", dependencies=[CsrfChecked])
def test_rule(rule_id: str, user: AdminUser, session: DbSession) -> Response:
    service.queue_test(session, rule_id=rule_id, actor=user.username)
    return RedirectResponse("/staff/alerts#deliveries", status_code=303)


@router.post("/staff/alerts/{rule_id}/subscribe", dependencies=[CsrfChecked])
def subscribe(
    rule_id: str, request: Request, user: StaffUser, session: DbSession, form: PostedForm
) -> Response:
    try:
        with session.begin_nested():
            rules.subscribe(session, rule_id=rule_id, user=user, email=str(form.get("email") or ""))
    except InvalidInput as exc:
        return _page(request, user, session, error=exc, status=422)
    return RedirectResponse("/staff/alerts", status_code=303)


@router.post("/staff/alerts/{rule_id}/unsubscribe", dependencies=[CsrfChecked])
def unsubscribe(rule_id: str, user: StaffUser, session: DbSession) -> Response:
    rules.unsubscribe(session, rule_id=rule_id, user=user)
    return RedirectResponse("/staff/alerts", status_code=303)
