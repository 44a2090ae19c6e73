"""Confidential cases: case management that only the assigned caseworkers can read.

A report in a confidential category (account hacking, blackmail, threats, or
any report a reviewer marks confidential) is a *case*: an admin assigns
caseworkers; they record support actions, referrals and follow-ups, an
outcome and the next date to contact the person. Everyone else on the staff
(analysts, other reviewers, admins who are not caseworkers) sees that the case
exists, its status and category, never its text: not the title, description,
place, links, files, comments or case entries. An admin who must read a case
adds themselves as a caseworker, which the audit trail records.

Case text (entries and the outcome note) is sealed at rest with the field
cipher, like the reporter's contact. Functions never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import Forbidden, InvalidInput, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.core.security import FieldCipher
from marsad.reports import workflow
from marsad.reports.models import CaseEntry, CaseFile, CaseWorker, Report

ENTRY_KINDS = ("support", "referral", "follow_up", "note")
OUTCOMES = ("supported", "referred", "resolved", "unreachable", "withdrawn")
MAX_ENTRY = 10000


@dataclass(frozen=True)
class EntryView:
    id: str
    kind: str
    body: str
    due_at: datetime | None
    done_at: datetime | None
    author: str
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "body": self.body,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }


@dataclass
class CaseView:
    """What a viewer may know of a case. ``readable`` False: existence and status only."""

    report_id: str
    readable: bool
    caseworkers: list[str] = field(default_factory=list)
    outcome: str | None = None
    outcome_note: str | None = None
    next_contact_at: datetime | None = None
    closed_at: datetime | None = None
    entries: list[EntryView] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "readable": self.readable,
            "caseworkers": self.caseworkers,
            "outcome": self.outcome,
            "outcome_note": self.outcome_note,
            "next_contact_at": self.next_contact_at.isoformat() if self.next_contact_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "entries": [e.to_json() for e in self.entries],
        }


def is_caseworker(session: Session, *, report_id: str, user: User) -> bool:
    """True when ``user`` is an assigned caseworker of this report."""
    return (
        session.execute(
            select(CaseWorker.user_id).where(
                CaseWorker.report_id == report_id, CaseWorker.user_id == user.id
            )
        ).first()
        is not None
    )


def may_read(session: Session, *, report: Report, user: User) -> bool:
    """Whether ``user`` may read this report's content (any report that is not a case)."""
    if not report.confidential:
        return True
    return user.is_active and is_caseworker(session, report_id=report.id, user=user)


def readable_cases(session: Session, *, user: User) -> set[str]:
    """The ids of the confidential reports this user works on."""
    rows = session.execute(select(CaseWorker.report_id).where(CaseWorker.user_id == user.id))
    return set(rows.scalars())


def require_reader(session: Session, *, report: Report, user: User) -> None:
    """Forbidden unless ``user`` may read this report's content."""
    if not may_read(session, report=report, user=user):
        raise Forbidden(
            "err_case_forbidden", _("Only the caseworkers of this confidential case read it.")
        )


def _case_report(session: Session, report_id: str) -> Report:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("err_report_not_found", _("This report does not exist."), "id")
    if not report.confidential:
        raise InvalidInput(
            "err_not_a_case", _("Only confidential reports are managed as cases."), "id"
        )
    return report


def _case_file(session: Session, report_id: str) -> CaseFile:
    case = session.get(CaseFile, report_id)
    if case is None:
        case = CaseFile(report_id=report_id)
        session.add(case)
        session.flush()
    return case


