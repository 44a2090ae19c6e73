"""The two-person rule for a reporter's contact.

A reporter's contact is the most dangerous thing Marsad holds: with it, a
reporter can be found. No single staff member can read it:

1. a staff member (reviewer or admin) asks for it with a reason;
2. a second person, an admin who is not the requester, approves (or denies);
3. the approval lets only the requester read the contact, and only for
   ``reports_contact_reveal_minutes``; every read is audited.

Assignment, self-assignment included, never reveals a contact. Each step
writes an audit record, so the report's case history shows who asked, why,
who approved and when the contact was read. Functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import Forbidden, InvalidInput, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.core.security import FieldCipher
from marsad.reports import workflow
from marsad.reports.models import ContactRequest, Report

PENDING, APPROVED, DENIED = "pending", "approved", "denied"
REQUESTERS = workflow.REVIEWERS
MAX_REASON = 2000


@dataclass(frozen=True)
class RequestView:
    """A contact request as staff see it (never the contact)."""

    id: str
    report_id: str
    requester: str
    reason: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    active: bool

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "report_id": self.report_id,
            "requester": self.requester,
            "reason": self.reason,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "created_at": self.created_at.isoformat(),
            "active": self.active,
        }


def _names(session: Session, ids: set[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(wanted)))
    return {row.id: row.username for row in rows}


def _is_active(row: ContactRequest, now: datetime) -> bool:
    return row.status == APPROVED and row.expires_at is not None and row.expires_at > now


def _views(session: Session, rows: list[ContactRequest]) -> list[RequestView]:
    names = _names(session, {r.requester_id for r in rows} | {r.decided_by_id for r in rows})
    now = utcnow()
    return [
        RequestView(
            id=r.id,
            report_id=r.report_id,
            requester=names.get(r.requester_id, "?"),
            reason=r.reason,
            status=r.status,
            decided_by=names.get(r.decided_by_id or ""),
            decided_at=r.decided_at,
            expires_at=r.expires_at,
            created_at=r.created_at,
            active=_is_active(r, now),
        )
        for r in rows
    ]


def request_contact(session: Session, *, report_id: str, actor: User, reason: str) -> RequestView:
    """Ask to read a report's contact, giving a reason; audited. Reviewers and admins only."""
    if actor.role not in REQUESTERS:
        raise Forbidden(
            "err_contact_request_forbidden",
            _("Only reviewers and admins may ask for a reporter's contact."),
        )
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("err_report_not_found", _("This report does not exist."), "id")
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            "err_reason_required", _("Say why you need the reporter's contact."), "reason"
        )
    if len(text) > MAX_REASON or "\x00" in text:
        raise InvalidInput("err_too_long", _("The reason is too long."), "reason")
    if not report.contact_sealed:
        raise InvalidInput(
            "err_no_contact", _("The reporter left no contact: they chose to stay anonymous."), "id"
        )
    row = ContactRequest(report_id=report.id, requester_id=actor.id, reason=text, status=PENDING)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="report.contact_requested",
        subject_type="report",
        subject_id=report.id,
        details={"request_id": row.id},
    )
    return _views(session, [row])[0]


def decide_request(
    session: Session, *, request_id: str, actor: User, approve: bool, minutes: int
) -> RequestView:
    """Approve or deny a pending request: an admin who is not the requester; audited.

    An approval opens the contact to the requester for ``minutes`` minutes.
    """
    row = session.get(ContactRequest, request_id)
    if row is None:
        raise NotFound("err_contact_request_not_found", _("This request does not exist."), "id")
    if actor.role != "admin":
        raise Forbidden(
            "err_contact_approval_forbidden", _("Only an admin may decide a contact request.")
        )
    if row.requester_id == actor.id:
        # The point of the rule: one person alone never reaches a reporter.
        raise Forbidden(
            "err_contact_self_approval",
            _("A second person must decide: you cannot approve your own request."),
        )
    if row.status != PENDING:
        raise InvalidInput(
            "err_contact_request_decided", _("This request was already decided."), "id"
        )
    now = utcnow()
    row.status = APPROVED if approve else DENIED
    row.decided_by_id = actor.id
    row.decided_at = now
    row.expires_at = now + timedelta(minutes=max(1, minutes)) if approve else None
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="report.contact_approved" if approve else "report.contact_denied",
        subject_type="report",
        subject_id=row.report_id,
        details={
            "request_id": row.id,
            "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        },
    )
    return _views(session, [row])[0]


