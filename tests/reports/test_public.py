"""Nothing public is more precise than the reviewer chose; small counts are protected."""

from __future__ import annotations

import json

import pytest

from marsad.core.places import PlaceIndex
from tests.conftest import use_report_settings

from .helpers import publish

EXACT = (33.3152, 44.3661)  # a point in al-Karkh, Baghdad
KARKH_POINT = None


def karkh(sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        place = PlaceIndex.load(session).get("IQG08Q03")
        return place.lat, place.lon


def all_public_outputs(client, report_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    urls = [
        "/api/v1/reports",
        "/api/v1/reports.geojson",
        "/api/v1/reports.csv",
        "/api/v1/reports.csv?hxl=1",
        "/api/v1/reports/counts",
        "/reports",
        "/reports/map",
        f"/reports/{report_id}",
    ]
    return [client.get(url).text for url in urls]


def test_district_precision_hides_the_exact_point_everywhere(
    app, client, file_report, sessions, staff
) -> None:
    use_report_settings(app, reports_min_public_count=2)
    staff("rev", "reviewer")
    first, _r = file_report(
        district="IQG08Q03", lat=str(EXACT[0]), lon=str(EXACT[1]), occurred_at="2024-05-02T14:37"
    )
    second, _r = file_report(district="IQG08Q03", lat="33.2901", lon="44.3402")
    third, _r = file_report(district="IQG08Q03")  # k = 3: fewer reports in an area get no point
    publish(sessions, third, location_precision="district")
    publish(sessions, first, location_precision="district", time_precision="month")
    publish(sessions, second, location_precision="district", time_precision="day")
    for text in all_public_outputs(client, first):
        for fragment in ("33.3152", "44.3661", "33.2901", "44.3402", "14:37", "2024-05-02"):
            assert fragment not in text
    features = client.get("/api/v1/reports.geojson").json()["features"]
    points = {tuple(f["geometry"]["coordinates"]) for f in features}
    lat, lon = karkh(sessions)
    assert points == {(lon, lat)}  # both reports sit on the district's one point
    row = next(r for r in client.get("/api/v1/reports").json()["results"] if r["id"] == first)
    assert row["occurred"] == "2024-05" and row["district"] == "IQG08Q03"


def test_governorate_precision_drops_the_district(
    app, client, file_report, sessions, staff
) -> None:
    use_report_settings(app, reports_min_public_count=1)
    staff("rev", "reviewer")
    report_id, _r = file_report(district="IQG08Q03")
    publish(sessions, report_id, location_precision="governorate")
    row = client.get("/api/v1/reports").json()["results"][0]
    assert row["district"] is None and row["governorate"] == "IQG08"
    karkh_names = ("Al-Karkh", "الكرخ", "IQG08Q03")
    for text in all_public_outputs(client, report_id):
        assert not any(name in text for name in karkh_names)


def test_exact_precision_shows_the_point(app, client, file_report, sessions, staff) -> None:
    use_report_settings(app, reports_min_public_count=1)
    staff("rev", "reviewer")
    report_id, _r = file_report(district="IQG08Q03", lat=str(EXACT[0]), lon=str(EXACT[1]))
    publish(sessions, report_id, location_precision="exact")
    for _i in range(2):  # k = 3: an area with fewer published reports shows no point
        other, _r = file_report(district="IQG08Q03")
        publish(sessions, other, location_precision="district")
    features = client.get("/api/v1/reports.geojson").json()["features"]
    feature = next(f for f in features if f["id"] == report_id)
    assert feature["geometry"]["coordinates"] == [EXACT[1], EXACT[0]]


def test_date_filters_cannot_narrow_a_month_to_a_day(client, file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report(occurred_at="2024-05-20")
    publish(sessions, report_id, time_precision="month")
    for day in ("2024-05-01", "2024-05-20", "2024-05-31"):
        found = client.get(f"/api/v1/reports?date_from={day}&date_to={day}").json()["count"]
        assert found == 1, day
    assert client.get("/api/v1/reports?date_from=2024-06-01").json()["count"] == 0


def test_small_counts_roll_up_to_the_governorate(client, file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    for _i in range(3):
        rid, _r = file_report(district="IQG08Q03", category="threat")
        publish(sessions, rid)
    lonely, _r = file_report(district="IQG08Q01", category="threat")
    publish(sessions, lonely)
    basra, _r = file_report(district="IQG02Q02", category="hate_speech")
    publish(sessions, basra)
    counts = client.get("/api/v1/reports/counts").json()
    assert counts["k"] == 3
    baghdad = next(g for g in counts["governorates"] if g["governorate"] == "IQG08")
    assert baghdad["count"] == 4
    assert baghdad["districts"] == [
        {
            "governorate": "IQG08",
            "district": "IQG08Q03",
            "district_name": "الكرخ",
            "category": "threat",
            "count": 3,
        }
    ]
    assert baghdad["categories"] == [
        {"category": "threat", "level": "governorate", "count": None, "fewer_than": 3}
    ]
    basra_row = next(g for g in counts["governorates"] if g["governorate"] == "IQG02")
    assert basra_row["count"] is None and "IQG02Q02" not in json.dumps(counts)


def test_no_public_output_places_a_report_in_an_area_with_fewer_than_k(
    client, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    # Karkh shows two reports at its exact points, Rusafa one: each district has fewer
    # than k = 3, Baghdad has three.
    karkh_ids = []
    for lat, lon in (EXACT, (33.2901, 44.3402)):
        rid, _r = file_report(district="IQG08Q03", lat=str(lat), lon=str(lon), category="threat")
        publish(sessions, rid, location_precision="exact")
        karkh_ids.append(rid)
    rusafa, _r = file_report(district="IQG08Q01", category="threat")
    publish(sessions, rusafa, location_precision="district")
    # One report in all of Basra: not even its governorate may be shown.
    basra, _r = file_report(district="IQG02Q02", title="A lone case in Basra")
    publish(sessions, basra, location_precision="exact")

    rows = {r["id"]: r for r in client.get("/api/v1/reports").json()["results"]}
    for rid in [*karkh_ids, rusafa]:
        assert rows[rid]["governorate"] == "IQG08" and rows[rid]["district"] is None
        assert rows[rid]["location_precision"] == "governorate"
    assert rows[basra]["title"] == "A lone case in Basra"  # still listed, but nowhere
    assert rows[basra]["governorate"] is None and rows[basra]["lat"] is None
    assert rows[basra]["location_precision"] == "hidden"
    with sessions() as session:
        places = PlaceIndex.load(session)
        baghdad, basra_place = places.get("IQG08"), places.get("IQG02")
    features = client.get("/api/v1/reports.geojson").json()["features"]
    points = {f["id"]: f["geometry"] for f in features}
    assert points[basra] is None
    assert {tuple(points[rid]["coordinates"]) for rid in [*karkh_ids, rusafa]} == {
        (baghdad.lon, baghdad.lat)
    }
    for i, text in enumerate(all_public_outputs(client, basra)):
        for fragment in ("33.3152", "44.3661", "33.2901", "IQG08Q03", "IQG08Q01", "IQG02Q02"):
            assert fragment not in text
        if i != 4:  # /counts names each governorate with its centre, not a report's place
            assert f"{basra_place.lat}" not in text
    # Filtering by a category cannot place a report more finely either.
    threat = client.get("/api/v1/reports?category=threat").json()["results"]
    assert {r["district"] for r in threat} == {None}
    # The counts still say Basra has fewer than k, without placing the report.
    counts = client.get("/api/v1/reports/counts").json()
    basra_count = next(g for g in counts["governorates"] if g["governorate"] == "IQG02")
    assert basra_count["count"] is None and basra_count["fewer_than"] == 3


def test_confidential_and_unpublished_reports_are_never_public(
    client, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    file_report(title="Still in review")
    secret, _r = file_report(title="Blackmail case", category="blackmail")
    with pytest.raises(Exception):  # noqa: B017 - the workflow refuses, whatever the error type
        publish(sessions, secret)
    for url in ("/api/v1/reports", "/api/v1/reports.geojson", "/reports", "/api/v1/reports.csv"):
        text = client.get(url).text
        assert "Still in review" not in text and "Blackmail case" not in text


def test_public_list_pages_forward_and_refuses_a_negative_offset(
    client, file_report, sessions, staff
) -> None:
    staff("rev", "reviewer")
    for _i in range(3):
        rid, _r = file_report()
        publish(sessions, rid)
    first = client.get("/api/v1/reports?limit=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2
    rest = client.get(first["next"]).json()
    seen = [r["id"] for r in first["results"] + rest["results"]]
    assert len(set(seen)) == 3 and rest["next"] is None
    refused = client.get("/api/v1/reports?offset=-1")
    assert refused.status_code == 422
    assert refused.json()["details"][0]["where"] == "query.offset"
