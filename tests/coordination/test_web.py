"""Coordination in the staff interface: run on stored posts, read groups, evidence, network."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marsad.coordination.params import RunParams
from marsad.coordination.runs import start_run
from marsad.core.jobs.runners import run_in_foreground
from marsad.posts.ingest import ingest_files
from tests.conftest import csrf_from
from tests.coordination.test_store import MAPPING, _posts

RING = [f"other:ring{j}" for j in range(4)]


@pytest.fixture
def stored(engine, tmp_path):  # type: ignore[no-untyped-def]
    ingest_files(fmt="jsonl", paths=[_posts(tmp_path / "p.jsonl")], engine=engine, mapping=MAPPING)


def test_run_group_evidence_network_and_exports(admin_client, stored) -> None:
    page = admin_client.get("/staff/coordination?lang=en")
    assert page.status_code == 200 and "No runs yet." in page.text
    started = admin_client.post(
        "/staff/coordination",
        data={
            "csrf_token": csrf_from(page.text),
            "methods": ["links"],
            "window": "60",
            "min_repeat": "3",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_url = started.headers["location"]
    run = admin_client.get(run_url + "?lang=en")
    assert "1 group among 324 posts." in run.text
    run_id = run_url.rsplit("/", 1)[1]
    cluster = admin_client.get(f"{run_url}/clusters/1?lang=en")
    assert all(account in cluster.text for account in RING)
    assert "campaign.example/p/0" in cluster.text  # the shared link, with each member's post
    # Each member links to its account page; the evidence times are Baghdad time (UTC+3).
    assert f'href="/staff/coordination/accounts/{RING[0].replace(":", "%3A")}"' in cluster.text
    evidence = api_evidence_times(admin_client, run_url.rsplit("/", 1)[1])
    first_utc = min(evidence)
    shown = (datetime.fromisoformat(first_utc) + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    assert shown in cluster.text and first_utc not in cluster.text.replace(f'"{first_utc}"', "")

    api = admin_client.get(f"/api/v1/coordination/runs/{run_id}").json()
    assert [sorted(c["accounts"]) for c in api["result"]["clusters"]] == [RING]
    net = admin_client.get(f"/api/v1/coordination/runs/{run_id}/network?cluster=1").json()
    assert {n["data"]["id"] for n in net["nodes"]} == set(RING)
    assert len(net["edges"]) == 6
    graphml = admin_client.get(f"/api/v1/coordination/runs/{run_id}/export.graphml")
    assert graphml.status_code == 200 and b"<graphml" in graphml.content
    assert b"ring0" in admin_client.get(f"/api/v1/coordination/runs/{run_id}/export.csv").content
    assert admin_client.get(f"/api/v1/coordination/runs/{run_id}/export.exe").status_code == 422
    assert admin_client.get("/api/v1/coordination/runs/nope").status_code == 404


def api_evidence_times(client, run_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The UTC timestamps of group 1's evidence, as the saved run keeps them."""
    result = client.get(f"/api/v1/coordination/runs/{run_id}").json()["result"]
    cluster = next(c for c in result["clusters"] if c["id"] == 1)
    return [s["timestamp"] for ev in cluster["evidence"] for s in ev["shares"]]


def test_api_run_is_queued_as_a_job_and_bad_parameters_are_named(admin_client, stored) -> None:
    started = admin_client.post("/api/v1/coordination/runs", json={"methods": ["links"]})
    assert started.status_code == 202, started.text
    queued = started.json()
    assert queued["kind"] == "coordination.run" and queued["parameters"]["methods"] == ["links"]
    # The defaults the run will use are spelt out, as the saved run will show them.
    assert queued["parameters"]["window"] == 60
    assert queued["job"] == f"/api/v1/jobs/{queued['job_id']}"
    # Nothing ran inside the request: the job waits for a runner.
    assert admin_client.get(queued["job"]).json()["status"] == "queued"
    assert admin_client.get(f"/api/v1/coordination/runs/{queued['run_id']}").status_code == 404

    app = admin_client.app
    status = run_in_foreground(
        settings=app.state.settings, sessions=app.state.sessions, job_id=queued["job_id"]
    )
    assert status == "succeeded", admin_client.get(queued["job"]).json()
    job = admin_client.get(queued["job"]).json()
    assert job["status"] == "succeeded" and job["progress"] == 1
    run = admin_client.get(f"/api/v1/coordination/runs/{queued['run_id']}")
    assert run.status_code == 200 and run.json()["created_by"] == "boss"
    # The same groups one process finds for the same parameters.
    direct = start_run(app.state.sessions, actor="test", params=RunParams(methods=["links"]))
    expected = sorted(sorted(c["accounts"]) for c in direct.result["clusters"])
    found = sorted(sorted(c["accounts"]) for c in run.json()["result"]["clusters"])
    assert found == expected and found
    for body, field in (
        ({"window": -1}, "window"),
        ({"methods": ["links", "likes"]}, "methods"),
        ({"weighting": "loud"}, "weighting"),
        ({"colour": "red"}, "colour"),
    ):
        refused = admin_client.post("/api/v1/coordination/runs", json=body)
        assert refused.status_code == 422, body
        assert field in refused.text


def test_runs_need_staff(client) -> None:
    assert client.get("/api/v1/coordination/runs").status_code == 401
    assert client.get("/staff/coordination", follow_redirects=False).status_code == 303


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_network_view_draws_in_a_browser(live_server, browser, make_user, stored) -> None:
    from tests.conftest import login  # noqa: F401 - the browser signs in through the form

    make_user("ana", "analyst")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/login")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "a-long-password-1")
    page.click("button[type=submit]")
    page.goto(live_server + "/staff/coordination")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#network canvas", timeout=10_000)
    assert page.locator("#network canvas").count() > 0
    assert errors == []
    context.close()
