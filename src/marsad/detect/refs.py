"""References to flags: ``flag:<id>`` (what the detectors said about one post)."""

from __future__ import annotations

from typing import Any

from marsad.core.refs import RefType, ResolvedRef
from marsad.detect.flagging import get_flag


def resolve_flag(session: Any, ident: str) -> ResolvedRef | None:
    """A flag with its labels, score, review state and the post it is about."""
    flag = get_flag(session, flag_id=ident)
    labels = ", ".join(flag.reviewed_labels or flag.labels) or "-"
    return ResolvedRef(
        ref=f"flag:{flag.id}",
        kind="flag",
        title=f"post {flag.post_pk}: {labels} ({flag.top_score:.2f}, {flag.review_status})",
        url=f"/staff/flags?status={flag.review_status}",
        public=False,
        extra={
            "post": f"post:{flag.post_pk}",
            "labels": list(flag.labels),
            "review_status": flag.review_status,
            "model_version": flag.model_version,
            "glossary_version": flag.glossary_version,
        },
    )


REF_TYPES: list[RefType] = [
    RefType("flag", resolve_flag, "A detector's flag on a post, with its review decision.")
]
