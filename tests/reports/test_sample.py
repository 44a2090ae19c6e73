"""The demo's sample reports: three languages, some published, loading twice adds nothing."""

from __future__ import annotations

from marsad.core.db import session_scope
from marsad.reports.sample import SAMPLES, load_sample_reports


def test_sample_reports_load_once_and_show_on_the_public_list(
    sessions, settings, cipher, client
) -> None:
    with session_scope(sessions) as session:
        assert load_sample_reports(session, settings=settings, cipher=cipher) == len(SAMPLES)
    with session_scope(sessions) as session:
        assert load_sample_reports(session, settings=settings, cipher=cipher) == 0
    published = client.get("/api/v1/reports").json()
    assert published["count"] == sum(1 for s in SAMPLES if s.status == "published")
    assert {r["language"] for r in published["results"]} == {"ar", "ckb", "en"}
    assert "sample-reporter" not in client.get("/api/v1/reports.csv").text
