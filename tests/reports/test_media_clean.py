"""Videos, audio and PDFs lose their hidden data (GPS, author), or are kept apart."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from marsad.core.blobs import BlobDerivation, BlobStore
from marsad.core.db import session_scope

from .helpers import csrf_from, login
from .test_api import token_for

GPS = "+33.3128+044.3615/"
AUTHOR = "Hidden Reporter Name"


def _need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"install {' '.join(missing)} (Debian: see .ci/run's apt line)")


def _video(tmp_path: Path, ext: str) -> bytes:
    _need("ffmpeg")
    out = tmp_path / f"clip.{ext}"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5",
         "-f", "lavfi", "-i", "sine=frequency=440", "-t", "1", "-c:v", "mpeg4", "-c:a", "aac",
         "-metadata", f"location={GPS}", "-metadata", "title=my street", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def _tags(data: bytes, tmp_path: Path, ext: str) -> dict[str, str]:
    path = tmp_path / f"probe.{ext}"
    path.write_bytes(data)
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of", "json",
         str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    body = json.loads(done.stdout)
    tags = dict(body.get("format", {}).get("tags", {}))
    for stream in body.get("streams", []):
        tags.update(stream.get("tags", {}))
    return tags


def small_pdf(info: bytes) -> bytes:
    """A one-page PDF written by hand, with a document information dictionary."""
    content = b"BT /F1 12 Tf 20 100 Td (evidence page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        info,
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _post(client, name: str, data: bytes, media_type: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/reports",
        data={"title": "Filmed at the protest", "category": "threat"},
        files=[("files", (name, data, media_type))],
    )


@pytest.mark.parametrize(("ext", "media_type"), [("mp4", "video/mp4"), ("mov", "video/quicktime")])
def test_video_location_is_removed_and_the_original_kept_for_staff(
    client, sessions, staff, settings, tmp_path, ext, media_type
) -> None:
    sent = _video(tmp_path, ext)
    assert _tags(sent, tmp_path, ext)["location"] == GPS
    created = _post(client, f"clip.{ext}", sent, media_type)
    assert created.status_code == 201 and "files_not_cleaned" not in created.json()
    staff("rev", "reviewer")
    view = client.get(f"/api/v1/reports/{created.json()['id']}", headers=token_for(sessions, "rev"))
    (shown,) = view.json()["files"]
    assert shown["kept_apart"] is False and shown["original"] is not None
    store = BlobStore.from_settings(settings)
    cleaned = store.path(shown["sha256"]).read_bytes()
    tags = _tags(cleaned, tmp_path, ext)
    assert "location" not in tags and "title" not in tags and "location-eng" not in tags
    assert _tags(store.path(shown["original"]).read_bytes(), tmp_path, ext)["location"] == GPS
    with session_scope(sessions) as session:
        how = session.execute(
            select(BlobDerivation.how).where(BlobDerivation.derivative == shown["sha256"])
        ).scalar_one()
    assert how == "redact"


def test_pdf_author_is_removed_for_good(client, sessions, staff, settings, tmp_path) -> None:
    _need("exiftool", "qpdf")
    sent = small_pdf(b"<< /Author (%s) /Creator (Scanner at 33.31,44.36) >>" % AUTHOR.encode())
    created = _post(client, "statement.pdf", sent, "application/pdf")
    assert created.status_code == 201 and "files_not_cleaned" not in created.json()
    staff("rev", "reviewer")
    view = client.get(f"/api/v1/reports/{created.json()['id']}", headers=token_for(sessions, "rev"))
    (shown,) = view.json()["files"]
    cleaned = BlobStore.from_settings(settings).path(shown["sha256"]).read_bytes()
    # Every object uncompressed: not even an earlier revision of the file holds the author
    # (exiftool alone would leave it there), and the page itself is intact.
    (tmp_path / "clean.pdf").write_bytes(cleaned)
    subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(tmp_path / "clean.pdf"),
         str(tmp_path / "expanded.pdf")],
        check=True,
    )  # fmt: skip
    expanded = (tmp_path / "expanded.pdf").read_bytes()
    assert AUTHOR.encode() not in expanded and b"Scanner at" not in expanded
    assert b"evidence page" in expanded
    meta = subprocess.run(
        ["exiftool", "-j", "-"], input=cleaned, capture_output=True, check=True
    ).stdout
    assert AUTHOR not in meta.decode()


def test_without_the_tools_a_file_is_kept_apart_and_everyone_is_told(
    client, sessions, staff, make_user, tmp_path, monkeypatch
) -> None:
    sent = small_pdf(b"<< /Author (%s) >>" % AUTHOR.encode())
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # as on a server where the tools were never installed
    created = _post(client, "statement.pdf", sent, "application/pdf")
    assert created.status_code == 201
    assert created.json()["files_not_cleaned"] == ["statement.pdf"]
    staff("rev", "reviewer")
    view = client.get(f"/api/v1/reports/{created.json()['id']}", headers=token_for(sessions, "rev"))
    (shown,) = view.json()["files"]
    assert shown["kept_apart"] is True and shown["original"] is None
    # The web form tells the reporter on the receipt page, and staff on the report page.
    form = client.get("/report")
    # Before attaching, the form says this server cannot clean them now (it used to claim
    # that it does).
    assert "لا يمكن تنظيف مستندات PDF على هذا الخادم الآن" in form.text
    assert "لا يمكن تنظيف مقاطع الفيديو والتسجيلات الصوتية" in form.text
    done = client.post(
        "/report",
        data={"csrf_token": csrf_from(form.text), "title": "Leaked file", "category": "threat"},
        files=[("files", ("leak.pdf", sent, "application/pdf"))],
    )
    assert done.status_code == 200 and 'id="kept-apart"' in done.text
    make_user("rev2", "reviewer")
    assert login(client, "rev2", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{created.json()['id']}")
    assert "لم يُنظَّف" in page.text  # "NOT cleaned"
