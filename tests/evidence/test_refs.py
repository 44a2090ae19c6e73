"""What Marsad already holds becomes evidence: report originals, raw post records; and refs."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.refs import resolve_ref
from marsad.core.security import FieldCipher
from marsad.evidence import service
from marsad.evidence.refs import REF_TYPES
from marsad.posts.ingest import ingest_files
from marsad.reports import service as reports_service
from marsad.reports.files import Upload
from tests.conftest import csrf_from

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: dropped by the cleaning, kept in the original
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def report_id(sessions, settings) -> str:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        report = reports_service.submit_report(
            session,
            submission=reports_service.Submission(
                title="Threat by phone",
                category="website_blocking",
                files=[Upload("photo.jpg", _photo_with_gps(), "image/jpeg")],
            ),
            channel="web",
            cipher=FieldCipher.from_settings(settings.field_key, settings.secret()),
            settings=settings.reports,
            blobs=BlobStore.from_settings(settings),
        )
        return report.id


@pytest.fixture
def post_id(engine, sessions, tmp_path) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.jsonl"
    record = {
        "id": "77",
        "author": "acct",
        "text": "منشور سيحذف",
        "created_at": "2026-11-01T10:00:00Z",
    }
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    ingest_files(
        fmt="jsonl",
        paths=[path],
        engine=engine,
        mapping="id=id,author=author,text=text,created_at=created_at",
    )
    from marsad.posts.service import get_post

    with sessions() as session:
        return get_post(session=session, post_ref="other:77", include_raw=False).id


def test_a_report_attachment_is_kept_as_the_bytes_that_arrived(
    report_id, sessions, settings
) -> None:
    store = BlobStore.from_settings(settings)
    sent = _photo_with_gps()
    with session_scope(sessions) as session:
        items = service.add_ref(session, store, ref=f"report:{report_id}", actor="reviewer")
        again = service.add_ref(session, store, ref=f"report:{report_id}", actor="reviewer")
        assert [i.id for i in again] == [i.id for i in items]  # preserved once
        (item,) = items
        assert item.kind == "attachment" and item.source_ref == f"report:{report_id}"
        assert item.sha256 == "sha256:" + hashlib.sha256(sent).hexdigest()
        assert item.meta["shown_copy"] != item.sha256  # the cleaned copy is another blob
        with store.open(item.sha256) as handle:
            assert b"PhoneMaker" in handle.read()
        resolved = resolve_ref(session, f"evidence:{item.id}", REF_TYPES)
        assert resolved.url == f"/staff/evidence/{item.id}" and resolved.public is False
        by_hash = resolve_ref(session, f"evidence:{item.sha256}", REF_TYPES)
        assert by_hash.ref == f"evidence:{item.id}"


def test_a_post_raw_record_becomes_an_item(post_id, sessions, settings) -> None:
    store = BlobStore.from_settings(settings)
    with session_scope(sessions) as session:
        (item,) = service.add_ref(session, store, ref=f"post:{post_id}", actor="analyst")
        (same,) = service.add_ref(session, store, ref=f"post:{post_id}", actor="analyst")
        assert same.id == item.id
        assert item.kind == "post_record" and item.media_type == "application/json"
        with store.open(item.sha256) as handle:
            assert json.loads(handle.read())["text"] == "منشور سيحذف"
        with pytest.raises(InvalidInput) as bad:
            service.add_ref(session, store, ref="flag:3", actor="analyst")
        assert bad.value.where == "ref"
        with pytest.raises(InvalidInput):
            resolve_ref(session, "evidence:424242", REF_TYPES)


def test_post_report_pages_carry_the_evidence_buttons(admin_client, post_id, report_id) -> None:
    post_page = admin_client.get(f"/posts/{post_id}").text
    assert 'action="/staff/evidence/preserve"' in post_page
    report_page = admin_client.get(f"/staff/reports/{report_id}").text
    assert f'name="ref" value="report:{report_id}"' in report_page
    response = admin_client.post(
        "/staff/evidence/preserve",
        data={"ref": f"post:{post_id}", "csrf_token": csrf_from(post_page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    item_page = admin_client.get(response.headers["location"])
    assert item_page.status_code == 200 and f"post:{post_id}" in item_page.text
