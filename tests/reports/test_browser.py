"""In a real browser: with JavaScript off a reporter files a report and gets an Arabic receipt."""

from __future__ import annotations

import re

import pytest

from .helpers import publish

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_report_with_javascript_off_shows_the_receipt_in_arabic(live_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    hosts: set[str] = set()
    page = context.new_page()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/report")
    assert page.locator("html").get_attribute("lang") == "ar"
    page.fill("input[name=title]", "تهديد بعد نشر مقال")
    page.select_option("select[name=category]", "threat")
    page.fill("textarea[name=description]", "وصلتني رسائل تهديد على فيسبوك")
    page.select_option("select[name=governorate]", "IQG13")
    page.select_option("select[name=district]", "IQG13Q04")
    page.fill("input[name=contact]", "07705550199")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/r/[A-Z0-9-]{14}\?new=1$", page.url)
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".receipt code").inner_text().count("-") == 2
    assert page.locator("strong.status").inner_text() == "مستلَم"
    assert "تهديد بعد نشر مقال" not in page.content()
    assert hosts == {live_server.split("/")[2]}
    context.close()


def test_the_map_draws_clustered_points_from_our_own_server(
    live_server, browser, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    for _i in range(3):  # k = 3: an area with fewer published reports shows no point
        report_id, _r = file_report(district="IQG08Q03")
        publish(sessions, report_id)
    context = browser.new_context()
    hosts: set[str] = set()
    errors: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/reports/map")
    page.wait_for_selector(".marker-cluster, path.leaflet-interactive", timeout=10_000)
    assert (
        page.locator(".marker-cluster").count() + page.locator("path.leaflet-interactive").count()
        > 0
    )
    assert hosts == {live_server.split("/")[2]}
    assert errors == []
    context.close()


def test_reporter_picks_the_exact_point_on_a_map(live_server, browser, sessions) -> None:
    from sqlalchemy import select

    from marsad.core.db import session_scope
    from marsad.reports.models import Report

    context = browser.new_context()
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    page.goto(live_server + "/report")
    # Leaflet is not loaded until the reporter asks for the map: the form stays light.
    assert not any("leaflet" in url for url in scripts)
    page.click("details.point-picker summary")
    page.wait_for_selector(".picker-map.leaflet-container", timeout=10_000)
    box = page.locator(".picker-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat = float(page.input_value("input[name=lat]"))
    lon = float(page.input_value("input[name=lon]"))
    assert 29 < lat < 38 and 38 < lon < 49  # the map opens on Iraq
    page.fill("input[name=title]", "حجب موقع إخباري")
    page.select_option("select[name=category]", "website_blocking")
    page.select_option("select[name=governorate]", "IQG11")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/r/" in page.url
    with session_scope(sessions) as session:
        report = session.execute(
            select(Report).where(Report.title == "حجب موقع إخباري")
        ).scalar_one()
        assert abs(report.lat - lat) < 1e-4 and abs(report.lon - lon) < 1e-4
    context.close()
