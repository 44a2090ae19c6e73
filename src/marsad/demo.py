"""Sample data for `marsad demo`: text written by the project, no real person's data."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from marsad.core import security, users
from marsad.core.errors import NotFound
from marsad.core.settings import Settings

ADMIN = "admin"
SAMPLE_STAFF = (("reviewer", "reviewer"), ("analyst", "analyst"))


@dataclass
class DemoSummary:
    admin_username: str
    admin_password: str
    lines: list[str] = field(default_factory=list)


def _ensure_user(session: Session, username: str, role: str) -> tuple[str, bool]:
    """Create the account, or give it a fresh password; return (password, created)."""
    password = security.generate_password()
    try:
        user = users.get_user(session, username=username)
    except NotFound:
        users.create_user(session, username=username, role=role, password=password, actor="demo")
        return password, True
    users.set_password(session, user=user, password=password, actor="demo")
    return password, False


def load_sample_data(session: Session, *, settings: Settings) -> DemoSummary:  # noqa: ARG001
    """Load (or refresh) the demo's accounts and sample content; safe to run twice."""
    admin_password, _created = _ensure_user(session, ADMIN, "admin")
    summary = DemoSummary(ADMIN, admin_password)
    for username, role in SAMPLE_STAFF:
        password, _ = _ensure_user(session, username, role)
        summary.lines.append(f"{role} login: username {username}  password {password}")
    return summary
