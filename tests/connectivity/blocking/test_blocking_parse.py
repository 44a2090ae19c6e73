"""Reading OONI data: verdicts and evidence from real samples, and each kind of bad record."""

from __future__ import annotations

import json
from pathlib import Path

from marsad.connectivity.blocking.fingerprints import (
    Matcher,
    make_fingerprint,
    shipped_fingerprints,
)
from marsad.connectivity.blocking.measurements import read_file, read_measurements
from tests.conftest import shared_path

from .helpers import blockpage, web, write_jsonl

MATCHER = Matcher.of(shipped_fingerprints())


def one(name: str):  # type: ignore[no-untyped-def]
    batch = read_file(shared_path("formats", "ooni", "measurements", name), matcher=MATCHER)
    assert batch.rejected == [] and len(batch.measurements) == 1
    return batch.measurements[0]


def test_dns_injection_is_an_anomaly_with_the_injected_answer() -> None:
    m = one("ooni-backend_web_connectivity_ir_fp.json")
    assert (m.verdict, m.blocking, m.asn, m.cc) == ("anomaly", "dns", 197207, "IR")
    assert m.evidence["dns_answers"] == ["10.10.34.36"]
    assert m.evidence["dns_consistency"] == "inconsistent"
    assert m.network == "Mobile Communication Company of Iran PLC"
    assert m.explorer_url.startswith("https://explorer.ooni.org/measurement/20220815T190043Z_")


def test_a_blockpage_in_a_base64_header_confirms_the_block() -> None:
    m = one("ooni-backend_web_connectivity_b64_hdr.json")
    assert m.verdict == "confirmed"
    assert m.evidence["fingerprint"] == "cl.prod_checkpoint_urlfilter_forward"
    assert m.explorer_url == "https://explorer.ooni.org/m/01201707254a40e230fa0f9c80ea07a421b9f2ec"


def test_apps_reachable_and_blocked() -> None:
    assert one("ooni-backend_telegram_nourl.json").verdict == "ok"
    whatsapp = one("ooni-backend_whatsapp.json")
    assert (whatsapp.target, whatsapp.verdict) == ("whatsapp", "anomaly")
    assert whatsapp.evidence["blocked"] == ["whatsapp_web_status"]
    signal = one("ooni-backend_signal_2627.json")
    assert signal.verdict == "anomaly"
    assert signal.evidence["signal_backend_failure"] == "ssl_unknown_authority"


def test_undetermined_and_reachable_web_measurements() -> None:
    assert one("ooni-backend_web_connectivity_null.json").verdict == "failure"
    ok = one("ooni-spec_ts-017_example_web_connectivity_IT_2024.json")
    assert (ok.verdict, ok.blocking, ok.evidence["http_status"]) == ("ok", None, 200)


def test_an_unknown_test_is_kept_raw_without_the_probe_address() -> None:
    m = one("ooni-backend_http_header_field_manipulation_3.json")
    assert m.verdict == "other" and m.raw is not None
    assert m.raw["test_name"] == "http_header_field_manipulation"
    assert "probe_ip" not in m.raw and "resolver_ip" not in m.raw


def test_null_test_keys_are_rejected_naming_file_and_line() -> None:
    path = shared_path("formats", "ooni", "measurements", "ooni-backend_test_keys_none.json")
    batch = read_file(path, matcher=MATCHER)
    assert batch.measurements == []
    assert [(r.where, r.reason) for r in batch.rejected] == [
        (f"{path.name}: line 1", "test_keys is null: the probe recorded no result")
    ]


def test_bad_lines_are_rejected_one_by_one_and_the_rest_kept(tmp_path: Path) -> None:
    good = web(1, "https://a.example/", blocking=False, accessible=True)
    no_asn = {k: v for k, v in web(2, "https://b.example/").items() if k != "probe_asn"}
    no_time = {
        k: v for k, v in web(3, "https://c.example/").items() if k != "measurement_start_time"
    }
    path = write_jsonl(
        tmp_path / "m.jsonl",
        [
            good,
            "{not json",
            no_asn,
            no_time,
            good,
            {"test_name": ""},
            [1, 2],
            web(4, "https://long.example/" + "a" * 600),
        ],
    )
    batch = read_file(path, matcher=MATCHER)
    assert [m.target for m in batch.measurements] == ["https://a.example/"]
    assert [(r.where, r.reason) for r in batch.rejected] == [
        ("m.jsonl: line 2", "not JSON (Expecting property name enclosed in double quotes)"),
        ("m.jsonl: line 3", "probe_asn is missing"),
        ("m.jsonl: line 4", "measurement_start_time is missing"),
        ("m.jsonl: line 5", f"duplicate of {good['measurement_uid']} in this file"),
        ("m.jsonl: line 6", "test_name is missing"),
        ("m.jsonl: line 7", "a measurement is a JSON object"),
        ("m.jsonl: line 8", "input is longer than 600 characters"),
    ]


