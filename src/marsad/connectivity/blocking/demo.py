"""Sample blocking data for ``marsad demo``: a few made-up measurements from Iraqi networks.

They are written here, in OONI's raw format, so the demo shows the blocked list
and a measurement page; they are not real measurements (their uids say ``demo``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from marsad.connectivity.blocking.measurements import parse_measurement
from marsad.core.db import session_scope

DEMO_NETWORK = (50710, "EarthLink Telecommunications (demo)")
OTHER_NETWORK = (203214, "Demo ISP")


def _web(uid: str, url: str, asn: int, network: str, when: datetime, **keys: Any) -> dict:
    return {
        "measurement_uid": uid,
        "test_name": "web_connectivity",
        "input": url,
        "probe_cc": "IQ",
        "probe_asn": f"AS{asn}",
        "probe_network_name": network,
        "measurement_start_time": when.strftime("%Y-%m-%d %H:%M:%S"),
        "report_id": f"{when:%Y%m%dT%H%M%SZ}_webconnectivity_IQ_{asn}_n1_demo",
        "test_keys": keys,
    }


def demo_measurements(now: datetime) -> list[dict[str, Any]]:
    """Four measurements: a confirmed block, a DNS anomaly, a reachable site, an app test."""
    day = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=1)
    asn, name = DEMO_NETWORK
    other, other_name = OTHER_NETWORK
    blockpage = {
        "response": {
            "code": 200,
            "body": "<html>Powered By FortiGuard</html>",
            "headers": {"Content-Type": "text/html"},
        }
    }
    return [
        _web(
            "demo1_IQ_webconnectivity",
            "https://blocked.example/",
            asn,
            name,
            day,
            blocking="http-diff",
            accessible=False,
            requests=[blockpage],
        ),
        _web(
            "demo2_IQ_webconnectivity",
            "https://news.example/",
            other,
            other_name,
            day,
            blocking="dns",
            accessible=False,
            dns_consistency="inconsistent",
            queries=[{"answers": [{"answer_type": "A", "ipv4": "10.0.0.1"}]}],
        ),
        _web(
            "demo3_IQ_webconnectivity",
            "https://open.example/",
            asn,
            name,
            day,
            blocking=False,
            accessible=True,
        ),
        {
            "measurement_uid": "demo4_IQ_telegram",
            "test_name": "telegram",
            "input": None,
            "probe_cc": "IQ",
            "probe_asn": f"AS{other}",
            "probe_network_name": other_name,
            "measurement_start_time": day.strftime("%Y-%m-%d %H:%M:%S"),
            "report_id": f"{day:%Y%m%dT%H%M%SZ}_telegram_IQ_{other}_n1_demo",
            "test_keys": {
                "telegram_http_blocking": True,
                "telegram_tcp_blocking": True,
                "telegram_web_status": "blocked",
            },
        },
    ]


def load_demo(context: Any) -> list[str]:
    """Store the demo measurements once (a second run finds them and adds nothing)."""
    from marsad.connectivity.blocking import service

    with session_scope(context.sessions) as session:
        matcher = service.active_matcher(session)
        measurements = [
            parse_measurement(doc, matcher=matcher) for doc in demo_measurements(datetime.now(UTC))
        ]
        inserted, _ = service.store_measurements(session, measurements, source="demo")
    return [f"OONI demo measurements stored: {inserted}"] if inserted else []
