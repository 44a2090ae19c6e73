"""The chain of custody: one function appends to an item's log, one checks it.

See ``CustodyEvent`` for what the two hashes protect. Callers record every
creation, view, download, export and transfer of an item, inside the same
transaction as the act itself. ``details`` holds identifiers, never a
reporter's contact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.security import hmac_hex
from marsad.evidence.models import CUSTODY_ACTIONS, CustodyEvent, EvidenceItem

GENESIS = "0" * 64


def canonical(
    *,
    item_id: int,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    reason: str,
    details: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The bytes an event's ``hash`` covers (also what verify-bundle re-computes)."""
    fields = [item_id, seq, at.isoformat(), actor, action, reason, details, prev_hash]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


def _mac(session: Session, hash_: str) -> str:
    key = session.info.get("audit_key")
    if not key:
        raise MarsadError("err_audit_key", "this session cannot write the custody log")
    return hmac_hex(key, f"custody|{hash_}".encode())


def record(
    session: Session,
    *,
    item_id: int,
    action: str,
    actor: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Append one event to the item's custody chain and return it (flushed)."""
    if action not in CUSTODY_ACTIONS:
        raise InvalidInput(
            "err_custody_action",
            f"unknown custody action {action!r}; expected one of {', '.join(CUSTODY_ACTIONS)}",
            "action",
        )
    # Appends to one item's chain take turns on the item's row: locking the last event
    # instead would let a second writer, once it got the lock, still read that same old
    # event on PostgreSQL (READ COMMITTED re-checks the row it found, not the query) and
    # write the same seq. SQLite writers already take turns (BEGIN IMMEDIATE).
    session.execute(
        select(EvidenceItem.id).where(EvidenceItem.id == item_id).with_for_update()
    ).first()
    last = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.item_id == item_id)
        .order_by(CustodyEvent.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    at = utcnow()
    data = details or {}
    hash_ = event_hash(
        item_id=item_id,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        reason=reason,
        details=data,
        prev_hash=prev,
    )
    event = CustodyEvent(
        item_id=item_id,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        reason=reason,
        details=data,
        prev_hash=prev,
        hash=hash_,
        mac=_mac(session, hash_),
    )
    session.add(event)
    session.flush()
    return event


def chain_problems(events: Iterable[Any], *, session: Session | None = None) -> list[str]:
    """What is wrong with one item's events (given in ``seq`` order); [] when intact.

    Works on ``CustodyEvent`` rows or on anything with the same attributes (an
    exported log read back from a bundle). With a session, the MACs are checked too.
    """
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    for event in events:
        where = f"custody event {event.seq} of item {event.item_id}"
        if event.seq != expected_seq:
            problems.append(f"{where}: expected event {expected_seq} (one is missing or moved)")
        if event.prev_hash != prev:
            problems.append(f"{where}: does not follow the event before it")
        at = event.at if isinstance(event.at, datetime) else datetime.fromisoformat(event.at)
        recomputed = event_hash(
            item_id=event.item_id,
            seq=event.seq,
            at=at,
            actor=event.actor,
            action=event.action,
            reason=event.reason,
            details=event.details,
            prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            problems.append(f"{where}: its content was changed after it was written")
        elif session is not None and _mac(session, event.hash) != event.mac:
            problems.append(f"{where}: its hash was rebuilt without Marsad's key")
        prev = event.hash
        expected_seq = event.seq + 1
    return problems
