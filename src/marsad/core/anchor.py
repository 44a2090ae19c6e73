"""Audit anchors: the chain's head written to an append-only file outside the database.

The hash chain (:mod:`marsad.core.audit`) finds an edited, deleted or inserted
record, but not a whole database swapped for an older copy: that copy's chain
is intact, only shorter. So the head (its sequence number and hash) is also
appended, one JSON line at a time, to a file outside the data folder
(``MARSAD_AUDIT_ANCHOR_FILE``). ``marsad audit verify`` then checks that every
anchored head is still in the chain: a rolled-back copy lacks the newer
records (or holds different ones) and fails.

Each line carries an HMAC under the audit key, so a line cannot be forged
without the secret key. Anchors are written only after the transaction that
moved the head has committed (a rolled-back head is never anchored), and
only every ``audit_anchor_every`` records or ``audit_anchor_seconds`` seconds,
so writing one costs nothing noticeable. ``O_APPEND`` keeps concurrent writers
(web, workers) from overwriting each other.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.core.security import hmac_hex

log = logging.getLogger(__name__)

_lock = threading.Lock()
# Anchor file → (seq last written by this process, monotonic time of the write).
_last: dict[str, tuple[int, float]] = {}


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str


def _mac(key: bytes, seq: int, hash_: str, at: str) -> str:
    return hmac_hex(key, f"anchor|{seq}|{hash_}|{at}".encode())


def write(path: Path, key: bytes, *, seq: int, hash_: str) -> None:
    """Append one anchor line (``O_APPEND``, fsync'd); the file is created 0600."""
    at = utcnow().isoformat()
    line = json.dumps(
        {"seq": seq, "hash": hash_, "at": at, "mac": _mac(key, seq, hash_, at)},
        separators=(",", ":"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    with _lock:
        _last[str(path)] = (seq, time.monotonic())


def read(path: Path, key: bytes) -> tuple[list[Anchor], list[int]]:
    """Every valid anchor in the file, and the line numbers of lines that are not valid."""
    if not path.exists():
        return [], []
    anchors, bad = [], []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            seq, hash_, at = int(item["seq"]), str(item["hash"]), str(item["at"])
        except (ValueError, KeyError, TypeError):
            bad.append(number)
            continue
        if item.get("mac") != _mac(key, seq, hash_, at):
            bad.append(number)
            continue
        anchors.append(Anchor(seq=seq, hash=hash_, at=at))
    return anchors, bad


def _due(path: Path, seq: int, every: int, seconds: float) -> bool:
    with _lock:
        last = _last.get(str(path))
    if last is None:
        return True
    last_seq, last_time = last
    return seq - last_seq >= every or (seq > last_seq and time.monotonic() - last_time >= seconds)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A SAVEPOINT released (events, the group-commit writer): nothing is committed
        # yet, and the transaction around it may still fail. Wait for the real commit.
        return
    pending = session.info.pop("audit_anchor_pending", None)
    settings = session.info.get("settings")
    key = session.info.get("audit_key")
    if pending is None or settings is None or not key:
        return
    seq, hash_ = pending
    path = settings.resolved_anchor_file
    if not _due(path, seq, settings.audit_anchor_every, settings.audit_anchor_seconds):
        return
    try:
        write(path, key, seq=seq, hash_=hash_)
    except OSError as exc:
        # The commit stands; a missing anchor is caught up by the next one. Say so loudly.
        log.error("audit anchor not written to %s: %s", path, exc.strerror)


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_anchor_pending", None)


def note_head(session: Session, seq: int, hash_: str) -> None:
    """Remember the new head; it is anchored (if due) once the transaction commits."""
    session.info["audit_anchor_pending"] = (seq, hash_)


def install(factory: Any) -> None:
    """Anchor the heads that sessions of this factory commit."""
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def check(anchors: list[Anchor], chain: dict[int, str], last_seq: int) -> str | None:
    """A problem found by comparing the anchors with the chain, or None.

    ``chain`` maps each anchored sequence number to the hash the database holds.
    """
    for anchor in sorted(anchors, key=lambda a: a.seq, reverse=True):
        if anchor.seq > last_seq:
            return (
                f"the database is older than its anchor: record {anchor.seq} was anchored "
                f"at {anchor.at} but the chain ends at {last_seq} (a restored older copy?)"
            )
        if chain.get(anchor.seq) != anchor.hash:
            return (
                f"record {anchor.seq} differs from the one anchored at {anchor.at}: "
                "the chain was rewritten"
            )
    return None
