"""OONI measurements read into what Marsad keeps: target, network, day, verdict and evidence.

Reads the raw JSON the OONI API and probes publish (one object, a list, or JSON
Lines) and the CSV the OONI aggregation API writes. Pure logic: no database.

Verdicts follow OONI's own four words: ``ok`` (reachable: the network did not
interfere), ``anomaly`` (signs of blocking), ``confirmed`` (a blockpage
fingerprint matched) and ``failure`` (the measurement could not tell).
A test Marsad does not interpret is kept raw with the verdict ``other``.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from marsad.connectivity.blocking.fingerprints import Matcher

VERDICTS = ("ok", "anomaly", "confirmed", "failure", "other")
BLOCKING_VERDICTS = ("confirmed", "anomaly")
APP_TESTS = ("telegram", "whatsapp", "facebook_messenger", "signal")
KNOWN_TESTS = ("web_connectivity", *APP_TESTS)
EXPLORER = "https://explorer.ooni.org"
_ASN = re.compile(r"(?:AS)?(\d{1,10})", re.IGNORECASE)
_CC = re.compile(r"[A-Z]{2}|ZZ")
# Keys dropped from a measurement kept raw: the probe's address is never stored.
_PRIVATE_KEYS = ("probe_ip", "resolver_ip")
_MAX_BODY = 200_000
# A target is indexed: PostgreSQL's index rows hold at most ~2,700 bytes, so a URL is kept
# whole up to this many characters (4 bytes each at worst) and refused beyond, never cut.
MAX_TARGET = 600
_MAX_UID = 200


@dataclass
class Measurement:
    """One OONI measurement as Marsad keeps it."""

    uid: str
    test_name: str
    target: str
    asn: int
    network: str
    cc: str
    measured_at: datetime
    verdict: str
    blocking: str | None
    evidence: dict[str, Any]
    report_id: str = ""
    input: str | None = None
    raw: dict[str, Any] | None = None

    @property
    def day(self) -> date:
        return self.measured_at.date()

    @property
    def explorer_url(self) -> str:
        return explorer_url(self.uid, self.report_id, self.input)


@dataclass
class Rejected:
    """A record that was not imported, and why."""

    where: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass
class Aggregate:
    """One row of an OONI aggregation CSV: counts for a test, target, network and day."""

    test_name: str
    target: str
    asn: int
    cc: str
    day: date
    measurement_count: int
    anomaly_count: int
    confirmed_count: int
    failure_count: int
    ok_count: int

    @property
    def verdict(self) -> str:
        """Confirmed on any confirmed measurement; anomaly when most that ran were anomalous."""
        ran = self.measurement_count - self.failure_count
        if self.confirmed_count > 0:
            return "confirmed"
        if ran > 0 and self.anomaly_count * 2 >= ran:
            return "anomaly"
        if self.measurement_count > 0 and ran == 0:
            return "failure"
        return "ok"


@dataclass
class Batch:
    """What one file gave: measurements or aggregates, and the records rejected."""

    path: str
    kind: str  # "measurements" or "aggregates"
    measurements: list[Measurement] = field(default_factory=list)
    aggregates: list[Aggregate] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def explorer_url(uid: str, report_id: str = "", input_: str | None = None) -> str:
    """The measurement's page on OONI Explorer (by uid, or by report id and input for old data)."""
    if report_id and uid.startswith(report_id):
        url = f"{EXPLORER}/measurement/{quote(report_id, safe='')}"
        return f"{url}?input={quote(input_, safe='')}" if input_ else url
    return f"{EXPLORER}/m/{quote(uid, safe='')}"


class BadRecord(ValueError):
    """A record Marsad cannot import; the message is the reason."""


