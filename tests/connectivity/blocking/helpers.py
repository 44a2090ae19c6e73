"""Measurements written for these tests, in OONI's raw format, from Iraqi networks.

They are made up (their uids say so); the real samples the parser is checked
against are read from ../shared/formats/ooni.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EARTHLINK = 50710
OTHER = 203214


def web(
    n: int,
    url: str,
    *,
    asn: int = EARTHLINK,
    network: str = "EarthLink Telecommunications",
    when: str = "2025-03-10 09:00:00",
    cc: str = "IQ",
    **keys: Any,
) -> dict[str, Any]:
    """A web_connectivity measurement with the given test keys."""
    return {
        "measurement_uid": f"20250310090000.{n:06d}_IQ_webconnectivity_test{n}",
        "test_name": "web_connectivity",
        "input": url,
        "probe_cc": cc,
        "probe_asn": f"AS{asn}",
        "probe_ip": "127.0.0.1",
        "probe_network_name": network,
        "measurement_start_time": when,
        "report_id": f"20250310T090000Z_webconnectivity_IQ_{asn}_n1_test{n}",
        "test_keys": keys,
    }


def blockpage(body: str) -> list[dict[str, Any]]:
    return [{"response": {"code": 200, "body": body, "headers": {"Server": "x"}}}]


def write_jsonl(path: Path, docs: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write((doc if isinstance(doc, str) else json.dumps(doc)) + "\n")
    return path
