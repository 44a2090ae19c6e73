"""References to evidence items: ``evidence:<id>`` (or ``evidence:sha256:<hex>``).

Reports, posts, flags and coordination groups cite items by this reference.
Items are never public: the resolver gives staff the title, kind and hash.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from marsad.core.blobs import PREFIX, parse_sha256
from marsad.core.refs import RefType, ResolvedRef
from marsad.evidence.models import EvidenceItem
from marsad.evidence.service import get_item


def resolve_evidence(session: Any, ident: str) -> ResolvedRef | None:
    """An item by id, or the first item holding the blob ``sha256:<hex>``."""
    if ident.startswith(PREFIX):
        parse_sha256(ident, where="ref")
        item = session.scalars(
            select(EvidenceItem).where(EvidenceItem.sha256 == ident).order_by(EvidenceItem.id)
        ).first()
        if item is None:
            return None
    elif ident.isdigit():
        item = get_item(session, ident)
    else:
        return None
    return ResolvedRef(
        ref=f"evidence:{item.id}",
        kind="evidence",
        title=f"{item.kind} · {item.title or item.source_url or item.source_ref or item.id}",
        url=f"/staff/evidence/{item.id}",
        public=False,
        extra={
            "kind": item.kind,
            "status": item.status,
            "sha256": item.sha256,
            "source_url": item.source_url,
            "source_ref": item.source_ref,
            "version": item.version,
        },
    )


REF_TYPES: list[RefType] = [
    RefType(
        "evidence",
        resolve_evidence,
        "A preserved evidence item, by its id or by its blob's sha256:<hex>.",
    )
]
