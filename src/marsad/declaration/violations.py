"""Violations: filing one with its evidence, blind double coding, the status machine, replies.

Status: draft → coded → double-coded → confirmed → notified → responded |
removed | corrected | no_response (and draft/coded/double-coded → dismissed,
for a suggestion a person turned down). Each analyst codes on their own
(``Coding``); until a violation is double-coded a coder sees no one else's
coding. A violation is public only once confirmed, notified, and its right
of reply has run out (``reply_due``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.core.refs import resolve_many
from marsad.declaration import texts
from marsad.declaration.actors import get_profile
from marsad.declaration.agreement import cohen_kappa
from marsad.declaration.models import Coding, Declaration, Violation
from marsad.declaration.service import (
    get_declaration,
    list_declarations,
    section,
    stored_declaration,
)

SEVERITIES = ("low", "medium", "high")
STATUSES = (
    "draft", "coded", "double-coded", "confirmed", "notified",
    "responded", "removed", "corrected", "no_response", "dismissed",
)  # fmt: skip
PUBLIC_STATUSES = ("notified", "responded", "removed", "corrected", "no_response")
# The moves a person makes by hand (coding moves draft → coded → double-coded).
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "confirm": (("double-coded",), "confirmed"),
    "dismiss": (("draft", "coded", "double-coded"), "dismissed"),
    "notify": (("confirmed",), "notified"),
    "reply": (("notified",), "responded"),
    "removed": (("notified", "responded"), "removed"),
    "corrected": (("notified", "responded"), "corrected"),
    "no_response": (("notified",), "no_response"),
}


def resolve_commitment(
    session: Session, *, commitment_id: str, declaration: str | None
) -> tuple[Declaration, str]:
    """The declaration and the bare id of a commitment.

    ``commitment_id`` is ``candidates-1`` (in ``declaration``, by default the newest
    declaration) or ``iraq-2021/candidates-1``. A commitment of another declaration
    than the one named is refused, naming where it is found.
    """
    if not isinstance(commitment_id, str) or not commitment_id.strip():
        raise InvalidInput("err_required", "a commitment id is needed", "commitment_id")
    named, sep, bare = commitment_id.strip().rpartition("/")
    if sep and declaration and named != declaration:
        raise InvalidInput(
            "err_commitment_other_declaration",
            f"{commitment_id!r} is a commitment of {named!r}, not of {declaration!r}",
            "commitment_id",
        )
    slug = named if sep else declaration
    declarations = list_declarations(session)
    if slug is None:
        slug = declarations[0].slug if declarations else texts.SHIPPED[0]
    found = get_declaration(session, slug=slug)
    if bare not in texts.commitments(found.content):
        elsewhere = [d.slug for d in declarations if bare in texts.commitments(d.content)]
        hint = f"; {bare!r} is in {', '.join(elsewhere)}" if elsewhere else ""
        raise InvalidInput(
            "err_commitment_other_declaration" if elsewhere else "err_commitment_unknown",
            f"{slug!r} has no commitment {bare!r}{hint}",
            "commitment_id",
        )
    return found, bare


def _severity(value: str) -> str:
    if value not in SEVERITIES:
        raise InvalidInput(
            "err_severity", f"{value!r} is not one of {', '.join(SEVERITIES)}", "severity"
        )
    return value


def _period(content: dict[str, Any], period: str | None, day: date) -> str | None:
    if period:
        slugs = [p["slug"] for p in content["periods"]]
        if period not in slugs:
            raise InvalidInput(
                "err_period_unknown",
                f"{period!r} is not one of {', '.join(slugs) or 'none'}",
                "period",
            )
        return period
    return texts.period_of(content, day)


def create_violation(
    session: Session,
    *,
    references: Any,
    actor_id: str,
    commitment_id: str,
    description: str,
    severity: str,
    evidence: Iterable[str],
    created_by: str,
    declaration: str | None = None,
    period: str | None = None,
    occurred_on: date | None = None,
    source: str = "staff",
    suggestion_key: str | None = None,
) -> Violation:
    """File a violation (a draft); every check is made before anything is written."""
    get_profile(session, actor_id=actor_id)
    found, bare = resolve_commitment(session, commitment_id=commitment_id, declaration=declaration)
    severity = _severity(severity)
    refs = list(dict.fromkeys(str(r).strip() for r in evidence or [] if str(r).strip()))
    resolved = resolve_many(session, refs, references, where="evidence")
    day = occurred_on or utcnow().date()
    chosen = _period(found.content, period, day)
    stored = stored_declaration(session, slug=found.slug)
    row = Violation(
        declaration_id=stored.id,
        actor_id=actor_id,
        commitment_id=bare,
        description=(description or "").strip(),
        severity=severity,
        period=chosen,
        status="draft",
        evidence=[r.ref for r in resolved],
        source=source,
        suggestion_key=suggestion_key,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=created_by,
        action="declaration.violation_filed",
        subject_type="violation",
        subject_id=row.id,
        details={"commitment": f"{found.slug}/{bare}", "source": source},
    )
    return row


def get_violation(session: Session, *, violation_id: str) -> Violation:
    row = session.get(Violation, violation_id)
    if row is None:
        raise NotFound("err_violation_not_found", f"no violation {violation_id!r}", "violation_id")
    return row


def add_evidence(
    session: Session, *, violation_id: str, refs: Iterable[str], references: Any, actor: str
) -> Violation:
    """Cite more records (a citizen report, an evidence item…); the reporter stays private."""
    row = get_violation(session, violation_id=violation_id)
    resolved = resolve_many(session, list(refs), references, where="evidence")
    row.evidence = list(dict.fromkeys([*row.evidence, *(r.ref for r in resolved)]))
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session, actor=actor, action="declaration.evidence_added", subject_type="violation",
        subject_id=row.id, details={"refs": [r.ref for r in resolved]},
    )  # fmt: skip
    return row


def code(
    session: Session,
    *,
    violation_id: str,
    coder: str,
    commitment_id: str,
    breach: bool,
    severity: str,
    note: str = "",
) -> Coding:
    """One analyst's coding; the first makes it coded, a second analyst's double-coded."""
    row = get_violation(session, violation_id=violation_id)
    if row.status not in ("draft", "coded"):
        raise MarsadError(
            "err_violation_status",
            f"a {row.status} violation takes no more coding",
            "status",
            status=409,
        )
    declaration = session.get(Declaration, row.declaration_id)
    assert declaration is not None
    _found, bare = resolve_commitment(
        session, commitment_id=commitment_id, declaration=declaration.slug
    )
    if session.execute(
        select(Coding.id).where(Coding.violation_id == row.id, Coding.coder == coder)
    ).first():
        raise MarsadError(
            "err_coding_exists", "you have already coded this violation", "coder", status=409
        )
    coding = Coding(
        violation_id=row.id, coder=coder, commitment_id=bare, breach=bool(breach),
        severity=_severity(severity), note=(note or "").strip(),
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(coding)
            session.flush()
    except IntegrityError:
        # The same analyst's coding sent twice at once (a double click).
        raise MarsadError(
            "err_coding_exists", "you have already coded this violation", "coder", status=409
        ) from None
    row.status = "coded" if row.status == "draft" else "double-coded"
    row.updated_at = utcnow()
    session.flush()
    audit.record(
        session, actor=coder, action="declaration.violation_coded", subject_type="violation",
        subject_id=row.id, details={"status": row.status},
    )  # fmt: skip
    return coding


def codings_for(
    session: Session, *, violation: Violation, viewer: str, admin: bool
) -> list[Coding] | None:
    """The codings a viewer may see: None while they would break the second coder's blindness."""
    rows = list(
        session.execute(
            select(Coding).where(Coding.violation_id == violation.id).order_by(Coding.created_at)
        ).scalars()
    )
    if admin or violation.status not in ("draft", "coded") or any(c.coder == viewer for c in rows):
        return rows
    return None


