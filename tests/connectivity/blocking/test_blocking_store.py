"""`marsad connectivity import-ooni`, `blocked`, `measurement`, `fingerprints` on a real database.

Runs on SQLite, and on PostgreSQL when MARSAD_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.connectivity.blocking.models import OoniMeasurement
from marsad.core.models import AuditRecord
from tests.conftest import shared_path

from .helpers import EARTHLINK, OTHER, blockpage, web, write_jsonl

runner = CliRunner()


@pytest.fixture
def cli(engine, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, ["connectivity", *args])

    return invoke


def iraq_day(tmp_path: Path) -> Path:
    """One day of made-up Iraqi measurements: a confirmed block, an app block, clean sites."""
    return write_jsonl(
        tmp_path / "iq.jsonl",
        [
            web(
                1,
                "https://blocked.example/",
                blocking="http-diff",
                requests=blockpage("x poweredbynetsweeper.com x"),
            ),
            web(2, "https://blocked.example/", blocking="http-diff", when="2025-03-10 10:00:00"),
            web(3, "https://open.example/", blocking=False, accessible=True),
            web(
                4,
                "https://blocked.example/",
                asn=OTHER,
                network="Other ISP",
                blocking=False,
                accessible=True,
            ),
            web(5, "https://dns.example/", asn=OTHER, network="Other ISP", blocking="dns"),
            {
                **web(6, "x"),
                "test_name": "telegram",
                "input": None,
                "test_keys": {
                    "telegram_tcp_blocking": True,
                    "telegram_http_blocking": True,
                    "telegram_web_status": "blocked",
                },
            },
        ],
    )


def test_import_then_blocked_lists_each_network_with_links(cli, tmp_path, session) -> None:
    out = cli("import-ooni", str(iraq_day(tmp_path)), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert (doc["read"], doc["inserted"], doc["duplicates"], doc["rejected"]) == (6, 6, 0, 0)

    blocked = json.loads(cli("blocked", "--json").stdout)
    by_asn = {n["asn"]: n for n in blocked["networks"]}
    assert set(by_asn) == {EARTHLINK, OTHER}
    earthlink = {t["target"]: t for t in by_asn[EARTHLINK]["targets"]}
    assert by_asn[EARTHLINK]["network"] == "EarthLink Telecommunications"
    assert set(earthlink) == {"https://blocked.example/", "telegram"}
    site = earthlink["https://blocked.example/"]
    assert (site["status"], site["day"], site["fingerprints"]) == (
        "confirmed",
        "2025-03-10",
        ["cl.prod_netsweeper_blockpage"],
    )
    assert len(site["measurements"]) == 2
    link = site["measurements"][-1]  # newest first: the blockpage was seen at 09:00
    assert link["url"].startswith("/connectivity/measurements/")
    assert link["explorer_url"].startswith("https://explorer.ooni.org/m/")
    assert link["ref"] == f"ooni:{link['uid']}"
    assert earthlink["telegram"]["status"] == "anomaly"
    # blocked.example is reachable on the other network: only dns.example is listed there
    assert [t["target"] for t in by_asn[OTHER]["targets"]] == ["https://dns.example/"]
    confirmed = json.loads(cli("blocked", "--confirmed-only", "--json").stdout)
    assert confirmed["count"] == 1
    assert json.loads(cli("blocked", "--since", "2025-03-11", "--json").stdout)["count"] == 0
    assert json.loads(cli("blocked", "--country", "IR", "--json").stdout)["count"] == 0

    shown = json.loads(cli("measurement", link["uid"], "--json").stdout)
    assert shown["evidence"]["fingerprint"] == "cl.prod_netsweeper_blockpage"
    audits = session.execute(
        select(func.count()).where(AuditRecord.action == "connectivity.ooni_imported")
    ).scalar_one()
    assert audits == 1


def test_a_later_reachable_day_clears_the_block(cli, tmp_path) -> None:
    cli("import-ooni", str(iraq_day(tmp_path)))
    later = write_jsonl(
        tmp_path / "later.jsonl",
        [
            web(
                9,
                "https://blocked.example/",
                when="2025-03-12 08:00:00",
                blocking=False,
                accessible=True,
            )
        ],
    )
    assert cli("import-ooni", str(later)).exit_code == 0
    doc = json.loads(cli("blocked", "--json").stdout)
    targets = [t["target"] for n in doc["networks"] for t in n["targets"]]
    assert "https://blocked.example/" not in targets
    # the history keeps each day per network: blocked, then reachable
    history = json.loads(cli("history", "https://blocked.example/", "--json").stdout)
    days = {n["asn"]: [(d["day"], d["status"]) for d in n["days"]] for n in history["networks"]}
    assert days == {
        EARTHLINK: [("2025-03-10", "confirmed"), ("2025-03-12", "ok")],
        OTHER: [("2025-03-10", "ok")],
    }
    only = json.loads(
        cli("history", "https://blocked.example/", "--asn", str(OTHER), "--json").stdout
    )
    assert [n["asn"] for n in only["networks"]] == [OTHER]
    bad = cli("history", "https://blocked.example/", "--since", "March")
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_importing_again_doubles_nothing_and_rejections_set_the_exit_code(
    cli, tmp_path, session
) -> None:
    path = iraq_day(tmp_path)
    cli("import-ooni", str(path))
    again = cli("import-ooni", str(path), "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["duplicates"] == 6
    n = session.execute(select(func.count()).select_from(OoniMeasurement)).scalar_one()
    session.rollback()  # a reader holding its transaction would keep SQLite's writers out
    assert n == 6

    mixed = write_jsonl(tmp_path / "mixed.jsonl", [web(20, "https://new.example/"), "oops"])
    out = cli("import-ooni", str(mixed), "--json")
    assert out.exit_code == 3, out.output
    doc = json.loads(out.stdout)
    assert doc["inserted"] == 1
    assert doc["files"][0]["rejected"] == [
        {"where": "mixed.jsonl: line 2", "reason": "not JSON (Expecting value)"}
    ]
    assert "rejected: mixed.jsonl: line 2" in out.stderr

    none = shared_path("formats", "ooni", "measurements", "ooni-backend_test_keys_none.json")
    out = cli("import-ooni", str(none))
    assert out.exit_code == 2
    assert "test_keys is null" in out.stderr

    missing = cli("import-ooni", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert "nope.json: no such file or folder" in missing.stderr
    assert "Traceback" not in missing.output


def test_aggregation_csv_needs_its_test_and_shows_blocking_by_counts(cli, tmp_path) -> None:
    csv_path = tmp_path / "whatsapp.csv"
    csv_path.write_text(
        "anomaly_count,confirmed_count,failure_count,measurement_count,measurement_start_day,"
        "ok_count,probe_asn\n"
        "0,0,0,8,2025-03-06,8,50710\n"
        "6,0,0,8,2025-03-07,2,50710\n"
        "0,0,0,5,2025-03-07,5,203214\n",
        encoding="utf-8",
    )
    refused = cli("import-ooni", str(csv_path))
    assert refused.exit_code == 2 and "--test-name" in refused.stderr
    out = cli("import-ooni", str(csv_path), "--test-name", "whatsapp", "--country", "iq", "--json")
    assert out.exit_code == 0 and json.loads(out.stdout)["inserted"] == 3
    doc = json.loads(cli("blocked", "--country", "IQ", "--json").stdout)
    (network,) = doc["networks"]
    (entry,) = network["targets"]
    assert (network["asn"], entry["target"], entry["status"], entry["basis"]) == (
        EARTHLINK,
        "whatsapp",
        "anomaly",
        "aggregate",
    )
    assert entry["counts"]["anomaly"] == 6
    # a corrected export replaces the day's counts instead of adding a second row
    csv_path.write_text(
        csv_path.read_text().replace("6,0,0,8,2025-03-07,2", "0,0,0,8,2025-03-07,8")
    )
    again = json.loads(
        cli(
            "import-ooni", str(csv_path), "--test-name", "whatsapp", "--country", "IQ", "--json"
        ).stdout
    )
    assert again["duplicates"] == 3
    assert json.loads(cli("blocked", "--json").stdout)["count"] == 0


def test_staff_fingerprints_confirm_later_imports_and_can_be_turned_off(cli, tmp_path) -> None:
    listed = json.loads(cli("fingerprints", "list", "--json").stdout)["fingerprints"]
    assert {f["origin"] for f in listed} == {"shipped"} and all(f["enabled"] for f in listed)
    ooni_csv = tmp_path / "fp.csv"
    ooni_csv.write_text(
        "name,scope,other_names,location_found,pattern_type,pattern,confidence_no_fp,"
        "expected_countries,source,exp_url,notes\n"
        "marsad.iq_test,nat,,dns,full,10.10.34.36,5,IQ,test,,written for this test\n",
        encoding="utf-8",
    )
    added = cli("fingerprints", "add", str(ooni_csv), "--json")
    assert added.exit_code == 0 and json.loads(added.stdout) == {"added": 1, "replaced": 0}
    ir = shared_path("formats", "ooni", "measurements", "ooni-backend_web_connectivity_ir_fp.json")
    cli("import-ooni", str(ir))
    shown = json.loads(
        cli(
            "measurement",
            "20220815T190043Z_webconnectivity_IR_197207_n1_"
            "cCbffjGasS4tFgb2/https://www.facebook.com/",
            "--json",
        ).stdout
    )
    assert (shown["verdict"], shown["evidence"]["fingerprint"]) == ("confirmed", "marsad.iq_test")

    assert cli("fingerprints", "disable", "cl.prod_netsweeper_blockpage").exit_code == 0
    cli("import-ooni", str(iraq_day(tmp_path)))
    doc = json.loads(cli("blocked", "--confirmed-only", "--json").stdout)
    assert [t["target"] for n in doc["networks"] for t in n["targets"]] == [
        "https://www.facebook.com/"
    ]
    rows = {
        f["name"]: f
        for f in json.loads(cli("fingerprints", "list", "--json").stdout)["fingerprints"]
    }
    assert rows["cl.prod_netsweeper_blockpage"]["enabled"] is False

    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([{"name": "x", "location": "cookie", "pattern_type": "full", "pattern": "y"}]),
        encoding="utf-8",
    )
    out = cli("fingerprints", "add", str(bad))
    assert out.exit_code == 2
    assert "bad.json: fingerprint 1: location: location 'cookie' is not" in out.stderr
    unknown = cli("fingerprints", "disable", "no.such")
    assert unknown.exit_code == 2 and "no fingerprint 'no.such'" in unknown.stderr
