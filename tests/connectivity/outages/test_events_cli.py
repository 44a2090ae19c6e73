"""Events by hand, IODA's curated list, the exam calendar and the STOP export, via the CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest

from marsad.connectivity.outages.export import STOP_COLUMNS
from marsad.connectivity.outages.ioda import parse_flag, parse_ioda_time

from ..outages.conftest import run_cli

IODA_HEADER = (
    "\ufeffID,Begin time,End time,Country,IODA BGP visible by human,IODA AP visible by human , "
    "IODA IBR visible by human,Scope (based on granularity at which the outage appears in IODA),"
    "Region,AS,Cause,Confirmation Status,Manually verified,Grafana URLs,Notes,,\n"
)
IODA_ROWS = [
    # A national exam cut: comma after the weekday, seconds, uppercase booleans.
    'A1,"Monday, September 2, 2019, 2:30:00 AM","Monday, September 2, 2019, 5:35:00 AM",'
    "Iraq,TRUE,TRUE,FALSE,Country,,,Exams,Confirmed,YES,,,,",
    # Sulaymaniyah: "3:20: AM" and the typo "ture".
    'A2,"Monday, September 13, 2021, 3:20: AM","Monday, September 13, 2021, 7:10: AM",'
    "Iraq,ture,True ,N/A,Region (As-Sulaymaniyah),,,,Unconfirmed,YES,,,,",
    # No comma after the weekday, no seconds.
    'A3,"Saturday, June 2, 2018, 3:30 AM","Saturday June 2, 2018, 8:00 AM",'
    "Iraq,True ,True ,True ,Country,,,Government-Ordered,Confirmed,Yes ,,,,",
    # Ends before it begins: rejected.
    'A4,"Monday, July 15, 2019, 2:30:00 AM","Saturday, July 13, 2019, 5:00:00 AM",'
    "Iraq,TRUE,TRUE,TRUE,Country,,,Exams,Confirmed,YES,,,,",
    # A boolean nobody can read: rejected, naming the column.
    'A5,"Monday, July 1, 2019, 2:30:00 AM","Monday, July 1, 2019, 5:30:00 AM",'
    "Iraq,maybe,TRUE,TRUE,Country,,,Exams,Confirmed,YES,,,,",
    # Another country: skipped.
    'B1,"Monday, July 1, 2019, 2:30:00 AM","Monday, July 1, 2019, 5:30:00 AM",'
    "Iran,TRUE,TRUE,TRUE,Country,,,,,,,,,",
    # An unknown region: rejected.
    'A6,"Monday, July 1, 2019, 2:30:00 AM","Monday, July 1, 2019, 5:30:00 AM",'
    "Iraq,TRUE,TRUE,TRUE,Region (Atlantis),,,,,,,,,",
]


def test_ioda_dates_and_booleans_in_their_messy_forms() -> None:
    assert parse_ioda_time("Monday, September 13, 2021, 3:20: AM").isoformat() == (
        "2021-09-13T03:20:00+00:00"
    )
    assert parse_ioda_time("Tuesday, May 11, 2021, 9:20:00 PM").hour == 21
    assert parse_ioda_time("Monday, January 18, 2021, 12:30:00 AM").hour == 0
    with pytest.raises(ValueError, match="unreadable date"):
        parse_ioda_time("11/05/2021")
    assert [parse_flag(v, "c") for v in ("TRUE", "True ", "ture", "FALSE", "N/A", "")] == [
        True, True, True, False, None, None,
    ]  # fmt: skip


def test_import_ioda_creates_events_rejects_bad_rows_and_is_idempotent(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "ioda.csv"
    path.write_text(IODA_HEADER + "\n".join(IODA_ROWS) + "\n", encoding="utf-8")
    code, doc, err = run_cli("import-ioda", str(path), "--json")
    assert code == 3, err
    assert (doc["rows"], doc["created"], doc["rejected"], doc["other_countries"]) == (6, 3, 3, 1)
    reasons = {e["where"]: e["reason"] for e in doc["errors"]}
    assert "before it begins" in reasons["ioda.csv: row 5"]
    assert "IODA BGP visible by human" in reasons["ioda.csv: row 6"]
    assert "unknown region" in reasons["ioda.csv: row 8"]
    code, again, _ = run_cli("import-ioda", str(path), "--json")
    assert (again["created"], again["already"]) == (0, 3)
    code, listed, _ = run_cli("events", "list", "--json")
    by_start = {e["start"]: e for e in listed["events"]}
    sulaymaniyah = by_start["2021-09-13T03:20:00Z"]
    assert sulaymaniyah["scope"] == "regional" and sulaymaniyah["governorates"] == ["IQG06"]
    assert sulaymaniyah["signal_sources"] == ["bgp", "ping-slash24"]
    assert sulaymaniyah["status"] == "detected"  # IODA marks it unconfirmed
    assert by_start["2019-09-02T02:30:00Z"]["cause"] == "Exams"


def test_an_event_by_hand_is_linked_and_exported_in_stop_order(
    cli_env, tmp_path, file_report
) -> None:  # type: ignore[no-untyped-def]
    code, event, err = run_cli(
        "events", "add", "--start", "2026-06-01T03:00:00", "--end", "2026-06-01T05:00:00Z",
        "--scope", "regional", "--type", "service-based", "--governorate", "Erbil",
        "--governorate", "IQG09", "--network", "21277", "--service", "telegram",
        "--ordered-by", "KRG Ministry of Education", "--justification", "exam cheating",
        "--source-name", "Ministry statement", "--source-url", "https://example.org/a",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    assert event["governorates"] == ["IQG09", "IQG11"] and event["networks"] == ["AS21277"]
    report = file_report()
    code, linked, err = run_cli("events", "link", event["id"], f"report:{report}", "--json")
    assert code == 0, err
    assert linked["links"] == [f"report:{report}"]
    code, _doc, err = run_cli("events", "link", event["id"], "nonsense", "--json")
    assert code == 2 and "reference" in err
    code, _doc, err = run_cli("events", "link", event["id"], "report:no-such-report")
    assert code == 2 and "does not point at any record" in err
    out = tmp_path / "stop.csv"
    assert run_cli("events", "export", "--format", "csv", "--output", str(out))[0] == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == STOP_COLUMNS
    row = rows[0]
    assert (row["start_date"], row["geo_scope"], row["area_name"]) == (
        "2026-06-01", "Regional", "Duhok; Erbil",
    )  # fmt: skip
    assert row["shutdown_extent"] == "Service-based" and row["telegram_affected"] == "Yes"
    assert row["whatsapp_affected"] == "No" and row["duration"] == "2.0"
    assert row["telcos_involved"] == "Newroz Telecom"
    assert row["info_source_link"] == "https://example.org/a"
    code, _none, _ = run_cli("events", "export", "--format", "json", "--output",
                             str(tmp_path / "stop.json"))  # fmt: skip
    document = json.loads((tmp_path / "stop.json").read_text(encoding="utf-8"))
    assert list(document["rows"][0]) == list(STOP_COLUMNS)


def test_a_bad_event_names_the_field(cli_env) -> None:  # type: ignore[no-untyped-def]
    code, _doc, err = run_cli("events", "add", "--start", "2026-06-01T03:00", "--end",
                              "2026-06-01T02:00", "--json")  # fmt: skip
    assert code == 2 and "end" in err and "after the start" in err
    code, _doc, err = run_cli("events", "add", "--start", "2026-06-01", "--governorate", "Mars")
    assert code == 2 and "governorates" in err


def test_the_exam_calendar_is_matched_with_what_was_measured(cli_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    timetable = tmp_path / "exams.csv"
    timetable.write_text(
        "date,from,to,region,authority,title,source_url\n"
        "2026-06-01,06:00,08:00,kurdistan,KRG Ministry of Education,grade 12,\n"
        "2026-06-02,06:00,08:00,federal,Ministry of Education,grade 6,\n"
        "2026-06-03,6am,08:00,federal,,,\n"
        "2026-06-04,06:00,08:00,moon,,,\n",
        encoding="utf-8",
    )
    code, doc, err = run_cli("schedule", "import", str(timetable), "--json")
    assert code == 3, err
    assert (doc["added"], doc["rejected"]) == (2, 2)
    assert doc["errors"][0]["where"] == "exams.csv: row 4, from"
    assert doc["errors"][1]["where"] == "exams.csv: row 5, region"
    code, added, _ = run_cli("schedule", "add", "2026-06-05", "06:00", "08:00", "--json")
    assert added["start"] == "2026-06-05T03:00:00Z"  # Baghdad is UTC+3
    # Measured: the Kurdistan cut on the 1st (06:00 Baghdad = 03:00 UTC), and one nobody announced.
    for start, end in (("2026-06-01T03:05", "2026-06-01T05:00"),
                       ("2026-06-07T03:00", "2026-06-07T05:00")):  # fmt: skip
        assert run_cli("events", "add", "--start", start, "--end", end, "--scope", "regional",
                       "--governorate", "IQG11", "--governorate", "IQG06")[0] == 0  # fmt: skip
    code, match, _ = run_cli("schedule", "match", "--json")
    assert [m["schedule"]["start"] for m in match["announced_and_measured"]] == [
        "2026-06-01T03:00:00Z"
    ]
    assert [m["schedule"]["start"] for m in match["announced_not_measured"]] == [
        "2026-06-02T03:00:00Z", "2026-06-05T03:00:00Z",
    ]  # fmt: skip
    assert [e["start"] for e in match["measured_not_announced"]] == ["2026-06-07T03:00:00Z"]
    assert match["measured_not_announced"][0]["region"] == "kurdistan"


def test_ioda_sample_rows_each_become_an_event_or_a_reason(cli_env) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import shared_path

    path = shared_path(
        "formats", "ioda", "inetintel_ioda_investigated_outages_cleaned_phase1+2.csv"
    )
    code, doc, _ = run_cli("import-ioda", str(path), "--json")
    assert code == 3
    assert doc["rows"] == 61 and doc["created"] + doc["rejected"] == 61
    assert all("before it begins" in e["reason"] for e in doc["errors"])
