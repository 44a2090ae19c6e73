"""The audit trail: one function writes it, one function checks it.

Every change of state and every view of private data goes through
:func:`record`. Records form a hash chain: each one's HMAC covers its own
fields and the previous record's HMAC, and a head row remembers the last
link, so an edited, deleted, inserted or cut-off record is found by
:func:`verify`. The HMAC key comes from the secret key, which is not in the
database. Never put a reporter's contact or any other secret in ``details``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from marsad.core import anchor
from marsad.core.db import utcnow
from marsad.core.errors import MarsadError
from marsad.core.models import AuditHead, AuditRecord, User
from marsad.core.security import hmac_hex

GENESIS_HASH = "0" * 64
GENESIS_MAC = "genesis"
SYSTEM = "system"


def _key(session: Session) -> bytes:
    key = session.info.get("audit_key")
    if not key:
        raise MarsadError("err_audit_key", "this session cannot write the audit trail")
    return key


def _canonical(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: str,
    prev_hash: str,
) -> bytes:
    fields = [seq, at.isoformat(), actor, action, subject_type, subject_id, details, prev_hash]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()


def _head_mac(key: bytes, seq: int, hash_: str) -> str:
    return hmac_hex(key, f"head|{seq}|{hash_}".encode())


@cache
def _statements() -> tuple[Any, Any, Any, Any]:
    """The statements of an append, built once (building them cost as much as running them)."""
    head = AuditHead.__table__
    return (
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update(),
        insert(AuditRecord.__table__),
        insert(head),
        update(head).where(head.c.id == 1),
    )


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the chain inside the caller's transaction.

    ``actor`` is a username (or ``system``/``public``); ``action`` a dotted verb
    such as ``user.login`` or ``report.contact_viewed``. Returns the record as
    written (not added to the session: it is written by plain statements, which
    cost a new report a third of what the ORM's unit of work did).
    """
    key = _key(session)
    # Lock the head: appends are serialised (FOR UPDATE on PostgreSQL; SQLite
    # already holds the write lock from BEGIN IMMEDIATE).
    lock_head, add_record, add_head, move_head = _statements()
    head = session.execute(lock_head).one_or_none()
    prev_seq, prev_hash = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    at = utcnow()
    body = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    seq = prev_seq + 1
    digest = hmac_hex(
        key,
        _canonical(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            details=body,
            prev_hash=prev_hash,
        ),
    )
    values = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "details": body,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    # The session's own connection, past the ORM (the SELECT above flushed what was
    # pending, so the statements keep their order).
    conn = session.connection()
    conn.execute(add_record, values)
    moved = {"seq": seq, "hash": digest, "mac": _head_mac(key, seq, digest)}
    if head is None:
        conn.execute(add_head, {"id": 1, **moved})
    else:
        conn.execute(move_head, moved)
    anchor.note_head(session, seq, digest)
    return AuditRecord(**values)


@dataclass
class VerifyResult:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_bad": None if self.ok else {"seq": self.first_bad_seq, "problem": self.problem},
        }


def verify(session: Session, *, batch: int = 2000) -> VerifyResult:
    """Walk the chain from the start; name the first record that is broken or missing."""
    try:
        return _verify(session, batch=batch)
    except (OperationalError, ProgrammingError):
        # A dropped audit table is tampering too: say so rather than fail with a traceback.
        session.rollback()
        return VerifyResult(False, 0, 1, "the audit tables are missing or damaged")


def _anchors(session: Session, key: bytes) -> tuple[list[anchor.Anchor], str | None]:
    settings = session.info.get("settings")
    if settings is None:
        return [], None
    path = settings.resolved_anchor_file
    anchors, bad = anchor.read(path, key)
    if bad:
        return anchors, f"the anchor file {path} has lines that are not valid: {bad[:5]}"
    return anchors, None


