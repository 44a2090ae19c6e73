"""The public map and the point picker in Chromium, in Arabic and English, phone and desktop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.core.places import DISTRICT, GOVERNORATE, contains, gazetteer
from marsad.core.places.shapes import boundaries
from marsad.reports.models import Report
from tests.conftest import use_report_settings

from .helpers import publish

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]
SHOTS = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-maps"))
SCREENS = [("ar", 390, 844), ("en", 1280, 900), ("ar", 1280, 900), ("en", 390, 844)]
WORDS = {
    "ar": {"gov": "المحافظات", "dist": "الأقضية", "zoom": "تكبير", "close": "إغلاق"},
    "en": {"gov": "Governorates", "dist": "Districts", "zoom": "Zoom in", "close": "Close"},
}


def names(lang: str, level: int) -> set[str]:
    return {getattr(row, f"name_{lang}") for row in gazetteer() if row.level == level}


def where(lat: float, lon: float) -> tuple[str, str]:
    """The (governorate, district) P-codes of a point, by the shapes the maps draw."""
    for feature in boundaries(DISTRICT)["features"]:
        if contains(feature["geometry"], lon, lat):
            return feature["properties"]["parent"], feature["id"]
    raise AssertionError(f"{lat}, {lon} is in no district")


def test_the_map_draws_named_boundaries_and_speaks_the_pages_language(
    live_server, browser, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    for _i in range(3):  # k = 3: fewer reports in an area would show no point
        report_id, _r = file_report(district="IQG08Q03", occurred_at="2025-03-12")
        publish(sessions, report_id, time_precision="week")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang, width, height in SCREENS:
        words = WORDS[lang]
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        hosts: set[str] = set()
        errors: list[str] = []
        page.on("request", lambda r, h=hosts: h.add(r.url.split("/")[2]))
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server}/reports/map?lang={lang}")
        labels = page.locator(".area-label.governorate span")
        expect(labels).to_have_count(18)
        # Every governorate is named in the page's language (crowded ones wait for a zoom).
        assert set(labels.all_text_contents()) == names(lang, GOVERNORATE)
        overlays = page.locator(".leaflet-control-layers-overlays label")
        expect(overlays).to_have_count(3)
        texts = " ".join(overlays.all_text_contents())
        assert words["gov"] in texts and words["dist"] in texts
        assert "\u2750" not in texts and "\u2751" not in texts
        assert page.locator("a.leaflet-control-zoom-in").get_attribute("title") == words["zoom"]
        toggle = page.locator("a.leaflet-control-layers-toggle")
        assert toggle.get_attribute("title") not in (None, "Layers" if lang == "ar" else "")
        assert "Leaflet" in page.locator(".leaflet-control-attribution").inner_text()
        cluster = page.locator(".marker-cluster div")
        expect(cluster).to_have_count(1)
        assert cluster.get_attribute("title").endswith("3")
        page.locator(".map").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"map-{lang}-{width}.png"), full_page=True)
        cluster.click()  # three reports at one point: the cluster opens like a spider
        points = page.locator("path.leaflet-interactive:not([fill=none])")  # not the legs
        expect(points).to_have_count(3)
        points.first.click(force=True)
        week = page.locator(".leaflet-popup-content bdi[dir=ltr]")
        expect(week).to_have_text("2025-W11")
        close = page.locator(".leaflet-popup-close-button")
        assert close.get_attribute("aria-label") == words["close"]
        page.wait_for_timeout(300)  # let the popup finish fading in, for the picture
        page.screenshot(path=str(SHOTS / f"map-popup-{lang}-{width}.png"))
        assert hosts == {live_server.split("/")[2]}
        assert errors == []
        context.close()


def test_the_picker_says_where_the_reporter_clicked_and_fills_the_place(
    live_server, browser, sessions
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n, (lang, width, height) in enumerate(SCREENS):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{live_server}/report?lang={lang}")
        page.click("details.point-picker summary")
        expect(page.locator(".picker-map .area-label.governorate span")).to_have_count(18)
        picker = page.locator(".picker-map")
        picker.scroll_into_view_if_needed()
        box = picker.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.55)
        lat = float(page.input_value("input[name=lat]"))
        lon = float(page.input_value("input[name=lon]"))
        governorate, district = where(lat, lon)
        named = {row.pcode: getattr(row, f"name_{lang}") for row in gazetteer()}
        said = page.locator(".picked")
        expect(said.locator(".picked-district strong")).to_have_text(named[district])
        expect(said.locator(".picked-governorate strong")).to_have_text(named[governorate])
        assert page.input_value("select[name=governorate]") == governorate
        assert page.input_value("select[name=district]") == district
        page.screenshot(path=str(SHOTS / f"picker-{lang}-{width}.png"), full_page=True)
        if n == 0:  # send one: the report keeps the point and the place it was shown
            page.fill("input[name=title]", "حجب موقع إخباري")
            page.select_option("select[name=category]", "website_blocking")
            page.click("button[type=submit]")
            expect(page.locator(".receipt code")).to_have_count(1)
            with session_scope(sessions) as session:
                report = session.execute(select(Report)).scalar_one()
                assert (report.governorate_pcode, report.district_pcode) == (governorate, district)
                assert abs(report.lat - lat) < 1e-4 and abs(report.lon - lon) < 1e-4
        context.close()


def test_the_district_list_shows_only_the_chosen_governorates(live_server, browser) -> None:
    ninewa = {row.pcode for row in gazetteer() if row.parent == "IQG13"}
    baghdad = {row.pcode for row in gazetteer() if row.parent == "IQG08"}
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/report")
    districts = page.locator("select[name=district] option:not([value=''])")
    page.select_option("select[name=governorate]", "IQG13")
    expect(districts).to_have_count(len(ninewa))
    assert {o.get_attribute("value") for o in districts.all()} == ninewa
    page.select_option("select[name=district]", "IQG13Q04")
    page.select_option("select[name=governorate]", "IQG08")
    expect(districts).to_have_count(len(baghdad))
    assert page.input_value("select[name=district]") == ""  # Ninewa's district is gone
    page.select_option("select[name=governorate]", "")
    expect(districts).to_have_count(sum(1 for row in gazetteer() if row.level == DISTRICT))
    context.close()


def test_a_deployments_own_basemap_is_drawn_from_our_host(live_server, browser, app) -> None:
    archive = Path(__file__).resolve().parent / "data" / "basemap.pmtiles"
    use_report_settings(app, map_pmtiles=str(archive), map_tile_attribution="Test basemap")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    ranges: list[tuple[str, str | None]] = []
    errors: list[str] = []
    page.on("request", lambda r: ranges.append((r.url, r.headers.get("range"))))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/reports/map?lang=en")
    # protomaps-leaflet draws each tile on a canvas, read by ranges of our one file.
    expect(page.locator(".leaflet-tile-container canvas").first).to_be_attached()
    basemap = [r for r in ranges if r[0].endswith("/map/basemap.pmtiles")]
    assert basemap and all(r[1] and r[1].startswith("bytes=") for r in basemap)
    assert {url.split("/")[2] for url, _r in ranges} == {live_server.split("/")[2]}
    labels = page.locator(".leaflet-control-layers-base label").all_text_contents()
    assert [label.strip() for label in labels] == ["Basemap"]
    assert "Test basemap" in page.locator(".leaflet-control-attribution").inner_text()
    assert errors == []
    page.screenshot(path=str(SHOTS / "map-basemap-en-1280.png"))
    context.close()
