"""The jobs API (/api/v1/jobs) and the staff page /staff/jobs."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from marsad.core.db import session_scope
from marsad.core.jobs import runners
from marsad.core.settings import Settings
from marsad.core.users import create_token
from tests.conftest import csrf_from
from tests.core.jobs.jobkinds import MODULE, create_rows_table


@pytest.fixture(autouse=True)
def job_kinds(monkeypatch: pytest.MonkeyPatch, engine: Engine, settings: Settings) -> None:
    # The test kinds are a plugin: for processes started here (environment) and for
    # the registry of the settings the tests pass around.
    monkeypatch.setenv("MARSAD_PLUGINS", MODULE)
    monkeypatch.setattr(settings, "plugins", MODULE)
    create_rows_table(engine)


def run_queued(app) -> None:  # type: ignore[no-untyped-def]
    """What the server's runner does: run every queued job (and its shards)."""
    from marsad.core.jobs.catalog import registered_kinds
    from marsad.core.jobs.execution import claim_next, run_claim

    settings, sessions = app.state.settings, app.state.sessions
    while (claim := claim_next(sessions=sessions)) is not None:
        run_claim(
            settings=settings, sessions=sessions, claim=claim, kinds=registered_kinds(settings)
        )


def test_the_api_submits_at_once_and_shows_the_result(client, make_user, sessions, app) -> None:
    make_user("amal", "analyst")
    with session_scope(sessions) as session:
        token = create_token(session, username="amal", actor="test")
    headers = {"Authorization": f"Bearer {token}"}

    response = client.post(
        "/api/v1/jobs", json={"kind": "test.steps", "params": {"steps": 2}}, headers=headers
    )
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()["status"] == "queued"

    run_queued(app)
    body = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert (body["status"], body["progress"], body["result"]) == (
        "succeeded",
        1.0,
        {"done": 2, "resumed_from": 0},
    )
    assert body["requested_by"] == "amal" and body["error"] is None
    items = client.get("/api/v1/jobs?status=succeeded", headers=headers).json()["items"]
    assert [item["id"] for item in items] == [job_id]

    retry = client.post(f"/api/v1/jobs/{job_id}/retry", headers=headers)
    assert retry.status_code == 422 and retry.json()["error"] == "err_job_not_retryable"


def test_the_api_refuses_bad_input_with_4xx(client, make_user, sessions) -> None:
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.post("/api/v1/jobs", json={"kind": "test.steps"}).status_code == 401
    make_user("amal", "analyst")
    with session_scope(sessions) as session:
        headers = {"Authorization": f"Bearer {create_token(session, username='amal', actor='t')}"}
    unknown = client.post("/api/v1/jobs", json={"kind": "x.y", "params": {}}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "err_job_kind_unknown" and "x.y" in unknown.json()["message"]
    bad = client.post(
        "/api/v1/jobs", json={"kind": "test.steps", "params": {"steps": -1}}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["where"] == "params.steps"
    assert client.get("/api/v1/jobs/nope", headers=headers).status_code == 404
    assert client.get("/api/v1/jobs?status=lost", headers=headers).status_code == 422


def test_the_staff_page_shows_progress_errors_in_words_and_retries(admin_client, app) -> None:
    client = admin_client
    failed = client.post(
        "/api/v1/jobs", json={"kind": "test.needs_file", "params": {"path": "/nonexistent/x"}}
    ).json()["job_id"]
    crashed = client.post(
        "/api/v1/jobs", json={"kind": "test.crash", "params": {"secret": "s"}}
    ).json()["job_id"]
    run_queued(app)
    waiting = client.post("/api/v1/jobs", json={"kind": "test.steps", "params": {"steps": 1}})
    waiting_id = waiting.json()["job_id"]

    page = client.get("/staff/jobs?lang=en")
    assert page.status_code == 200
    html = page.text
    assert '<progress value="0.0" max="1">' in html
    assert 'http-equiv="refresh"' in html  # a queued job: the page refreshes itself
    assert "err_test_input_missing" in html
    assert "The job stopped on an unexpected error" in html  # err_job_crashed in words
    assert f'action="/staff/jobs/{failed}/retry"' in html
    assert f'action="/staff/jobs/{crashed}/retry"' in html
    assert f'action="/staff/jobs/{waiting_id}/cancel"' in html

    arabic = client.get("/staff/jobs?lang=ar").text
    assert 'dir="rtl"' in arabic and "The job stopped on an unexpected error" not in arabic

    only_failed = client.get("/staff/jobs?status=failed&lang=en").text
    assert waiting_id not in only_failed and failed in only_failed

    refused = client.post(f"/staff/jobs/{failed}/retry", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    token = csrf_from(page.text)
    done = client.post(
        f"/staff/jobs/{failed}/retry", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert client.get(f"/api/v1/jobs/{failed}").json()["status"] == "queued"
    client.post(f"/staff/jobs/{waiting_id}/cancel", data={"csrf_token": token})
    assert client.get(f"/api/v1/jobs/{waiting_id}").json()["status"] == "cancelled"


def test_sign_in_is_needed_for_the_staff_page(client) -> None:
    response = client.get("/staff/jobs", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_embedded_runner_is_not_started_with_a_broker(settings, sessions) -> None:
    with_broker = settings.model_copy(update={"broker_url": "redis://127.0.0.1:6379/0"})
    assert runners.start_embedded_runner(settings=with_broker, sessions=sessions) is None
