"""A database that is down, unreachable, out of connections or not openable: 503 with
``Retry-After`` and a plain message, never a 500 or a traceback, and logs without what
was sent."""

from __future__ import annotations

import logging
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from marsad.core import migrate, users
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.settings import Settings
from marsad.reports.models import Report
from marsad.reports.settings import ReportSettings
from marsad.web.app import create_app
from tests.conftest import PG_URL, TEST_SECRET, csrf_from, login

SECRET_TEXT = "Taken from the café on Rasheed Street, 5519"
SECRET_CONTACT = "quiet.witness.5519@example.org"
PASSWORD = "a-long-password-1"
API_BODY = {"title": "Checkpoint", "category": "threat", "contact": SECRET_CONTACT}
FORM = {"title": "Taken at dawn", "category": "threat", "description": SECRET_TEXT}


def _settings(tmp_path: Path, url: str, **reports: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key=TEST_SECRET,
        reports=ReportSettings(**reports),
    )


def _closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app_without_database(settings: Settings) -> Any:
    # The server started while the database was away: make_engine's own check would
    # stop it at start, which is the right answer there; requests come after.
    return create_app(settings, engine=make_engine(settings, check=False))


def _assert_unavailable_everywhere(client: TestClient, caplog: pytest.LogCaptureFixture) -> str:
    """The API, a page, the report form and /health, each answered 503 as they should be.

    Returns the CSRF token it sent the form with.
    """
    api = client.post("/api/v1/reports?lang=en", json=API_BODY)
    assert api.status_code == 503, api.text
    assert api.headers["Retry-After"] == "30"
    assert api.json() == {
        "error": "err_database_unavailable",
        "message": "The database is unavailable. Please try again shortly.",
    }
    listed = client.get("/api/v1/reports?lang=ar")
    assert listed.status_code == 503 and listed.json()["error"] == "err_database_unavailable"
    assert listed.json()["message"] != api.json()["message"]  # in Arabic
    page = client.get("/report?lang=en")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "The database is unavailable" in page.text and "Traceback" not in page.text
    token = csrf_from(client.get("/login").text)  # a page that needs no database
    form = client.post("/report", data={**FORM, "csrf_token": token})
    assert form.status_code == 503 and form.headers["Retry-After"] == "30"
    assert "Your report has not been saved yet: the database is unavailable" in form.text
    assert "Taken at dawn" in form.text and SECRET_TEXT in form.text
    health = client.get("/health")
    assert health.status_code == 503 and health.json() == {"status": "unavailable"}
    logged = caplog.text
    assert "database unavailable on POST /api/v1/reports: answered 503" in logged
    assert "database unavailable on POST /report: the form was shown again" in logged
    for secret in (SECRET_TEXT, SECRET_CONTACT, "5519", "[SQL", "Traceback"):
        assert secret not in logged
    return token


def test_postgres_on_a_closed_port_is_503_not_500(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    url = f"postgresql+psycopg://marsad@127.0.0.1:{_closed_port()}/marsad"
    app = _app_without_database(_settings(tmp_path, url))
    with TestClient(app, raise_server_exceptions=False) as client:
        _assert_unavailable_everywhere(client, caplog)
    assert "Connection refused" in caplog.text  # the operator learns why


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL: set MARSAD_TEST_POSTGRES_URL")
def test_postgres_out_of_connections_is_503(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    # A role allowed no connection at all: PostgreSQL refuses it as it refuses any
    # client past max_connections, "too many connections", without a SQLSTATE.
    caplog.set_level(logging.DEBUG)
    role = f"marsad_full_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0'))
    try:
        url = make_url(PG_URL).set(username=role).render_as_string(hide_password=False)
        app = _app_without_database(_settings(tmp_path, url))
        with TestClient(app, raise_server_exceptions=False) as client:
            _assert_unavailable_everywhere(client, caplog)
        assert "too many connections" in caplog.text
        app.state.engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


def test_a_sqlite_file_that_cannot_be_opened_is_503_and_the_form_keeps_its_choices(  # type: ignore[no-untyped-def]
    tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    folder = tmp_path / "db"
    folder.mkdir()
    settings = _settings(tmp_path, f"sqlite:///{folder / 'marsad.db'}", reports_rate_limit=3)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    app = create_app(settings, engine=engine)
    with session_scope(session_factory(engine, settings)) as session:
        users.create_user(session, username="amal", role="reviewer", password=PASSWORD)
    staff = TestClient(app, raise_server_exceptions=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/api/v1/reports", json=API_BODY).status_code == 201
        assert login(staff, "amal", PASSWORD).status_code == 303
        # The folder goes away under the running server (an unmounted disk, a move).
        # Pooled connections still hold the old file open; new ones cannot open it.
        folder.rename(tmp_path / "moved")
        engine.dispose()
        token = _assert_unavailable_everywhere(client, caplog)
        assert "SQLITE_CANTOPEN" in caplog.text
        # The form came back with the categories read before, the reporter's one chosen.
        form = client.post("/report", data={**FORM, "csrf_token": token})
        assert '<option value="threat" selected>' in form.text
        # A signed-in reviewer's session cannot be loaded: the error page, not a 500.
        queue = staff.get("/staff/reports?lang=en")
        assert queue.status_code == 503 and "The database is unavailable" in queue.text
        assert "Traceback" not in caplog.text
        # Once the folder is back, the same submissions go through.
        (tmp_path / "moved").rename(folder)
        assert client.post("/api/v1/reports", json=API_BODY).status_code == 201
        again = client.post("/report", data={**FORM, "csrf_token": token}, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/r/")
        # The three refused during the outage did not count; the three accepted did.
        assert client.post("/api/v1/reports", json=API_BODY).status_code == 429
    with session_factory(engine)() as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 3
    engine.dispose()
