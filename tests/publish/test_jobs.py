"""The publish.weekly-report job kind: validated parameters, files in the blob store."""

from __future__ import annotations

import pytest

from marsad.core.blobs import BlobStore
from marsad.core.errors import InvalidInput
from marsad.core.jobs import runners, service

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_the_job_stores_the_week_report(settings, sessions, add_reports):
    add_reports(3)
    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind="publish.weekly-report",
        params={"week": "2026-W49", "langs": "ar,en", "formats": "html"},
        requested_by="rev",
    )
    runners.run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
    with sessions() as session:
        job = service.get_job(session, job_id=job_id)
        assert job.status == "succeeded", job.error_message
        result = job.result
    assert result["week"] == "2026-W49"
    assert [(f["lang"], f["format"]) for f in result["files"]] == [("ar", "html"), ("en", "html")]
    store = BlobStore.from_settings(settings)
    with store.open(result["files"][0]["sha256"]) as handle:
        html = handle.read().decode("utf-8")
    assert 'lang="ar" dir="rtl"' in html and "تقرير الرصد الأسبوعي" in html


@pytest.mark.parametrize(
    "params", [{"week": "2026-W60"}, {"langs": "fr"}, {"formats": "docx"}, {"other": 1}]
)
def test_bad_parameters_are_refused_before_anything_is_stored(settings, sessions, params):
    with pytest.raises(InvalidInput):
        service.submit_job(
            sessions=sessions,
            settings=settings,
            kind="publish.weekly-report",
            params=params,
            requested_by="rev",
        )


def test_the_refresh_job_stores_figures_and_a_new_report_still_shows(
    settings, sessions, add_reports, client
):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from marsad.publish import stored
    from marsad.publish.models import StoredFigures

    now = datetime.now(UTC)
    add_reports(3, published_at=now, created_at=now)
    job_id = service.submit_job(
        sessions=sessions,
        settings=settings,
        kind="publish.refresh-figures",
        params={},
        requested_by="system",
    )
    runners.run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
    with sessions() as session:
        job = service.get_job(session, job_id=job_id)
        assert job.status == "succeeded", job.error_message
        keys = set(session.execute(select(StoredFigures.key)).scalars())
    # Both weeks in three languages for reports; every day of 13 weeks for hate speech.
    assert job.result["stored"] == {"reports": 6, "hate-speech": 91}
    assert keys == {"reports", "hate-speech"}
    stored.forget()  # as after a restart: the dashboard reads what the job stored

    def published() -> dict:
        doc = client.get("/api/v1/stats").json()
        [section] = [s for s in doc["sections"] if s["key"] == "reports"]
        return section["figures"]["week"]["published"]

    def baghdad() -> int:
        rows = client.get("/api/v1/stats/reports?by=governorate").json()["rows"]
        return next(row["count"] for row in rows if row["key"] == "IQG08")

    assert published() == {"count": 3} and baghdad() == 3
    add_reports(1, published_at=now, created_at=now)  # published after the job ran
    assert published() == {"count": 4} and baghdad() == 4
