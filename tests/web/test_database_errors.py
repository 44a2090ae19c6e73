"""Bad text and database errors: a clear 4xx for NUL, 503 while the database is locked
elsewhere, and logs that never hold what was sent."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from marsad.core.models import AuditRecord
from marsad.core.settings import Settings
from marsad.reports.models import Report
from marsad.web.app import create_app
from tests.conftest import csrf_from, login

SECRET_TEXT = "Beaten at the checkpoint near the Ziggurat, 7731"
SECRET_CONTACT = "hidden.reporter.7731@example.org"


def _stored(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(select(func.count()).select_from(Report)).scalar_one()


@pytest.mark.parametrize("field", ["title", "description", "contact", "governorate"])
def test_nul_in_a_report_field_is_422_naming_it(client, sessions, field):  # type: ignore[no-untyped-def]
    body = {"title": "Checkpoint", "category": "threat", field: "before\x00after"}
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "err_nul_character"
    assert response.json()["where"] == field
    assert _stored(sessions) == 0


def test_nul_in_the_report_form_shows_the_form_again(client, sessions):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/report?lang=en").text)
    response = client.post(
        "/report",
        data={"csrf_token": token, "title": "Checkpoint\x00", "category": "threat"},
    )
    assert response.status_code == 422
    assert "This field contains a character that is not allowed." in response.text
    assert _stored(sessions) == 0


def test_nul_anywhere_else_is_not_a_server_error(client, make_user):  # type: ignore[no-untyped-def]
    make_user("boss", "admin")
    # A field no capability checks for NUL: PostgreSQL would refuse the query itself.
    response = login(client, "boss\x00", "a-long-password-1")
    assert 400 <= response.status_code < 500


def test_a_database_error_logs_no_submitted_text(app, engine, caplog):  # type: ignore[no-untyped-def]
    # Break the reports table so the insert fails inside the database.
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE reports RENAME COLUMN description TO description_old"))
    body = {
        "title": "Checkpoint " + SECRET_TEXT,
        "description": SECRET_TEXT,
        "category": "threat",
        "contact": SECRET_CONTACT,
    }
    caplog.set_level(logging.DEBUG)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/v1/reports", json=body)
    assert response.status_code == 500
    assert response.json()["error"] == "err_internal"
    logged = caplog.text
    assert "INSERT INTO reports" in logged  # the failure was logged, statement and all
    assert "SQL parameters hidden" in logged
    assert SECRET_TEXT not in logged
    assert SECRET_CONTACT not in logged
    assert "7731" not in logged


def _app_waiting_briefly(settings: Settings) -> Any:
    """The app with a 0.3 s wait for locks (SQLite's busy timeout; lock_timeout on PostgreSQL)."""
    quick = Settings(
        **{**settings.model_dump(), "sqlite_busy_timeout": 0.3, "postgres_lock_timeout": 0.3}
    )
    return create_app(quick)


@contextmanager
def _locked_elsewhere(settings: Settings, engine: Engine) -> Iterator[None]:
    """Hold, from another connection, the lock every report and login write needs."""
    if settings.is_sqlite:
        other = sqlite3.connect(str(make_url(settings.resolved_database_url).database))
        other.isolation_level = None
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.rollback()
            other.close()
        return
    with engine.connect() as other:
        other.execute(text("LOCK TABLE reports, audit_head IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            other.rollback()


def _audited(sessions, action: str) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        query = select(func.count()).where(AuditRecord.action == action)
        return session.execute(query).scalar_one()


def test_a_lock_held_elsewhere_is_503_with_retry_after_and_stores_nothing(  # type: ignore[no-untyped-def]
    settings, engine, sessions, make_user, caplog
):
    caplog.set_level(logging.DEBUG)
    make_user("amal", "reviewer")
    body = {"title": "Checkpoint", "category": "threat", "contact": SECRET_CONTACT}
    form = {"title": "Checkpoint at dawn", "category": "threat", "description": SECRET_TEXT}
    with TestClient(_app_waiting_briefly(settings), raise_server_exceptions=False) as client:
        before = client.post("/api/v1/reports", json=body)
        assert before.status_code == 201
        token = csrf_from(client.get("/report?lang=en").text)
        received = _audited(sessions, "report.received")
        with _locked_elsewhere(settings, engine):
            api = client.post("/api/v1/reports", json=body)
            page = client.post("/report", data={**form, "csrf_token": token})
            signed_in = login(client, "amal", "a-long-password-1")
        assert api.status_code == 503, api.text
        assert api.headers["Retry-After"] == "5"
        assert api.json()["error"] == "err_database_busy"
        # The reporter gets the form back as they filled it in, told to send it again.
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "Your report has not been saved yet" in page.text
        assert "Checkpoint at dawn" in page.text and SECRET_TEXT in page.text
        # Any other page that writes: the site's error page, not a traceback.
        assert signed_in.status_code == 503 and signed_in.headers["Retry-After"] == "5"
        assert "The server is busy" in signed_in.text and "Traceback" not in signed_in.text
        # Nothing of the refused submissions was stored, and the accepted one is kept.
        assert _stored(sessions) == 1
        assert _audited(sessions, "report.received") == received
        # Once the lock is gone the same submissions go through.
        assert client.post("/api/v1/reports", json=body).status_code == 201
        again = client.post("/report", data={**form, "csrf_token": token}, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/r/")
        assert login(client, "amal", "a-long-password-1").status_code == 303
    assert _stored(sessions) == 3
    assert "database busy on POST /api/v1/reports: answered 503" in caplog.text
    assert SECRET_TEXT not in caplog.text and SECRET_CONTACT not in caplog.text


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgres_gives_up_waiting_for_a_table_lock_by_the_setting(  # type: ignore[no-untyped-def]
    settings, engine, sessions, caplog
):
    # Without lock_timeout PostgreSQL waits for a lock forever and the request never ends.
    caplog.set_level(logging.DEBUG)
    app = _app_waiting_briefly(settings)
    with app.state.engine.connect() as conn:
        assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "300ms"
    body = {"title": "Checkpoint", "category": "threat", "description": SECRET_TEXT}
    with TestClient(app, raise_server_exceptions=False) as client:
        token = csrf_from(client.get("/report?lang=en").text)
        with engine.connect() as other:
            other.execute(text("LOCK TABLE reports IN ACCESS EXCLUSIVE MODE"))
            api = client.post("/api/v1/reports", json=body)
            page = client.post("/report", data={**body, "csrf_token": token})
            other.rollback()
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.json()["error"] == "err_database_busy"
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "Your report has not been saved yet" in page.text and SECRET_TEXT in page.text
    assert _stored(sessions) == 0
    assert SECRET_TEXT not in caplog.text
