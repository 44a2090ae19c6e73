"""The audit trail cannot be wiped silently, and the SQLite files are the owner's alone."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit, migrate
from marsad.core.db import make_engine, session_scope
from marsad.core.settings import Settings
from tests.conftest import TEST_SECRET


def _verify(sessions: sessionmaker[Session]) -> audit.VerifyResult:
    with session_scope(sessions) as session:
        return audit.verify(session)


def test_a_wiped_trail_with_staff_accounts_does_not_verify(sessions, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("boss", "admin")
    assert _verify(sessions).ok
    with session_scope(sessions) as session:
        session.execute(text("DELETE FROM audit_records"))
        session.execute(text("DELETE FROM audit_head"))
    result = _verify(sessions)
    assert not result.ok
    assert result.to_json()["first_bad"]["problem"] == (
        "the audit trail is empty but the database holds staff accounts"
    )


def test_a_fresh_database_verifies(sessions) -> None:  # type: ignore[no-untyped-def]
    result = _verify(sessions)
    assert result.ok and result.records == 0


def test_a_dropped_head_table_is_reported_not_a_traceback(sessions, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("boss", "admin")
    with session_scope(sessions) as session:
        session.execute(text("DROP TABLE audit_head"))
    result = _verify(sessions)
    assert not result.ok
    assert result.problem == "the audit tables are missing or damaged"


def test_sqlite_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path / "data", secret_key=TEST_SECRET)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with engine.connect() as conn:  # WAL and shared-memory files exist while connected
        conn.execute(text("SELECT 1"))
        files = sorted((tmp_path / "data").glob("marsad.db*"))
        assert [f.name for f in files] == ["marsad.db", "marsad.db-shm", "marsad.db-wal"]
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    settings = Settings(
        env="test", data_dir=tmp_path, database_url=f"sqlite:///{database}", secret_key=TEST_SECRET
    )
    make_engine(settings).dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
