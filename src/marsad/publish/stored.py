"""Figures computed once and reused until their sources change: the dashboards' speed.

Counting a million posts or a hundred thousand reports on every request is
what made the dashboard slow. A section may therefore keep what it computed
(in the ``publish_figures`` table, written by the ``publish.refresh-figures``
job, and in this process's memory) and reuse it while it is still true. Two
ways to know that, chosen by the section:

- **a stamp**: a cheap summary of the source tables (``max(updated_at)`` and
  a count) stored with the figures; different stamp, figures recomputed;
- **changes since**: the section asks which days had rows added or changed
  after the figures were computed (less a safety margin, :data:`MARGIN`, for
  transactions that committed late) and recomputes only those days.

Correctness comes first: nothing is reused that a new report, post or flag
could have changed. Memory is per database and bounded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.publish.models import StoredFigures

# A row written by a transaction that began this long before it committed is still seen:
# rows "changed since t" are looked for from t - MARGIN.
MARGIN = timedelta(minutes=30)
MEMORY_LIMIT = 20_000


@dataclass(frozen=True)
class Kept:
    """Figures with what they were computed from and when."""

    figures: dict[str, Any]
    stamp: str
    computed_at: datetime


_MEMORY: dict[tuple[str, str, str], Kept] = {}
_LOCK = threading.Lock()


def _database(session: Session) -> str:
    return str(session.get_bind().url)  # the password is masked in str(url)


def recall(session: Session, key: str, scopes: list[str]) -> dict[str, Kept]:
    """What is kept for these scopes: this process's memory, else the table."""
    database = _database(session)
    found: dict[str, Kept] = {}
    with _LOCK:
        for scope in scopes:
            hit = _MEMORY.get((database, key, scope))
            if hit is not None:
                found[scope] = hit
    wanted = [scope for scope in scopes if scope not in found]
    if not wanted:
        return found
    rows = session.execute(
        select(
            StoredFigures.scope,
            StoredFigures.figures,
            StoredFigures.stamp,
            StoredFigures.computed_at,
        ).where(StoredFigures.key == key, StoredFigures.scope.in_(wanted))
    ).all()
    for scope, figures, stamp, computed_at in rows:
        found[scope] = kept = Kept(figures, stamp, computed_at)
        remember(session, key, scope, kept)
    return found


def remember(session: Session, key: str, scope: str, kept: Kept) -> None:
    """Keep figures in this process's memory (any session, even a read-only one)."""
    database = _database(session)
    with _LOCK:
        if len(_MEMORY) >= MEMORY_LIMIT:
            _MEMORY.clear()
        _MEMORY[(database, key, scope)] = kept


def store(session: Session, key: str, items: dict[str, Kept]) -> None:
    """Write figures to the table for every process to reuse (a write session; no commit)."""
    if not items:
        return
    session.execute(
        delete(StoredFigures).where(StoredFigures.key == key, StoredFigures.scope.in_(list(items)))
    )
    session.add_all(
        StoredFigures(
            key=key,
            scope=scope,
            stamp=kept.stamp,
            figures=kept.figures,
            computed_at=kept.computed_at,
        )
        for scope, kept in items.items()
    )
    session.flush()
    for scope, kept in items.items():
        remember(session, key, scope, kept)


def persist(session: Session, key: str, scopes: list[str]) -> int:
    """Write what this process holds for these scopes where the table has nothing or older.

    Returns how many were written (a write session; no commit).
    """
    database = _database(session)
    with _LOCK:
        held = {s: _MEMORY[(database, key, s)] for s in scopes if (database, key, s) in _MEMORY}
    table = dict(
        session.execute(
            select(StoredFigures.scope, StoredFigures.computed_at).where(
                StoredFigures.key == key, StoredFigures.scope.in_(list(held))
            )
        ).all()
    )
    newer = {s: k for s, k in held.items() if s not in table or table[s] < k.computed_at}
    store(session, key, newer)
    return len(newer)


def is_current(kept: Kept, changed: datetime | None) -> bool:
    """Whether figures computed at ``kept.computed_at`` still hold after a change at ``changed``."""
    return changed is None or changed <= kept.computed_at - MARGIN


def now() -> datetime:
    return utcnow()


def forget() -> None:
    """Drop this process's memory (tests; the table is untouched)."""
    with _LOCK:
        _MEMORY.clear()
