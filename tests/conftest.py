"""Shared fixtures: settings, a migrated database on SQLite (and PostgreSQL), the app.

Every database fixture runs the real Alembic migrations, so the tests cover
them. PostgreSQL runs when MARSAD_TEST_POSTGRES_URL is set (.ci/run sets it):
each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL to a fresh, empty schema of the test PostgreSQL, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'marsad.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set MARSAD_TEST_POSTGRES_URL to run this on PostgreSQL")
    with postgres_schema() as url:
        yield url


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


@pytest.fixture
def env(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The environment a ``marsad`` command run in the test reads its settings from.

    A test file that needs more (an outbox, a switch) defines its own ``env``.
    """
    from marsad.core.settings import get_settings

    monkeypatch.setenv("MARSAD_ENV", "test")
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- the web app -----------------------------------------------------------------

CSRF_RE = __import__("re").compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    from marsad.web.app import create_app

    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    """Sign in through the real form (CSRF included); return the response to the POST."""
    token = csrf_from(client.get("/login").text)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data, follow_redirects=False)


@pytest.fixture
def make_user(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """Create a staff account and return its password."""
    from marsad.core import users
    from marsad.core.db import session_scope

    def factory(username: str, role: str = "analyst", password: str = "a-long-password-1") -> str:
        with session_scope(sessions) as session:
            users.create_user(session, username=username, role=role, password=password)
        return password

    return factory


@pytest.fixture
def admin_client(client, make_user):  # type: ignore[no-untyped-def]
    password = make_user("boss", "admin")
    response = login(client, "boss", password)
    assert response.status_code == 303
    return client


# --- a real server and a real browser ------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):  # type: ignore[no-untyped-def]
    """Serve the app on a free loopback port in a thread; yield its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright; no browser is downloaded."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def use_report_settings(app, **values):  # type: ignore[no-untyped-def]
    """Give a built app a reports section of these values (the rest of its settings kept)."""
    from marsad.reports.settings import ReportSettings

    current = app.state.settings
    app.state.settings = Settings(**current.model_dump(), reports=ReportSettings(**values))
