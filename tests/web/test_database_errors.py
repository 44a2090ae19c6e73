"""Bad text and database errors: a clear 4xx for NUL, and logs that never hold what was sent."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from marsad.reports.models import Report
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
