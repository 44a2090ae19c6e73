"""The places kernel: the gazetteer every install starts with, lookups, boundaries, `marsad geo`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.places import (
    DISTRICT,
    GOVERNORATE,
    PlaceIndex,
    feature_collection,
    import_boundaries_file,
)
from marsad.core.places import cli as geo_cli

runner = CliRunner()

# A square around central Baghdad (Karkh/Rusafa), enough to test point-in-polygon.
BAGHDAD_SQUARE = {
    "type": "Polygon",
    "coordinates": [[[44.2, 33.2], [44.5, 33.2], [44.5, 33.45], [44.2, 33.45], [44.2, 33.2]]],
}


def _geojson(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "adm1.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_the_gazetteer_is_there_after_migrating(session) -> None:
    index = PlaceIndex.load(session)
    assert len(index.governorates()) == 18
    assert {p.parent_pcode for p in index.districts("IQG08")} == {"IQG08"}
    assert index.get("iqg08 ").name_en == "Baghdad"


@pytest.mark.parametrize("name", ["Baghdad", "بغداد", "بەغدا", "IQG08"])
def test_a_governorate_is_found_by_pcode_or_name_in_each_language(session, name) -> None:
    place = PlaceIndex.load(session).find(name, GOVERNORATE)
    assert place is not None and place.pcode == "IQG08"


def test_a_district_name_shared_by_two_governorates_needs_its_parent(session) -> None:
    index = PlaceIndex.load(session)
    # Al-Basrah is a governorate and a district; as a district it is found in its governorate.
    assert index.find("Al-Basrah", DISTRICT, "IQG02").pcode == "IQG02Q02"
    assert index.find("Al-Basrah", DISTRICT, "IQG08") is None


def test_imported_boundaries_place_points_and_become_the_map_layer(
    sessions, tmp_path: Path
) -> None:
    path = _geojson(
        tmp_path,
        [
            {
                "type": "Feature",
                "properties": {"ADM1_PCODE": "IQG08", "ADM1_EN": "Baghdad", "ADM1_AR": "بغداد"},
                "geometry": BAGHDAD_SQUARE,
            },
            {"type": "Feature", "properties": {"ADM0_PCODE": "IQ"}, "geometry": BAGHDAD_SQUARE},
        ],
    )
    with session_scope(sessions) as session:
        result = import_boundaries_file(session, path)
    assert (result.updated, result.added, result.skipped) == (1, 0, 1)
    with sessions() as session:
        index = PlaceIndex.load(session)
        layer = feature_collection(index, GOVERNORATE)
        by_pcode = {f["id"]: f for f in layer["features"]}
        assert by_pcode["IQG08"]["geometry"] == BAGHDAD_SQUARE
        # Places without an imported polygon are still drawn, at their point.
        assert by_pcode["IQG02"]["geometry"]["type"] == "Point"
        assert index.has_boundaries(GOVERNORATE) and not index.has_boundaries(DISTRICT)
        # Kurdish names survive an import that carries only English and Arabic ones.
        assert index.get("IQG08").name_ckb == "بەغدا"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "err_geojson_invalid"),
        ('{"type": "Feature"}', "err_geojson_invalid"),
        ('{"type": "FeatureCollection", "features": []}', "err_geojson_no_places"),
    ],
)
def test_a_bad_boundary_file_is_refused_naming_it(session, tmp_path, content, code) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(InvalidInput) as caught:
        import_boundaries_file(session, path)
    assert caught.value.code == code and caught.value.where == str(path)


def test_marsad_geo_import_prints_one_json_document(env, tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"ADM1_PCODE": "IQG08", "ADM1_EN": "Baghdad"},
        "geometry": BAGHDAD_SQUARE,
    }
    result = runner.invoke(geo_cli.app, ["import", str(_geojson(tmp_path, [feature])), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "updated": 1,
        "added": 0,
        "skipped": 0,
        "located": {"reports": 0},
    }
    missing = runner.invoke(geo_cli.app, ["import", str(tmp_path / "nope.geojson")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