def test_a_json_list_and_an_api_page_are_read_item_by_item() -> None:
    docs = [web(1, "https://a.example/", blocking="dns"), web(2, "https://b.example/")]
    docs[1]["test_keys"] = None
    batch = read_measurements(json.dumps(docs), name="list.json", matcher=MATCHER)
    assert [m.verdict for m in batch.measurements] == ["anomaly"]
    assert batch.rejected[0].where == "list.json: item 2"
    page = json.dumps({"metadata": {"count": 1}, "results": [docs[0]]})
    assert len(read_measurements(page, name="p.json", matcher=MATCHER).measurements) == 1


def test_a_body_fingerprint_and_a_staff_dns_fingerprint_confirm() -> None:
    body = web(
        1,
        "https://a.example/",
        blocking="http-diff",
        requests=blockpage("<p>Powered By FortiGuard</p>"),
    )
    dns = web(
        2,
        "https://b.example/",
        blocking="dns",
        queries=[{"answers": [{"answer_type": "A", "ipv4": "10.10.34.36"}]}],
    )
    staff = make_fingerprint(
        {
            "name": "test.iq_dns",
            "location": "dns",
            "pattern_type": "full",
            "pattern": "10.10.34.36",
        },
        where="test",
    )
    matcher = Matcher.of([*shipped_fingerprints(), staff])
    batch = read_measurements(json.dumps([body, dns]), name="x.json", matcher=matcher)
    assert [(m.verdict, m.evidence.get("fingerprint")) for m in batch.measurements] == [
        ("confirmed", "cl.prod_fortiguard_webfilter_poweredby"),
        ("confirmed", "test.iq_dns"),
    ]
    plain = read_measurements(json.dumps([dns]), name="x.json", matcher=MATCHER)
    assert plain.measurements[0].verdict == "anomaly"


def test_iraq_aggregation_csv_counts_per_network_and_day() -> None:
    path = shared_path("formats", "ooni", "aggregation_iq", "IraqTelegramTestASNMar6-Apr6.csv")
    batch = read_file(path, matcher=MATCHER, test_name="telegram", country="IQ")
    assert batch.rejected == [] and len(batch.aggregates) == 223
    first = batch.aggregates[0]
    assert (first.asn, first.day.isoformat(), first.measurement_count, first.ok_count) == (
        51020,
        "2025-03-06",
        8,
        8,
    )
    assert all(
        a.ok_count + a.anomaly_count + a.confirmed_count + a.failure_count == a.measurement_count
        for a in batch.aggregates
    )


def test_csvs_that_are_not_ooni_aggregations_are_rejected_with_the_reason(tmp_path: Path) -> None:
    summary = shared_path("formats", "ooni", "aggregation_iq", "OONI_Iraq_Apr1_Results.csv")
    batch = read_file(summary, matcher=MATCHER, test_name="web_connectivity")
    assert batch.aggregates == [] and batch.rejected[0].where == f"{summary.name}: line 1"
    assert "not an OONI aggregation CSV" in batch.rejected[0].reason
    own = tmp_path / "agg.csv"
    own.write_text(
        "anomaly_count,confirmed_count,failure_count,measurement_count,measurement_start_day\n"
        "1,0,0,4,2025-03-06\n",
        encoding="utf-8",
    )
    assert "--test-name" in read_file(own, matcher=MATCHER).rejected[0].reason
    own.write_text(
        "anomaly_count,confirmed_count,failure_count,measurement_count,measurement_start_day,"
        "probe_asn,test_name\n"
        "1,0,0,4,2025-03-06,50710,telegram\n"
        "9,0,0,4,2025-03-07,50710,telegram\n"
        "1,0,0,4,yesterday,50710,telegram\n"
        "1,0,0,4,2025-03-06,50710,telegram\n"
        "1,0,0,4,2025-03-08,50710,no_such_test\n",
        encoding="utf-8",
    )
    batch = read_file(own, matcher=MATCHER)
    assert len(batch.aggregates) == 1
    assert [(r.where, r.reason) for r in batch.rejected] == [
        ("agg.csv: line 3", "the counts add up to more than measurement_count"),
        ("agg.csv: line 4", "measurement_start_day 'yesterday' is not a date"),
        ("agg.csv: line 5", "duplicate row (same test, target, network, day)"),
        ("agg.csv: line 6", "unknown test_name 'no_such_test'"),
    ]


def test_old_measurements_of_two_long_urls_stay_two() -> None:
    docs = []
    for n in (1, 2):
        doc = web(n, "https://long.example/" + "a" * 300 + str(n), blocking=False)
        del doc["measurement_uid"]
        doc["report_id"] = "20170725T000000Z_AS9443_same-report"
        docs.append(doc)
    batch = read_measurements(json.dumps(docs), name="old.json", matcher=MATCHER)
    assert batch.rejected == []
    first, second = batch.measurements
    assert first.uid != second.uid and len(first.uid) <= 200
    assert first.explorer_url.startswith(
        "https://explorer.ooni.org/measurement/20170725T000000Z_AS9443_same-report?input="
    )