def parse_time(value: Any) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (raw) or ISO 8601 with Z (API lists), as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise BadRecord("measurement_start_time is missing")
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRecord(f"measurement_start_time {value[:40]!r} is not a time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_asn(value: Any) -> int:
    """``"AS30722"`` (raw) or ``30722`` (aggregations) as an int."""
    if isinstance(value, bool):
        raise BadRecord("probe_asn is not an AS number")
    if isinstance(value, int):
        return value
    match = _ASN.fullmatch(str(value or "").strip())
    if not match:
        raise BadRecord(f"probe_asn {str(value)[:20]!r} is not an AS number")
    return int(match.group(1))


def _decode(value: Any) -> str:
    """A body or header value, plain or ``{"format": "base64", "data": …}``."""
    if isinstance(value, dict):
        if value.get("format") == "base64":
            try:
                return base64.b64decode(value.get("data") or "").decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                return ""
        return ""
    if isinstance(value, list):  # odd probes: a list of values for one header
        return " ".join(_decode(v) for v in value)
    return value if isinstance(value, str) else ""


def _headers(response: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = response.get("headers_list")
    if isinstance(pairs, list):
        return [
            (str(p[0]), _decode(p[1])) for p in pairs if isinstance(p, list | tuple) and len(p) == 2
        ]
    headers = response.get("headers")
    if isinstance(headers, dict):
        return [(str(k), _decode(v)) for k, v in headers.items()]
    return []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _web_connectivity(keys: dict[str, Any], matcher: Matcher) -> tuple[str, str | None, dict]:
    """Verdict, blocking type and evidence of a web_connectivity measurement."""
    blocking = keys.get("blocking")
    accessible = keys.get("accessible")
    evidence: dict[str, Any] = {}
    answers = [
        str(a.get("ipv4") or a.get("ipv6") or a.get("hostname") or "")
        for q in _dicts(keys.get("queries"))
        for a in _dicts(q.get("answers"))
    ]
    answers = [a for a in answers if a]
    if keys.get("dns_consistency"):
        evidence["dns_consistency"] = keys["dns_consistency"]
    if answers:
        evidence["dns_answers"] = answers[:10]
    for key, name in (
        ("dns_experiment_failure", "dns_failure"),
        ("control_failure", "control_failure"),
        ("http_experiment_failure", "http_failure"),
    ):
        if keys.get(key):
            evidence[name] = str(keys[key])[:200]
    tcp = [
        f"{c.get('ip')}:{c.get('port')} {c['status']['failure']}"
        for c in _dicts(keys.get("tcp_connect"))
        if isinstance(c.get("status"), dict) and c["status"].get("failure")
    ]
    if tcp:
        evidence["tcp_failures"] = tcp[:10]
    tls = [
        f"{h.get('address') or h.get('server_name') or ''} {h['failure']}".strip()
        for h in _dicts(keys.get("tls_handshakes"))
        if h.get("failure")
    ]
    if tls:
        evidence["tls_failures"] = tls[:10]
    fingerprint = matcher.match_dns(answers)
    for request in _dicts(keys.get("requests")):
        response = request.get("response")
        if not isinstance(response, dict):
            continue
        if response.get("code") and "http_status" not in evidence:
            evidence["http_status"] = response.get("code")
        fingerprint = fingerprint or matcher.match_http(
            _headers(response), _decode(response.get("body"))[:_MAX_BODY]
        )
    if blocking not in (None, False):
        evidence["blocking"] = str(blocking)
    if fingerprint is not None:
        evidence["fingerprint"] = fingerprint.name
        return "confirmed", str(blocking) if blocking else "http-diff", evidence
    if blocking in ("dns", "tcp_ip", "http-failure", "http-diff"):
        return "anomaly", blocking, evidence
    if blocking is False:
        if accessible is False:
            evidence["site_down"] = True
        return "ok", None, evidence
    return "failure", None, evidence


def _app_test(test: str, keys: dict[str, Any]) -> tuple[str, str | None, dict]:
    """Verdict, blocking kind and evidence of an instant-messaging test."""
    evidence: dict[str, Any] = {}
    flags: dict[str, tuple[str, ...]] = {
        "telegram": ("telegram_http_blocking", "telegram_tcp_blocking"),
        "facebook_messenger": ("facebook_tcp_blocking", "facebook_dns_blocking"),
        "whatsapp": (),
        "signal": (),
    }
    statuses: dict[str, tuple[str, ...]] = {
        "telegram": ("telegram_web_status",),
        "facebook_messenger": (),
        "whatsapp": (
            "registration_server_status",
            "whatsapp_endpoints_status",
            "whatsapp_web_status",
        ),
        "signal": ("signal_backend_status",),
    }
    blocked = [k for k in flags[test] if keys.get(k) is True]
    blocked += [k for k in statuses[test] if keys.get(k) == "blocked"]
    for key, value in keys.items():
        if key.endswith("failure") and value and isinstance(value, str):
            evidence[key] = value[:200]
    seen = [k for k in (*flags[test], *statuses[test]) if keys.get(k) is not None]
    if blocked:
        evidence["blocked"] = blocked
        kind = (
            "dns"
            if any("dns" in k for k in blocked)
            else "tcp_ip"
            if any("tcp" in k for k in blocked)
            else "http-failure"
        )
        return "anomaly", kind, evidence
    if not seen or keys.get("failure"):
        return "failure", None, evidence
    return "ok", None, evidence


def parse_measurement(doc: Any, *, matcher: Matcher) -> Measurement:
    """One raw measurement; BadRecord saying what is wrong with it."""
    if not isinstance(doc, dict):
        raise BadRecord("a measurement is a JSON object")
    test = doc.get("test_name")
    if not isinstance(test, str) or not test:
        raise BadRecord("test_name is missing")
    measured_at = parse_time(doc.get("measurement_start_time"))
    if doc.get("probe_asn") in (None, ""):
        raise BadRecord("probe_asn is missing")
    asn = parse_asn(doc.get("probe_asn"))
    cc = str(doc.get("probe_cc") or "").upper()
    if not _CC.fullmatch(cc):
        raise BadRecord(f"probe_cc {cc[:10]!r} is not a country code")
    report_id = str(doc.get("report_id") or "")
    input_ = doc.get("input") if isinstance(doc.get("input"), str) else None
    if input_ is not None and len(input_) > MAX_TARGET:
        raise BadRecord(f"input is longer than {MAX_TARGET} characters")
    uid = str(doc.get("measurement_uid") or "")
    if not uid:
        if not report_id:
            raise BadRecord("neither measurement_uid nor report_id: cannot tell it apart")
        uid = f"{report_id}/{input_}" if input_ else report_id
        if len(uid) > _MAX_UID:
            # Long URLs: the input's hash keeps two of them apart (a cut would merge them).
            digest = hashlib.sha256((input_ or "").encode()).hexdigest()[:40]
            uid = f"{report_id[:150]}/sha256:{digest}"
    elif len(uid) > _MAX_UID:
        raise BadRecord(f"measurement_uid is longer than {_MAX_UID} characters")
    keys = doc.get("test_keys")
    raw = None
    if test in KNOWN_TESTS:
        if keys is None:
            raise BadRecord("test_keys is null: the probe recorded no result")
        if not isinstance(keys, dict):
            raise BadRecord("test_keys is not an object")
        if test == "web_connectivity":
            if not input_:
                raise BadRecord("web_connectivity without input: no URL was measured")
            verdict, blocking, evidence = _web_connectivity(keys, matcher)
        else:
            verdict, blocking, evidence = _app_test(test, keys)
    else:
        # Kept as published (less the probe's address) for a later reader; not interpreted.
        raw = {k: v for k, v in doc.items() if k not in _PRIVATE_KEYS}
        verdict, blocking, evidence = "other", None, {}
    return Measurement(
        uid=uid,
        test_name=test[:64],
        target=input_ if test == "web_connectivity" else input_ or test,
        asn=asn,
        network=str(doc.get("probe_network_name") or "")[:200],
        cc=cc,
        measured_at=measured_at,
        verdict=verdict,
        blocking=blocking,
        evidence=evidence,
        report_id=report_id[:200],
        input=input_,
        raw=raw,
    )


def _json_records(text: str, name: str) -> Iterator[tuple[str, Any]]:
    """(where, object) for a JSON document (object or list) or JSON Lines; bad lines as errors."""
    stripped = text.lstrip()
    if stripped.startswith("[") or (stripped.startswith("{") and "\n{" not in stripped):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = None
        if isinstance(doc, list):
            for n, item in enumerate(doc, start=1):
                yield f"{name}: item {n}", item
            return
        if isinstance(doc, dict):
            # an API list page: {"metadata": …, "results": […]}
            items = doc.get("results") if isinstance(doc.get("results"), list) else None
            if items is not None and "test_name" not in doc:
                for n, item in enumerate(items, start=1):
                    yield f"{name}: result {n}", item
            else:
                yield f"{name}: line 1", doc
            return
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{name}: line {n}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"{name}: line {n}", BadRecord(f"not JSON ({exc.msg})")


def read_measurements(text: str, *, name: str, matcher: Matcher) -> Batch:
    """Every measurement of a .json/.jsonl text; the ones that fail are rejected with a reason."""
    batch = Batch(path=name, kind="measurements")
    seen: set[str] = set()
    for where, doc in _json_records(text, name):
        try:
            if isinstance(doc, BadRecord):
                raise doc
            measurement = parse_measurement(doc, matcher=matcher)
        except BadRecord as exc:
            batch.rejected.append(Rejected(where, str(exc)))
            continue
        if measurement.uid in seen:
            batch.rejected.append(Rejected(where, f"duplicate of {measurement.uid} in this file"))
            continue
        seen.add(measurement.uid)
        batch.measurements.append(measurement)
    return batch


AGGREGATE_COLUMNS = (
    "anomaly_count",
    "confirmed_count",
    "failure_count",
    "measurement_count",
    "measurement_start_day",
)


def _count(row: dict[str, str], column: str) -> int:
    value = (row.get(column) or "").strip()
    if not value.isdigit():
        raise BadRecord(f"{column} {value[:20]!r} is not a count")
    return int(value)


def read_aggregates(
    text: str, *, name: str, test_name: str | None = None, country: str | None = None
) -> Batch:
    """Rows of an OONI aggregation CSV (axis_x measurement_start_day, axis_y probe_asn or none)."""
    batch = Batch(path=name, kind="aggregates")
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in AGGREGATE_COLUMNS if c not in columns]
    if missing:
        batch.rejected.append(
            Rejected(f"{name}: line 1", f"not an OONI aggregation CSV: no {', '.join(missing)}")
        )
        return batch
    if "test_name" not in columns and not test_name:
        batch.rejected.append(
            Rejected(f"{name}: line 1", "no test_name column: give the test with --test-name")
        )
        return batch
    seen: set[tuple[Any, ...]] = set()
    for n, row in enumerate(reader, start=2):
        where = f"{name}: line {n}"
        try:
            day_text = (row.get("measurement_start_day") or "").strip()[:10]
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                raise BadRecord(f"measurement_start_day {day_text!r} is not a date") from None
            asn_text = (row.get("probe_asn") or "").strip()
            test = (row.get("test_name") or "").strip() or test_name or ""
            if test not in (*KNOWN_TESTS, *([test_name] if test_name else [])):
                raise BadRecord(f"unknown test_name {test[:40]!r}")
            cc = ((row.get("probe_cc") or "").strip() or country or "").upper()
            target = (row.get("input") or row.get("domain") or "").strip()
            if len(target) > MAX_TARGET:
                raise BadRecord(f"input is longer than {MAX_TARGET} characters")
            agg = Aggregate(
                test_name=test,
                target=target,
                asn=parse_asn(asn_text) if asn_text else 0,
                cc=cc,
                day=day,
                measurement_count=_count(row, "measurement_count"),
                anomaly_count=_count(row, "anomaly_count"),
                confirmed_count=_count(row, "confirmed_count"),
                failure_count=_count(row, "failure_count"),
                ok_count=0,
            )
        except BadRecord as exc:
            batch.rejected.append(Rejected(where, str(exc)))
            continue
        # anomaly_count excludes confirmed and failed ones (OONI's own definition).
        agg.ok_count = (
            agg.measurement_count - agg.anomaly_count - agg.confirmed_count - agg.failure_count
        )
        if agg.ok_count < 0:
            batch.rejected.append(
                Rejected(where, "the counts add up to more than measurement_count")
            )
            continue
        key = (agg.test_name, agg.target, agg.asn, agg.cc, agg.day)
        if key in seen:
            batch.rejected.append(
                Rejected(where, "duplicate row (same test, target, network, day)")
            )
            continue
        seen.add(key)
        batch.aggregates.append(agg)
    return batch


def read_file(
    path: Path, *, matcher: Matcher, test_name: str | None = None, country: str | None = None
) -> Batch:
    """A .json/.jsonl of measurements or a .csv of aggregates; unreadable: one rejection."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        batch = Batch(path=name, kind="measurements")
        batch.rejected.append(Rejected(name, f"cannot read the file: {exc}"))
        return batch
    if path.suffix.lower() == ".csv":
        return read_aggregates(text, name=name, test_name=test_name, country=country)
    return read_measurements(text, name=name, matcher=matcher)
