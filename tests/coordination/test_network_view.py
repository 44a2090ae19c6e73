"""The network view as an analyst reads it: names, sizes, a legend, a method filter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from marsad.coordination.params import RunParams
from marsad.coordination.runs import start_run
from marsad.core.db import session_scope
from marsad.posts.models import Account

from .test_web import RING, stored  # noqa: F401 - the fixture


@pytest.fixture
def run_id(stored, sessions) -> str:  # type: ignore[no-untyped-def]  # noqa: F811
    with session_scope(sessions) as session:
        for n, account in enumerate(RING):
            session.execute(
                update(Account)
                .where(Account.account_id == account.split(":")[1])
                .values(display_name=f"حلقة {n}")
            )
    run = start_run(sessions, actor="test", params=RunParams(methods=["links", "text"]))
    return run.id


def test_network_json_labels_sizes_and_filters(admin_client, run_id) -> None:
    net = admin_client.get(f"/api/v1/coordination/runs/{run_id}/network?cluster=1").json()
    nodes = {n["data"]["id"]: n["data"] for n in net["nodes"]}
    assert {nodes[a]["label"] for a in RING} == {f"حلقة {n}" for n in range(4)}
    assert all(nodes[a]["degree"] == 3 for a in RING)  # each tied to the three others
    assert "links" in net["methods"]
    links = admin_client.get(f"/api/v1/coordination/runs/{run_id}/network?method=links").json()
    assert links["edges"] and all("links" in e["data"]["methods"] for e in links["edges"])
    bad = admin_client.get(f"/api/v1/coordination/runs/{run_id}/network?method=dance")
    assert bad.status_code == 422 and bad.json()["where"] == "method"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_network_has_a_legend_and_a_method_filter(live_server, browser, make_user, run_id):  # type: ignore[no-untyped-def]
    make_user("ana", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, name in ((390, "phone"), (1280, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.goto(f"{live_server}/staff/coordination/runs/{run_id}?lang=en")
        page.wait_for_selector("#network canvas", timeout=10_000)
        page.wait_for_selector("#network-legend li")
        assert "Group 1" in page.locator("#network-legend").inner_text()
        assert page.locator("#network-tools").is_visible()
        page.select_option("#network-method", "links")
        page.click("#network-fit")
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / f"network-{name}.png"), full_page=True)
        assert errors == []
        context.close()
