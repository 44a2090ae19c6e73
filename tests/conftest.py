"""Shared fixtures: settings, a migrated database on SQLite (and PostgreSQL), the app.

Every database fixture runs the real Alembic migrations, so the tests cover
them. PostgreSQL runs when MARSAD_TEST_POSTGRES_URL is set (.ci/run sets it):
each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("MARSAD_TEST_POSTGRES_URL")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test saying what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (the shared data folder is absent)")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'marsad.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set MARSAD_TEST_POSTGRES_URL to run this on PostgreSQL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=TEST_SECRET,
        login_lockout_seconds=60,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on a fresh database with every migration applied."""
    engine = make_engine(settings)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine, settings: Settings) -> sessionmaker[Session]:
    return session_factory(engine, settings)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session
        session.rollback()