def set_caseworker(
    session: Session, *, report_id: str, username: str, actor: User, add: bool = True
) -> None:
    """Add (or remove) a caseworker; admins only; audited."""
    if actor.role != "admin":
        raise Forbidden("err_caseworker_forbidden", _("Only admins assign caseworkers."))
    report = _case_report(session, report_id)
    user = session.execute(
        select(User).where(User.username == username.strip())
    ).scalar_one_or_none()
    if user is None or not user.is_active or user.role not in workflow.REVIEWERS:
        raise InvalidInput(
            "err_caseworker_invalid", _("Caseworkers are active reviewers or admins."), "username"
        )
    _case_file(session, report.id)
    present = is_caseworker(session, report_id=report.id, user=user)
    if add and not present:
        session.add(CaseWorker(report_id=report.id, user_id=user.id, added_by=actor.username))
    elif not add and present:
        session.execute(
            delete(CaseWorker).where(
                CaseWorker.report_id == report.id, CaseWorker.user_id == user.id
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="case.caseworker_added" if add else "case.caseworker_removed",
        subject_type="report",
        subject_id=report.id,
        details={"caseworker": user.username},
    )


def _clean_text(value: str | None, where: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("err_required", _("This field is required."), where)
    if len(text) > MAX_ENTRY or "\x00" in text:
        raise InvalidInput("err_too_long", _("The text is too long."), where)
    return text


def add_entry(
    session: Session,
    *,
    report_id: str,
    kind: str,
    body: str,
    actor: User,
    cipher: FieldCipher,
    due_at: datetime | None = None,
) -> EntryView:
    """Record a support action, referral, follow-up or note; caseworkers only; audited."""
    report = _case_report(session, report_id)
    require_reader(session, report=report, user=actor)
    if kind not in ENTRY_KINDS:
        raise InvalidInput(
            "err_case_entry_kind",
            _("The kind must be one of: {values}").format(values=", ".join(ENTRY_KINDS)),
            "kind",
        )
    text = _clean_text(body, "body", required=True)
    _case_file(session, report.id)
    entry = CaseEntry(report_id=report.id, kind=kind, body_sealed="", author=actor.username)
    session.add(entry)
    session.flush()
    entry.body_sealed = cipher.encrypt(text, context=f"case-entry:{entry.id}")
    entry.due_at = due_at
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="case.entry_added",
        subject_type="report",
        subject_id=report.id,
        details={"entry_id": entry.id, "kind": kind},
    )
    return _entry_view(entry, cipher)


def complete_entry(session: Session, *, entry_id: str, actor: User) -> None:
    """Mark a follow-up done; caseworkers only; audited."""
    entry = session.get(CaseEntry, entry_id)
    if entry is None:
        raise NotFound("err_case_entry_not_found", _("This case entry does not exist."), "id")
    report = _case_report(session, entry.report_id)
    require_reader(session, report=report, user=actor)
    entry.done_at = utcnow()
    audit.record(
        session,
        actor=actor.username,
        action="case.entry_done",
        subject_type="report",
        subject_id=report.id,
        details={"entry_id": entry.id},
    )


def update_case(
    session: Session,
    *,
    report_id: str,
    actor: User,
    cipher: FieldCipher,
    outcome: str | None,
    outcome_note: str | None,
    next_contact_at: datetime | None,
) -> None:
    """Set the outcome (which closes the case) and the next contact date; audited."""
    report = _case_report(session, report_id)
    require_reader(session, report=report, user=actor)
    if outcome and outcome not in OUTCOMES:
        raise InvalidInput(
            "err_case_outcome",
            _("The outcome must be one of: {values}").format(values=", ".join(OUTCOMES)),
            "outcome",
        )
    note = _clean_text(outcome_note, "outcome_note", required=False)
    case = _case_file(session, report.id)
    case.outcome = outcome or None
    case.closed_at = utcnow() if outcome else None
    case.outcome_note_sealed = (
        cipher.encrypt(note, context=f"case-outcome:{report.id}") if note else None
    )
    case.next_contact_at = next_contact_at
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="case.updated",
        subject_type="report",
        subject_id=report.id,
        details={"outcome": case.outcome, "next_contact": bool(next_contact_at)},
    )


def _entry_view(entry: CaseEntry, cipher: FieldCipher) -> EntryView:
    return EntryView(
        id=entry.id,
        kind=entry.kind,
        body=cipher.decrypt(entry.body_sealed, context=f"case-entry:{entry.id}"),
        due_at=entry.due_at,
        done_at=entry.done_at,
        author=entry.author,
        created_at=entry.created_at,
    )


def case_view(session: Session, *, report: Report, viewer: User, cipher: FieldCipher) -> CaseView:
    """The case as this viewer may see it; reading a case's text is audited."""
    names = session.execute(
        select(User.username)
        .join(CaseWorker, CaseWorker.user_id == User.id)
        .where(CaseWorker.report_id == report.id)
        .order_by(User.username)
    ).scalars()
    view = CaseView(report_id=report.id, readable=False, caseworkers=list(names))
    if not may_read(session, report=report, user=viewer):
        return view
    view.readable = True
    case = session.get(CaseFile, report.id)
    if case is not None:
        view.outcome, view.next_contact_at, view.closed_at = (
            case.outcome,
            case.next_contact_at,
            case.closed_at,
        )
        if case.outcome_note_sealed:
            view.outcome_note = cipher.decrypt(
                case.outcome_note_sealed, context=f"case-outcome:{report.id}"
            )
    entries = session.execute(
        select(CaseEntry).where(CaseEntry.report_id == report.id).order_by(CaseEntry.created_at)
    ).scalars()
    view.entries = [_entry_view(e, cipher) for e in entries]
    return view


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    actor: str
    action: str

    def to_json(self) -> dict[str, str]:
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action}


def case_history(session: Session, *, report_id: str, limit: int = 500) -> list[HistoryItem]:
    """The report's audit records, oldest first: who did what, and when (never details)."""
    from marsad.core.models import AuditRecord

    rows = session.execute(
        select(AuditRecord.at, AuditRecord.actor, AuditRecord.action)
        .where(AuditRecord.subject_type == "report", AuditRecord.subject_id == report_id)
        .order_by(AuditRecord.seq)
        .limit(limit)
    )
    return [HistoryItem(at=r.at, actor=r.actor, action=r.action) for r in rows]
