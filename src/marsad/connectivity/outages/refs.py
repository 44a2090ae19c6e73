"""References to connectivity events: ``outage:<event id>``."""

from __future__ import annotations

from typing import Any

from marsad.core.refs import RefType, ResolvedRef


def resolve_event(session: Any, ident: str) -> ResolvedRef | None:
    """A shutdown or blocking event; public unless staff rejected it."""
    from marsad.connectivity.outages.models import ConnectivityEvent

    event = session.get(ConnectivityEvent, ident)
    if event is None:
        return None
    return ResolvedRef(
        ref=f"outage:{event.id}",
        kind="outage",
        title=f"{event.scope} {event.shutdown_type} outage from {event.start:%Y-%m-%d %H:%M} UTC",
        url=f"/connectivity/events/{event.id}",
        public=event.status != "rejected",
        extra={"scope": event.scope, "governorates": list(event.governorates or [])},
    )


REF_TYPES: list[RefType] = [
    RefType(
        "outage", resolve_event, "A connectivity event (shutdown, throttling, blocking): its id."
    )
]
