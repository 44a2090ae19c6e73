"""A report sent with a point before boundaries were imported gets its area at `geo import`."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.models import AuditRecord
from marsad.core.places import cli as geo_cli
from marsad.reports.models import Report
from tests.conftest import shared_path

runner = CliRunner()
# A point in the middle of Baghdad's Al-Resafa district, and one in Basrah city.
BAGHDAD = {"lat": "33.3406", "lon": "44.4009"}
BASRAH = {"lat": "30.5085", "lon": "47.7804"}


def geo_import(path) -> dict:  # type: ignore[no-untyped-def]
    result = runner.invoke(geo_cli.app, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_geo_import_places_reports_sent_with_a_point_before_any_boundary(
    env, sessions, file_report
) -> None:
    adm2 = shared_path("formats", "iraq_boundaries", "irq_admbnda_adm2_cso_20190603.geojson")
    placed, _r = file_report(**BAGHDAD)
    # The reporter said Basrah though the point is in Baghdad: a reviewer decides, not a polygon.
    disputed, _r = file_report(governorate="IQG02", **BAGHDAD)
    with sessions() as session:
        before = session.get(Report, placed)
        assert before.lat is not None and before.district_pcode is None
        assert before.governorate_pcode is None
        version = before.version

    result = geo_import(adm2)

    assert result["located"] == {"reports": 1}
    with sessions() as session:
        after = session.get(Report, placed)
        assert (after.governorate_pcode, after.district_pcode) == ("IQG08", "IQG08Q06")
        assert after.version == version + 1
        other = session.get(Report, disputed)
        assert (other.governorate_pcode, other.district_pcode) == ("IQG02", None)
        audited = session.execute(
            select(AuditRecord).where(AuditRecord.action == "report.located")
        ).scalar_one()
        assert audited.subject_id == placed and audited.actor == "system"
    # Importing again finds nothing left to place.
    assert geo_import(adm2)["located"] == {"reports": 0}


def test_geo_import_of_governorates_alone_gives_the_governorate(env, sessions, file_report) -> None:
    adm1 = shared_path("formats", "iraq_boundaries", "irq_admbnda_adm1_cso_20190603.geojson")
    report_id, _r = file_report(**BASRAH)
    result = runner.invoke(geo_cli.app, ["import", str(adm1)])
    assert result.exit_code == 0, result.output
    assert "1 reports with a point but no area placed in their area" in result.output
    with sessions() as session:
        report = session.get(Report, report_id)
        assert (report.governorate_pcode, report.district_pcode) == ("IQG02", None)