def _verify(session: Session, *, batch: int) -> VerifyResult:
    key = _key(session)
    anchors, anchor_problem = _anchors(session, key)
    anchored = {a.seq for a in anchors}
    chain: dict[int, str] = {}
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).yield_per(batch)
    for row in rows.scalars():
        if row.seq != expected_seq:
            problem = f"record {expected_seq} is missing (next present is {row.seq})"
            return VerifyResult(False, count, expected_seq, problem)
        if row.prev_hash != prev_hash:
            return VerifyResult(
                False, count, row.seq, f"record {row.seq} does not follow record {row.seq - 1}"
            )
        digest = hmac_hex(
            key,
            _canonical(
                seq=row.seq,
                at=row.at,
                actor=row.actor,
                action=row.action,
                subject_type=row.subject_type,
                subject_id=row.subject_id,
                details=row.details,
                prev_hash=row.prev_hash,
            ),
        )
        if digest != row.hash:
            return VerifyResult(False, count, row.seq, f"record {row.seq} was altered")
        prev_hash = row.hash
        if row.seq in anchored:
            chain[row.seq] = row.hash
        expected_seq += 1
        count += 1
    last = expected_seq - 1
    result = _check_head(session, key, count, last, prev_hash)
    if not result.ok:
        return result
    if anchor_problem:
        return VerifyResult(False, count, None, anchor_problem)
    rollback = anchor.check(anchors, chain, last)
    if rollback:
        return VerifyResult(False, count, min(last + 1, max(anchored)), rollback)
    return result


def _check_head(
    session: Session, key: bytes, count: int, last: int, prev_hash: str
) -> VerifyResult:
    head = session.get(AuditHead, 1)
    if count == 0 and session.execute(select(User.id).limit(1)).first() is not None:
        # Creating a staff account writes the first record: accounts without any
        # record mean the trail (and its head) was wiped, not that nothing happened.
        return VerifyResult(
            False, 0, 1, "the audit trail is empty but the database holds staff accounts"
        )
    tables = _tables_with_data(session) if count == 0 else []
    if tables:
        return VerifyResult(
            False, 0, 1, f"the audit trail has no genesis record but {tables[0]} holds data"
        )
    if head is None:
        if count:
            return VerifyResult(False, count, last, "the chain's head record is missing")
        return VerifyResult(True, 0)
    if head.seq == 0 and head.mac == GENESIS_MAC and count == 0:
        return VerifyResult(True, 0)
    if head.mac != _head_mac(key, head.seq, head.hash):
        return VerifyResult(False, count, head.seq, "the chain's head record was altered")
    if head.seq > last:
        return VerifyResult(
            False, count, last + 1, f"records {last + 1} to {head.seq} are missing from the end"
        )
    if head.seq < last or head.hash != prev_hash:
        return VerifyResult(False, count, head.seq, "the chain's head does not match its records")
    return VerifyResult(True, count)


# Tables whose every row is born with an audit record (``user.created``, ``report.received``):
# rows there with an empty trail mean the trail was wiped.
AUDITED_TABLES = ("reports",)


def _tables_with_data(session: Session) -> list[str]:
    from sqlalchemy import inspect, text

    present = set(inspect(session.connection()).get_table_names())
    return [
        name
        for name in AUDITED_TABLES
        if name in present
        and session.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None  # noqa: S608 - fixed names
    ]


def anchor_head(session: Session) -> dict[str, Any] | None:
    """Write the current head to the anchor file now (``audit verify`` and ``backup`` do)."""
    settings = session.info.get("settings")
    head = session.get(AuditHead, 1)
    if settings is None or head is None or head.seq == 0:
        return None
    path = settings.resolved_anchor_file
    anchor.write(path, _key(session), seq=head.seq, hash_=head.hash)
    return {"file": str(path), "seq": head.seq, "hash": head.hash}


def count_records(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()


def list_records(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditRecord]:
    """The newest audit records, filtered: by who, by action (``report`` = every ``report.*``).

    Paged by ``before`` (a record's seq): the next page starts below the last one shown.
    """
    query = select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditRecord.seq < before)
    if actor:
        query = query.where(AuditRecord.actor == actor)
    if action:
        query = query.where(
            or_(AuditRecord.action == action, AuditRecord.action.like(f"{action}.%"))
        )
    return list(session.execute(query).scalars())
