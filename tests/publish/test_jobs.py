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
