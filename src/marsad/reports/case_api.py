"""Staff API for the two-person contact rule and confidential cases, under ``/api/v1``.

Every state change takes a bearer token (never a cookie, so no CSRF) and goes
through :mod:`marsad.reports.contact` or :mod:`marsad.reports.cases`, which
check roles and write the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.reports import cases, contact, service
from marsad.reports.deps import report_settings
from marsad.web.deps import AdminUser, DbSession, StaffUser

router = APIRouter(prefix="/api/v1", tags=["staff"])


def _bearer_only(request: Request) -> None:
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})


Bearer = [Depends(_bearer_only)]


class ContactRequestIn(BaseModel):
    reason: str = Field(description="why the reporter must be contacted; kept and audited")


class ContactRequestOut(BaseModel):
    id: str
    report_id: str
    requester: str
    reason: str
    status: str = Field(description="pending, approved or denied")
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    active: bool = Field(description="approved and not yet expired")


class CaseEntryIn(BaseModel):
    kind: str = Field(description="support, referral, follow_up or note")
    body: str
    due_at: datetime | None = None


class CaseUpdateIn(BaseModel):
    outcome: str | None = Field(
        None, description="supported, referred, resolved, unreachable or withdrawn"
    )
    outcome_note: str | None = None
    next_contact_at: datetime | None = None


class CaseworkerIn(BaseModel):
    username: str
    remove: bool = False


def _out(view: contact.RequestView) -> ContactRequestOut:
    return ContactRequestOut(**view.to_json())  # type: ignore[arg-type]


def _aware(value: datetime | None, where: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(
            "err_date_invalid", _("Give the time with its offset, e.g. +03:00."), where
        )
    return value


@router.post(
    "/reports/{report_id}/contact-requests",
    status_code=201,
    response_model=ContactRequestOut,
    dependencies=Bearer,
)
def request_contact(
    report_id: str, body: ContactRequestIn, session: DbSession, user: StaffUser
) -> ContactRequestOut:
    """Ask to read a reporter's contact; a second person (an admin) must approve."""
    return _out(
        contact.request_contact(session, report_id=report_id, actor=user, reason=body.reason)
    )


@router.get("/reports/{report_id}/contact-requests", response_model=list[ContactRequestOut])
def report_contact_requests(
    report_id: str,
    session: DbSession,
    user: StaffUser,  # noqa: ARG001 - the dependency is the access check
) -> list[ContactRequestOut]:
    """Every contact request on a report (who asked, why, who decided, until when)."""
    service.get_report(session, report_id=report_id)
    return [_out(v) for v in contact.report_requests(session, report_id=report_id)]


@router.get("/contact-requests", response_model=list[ContactRequestOut])
def pending_contact_requests(
    session: DbSession,
    user: AdminUser,  # noqa: ARG001 - the dependency is the access check
) -> list[ContactRequestOut]:
    """Admins: contact requests waiting for a second person."""
    return [_out(v) for v in contact.pending_requests(session)]


def _decide(request: Request, session: Any, user: Any, request_id: str, approve: bool) -> Any:
    minutes = report_settings(request).reports_contact_reveal_minutes
    return _out(
        contact.decide_request(
            session, request_id=request_id, actor=user, approve=approve, minutes=minutes
        )
    )


@router.post(
    "/contact-requests/{request_id}/approve",
    response_model=ContactRequestOut,
    dependencies=Bearer,
)
def approve_contact_request(
    request_id: str, request: Request, session: DbSession, user: StaffUser
) -> ContactRequestOut:
    """An admin who is not the requester approves; the contact opens for a limited time."""
    return _decide(request, session, user, request_id, True)


@router.post(
    "/contact-requests/{request_id}/deny",
    response_model=ContactRequestOut,
    dependencies=Bearer,
)
def deny_contact_request(
    request_id: str, request: Request, session: DbSession, user: StaffUser
) -> ContactRequestOut:
    """An admin who is not the requester denies the request."""
    return _decide(request, session, user, request_id, False)


@router.get("/reports/{report_id}/case", response_model=dict[str, Any])
def get_case(
    report_id: str, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """A confidential case: caseworkers read it all; other staff see only that it exists."""
    report = service.get_report(session, report_id=report_id)
    view = cases.case_view(session, report=report, viewer=user, cipher=request.app.state.cipher)
    body = view.to_json()
    body["confidential"] = report.confidential
    body["status"] = report.status
    body["history"] = [h.to_json() for h in cases.case_history(session, report_id=report.id)]
    return body


@router.post(
    "/reports/{report_id}/case/entries",
    status_code=201,
    response_model=dict[str, Any],
    dependencies=Bearer,
)
def add_case_entry(
    report_id: str, body: CaseEntryIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Caseworkers: record a support action, referral, follow-up (with ``due_at``) or note."""
    entry = cases.add_entry(
        session,
        report_id=report_id,
        kind=body.kind,
        body=body.body,
        actor=user,
        cipher=request.app.state.cipher,
        due_at=_aware(body.due_at, "due_at"),
    )
    return entry.to_json()


@router.post("/reports/{report_id}/case", response_model=dict[str, Any], dependencies=Bearer)
def update_case(
    report_id: str, body: CaseUpdateIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Caseworkers: set the outcome (closes the case) and the next contact date."""
    cases.update_case(
        session,
        report_id=report_id,
        actor=user,
        cipher=request.app.state.cipher,
        outcome=body.outcome,
        outcome_note=body.outcome_note,
        next_contact_at=_aware(body.next_contact_at, "next_contact_at"),
    )
    report = service.get_report(session, report_id=report_id)
    return cases.case_view(
        session, report=report, viewer=user, cipher=request.app.state.cipher
    ).to_json()


@router.post(
    "/reports/{report_id}/case/caseworkers", response_model=dict[str, Any], dependencies=Bearer
)
def set_caseworker(
    report_id: str, body: CaseworkerIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Admins: add (or with ``remove`` take off) a caseworker."""
    cases.set_caseworker(
        session, report_id=report_id, username=body.username, actor=user, add=not body.remove
    )
    report = service.get_report(session, report_id=report_id)
    return cases.case_view(
        session, report=report, viewer=user, cipher=request.app.state.cipher
    ).to_json()
