"""The posts feed and the admin pages in Chromium, at phone and desktop size."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.posts.test_search_usable import _store

SHOTS = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_feed_and_admin_pages_in_a_browser(
    live_server, browser, make_user, engine, tmp_path
) -> None:
    _store(engine, tmp_path)
    password = make_user("chief", "admin")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, name in ((390, "phone"), (1280, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "chief")
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.goto(live_server + "/posts?q=والخونة")
        box = page.locator("input[name=q]")
        assert "عبارة" in (box.get_attribute("placeholder") or "")
        assert page.locator("ol.posts mark").count() == 4  # every form of the word, marked
        page.screenshot(path=str(SHOTS / f"feed-{name}.png"), full_page=True)
        page.goto(live_server + "/account/security?lang=en")
        assert page.locator("figure.qr svg").is_visible()
        page.screenshot(path=str(SHOTS / f"security-{name}.png"), full_page=True)
        page.goto(live_server + "/admin/users?lang=en")
        assert page.locator("select[name=role]").input_value() == "analyst"
        page.goto(live_server + "/admin/audit?lang=en")
        assert page.get_by_text("chief signed in.").first.is_visible()
        page.screenshot(path=str(SHOTS / f"audit-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert errors == []
        context.close()