def active_grant(session: Session, *, report_id: str, viewer: User) -> ContactRequest | None:
    """The viewer's approved, unexpired request for this report, if any."""
    now = utcnow()
    rows = session.execute(
        select(ContactRequest).where(
            ContactRequest.report_id == report_id,
            ContactRequest.requester_id == viewer.id,
            ContactRequest.status == APPROVED,
        )
    ).scalars()
    for row in rows:
        if _is_active(row, now):
            return row
    return None


def can_see_contact(session: Session, *, report: Report, viewer: User) -> bool:
    """True only while the viewer holds an approved, unexpired request for this report."""
    return (
        viewer.is_active and active_grant(session, report_id=report.id, viewer=viewer) is not None
    )


class ContactRefused(Forbidden):
    """A read of a reporter's contact was refused, and the refusal is in the audit trail.

    The request's transaction is rolled back after an error, so the web handlers
    commit before letting this go: the 403 answers, and the attempt stays on record.
    """

    def __init__(self) -> None:
        super().__init__(
            "err_contact_forbidden",
            _("The contact is shown only after a second person approves your request."),
        )


def _refusal_reason(session: Session, report: Report, viewer: User) -> str:
    """Why a read is refused: the viewer's role, an inactive account, or no approval."""
    if not viewer.is_active:
        return "inactive account"
    if viewer.role not in REQUESTERS:
        return "role may not read contacts"
    mine = session.execute(
        select(ContactRequest.status, ContactRequest.expires_at).where(
            ContactRequest.report_id == report.id, ContactRequest.requester_id == viewer.id
        )
    ).all()
    if any(status == APPROVED for status, _expires in mine):
        return "approval expired"
    if any(status == PENDING for status, _expires in mine):
        return "no second person has approved yet"
    return "no approved request"


def reveal_contact(
    session: Session, *, report: Report, viewer: User, cipher: FieldCipher
) -> str | None:
    """The decrypted contact under an approved, unexpired request; every reveal is audited.

    A refused read is audited too (``report.contact_refused``, with why, never the
    contact) and raises :class:`ContactRefused`.
    """
    grant = active_grant(session, report_id=report.id, viewer=viewer)
    if grant is None or not viewer.is_active:
        audit.record(
            session,
            actor=viewer.username,
            action="report.contact_refused",
            subject_type="report",
            subject_id=report.id,
            details={"reason": _refusal_reason(session, report, viewer), "role": viewer.role},
        )
        raise ContactRefused()
    audit.record(
        session,
        actor=viewer.username,
        action="report.contact_viewed",
        subject_type="report",
        subject_id=report.id,
        details={"request_id": grant.id},
    )
    if not report.contact_sealed:
        return None
    return cipher.decrypt(report.contact_sealed, context=f"report:{report.id}")


def report_requests(session: Session, *, report_id: str) -> list[RequestView]:
    """Every contact request on a report, newest first."""
    rows = session.execute(
        select(ContactRequest)
        .where(ContactRequest.report_id == report_id)
        .order_by(ContactRequest.created_at.desc())
    ).scalars()
    return _views(session, list(rows))


def pending_requests(session: Session, *, limit: int = 200) -> list[RequestView]:
    """Requests waiting for a second person, oldest first."""
    rows = session.execute(
        select(ContactRequest)
        .where(ContactRequest.status == PENDING)
        .order_by(ContactRequest.created_at)
        .limit(limit)
    ).scalars()
    return _views(session, list(rows))
