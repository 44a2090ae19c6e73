"""Staff pages for the two-person contact rule and confidential cases.

The forms live on a report's staff page (reports/staff_report.html); admins
decide contact requests there or on ``/admin/contact-requests``. Every form
is CSRF-checked; the rules themselves are in :mod:`marsad.reports.contact`
and :mod:`marsad.reports.cases`. The JSON twins are in ``case_api``.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.reports import cases, contact
from marsad.reports.deps import report_settings
from marsad.reports.service import parse_when
from marsad.web.deps import AdminUser, CsrfChecked, DbSession, PostedForm, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)

ENTRY_LABELS = {
    "support": lambda: _("Support action"),
    "referral": lambda: _("Referral"),
    "follow_up": lambda: _("Follow-up"),
    "note": lambda: _("Note"),
}
OUTCOME_LABELS = {
    "supported": lambda: _("Supported"),
    "referred": lambda: _("Referred elsewhere"),
    "resolved": lambda: _("Resolved"),
    "unreachable": lambda: _("Could not be reached"),
    "withdrawn": lambda: _("Withdrawn by the person"),
}


def _back(report_id: str, done: str = "case") -> RedirectResponse:
    # ``done`` names the message the report's page shows (reports.labels.DONE_MESSAGES).
    return RedirectResponse(f"/staff/reports/{report_id}?done={done}", status_code=303)


def _when(request: Request, value: str | None, where: str) -> datetime | None:
    try:
        return parse_when(value or None, request.app.state.settings.timezone)
    except ValueError:
        raise InvalidInput("err_date_invalid", _("The date is not a valid date."), where) from None


@router.post("/staff/reports/{report_id}/contact-request", dependencies=[CsrfChecked])
def staff_contact_request(
    report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Ask for a reporter's contact with a reason; a second person decides."""
    contact.request_contact(
        session, report_id=report_id, actor=user, reason=str(form.get("reason", ""))
    )
    return _back(report_id, "requested")


@router.post("/staff/contact-requests/{request_id}/decide", dependencies=[CsrfChecked])
def staff_contact_decide(
    request: Request, request_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """An admin who is not the requester approves or denies a contact request."""
    view = contact.decide_request(
        session,
        request_id=request_id,
        actor=user,
        approve=form.get("decision") == "approve",
        minutes=report_settings(request).reports_contact_reveal_minutes,
    )
    if form.get("next") == "admin":
        return RedirectResponse("/admin/contact-requests", status_code=303)
    return _back(view.report_id, "decided")


@router.get("/admin/contact-requests")
def admin_contact_requests(request: Request, session: DbSession, user: AdminUser) -> Response:
    """Admins: contact requests waiting for a second person."""
    return render(
        request,
        "reports/contact_requests.html",
        {
            "title": _("Contact requests"),
            "rows": contact.pending_requests(session),
            "user": user,
        },
    )


@router.post("/staff/reports/{report_id}/case/entry", dependencies=[CsrfChecked])
def staff_case_entry(
    request: Request, report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Caseworkers: record a support action, referral, follow-up or note."""
    cases.add_entry(
        session,
        report_id=report_id,
        kind=str(form.get("kind", "")),
        body=str(form.get("body", "")),
        actor=user,
        cipher=request.app.state.cipher,
        due_at=_when(request, str(form.get("due_at", "")), "due_at"),
    )
    return _back(report_id)


@router.post("/staff/case-entries/{entry_id}/done", dependencies=[CsrfChecked])
def staff_case_entry_done(
    entry_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Caseworkers: mark a follow-up done."""
    cases.complete_entry(session, entry_id=entry_id, actor=user)
    return _back(str(form.get("report_id", "")))


@router.post("/staff/reports/{report_id}/case", dependencies=[CsrfChecked])
def staff_case_update(
    request: Request, report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Caseworkers: outcome and next contact date."""
    cases.update_case(
        session,
        report_id=report_id,
        actor=user,
        cipher=request.app.state.cipher,
        outcome=str(form.get("outcome", "")) or None,
        outcome_note=str(form.get("outcome_note", "")),
        next_contact_at=_when(request, str(form.get("next_contact_at", "")), "next_contact_at"),
    )
    return _back(report_id)


@router.post("/staff/reports/{report_id}/case/caseworker", dependencies=[CsrfChecked])
def staff_caseworker(
    report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Admins: add or remove a caseworker."""
    cases.set_caseworker(
        session,
        report_id=report_id,
        username=str(form.get("username", "")),
        actor=user,
        add=form.get("remove") != "1",
    )
    return _back(report_id)