def move(
    session: Session,
    *,
    violation_id: str,
    action: str,
    actor: str,
    settings: Any,
    reply_text: str | None = None,
    reply_at: datetime | None = None,
) -> Violation:
    """Apply one of ``MOVES`` (confirm, dismiss, notify, reply, removed, corrected, no_response)."""
    if action not in MOVES:
        raise InvalidInput(
            "err_violation_action", f"{action!r} is not one of {', '.join(MOVES)}", "action"
        )
    row = get_violation(session, violation_id=violation_id)
    sources, target = MOVES[action]
    if row.status not in sources:
        raise MarsadError(
            "err_violation_status",
            f"a {row.status} violation cannot be moved by {action!r}",
            "status",
            status=409,
        )
    now = utcnow()
    if action == "confirm":
        row.confirmed_at = now
    elif action == "notify":
        row.notified_at = now
        row.reply_due = now + timedelta(days=section(settings).declaration_reply_days)
    elif action == "reply":
        if not (reply_text or "").strip():
            raise InvalidInput("err_required", "the actor's reply is needed", "reply_text")
        row.reply_text = reply_text.strip()
        row.reply_at = reply_at or now
    elif action == "no_response" and row.reply_due and row.reply_due > now:
        raise MarsadError(
            "err_reply_window_open",
            "the actor's right of reply has not run out yet",
            "status",
            status=409,
        )
    row.status = target
    row.updated_at = now
    session.flush()
    audit.record(
        session, actor=actor, action=f"declaration.violation_{action}", subject_type="violation",
        subject_id=row.id, details={"status": target},
    )  # fmt: skip
    return row


