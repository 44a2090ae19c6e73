"""In a real browser, JavaScript off: the declaration, signing, the league table, an actor page,
at phone and desktop widths, from our own server only. Screenshots go to
``$MARSAD_SHOTS`` when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from marsad.core.db import session_scope
from marsad.declaration import actors

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SHOTS = os.environ.get("MARSAD_SHOTS")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_sign_and_browse_without_javascript(
    live_server, browser, sessions, settings, width
) -> None:
    with session_scope(sessions) as session:
        actor_id = actors.create_actor(
            session, name="علي البغدادي", kind="candidate", party="تحالف المستقبل",
            list_number="214", governorate="بغداد",
            accounts=[{"platform": "x", "handle": "ali_albaghdadi"}], actor="mona",
        ).actor_id  # fmt: skip
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    hosts: set[str] = set()
    page = context.new_page()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/declarations/iraq-2021")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("li#candidates-3").count() == 1
    _shot(page, f"declaration-{width}")
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    for attempt in ("first", "again"):
        page.goto(live_server + "/declarations/iraq-2021/sign")
        page.fill("input[name=name]", "زينب حسن")
        page.select_option("select[name=group]", "civil-society")
        page.fill("input[name=email]", "zainab@example.org")
        page.fill("input[name=handle0]", "zainab_h")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if attempt == "first":
            assert page.url.endswith("/declarations/iraq-2021/signed")
            _shot(page, f"signed-{width}")
    # The same address again: the error is shown beside the field, nothing typed is lost.
    assert page.locator("#err-email").count() == 1
    assert page.locator("input[name=name]").input_value() == "زينب حسن"
    _shot(page, f"sign-error-{width}")

    page.goto(live_server + "/declarations/iraq-2021/scorecards")
    assert "علي البغدادي" in page.content()
    _shot(page, f"scorecards-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.goto(live_server + f"/actors/{actor_id}")
    assert "ali_albaghdadi" in page.content()
    _shot(page, f"actor-{width}")
    assert hosts == {live_server.split("/")[2]}
    context.close()


def test_staff_file_and_code_a_violation_in_the_browser(
    live_server, browser, sessions, settings, make_user
) -> None:
    from marsad.core.plugins import get_registry
    from marsad.declaration import violations

    password = make_user("mona")
    with session_scope(sessions) as session:
        actor_id = actors.create_actor(
            session, name="Ali al-Baghdadi", kind="candidate", party="Future Alliance",
            accounts=[{"platform": "x", "handle": "ali_albaghdadi"}], actor="mona",
        ).actor_id  # fmt: skip
        violations.create_violation(
            session, references=get_registry(settings).references(), actor_id=actor_id,
            commitment_id="candidates-3", description="Campaigns from an unregistered page",
            severity="medium", evidence=[], created_by="omar",
        )  # fmt: skip
    for width in (390, 1280):
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": width, "height": 900}
        )
        page = context.new_page()
        page.goto(live_server + "/login?lang=en")
        page.fill("input[name=username]", "mona")
        page.fill("input[name=password]", password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server + "/staff/violations?lang=en")
        _shot(page, f"staff-violations-{width}")
        page.click("table.data a")
        page.wait_for_load_state()
        if width == 390:
            page.click("text=Save my coding")
            page.wait_for_load_state()
            assert "Coded once" in page.content()
        _shot(page, f"staff-violation-{width}")
        page.goto(live_server + "/staff/actors?lang=en")
        _shot(page, f"staff-actors-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        context.close()
