"""A plugin for the tests that records the events it hears (``marsad_on_event``)."""

from __future__ import annotations

from typing import Any

from marsad.core.plugins import hookimpl

NAME = "outage_listener"
HEARD: list[tuple[str, dict[str, Any]]] = []


@hookimpl
def marsad_on_event(session: Any, events: list[Any]) -> None:  # noqa: ARG001
    HEARD.extend((event.name, dict(event.payload)) for event in events)
