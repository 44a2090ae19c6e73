"""The maps' base layer, the operator's own basemap and the district list, without a browser."""

from __future__ import annotations

import re

import brotli
import pytest

from marsad.core.errors import ConfigError
from marsad.core.places import gazetteer
from marsad.core.settings import load_settings
from tests.conftest import use_report_settings

from .helpers import csrf_from


def layer_url(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/reports/map")
    match = re.search(r'data-boundaries="(/places/boundaries\.json\?v=[0-9a-f]+)"', page.text)
    assert match, "the map page does not name its base layer"
    return match.group(1)


def test_the_map_loads_iraqs_named_boundaries_from_our_host(client) -> None:
    url = layer_url(client)
    answer = client.get(url)
    assert answer.status_code == 200
    assert len(answer.content) < 300_000  # a few hundred KB at most, before compression
    features = answer.json()["features"]
    levels = [f["properties"]["level"] for f in features]
    assert levels.count(1) == 18 and levels.count(2) == 101
    names = {row.pcode: row for row in gazetteer()}
    for feature in features:
        props = feature["properties"]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        row = names[props["pcode"]]
        assert (props["name_ar"], props["name_ckb"], props["name_en"]) == (
            row.name_ar,
            row.name_ckb,
            row.name_en,
        )
    baghdad = next(f for f in features if f["id"] == "IQG08")["properties"]
    assert baghdad["name_ar"] == "بغداد" and baghdad["name_en"] == "Baghdad"
    # The old base layer (the database's places, points until boundaries are imported)
    # is no longer what the pages draw.
    assert "/api/v1/places.geojson" not in client.get("/reports/map").text
    assert "/api/v1/places.geojson" not in client.get("/report").text


def test_the_base_layer_is_cached_for_good_under_its_fingerprint(client) -> None:
    url = layer_url(client)
    fresh = client.get(url)
    assert fresh.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = client.get("/places/boundaries.json?v=0123456789ab")
    assert stale.headers["cache-control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": fresh.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip, br"}) as packed:
        body = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == "br"
    assert brotli.decompress(body) == plain.content
    assert len(body) < len(plain.content) / 4  # 121 KB of JSON travel as about 20 KB


def test_the_form_and_the_map_carry_leaflets_words_in_the_pages_language(client) -> None:
    arabic = client.get("/reports/map?lang=ar").text
    for words in ('data-t-zoom-in="تكبير"', 'data-t-governorates="المحافظات"'):
        assert words in arabic
    english = client.get("/report?lang=en").text
    for words in ('data-t-zoom-out="Zoom out"', 'data-t-districts="Districts"'):
        assert words in english
    assert "\\u2751" not in client.get("/static/reports/map.js").text  # no "❑" as a label


def test_a_district_outside_the_chosen_governorate_is_a_form_error(client) -> None:
    token = csrf_from(client.get("/report").text)
    data = {
        "csrf_token": token,
        "title": "تهديد",
        "category": "threat",
        "governorate": "IQG08",  # Baghdad
        "district": "IQG13Q04",  # a district of Ninewa
    }
    answer = client.post("/report", data=data)
    assert answer.status_code == 422
    assert 'id="err-district"' in answer.text
    assert "هذا القضاء لا يقع في المحافظة المختارة" in answer.text
    assert client.get("/api/v1/reports").json()["count"] == 0


def test_without_javascript_districts_are_grouped_under_their_governorate(client) -> None:
    page = client.get("/report").text
    group = r'<optgroup label="[^"]+" data-governorate="(IQG\d\d)">(.*?)</optgroup>'
    groups = re.findall(group, page)
    assert len(groups) == 18
    parents = {row.pcode: row.parent for row in gazetteer()}
    for governorate, options in groups:
        codes = re.findall(r'value="(IQG\w+)"', options)
        assert codes and all(parents[code] == governorate for code in codes)


def test_no_basemap_unless_the_operator_provides_one(client, app, tmp_path) -> None:
    assert client.get("/map/basemap.pmtiles").status_code == 404
    assert "data-pmtiles" not in client.get("/reports/map").text
    archive = tmp_path / "iraq.pmtiles"
    archive.write_bytes(b"PMTiles" + bytes(range(256)) * 4)
    use_report_settings(app, map_pmtiles=str(archive), map_tile_attribution="© OSM")
    page = client.get("/reports/map").text
    assert 'data-pmtiles="/map/basemap.pmtiles"' in page
    script = r'<script src="/static/vendor/protomaps-leaflet/protomaps-leaflet.js\?v='
    assert re.search(script, page)
    # protomaps-leaflet reads the archive by ranges, from this host.
    part = client.get("/map/basemap.pmtiles", headers={"Range": "bytes=0-6"})
    assert part.status_code == 206 and part.content == b"PMTiles"
    assert "content-encoding" not in part.headers


@pytest.mark.parametrize("url", ["https://tile.openstreetmap.org/{z}/{x}/{y}.png", "//t/{z}.png"])
def test_tiles_from_another_host_are_refused(monkeypatch, url: str) -> None:
    monkeypatch.setenv("MARSAD_MAP_TILE_URL", url)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "MARSAD_MAP_TILE_URL" in str(refused.value)
