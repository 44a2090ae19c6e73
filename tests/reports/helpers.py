"""Helpers shared by the reports tests."""

from __future__ import annotations

from typing import Any

from marsad.core import users
from marsad.core.db import session_scope
from marsad.reports import service

CONTACT_EMAIL = "hidden.reporter.7731@example.org"
CONTACT_PHONE = "+964 770 555 0199"


def move(sessions, report_id: str, username: str, to: str, **kw: Any):  # type: ignore[no-untyped-def]
    """Transition a report as a user, in its own transaction."""
    with session_scope(sessions) as session:
        actor = users.get_user(session, username=username)
        return service.transition_report(session, report_id=report_id, to=to, actor=actor, **kw)


def publish(sessions, report_id: str, username: str = "rev", **kw: Any) -> None:  # type: ignore[no-untyped-def]
    """Walk a report to published as a reviewer."""
    move(sessions, report_id, username, "triaged")
    move(sessions, report_id, username, "verified")
    move(sessions, report_id, username, "published", **kw)
