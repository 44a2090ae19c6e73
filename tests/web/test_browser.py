"""In a real browser: the language switch flips direction in one click and is remembered."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_switching_language_flips_direction_and_sticks(live_server, browser) -> None:
    context = browser.new_context()
    requested_hosts: set[str] = set()
    page = context.new_page()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.click("nav.languages a[hreflang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("h1").inner_text() == "Observatory of digital rights"
    page.goto(live_server + "/login")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("nav.languages a[hreflang=ckb]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "چوونەژوورەوە"
    # Right-to-left for real: the brand sits at the right edge of the header.
    brand = page.locator("a.brand").bounding_box()
    assert brand is not None and brand["x"] > page.viewport_size["width"] / 2
    assert requested_hosts == {live_server.split("/")[2]}
    context.close()
