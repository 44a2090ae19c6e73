"""References to violations: ``violation:<id>``, so a weekly report or an alert can cite one.

``public`` only once the violation is public (confirmed, notified, right of reply run
out); then its URL is the actor's public page, else the staff page.
"""

from __future__ import annotations

from typing import Any

from marsad.core.refs import RefType, ResolvedRef
from marsad.declaration.models import Violation
from marsad.declaration.violations import is_public


def resolve_violation(session: Any, ident: str) -> ResolvedRef | None:
    """A violation: its commitment and status."""
    row = session.get(Violation, ident)
    if row is None:
        return None
    public = is_public(row)
    return ResolvedRef(
        ref=f"violation:{row.id}",
        kind="violation",
        title=f"violation of {row.commitment_id} ({row.status})",
        url=f"/actors/{row.actor_id}" if public else f"/staff/violations/{row.id}",
        public=public,
        extra={"actor_id": row.actor_id, "commitment_id": row.commitment_id, "status": row.status},
    )


REF_TYPES: list[RefType] = [
    RefType("violation", resolve_violation, "A violation of a declaration's commitment, by id.")
]
