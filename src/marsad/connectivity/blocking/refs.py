"""References to OONI measurements: ``ooni:<measurement uid>`` (or ``ooni:<Marsad id>``).

A report, an evidence item or a connectivity event cites the measurement that
shows a block by its OONI uid, the id OONI Explorer also uses, so the citation
means the same thing inside and outside Marsad.
"""

from __future__ import annotations

from typing import Any

from marsad.connectivity.blocking.service import get_measurement, measurement_ref
from marsad.core.errors import NotFound
from marsad.core.refs import RefType, ResolvedRef


def resolve_measurement(session: Any, ident: str) -> ResolvedRef | None:
    """A stored OONI measurement: test, target, network, day and verdict."""
    try:
        row = get_measurement(session, ident=ident)
    except NotFound:
        return None
    return ResolvedRef(
        ref=measurement_ref(row),
        kind="ooni",
        title=(
            f"OONI {row.test_name}: {row.target} on AS{row.asn} {row.network}".strip()
            + f", {row.day.isoformat()}: {row.verdict}"
        ),
        url=f"/connectivity/measurements/{row.id}",
        public=True,
        extra={
            "uid": row.uid,
            "test_name": row.test_name,
            "target": row.target,
            "asn": row.asn,
            "day": row.day.isoformat(),
            "verdict": row.verdict,
            "blocking": row.blocking,
        },
    )


REF_TYPES: list[RefType] = [
    RefType(
        "ooni",
        resolve_measurement,
        "An OONI measurement: its OONI measurement uid (or Marsad's id for it).",
    )
]
