"""Request bodies are limited while they stream in: 413 before a large body is read."""

from __future__ import annotations

import select
import socket
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from marsad.reports.models import Report
from tests.conftest import csrf_from, use_report_settings

LIMIT_MB = 1


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"max_request_mb": LIMIT_MB})


def _reports(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(sql_select(func.count()).select_from(Report)).scalar_one()


def test_json_body_over_the_limit_is_413_and_stores_nothing(client, sessions):  # type: ignore[no-untyped-def]
    body = {"title": "big", "category": "threat", "description": "x" * (LIMIT_MB * 1024 * 1024)}
    response = client.post("/api/v1/reports?lang=en", json=body)
    assert response.status_code == 413
    assert response.json()["error"] == "err_http_413"
    assert response.json()["message"] == "The request is too large."
    assert _reports(sessions) == 0
    # Just under the limit is accepted as usual.
    body["description"] = "x" * 1000
    assert client.post("/api/v1/reports", json=body).status_code == 201


def test_chunked_body_without_length_is_counted(client):  # type: ignore[no-untyped-def]
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"title": "t", "category": "threat", "description": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    response = client.post(
        "/api/v1/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_form_upload_over_the_limit_is_a_413_page(client, sessions):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/report?lang=en").text)
    response = client.post(
        "/report",
        data={"csrf_token": token, "title": "t", "category": "threat"},
        files={"files": ("big.png", b"\x89PNG" + b"0" * (LIMIT_MB * 1024 * 1024), "image/png")},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "The request is too large." in response.text
    assert _reports(sessions) == 0


def _raw_request(base: str, head: bytes, body_chunks: int) -> tuple[bytes, int]:
    """Send ``head`` then up to ``body_chunks`` 64 KiB chunks, stopping when the server answers.

    Returns the start of the answer and how many body bytes were sent before it came.
    """
    parts = urlsplit(base)
    sent = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        chunk = b"10000\r\n" + b"z" * 65536 + b"\r\n"
        for _ in range(body_chunks):
            ready, _w, _x = select.select([sock], [], [], 0)
            if ready:
                break
            try:
                sock.sendall(chunk)
            except OSError:  # the server closed the connection: it read no further
                break
            sent += 65536
        sock.settimeout(30)
        try:
            answer = sock.recv(65536)
        except OSError:
            answer = b""
    return answer, sent


def test_declared_length_over_the_limit_is_refused_before_the_body(live_server):  # type: ignore[no-untyped-def]
    head = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 300000000\r\n\r\n"
    )
    answer, _sent = _raw_request(live_server, head, body_chunks=0)  # not one byte of body
    assert answer.startswith(b"HTTP/1.1 413")


def test_streamed_body_is_cut_off_at_the_limit(live_server):  # type: ignore[no-untyped-def]
    head = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    # Offer 64 MB; the server must answer 413 long before taking it all.
    answer, sent = _raw_request(live_server, head, body_chunks=1024)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 64 * 1024 * 1024 / 2


def test_default_limit_follows_the_report_upload_limits(app, client, settings):  # type: ignore[no-untyped-def]
    app.state.settings = settings.model_copy(update={"max_request_mb": None})
    # One file of at most 0.5 MB: 1.5 MB with the room for the form's fields.
    use_report_settings(app, reports_max_file_mb=0.5, reports_max_files=1)
    body = {"title": "t", "category": "threat", "description": "x" * (2 * 1024 * 1024)}
    assert client.post("/api/v1/reports", json=body).status_code == 413
    body["description"] = "x" * (1024 * 1024)  # past the old 1 MB setting, within 1.5 MB
    response = client.post("/api/v1/reports", json=body)
    assert response.status_code != 413
