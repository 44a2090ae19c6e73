"""Events: one capability says "this happened", others react, none blocks the other.

A capability calls :func:`emit` inside the transaction that made the thing
happen (a report stored, a flag created, a group found, an outage detected, a
job failed). Every plugin implementing the ``marsad_on_event`` hook is called
with the same session, each inside a SAVEPOINT: a reaction that fails is rolled
back alone, logged by its event name only, and the emitter's work goes on. A
reaction must be quick and must not do network I/O in the hook: it records what
to do (an alert delivery row, a job) and the jobs layer does it after commit.

Payloads are small JSON-able dicts of identifiers and labels, never free text a
citizen typed and never a reporter's contact (alerts forward payloads).

Event names, with their payload keys:

- ``report.received``: ``report_id``, ``category``, ``governorate``
- ``flag.created``: ``flag_id``, ``post_id`` (Marsad's post id), ``label`` (the
  top-scoring one), ``labels`` (all of them), ``severity`` (the highest glossary
  severity among the spans, "1" to "3", or None), ``account`` (``platform:handle``),
  ``actor`` (the name of the actor owning the account, or None), ``watchlists`` (names)
- ``coordination.group_found``: ``run_id``, ``group`` (the ``cluster:`` reference),
  ``method``, ``size``
- ``connectivity.outage``: ``event_id``, ``scope``, ``entities``, ``start``, ``end``
- ``job.failed``: ``job_id``, ``kind``, ``error``
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from marsad.core.db import utcnow

log = logging.getLogger(__name__)

EVENT_NAMES = (
    "report.received",
    "flag.created",
    "coordination.group_found",
    "connectivity.outage",
    "job.failed",
)

# The keys each event's payload may carry. Whatever else an emitter puts in a
# payload is dropped before it is stored or forwarded (alerts use this list):
# a contact or a free text cannot reach an alert by mistake.
PAYLOAD_KEYS: dict[str, tuple[str, ...]] = {
    "report.received": ("report_id", "category", "governorate"),
    "flag.created": (
        "flag_id",
        "post_id",
        "label",
        "labels",
        "severity",
        "account",
        "actor",
        "watchlists",
    ),
    "coordination.group_found": ("run_id", "group", "method", "size"),
    "connectivity.outage": ("event_id", "scope", "entities", "start", "end"),
    "job.failed": ("job_id", "kind", "error"),
}


def public_payload(event: Event) -> dict[str, Any]:
    """The event's payload reduced to its declared keys (see ``PAYLOAD_KEYS``)."""
    keys = PAYLOAD_KEYS.get(event.name, ())
    return {key: event.payload[key] for key in keys if key in event.payload}


@dataclass(frozen=True)
class Event:
    """Something that happened: its name, its payload, when (UTC)."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)


def emit(session: Session, name: str, payload: dict[str, Any], *, settings: Any = None) -> None:
    """Tell every ``marsad_on_event`` implementation that ``name`` happened."""
    emit_many(session, [Event(name, payload)], settings=settings)


def emit_many(session: Session, events: Iterable[Event], *, settings: Any = None) -> None:
    """Several events at once (a detect batch's flags): one call per reacting plugin."""
    batch = list(events)
    if not batch:
        return
    for event in batch:
        if event.name not in EVENT_NAMES:
            raise ValueError(f"unknown event {event.name!r}")
    from marsad.core.plugins import get_registry

    if settings is None:
        # Sessions made by session_factory(engine, settings) carry the settings.
        settings = session.info.get("settings")
    registry = get_registry(settings)
    for impl in registry.manager.hook.marsad_on_event.get_hookimpls():
        try:
            with session.begin_nested():
                impl.function(session=session, events=batch)
        except Exception:  # noqa: BLE001 - a reaction never breaks what caused it
            log.exception(
                "a reaction to an event failed",
                extra={"plugin": impl.plugin_name, "events": sorted({e.name for e in batch})},
            )
