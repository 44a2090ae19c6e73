"""Public statistics: /api/v1/stats, the small-count rule, the map, the dashboard page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marsad.core.errors import InvalidInput
from marsad.publish.sections import Period


def test_reports_by_governorate_hides_counts_below_k(client, add_reports):
    add_reports(3, governorate_pcode="IQG08")
    add_reports(1, governorate_pcode="IQG01")
    add_reports(2, governorate_pcode="IQG01", status="received")  # not public
    add_reports(2, governorate_pcode="IQG01", confidential=True)  # never public
    body = client.get("/api/v1/stats/reports?by=governorate").json()
    assert set(body) == {"rows"}
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["IQG08"]["count"] == 3
    assert rows["IQG08"]["label"]  # the governorate's name, not its code
    assert rows["IQG01"] == {
        "key": "IQG01",
        "label": rows["IQG01"]["label"],
        "count": None,
        "fewer_than": 3,
    }


def test_reports_by_category_and_week(client, add_reports):
    add_reports(4, published_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    # Sunday 2026-12-06 22:00 UTC is already Monday in Baghdad: week 50, not 49.
    add_reports(3, published_at=datetime(2026, 12, 6, 22, tzinfo=UTC))
    by_category = client.get("/api/v1/stats/reports?by=category").json()["rows"]
    assert [(r["key"], r["count"]) for r in by_category] == [("threat", 7)]
    by_week = client.get("/api/v1/stats/reports?by=week").json()["rows"]
    assert [(r["key"], r["count"]) for r in by_week] == [("2026-W49", 4), ("2026-W50", 3)]


def test_the_dashboards_json_link_of_the_reports_section_gives_that_section(client, add_reports):
    # /api/v1/stats/reports is also the by= counts: a week without by= is the section.
    add_reports(4, published_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    page = client.get("/dashboard?week=2026-W49").text
    assert 'href="/api/v1/stats/reports?week=2026-W49"' in page
    body = client.get("/api/v1/stats/reports?week=2026-W49").json()
    assert body["key"] == "reports" and body["period"]["week"] == "2026-W49"
    assert "figures" in body
    assert set(client.get("/api/v1/stats/reports").json()) == {"rows"}


def test_stats_refuse_an_unknown_grouping(client):
    response = client.get("/api/v1/stats/reports?by=district")
    assert response.status_code == 422
    assert "by" in response.text


def test_public_map_shows_no_point_in_an_area_below_k(client, add_reports):
    add_reports(3, governorate_pcode="IQG08")
    lonely = add_reports(1, governorate_pcode="IQG01", lat=33.4, lon=43.3)[0]
    features = client.get("/api/v1/reports.geojson").json()["features"]
    by_id = {f["id"]: f for f in features}
    assert by_id[lonely]["geometry"] is None
    assert sum(1 for f in features if f["geometry"] is not None) == 3


@pytest.mark.parametrize("text", ["2026-W60", "2025-W53", "2026-W00", "2026-49", "next week", ""])
def test_a_week_that_does_not_exist_is_refused(text):
    with pytest.raises(InvalidInput) as caught:
        Period.parse(text)
    assert caught.value.where == "week"


def test_a_week_is_a_baghdad_week_in_utc():
    period = Period.parse("2026-W01")
    assert period.start == datetime(2025, 12, 28, 21, tzinfo=UTC)
    assert period.end == datetime(2026, 1, 4, 21, tzinfo=UTC)
    assert period.previous().label == "2025-W52"
    assert Period.parse("2026-W53").label == "2026-W53"  # 2026 has 53 weeks


def test_dashboard_page_draws_charts_without_script(client, add_reports):
    add_reports(5, governorate_pcode="IQG08")
    add_reports(1, governorate_pcode="IQG01")
    page = client.get("/dashboard?week=2026-W49")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    # The choropleth has every governorate; Baghdad is shaded, Anbar is hatched (hidden count).
    assert html.count('data-pcode="IQG') == 18
    anbar = html.split('data-pcode="IQG01"')[0].rsplit("<path", 1)[-1]
    assert 'fill="url(#hidden)"' in anbar
    # Arabic by default: Arabic-Indic digits in the charts.
    assert "٥" in html
    add_reports(1, category="arrest_over_post")  # a category with one report this week: hidden
    twin = client.get("/api/v1/stats?week=2026-W49").json()
    assert [s["key"] for s in twin["sections"]][:1] == ["reports"]
    reports = twin["sections"][0]["figures"]
    assert reports["week"]["published"] == {"count": 7}
    by_week_category = reports["by_week_category"]
    assert by_week_category["weeks"][-1] == "2026-W49" and by_week_category["hidden"]
    assert {values[-1] for values in by_week_category["series"].values()} == {None, 6}
    assert all(item["query"] for item in reports["sources"])


def test_dashboard_refuses_a_week_that_does_not_exist(client):
    assert client.get("/dashboard?week=2026-W60").status_code == 422
    response = client.get("/api/v1/stats?week=2026-W60")
    assert response.status_code == 422
    assert "week" in response.text


def test_an_unknown_section_is_404(client):
    assert client.get("/api/v1/stats/nothing-here").status_code == 404
