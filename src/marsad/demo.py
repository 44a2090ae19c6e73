"""`marsad demo`: sample accounts, then each plugin's sample data (invented, no real person's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

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


def load_demo(
    *, settings: Settings, engine: Engine, sessions: sessionmaker[Session]
) -> DemoSummary:
    """Create (or refresh) the demo's accounts, then each plugin's sample data; safe twice.

    The accounts belong to the core; everything else comes from the plugins'
    ``marsad_demo_data`` hooks, called in plugin order (reports, posts, then
    detect and coordination, which work on the posts).
    """
    from marsad.core.db import session_scope
    from marsad.core.plugins import DemoContext, get_registry

    with session_scope(sessions) as session:
        admin_password, _created = _ensure_user(session, ADMIN, "admin")
        summary = DemoSummary(ADMIN, admin_password)
        for username, role in SAMPLE_STAFF:
            password, _ = _ensure_user(session, username, role)
            summary.lines.append(f"{role} login: username {username}  password {password}")
    context = DemoContext(settings=settings, engine=engine, sessions=sessions)
    summary.lines += get_registry(settings).load_demo_data(context)
    return summary
