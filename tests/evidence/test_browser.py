"""The evidence pages in Chromium, at phone and desktop width, with nothing fetched elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.evidence import service
from marsad.evidence.capture import capture_url
from marsad.evidence.capture_settings import CaptureSettings

from .test_web import PNG
from .webserver import STATE, serve

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SHOTS = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-evidence-core"))


@pytest.fixture
def items(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    store = BlobStore.from_settings(app.state.settings)
    sessions = app.state.sessions
    with session_scope(sessions) as session:
        pic = service.add_file(
            session,
            store,
            stream=PNG,
            name="لقطة-من-المنشور.png",
            media_type="image/png",
            actor="monitor",
            note="صورة نشرها حساب مجهول قبل حذفها",
        ).id
    cfg = CaptureSettings(evidence_capture_browser=False)
    with serve() as base:
        STATE.update(title="بيان الوزارة", status=200)
        first = capture_url(sessions=sessions, store=store, cfg=cfg, url=f"{base}/page", actor="m")
        STATE.update(title="بيان الوزارة (معدل)", status=200)
        second = capture_url(sessions=sessions, store=store, cfg=cfg, url=f"{base}/page", actor="m")
        capture_url(sessions=sessions, store=store, cfg=cfg, url=f"{base}/loop-a", actor="m")
    return {"pic": pic, "first": first["id"], "second": second["id"]}


def test_list_and_item_pages_at_phone_and_desktop_width(live_server, browser, make_user, items):
    make_user("monitor1", "analyst")
    SHOTS.mkdir(parents=True, exist_ok=True)
    hosts: set[str] = set()
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "monitor1")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server + "/staff/evidence")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.locator("table.evidence tbody tr").count() == 4
        # A failed capture says why in the page's language, not as an error code.
        assert page.locator("text=الموقع يعيد التوجيه باستمرار").count() == 1
        assert page.locator("text=err_capture").count() == 0
        page.screenshot(path=str(SHOTS / f"list-{width}.png"), full_page=True)
        # Nothing on the list is wider than the screen: tables scroll in their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server}/staff/evidence/{items['second']}")
        assert page.locator("ul.changes li").count() >= 2
        page.screenshot(path=str(SHOTS / f"capture-{width}.png"), full_page=True)
        page.goto(f"{live_server}/staff/evidence/{items['pic']}")
        page.wait_for_function("document.querySelector('figure.preview img').complete")
        preview = page.locator("figure.preview img")
        assert preview.evaluate("img => img.naturalWidth") == 1
        page.reload()  # the preview's own request is logged after the page was made
        assert "معاينة" in page.locator("table.custody").inner_text()  # "Preview"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"item-{width}.png"), full_page=True)
        context.close()
    assert hosts == {live_server.split("/")[2]}
