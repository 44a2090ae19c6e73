"""The staff page of blockpage fingerprints: who may see it, adding, refusing, turning off."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from marsad.connectivity.blocking.service import blocked_now, import_files
from tests.conftest import csrf_from, login

from .helpers import web, write_jsonl

PAGE = "/staff/connectivity/fingerprints"


def test_only_analysts_and_admins_edit_fingerprints(client, make_user) -> None:
    assert client.get(PAGE, follow_redirects=False).status_code == 303  # to the sign-in
    assert client.get("/api/v1/connectivity/fingerprints").status_code == 401
    make_user("rev", "reviewer")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    assert client.get(PAGE).status_code == 403


def test_an_analyst_adds_a_fingerprint_that_confirms_later_imports(
    client, make_user, sessions, tmp_path: Path
) -> None:
    make_user("ana", "analyst")
    login(client, "ana", "a-long-password-1")
    page = client.get(PAGE)
    assert page.status_code == 200 and "cl.prod_netsweeper_blockpage" in page.text
    token = csrf_from(page.text)
    form = {
        "csrf_token": token,
        "name": "marsad.iq_test",
        "location": "cookie",
        "pattern_type": "contains",
        "pattern": "blocked by order",
        "countries": "IQ",
    }
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 422
    assert "form: location" in refused.text and "blocked by order" in refused.text
    assert (
        client.post(PAGE, data={**form, "csrf_token": "x", "location": "body"}).status_code == 403
    )
    added = client.post(PAGE, data={**form, "location": "body"}, follow_redirects=False)
    assert added.status_code == 303
    rows = {
        r["name"]: r for r in client.get("/api/v1/connectivity/fingerprints").json()["fingerprints"]
    }
    assert rows["marsad.iq_test"]["origin"] == "database"
    assert rows["marsad.iq_test"]["source"] == "added by ana"

    path = write_jsonl(
        tmp_path / "iq.jsonl",
        [
            web(
                1,
                "https://a.example/",
                blocking="http-diff",
                requests=[{"response": {"code": 200, "body": "This site is blocked by order"}}],
            )
        ],
    )
    import_files(sessions, paths=[path], actor="test")
    with sessions() as session:
        doc = blocked_now(session)
    (entry,) = doc["networks"][0]["targets"]
    assert (entry["status"], entry["fingerprints"]) == ("confirmed", ["marsad.iq_test"])

    off = client.post(
        f"{PAGE}/marsad.iq_test/disable", data={"csrf_token": token}, follow_redirects=False
    )
    assert off.status_code == 303
    rows = {
        r["name"]: r for r in client.get("/api/v1/connectivity/fingerprints").json()["fingerprints"]
    }
    assert rows["marsad.iq_test"]["enabled"] is False
    assert client.post(f"{PAGE}/no.such/disable", data={"csrf_token": token}).status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_fingerprints_page_reads_on_a_phone_and_a_desktop(
    live_server, browser, make_user
) -> None:
    make_user("ana", "analyst")
    shots = Path("/tmp/shots-conn-blocking")
    shots.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.goto(live_server + PAGE)
        page.fill("input[name=name]", f"marsad.iq_{width}")
        page.fill("input[name=pattern]", "blocked by order")
        page.click("form.filters button[type=submit]")
        # The form posts and redirects back: wait for the new row rather than race the load.
        expect(page.locator(f"text=marsad.iq_{width}")).to_have_count(1)
        assert page.url.endswith(PAGE)
        page.screenshot(path=str(shots / f"fingerprints-{width}.png"), full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