def is_public(row: Violation, now: datetime | None = None) -> bool:
    """Confirmed, notified, and the right of reply has run out."""
    now = now or utcnow()
    return row.status in PUBLIC_STATUSES and row.reply_due is not None and row.reply_due <= now


def list_violations(
    session: Session, *, status: str | None = None, actor_id: str | None = None, limit: int = 200
) -> list[Violation]:
    query = select(Violation).order_by(Violation.created_at.desc()).limit(limit)
    if status:
        query = query.where(Violation.status == status)
    if actor_id:
        query = query.where(Violation.actor_id == actor_id)
    return list(session.execute(query).scalars())


def agreement(session: Session, *, slug: str) -> list[dict[str, Any]]:
    """Cohen's kappa of the breach decision between the first two coders, per period and
    commitment, then per period, then overall."""
    declaration = get_declaration(session, slug=slug)
    if not declaration.id:
        return []
    rows = session.execute(
        select(Violation.id, Violation.period, Violation.commitment_id, Coding.breach)
        .join(Coding, Coding.violation_id == Violation.id)
        .where(Violation.declaration_id == declaration.id)
        .order_by(Violation.id, Coding.created_at)
    ).all()
    first_two: dict[str, list[Any]] = {}
    for row in rows:
        first_two.setdefault(row.id, []).append(row)
    cells: dict[tuple[str | None, str | None], list[tuple[bool, bool]]] = {}
    for codings in first_two.values():
        if len(codings) < 2:
            continue
        a, b = codings[0], codings[1]
        pair = (bool(a.breach), bool(b.breach))
        for key in ((a.period, a.commitment_id), (a.period, None), (None, None)):
            cells.setdefault(key, []).append(pair)
    out = []
    for (period, commitment), pairs in sorted(
        cells.items(),
        key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1] is None, kv[0][1] or ""),
    ):
        kappa = cohen_kappa(pairs)
        out.append(
            {
                "period": period,
                "commitment": commitment,
                "pairs": len(pairs),
                "agreement": round(sum(1 for x, y in pairs if x == y) / len(pairs), 3),
                "kappa": None if kappa is None else round(kappa, 3),
            }
        )
    return out


def to_json(session: Session, row: Violation, *, codings: list[Coding] | None) -> dict[str, Any]:
    """The staff view of a violation (codings only as :func:`codings_for` allows)."""
    declaration = session.get(Declaration, row.declaration_id)
    return {
        "id": row.id,
        "declaration": declaration.slug if declaration else None,
        "actor_id": row.actor_id,
        "commitment_id": row.commitment_id,
        "description": row.description,
        "severity": row.severity,
        "period": row.period,
        "status": row.status,
        "evidence": list(row.evidence),
        "source": row.source,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "confirmed_at": row.confirmed_at.isoformat() if row.confirmed_at else None,
        "notified_at": row.notified_at.isoformat() if row.notified_at else None,
        "reply_due": row.reply_due.isoformat() if row.reply_due else None,
        "reply_text": row.reply_text,
        "reply_at": row.reply_at.isoformat() if row.reply_at else None,
        "codings": None
        if codings is None
        else [
            {
                "coder": c.coder,
                "commitment_id": c.commitment_id,
                "breach": c.breach,
                "severity": c.severity,
                "note": c.note,
                "created_at": c.created_at.isoformat(),
            }
            for c in codings
        ],
    }
