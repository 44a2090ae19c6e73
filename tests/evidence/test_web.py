"""Staff pages and their JSON twins: list, item, audited downloads, capture and preserve forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.jobs.models import Job
from marsad.core.jobs.runners import run_in_foreground
from marsad.core.settings import Settings
from marsad.evidence import service
from marsad.evidence.capture_settings import CaptureSettings
from tests.conftest import csrf_from

from .webserver import STATE, serve

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def stored(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    store = BlobStore.from_settings(app.state.settings)
    with session_scope(app.state.sessions) as session:
        pic = service.add_file(
            session,
            store,
            stream=PNG,
            name="صورة.png",
            media_type="image/png",
            actor="monitor",
            note="منشور محذوف",
        )
        doc = service.add_file(
            session,
            store,
            stream=b"%PDF-1.4 x",
            name="leak.pdf",
            media_type="application/pdf",
            actor="monitor",
        )
        return {"pic": pic.id, "doc": doc.id}


def test_staff_pages_need_a_signed_in_user(client, stored) -> None:
    for path in (
        "/staff/evidence",
        f"/staff/evidence/{stored['pic']}",
        f"/staff/evidence/{stored['pic']}/file",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    assert client.get("/api/v1/evidence").status_code == 401


def test_list_filters_and_its_json_twin_agree(admin_client, stored) -> None:
    page = admin_client.get("/staff/evidence?q=leak")
    assert page.status_code == 200 and "leak.pdf" in page.text and "صورة.png" not in page.text
    twin = admin_client.get("/api/v1/evidence?q=leak").json()
    assert [i["id"] for i in twin["items"]] == [stored["doc"]] and twin["total"] == 1
    assert admin_client.get("/api/v1/evidence?kind=bogus").status_code == 422


def test_item_page_previews_and_every_look_and_download_is_in_custody(admin_client, stored) -> None:
    pic = stored["pic"]
    page = admin_client.get(f"/staff/evidence/{pic}")
    assert page.status_code == 200 and "منشور محذوف" in page.text
    assert f'src="/staff/evidence/{pic}/file?inline=1"' in page.text
    preview = admin_client.get(f"/staff/evidence/{pic}/file?inline=1")
    assert preview.content == PNG and preview.headers["content-type"] == "image/png"
    assert preview.headers["cache-control"] == "no-store"
    download = admin_client.get(f"/staff/evidence/{stored['doc']}/file")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-type"] == "application/octet-stream"
    detail = admin_client.get(f"/api/v1/evidence/{pic}").json()
    assert [(e["action"], e["actor"], e["reason"]) for e in detail["custody"]] == [
        ("create", "monitor", ""),
        ("view", "boss", ""),
        ("download", "boss", "preview"),
        ("view", "boss", ""),
    ]
    assert admin_client.get("/staff/evidence/99999").status_code == 404
    assert admin_client.get(f"/staff/evidence/{pic}/file?part=pdf").status_code == 404


def test_capture_form_queues_a_job_that_captures_the_page(admin_client, app) -> None:
    STATE.update(title="صفحة", status=200)
    token = csrf_from(admin_client.get("/staff/evidence").text)
    with serve() as base:
        response = admin_client.post(
            "/staff/evidence/capture",
            data={"url": f"{base}/page", "note": "قبل الحذف", "ref": "post:7", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        item_id = int(response.headers["location"].rsplit("/", 1)[1])
        assert "pending" in admin_client.get(f"/staff/evidence/{item_id}").text
        with session_scope(app.state.sessions) as session:
            job_id = session.scalars(select(Job.id).where(Job.kind == "evidence.capture")).one()
        settings = Settings(
            **app.state.settings.model_dump(),
            evidence_capture=CaptureSettings(evidence_capture_browser=False),
        )
        status = run_in_foreground(settings=settings, sessions=app.state.sessions, job_id=job_id)
    assert status == "succeeded"
    detail = admin_client.get(f"/api/v1/evidence/{item_id}").json()
    assert detail["status"] == "captured" and detail["title"] == "صفحة"
    assert detail["source_ref"] == "post:7" and detail["note"] == "قبل الحذف"
    bad = admin_client.post(
        "/staff/evidence/capture", data={"url": "javascript:alert(1)", "csrf_token": token}
    )
    assert bad.status_code == 422


def test_bundle_route_is_404_without_the_bundle_writer(admin_client, stored) -> None:
    token = csrf_from(admin_client.get("/staff/evidence").text)
    response = admin_client.post(
        "/staff/evidence/bundle", data={"items": [stored["pic"]], "csrf_token": token}
    )
    try:
        import marsad.evidence.bundle  # noqa: F401
    except ImportError:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
