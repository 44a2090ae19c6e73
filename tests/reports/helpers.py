"""Helpers shared by the reports tests."""

from __future__ import annotations

import re
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


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of a page's form."""
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    """Sign in through the real form."""
    token = csrf_from(client.get("/login").text)
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data, follow_redirects=False)
