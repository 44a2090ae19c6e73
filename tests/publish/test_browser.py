"""In a real browser, JavaScript off, phone and desktop: the dashboard draws its charts."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_dashboard_charts_show_with_javascript_off(live_server, browser, add_reports, width):
    add_reports(4, governorate_pcode="IQG08")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    hosts: set[str] = set()
    page = context.new_page()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/dashboard?week=2026-W49")
    assert page.locator("html").get_attribute("dir") == "rtl"
    charts = page.locator("svg.chart")
    assert charts.count() >= 4
    box = charts.first.bounding_box()
    assert box is not None and 0 < box["width"] <= width  # fits the screen, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    baghdad = page.locator('svg.chart-choropleth path[data-pcode="IQG08"]')
    assert baghdad.get_attribute("fill") not in ("#f4f4f4", "url(#hidden)")
    page.goto(live_server + "/publications")
    assert page.locator("h1").inner_text() == "التقارير الأسبوعية"
    assert hosts == {live_server.split("/")[2]}
    context.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_declaration_and_connectivity_sections_read_on_phone_and_desktop(
    live_server, browser, sessions, add_reports, width, height
):
    import os
    from pathlib import Path

    from tests.publish.test_more_sections import _connectivity, _declaration

    add_reports(4, governorate_pcode="IQG08")
    _declaration(sessions, [])
    _connectivity(sessions)
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": height}
    )
    hosts: set[str] = set()
    page = context.new_page()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/dashboard?week=2026-W49")
    declaration = page.locator("#section-declaration")
    connectivity = page.locator("#section-connectivity")
    assert declaration.locator("h2").inner_text() == "إعلان الانتخابات"
    assert connectivity.locator("h2").inner_text() == "قطع الإنترنت والحجب"
    assert connectivity.locator("svg.chart-choropleth").count() == 1
    assert "مرشح أول" in declaration.inner_text()
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-publish"))
    shots.mkdir(parents=True, exist_ok=True)
    for key in ("declaration", "connectivity"):
        page.locator(f"#section-{key}").screenshot(path=str(shots / f"{key}-{width}.png"))
    page.screenshot(path=str(shots / f"dashboard-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    period = page.locator("p.period bdi").first.bounding_box()
    assert period is not None and period["width"] > 0
    assert hosts == {live_server.split("/")[2]}
    context.close()
