"""/staff/alerts and /api/v1/alerts: roles, the form's errors, the JSON twin, a real browser."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from marsad.alerts.models import AlertRule
from tests.conftest import csrf_from, login

SHOTS = Path("/tmp/shots-alerts")


def count_rules(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(select(func.count()).select_from(AlertRule)).scalar_one()


def post_form(client, url: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/staff/alerts").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_pages_need_staff_and_rules_need_an_admin(client, make_user, sessions) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/staff/alerts", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/alerts").status_code == 401
    login(client, "ana", make_user("ana", "analyst"))
    page = client.get("/staff/alerts")
    assert page.status_code == 200
    assert 'action="/staff/alerts"' not in page.text  # no add form for an analyst
    refused = post_form(client, "/staff/alerts", on="job.failed", email="a@example.org")
    assert refused.status_code == 403
    api = client.post("/api/v1/alerts", json={"on": "job.failed", "email": "a@example.org"})
    assert api.status_code == 403
    assert count_rules(sessions) == 0


def test_admin_adds_sees_the_secret_once_and_an_analyst_subscribes(
    admin_client, client, make_user, sessions
):  # type: ignore[no-untyped-def]
    added = post_form(
        admin_client,
        "/staff/alerts",
        on="report.received",
        filters="category=threat\ngovernorate=IQG10",
        webhook="https://hooks.example.org/marsad",
        mode="immediate",
    )
    assert added.status_code == 200
    assert 'id="new-secret"' in added.text
    doc = admin_client.get("/api/v1/alerts").json()
    (rule,) = doc["rules"]
    assert rule["filters"] == {"category": ["threat"], "governorate": ["IQG10"]}
    assert rule["webhook"] == "https://hooks.example.org/marsad"
    assert "secret" not in rule
    page = admin_client.get("/staff/alerts").text
    assert 'id="new-secret"' not in page  # shown once

    admin_client.cookies.clear()
    login(client, "ana", make_user("ana", "analyst"))
    # The webhook's path may hold its token: an analyst sees the host only.
    assert (
        client.get("/api/v1/alerts").json()["rules"][0]["webhook"] == "https://hooks.example.org/…"
    )
    assert "hooks.example.org/marsad" not in client.get("/staff/alerts").text
    done = post_form(client, f"/staff/alerts/{rule['id']}/subscribe", email="ana@example.org")
    assert done.status_code == 303
    (rule,) = client.get("/api/v1/alerts").json()["rules"]
    assert [s["email"] for s in rule["subscribers"]] == ["ana@example.org"]
    bad = post_form(client, f"/staff/alerts/{rule['id']}/subscribe", email="nobody")
    assert bad.status_code == 422
    assert "is not an e-mail address" in html.unescape(bad.text)
    post_form(client, f"/staff/alerts/{rule['id']}/unsubscribe")
    (rule,) = client.get("/api/v1/alerts").json()["rules"]
    assert rule["subscribers"] == []


BAD_FORMS = [
    ({"on": "report.deleted"}, "there is no event"),
    ({"on": "report.received", "filters": "label=hate"}, "cannot be filtered on 'label'"),
    ({"on": "job.failed", "webhook": "file:///etc/passwd"}, "is not an http:// or https:// URL"),
    ({"on": "job.failed", "email": "x@"}, "is not an e-mail address"),
]


def test_bad_input_is_a_422_naming_the_field_and_keeps_what_was_typed(admin_client, sessions):  # type: ignore[no-untyped-def]
    for fields, words in BAD_FORMS:
        page = post_form(admin_client, "/staff/alerts", **fields)
        assert page.status_code == 422
        assert words in html.unescape(page.text)
        for value in fields.values():
            assert html.escape(value) in page.text  # what was typed is still in the form
        if "filters" not in fields:
            api = admin_client.post("/api/v1/alerts", json=fields)
            assert api.status_code == 422
            assert words in api.json()["message"]
    assert count_rules(sessions) == 0


def test_api_adds_tests_and_removes_a_rule(admin_client, sessions, settings) -> None:  # type: ignore[no-untyped-def]
    made = admin_client.post(
        "/api/v1/alerts",
        json={"on": "flag.created", "filters": {"label": ["hate"]}, "email": "d@example.org"},
    )
    assert made.status_code == 201
    rule_id = made.json()["id"]
    assert set(made.json()) == {"id", "secret"}
    tested = admin_client.post(f"/api/v1/alerts/{rule_id}/test")
    assert tested.status_code == 202
    (delivery,) = admin_client.get("/api/v1/alerts").json()["deliveries"]
    assert delivery["id"] == tested.json()["deliveries"][0]
    assert delivery["target"] == "d@example.org"
    assert admin_client.delete(f"/api/v1/alerts/{rule_id}").json() == {
        "id": rule_id,
        "removed": True,
    }
    assert admin_client.delete(f"/api/v1/alerts/{rule_id}").status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_page_in_a_phone_and_a_desktop_browser(live_server, browser, make_user) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    make_user("boss", "admin")
    for width, height in ((390, 844), (1280, 900)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", "boss")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.goto(f"{live_server}/staff/alerts")
        if width == 390:
            page.select_option("select[name=on]", "flag.created")
            page.fill("textarea[name=filters]", "label=hate\nwatchlist=mps")
            page.fill("input[name=email]", "desk@example.org")
            page.fill("input[name=webhook]", "https://hooks.example.org/marsad")
            page.click("form.alert-form button[type=submit]")
            assert page.locator("#new-secret code.secret").inner_text().strip()
            page.screenshot(path=str(SHOTS / f"alerts-added-{width}.png"), full_page=True)
            page.goto(f"{live_server}/staff/alerts")
            page.click("form[action$='/test'] button")
            expect(page.locator(".alert-deliveries tbody tr")).to_have_count(2)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator(".alert-rules tbody tr").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"
        page.screenshot(path=str(SHOTS / f"alerts-{width}.png"), full_page=True)
        page.close()
