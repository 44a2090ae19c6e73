"""Sample data for `marsad demo`: text written by the project, no real person's data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

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


def load_sample_data(session: Session, *, settings: Settings) -> DemoSummary:
    """Load (or refresh) the demo's accounts and sample reports; safe to run twice."""
    from marsad.reports.sample import load_sample_reports

    admin_password, _created = _ensure_user(session, ADMIN, "admin")
    summary = DemoSummary(ADMIN, admin_password)
    for username, role in SAMPLE_STAFF:
        password, _ = _ensure_user(session, username, role)
        summary.lines.append(f"{role} login: username {username}  password {password}")
    cipher = security.FieldCipher.from_settings(settings.field_key, settings.secret())
    added = load_sample_reports(session, settings=settings, cipher=cipher)
    summary.lines.append(f"sample reports added: {added}")
    return summary


def load_sample_posts(
    *, engine: Engine, sessions: sessionmaker[Session], settings: Settings
) -> list[str]:
    """Ingest the sample posts and flag them; safe to run twice (ingest is idempotent)."""
    from marsad.coordination.runs import list_runs, start_run
    from marsad.coordination.statuses import current_status, record_status
    from marsad.core.db import session_scope
    from marsad.demo_posts import ACCOUNTS, BANNED_ACCOUNT, write_sample_posts
    from marsad.detect.flagging import run_detection
    from marsad.posts.ingest import ingest_files

    path = write_sample_posts(settings.data_dir / "sample-posts.jsonl")
    result = ingest_files(
        fmt="jsonl",
        paths=[path],
        engine=engine,
        platform="demo",
        mapping="id=id,author=author,author_name=author_name,text=text,created_at=created_at",
    )
    flags = run_detection(sessions=sessions)
    lines = [
        f"sample posts: {result.read} read, {result.inserted} new",
        f"posts flagged for review: {flags.flagged} of {flags.processed} looked at",
    ]
    banned = f"demo:{ACCOUNTS[BANNED_ACCOUNT][0]}"
    with session_scope(sessions) as session:
        if current_status(session, account=banned) is None:
            record_status(
                session,
                account=banned,
                status="suspended",
                actor="demo",
                source="staff",
                observed_at=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
                note="Sample: suspended by the platform after threats of violence",
            )
            lines.append(f"suspended account recorded: {banned}")
        if not list_runs(session, limit=1):
            run = start_run(session, actor="demo")
            lines.append(f"coordinated groups found: {run.clusters}")
    return lines
