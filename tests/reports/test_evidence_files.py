"""Reviewers see a report's evidence: the cleaned image inline, any file as a download,
by role and case, every opening audited, served inert; never to the public."""

from __future__ import annotations

import io
import json
import re

from PIL import Image
from sqlalchemy import select

from marsad.core.models import AuditRecord
from marsad.reports.files import Upload

from .helpers import login
from .test_api import token_for

PHONE = "SecretPhone-Karrada"
NOTE = "صورة من أمام بيتي"


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = img.getexif()
    exif[0x010F] = PHONE  # Make: the kind of detail a cleaned copy must not carry
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _report_with_files(file_report, **fields):  # type: ignore[no-untyped-def]
    photo = _jpeg_with_exif()
    report_id, _receipt = file_report(
        files=[
            Upload("بيتي.jpg", photo, "image/jpeg"),
            Upload("note.txt", NOTE.encode(), "text/plain"),
        ],
        **fields,
    )
    return report_id, photo


def _file_links(page: str) -> tuple[str, str]:
    image = re.search(r'<img class="evidence" src="([^"]+)"', page).group(1)
    downloads = re.findall(r'href="(/staff/reports/[^"]+/files/[^"?]+)\?download=1"', page)
    text = next(link for link in downloads if link != image)
    return image, text


def _file_audits(sessions) -> list[AuditRecord]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.action.like("report.file_%"))
                .order_by(AuditRecord.seq)
            ).scalars()
        )


def test_a_reviewer_sees_the_cleaned_image_and_downloads_files_audited(
    client, file_report, sessions, make_user
) -> None:
    report_id, photo = _report_with_files(file_report)
    make_user("rev", "reviewer")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{report_id}")
    image, text = _file_links(page.text)
    # A note of a few bytes reads as its size in bytes, not "0.0 KB".
    assert f'<span dir="ltr">{len(NOTE.encode())} B</span>' in page.text

    shown = client.get(image)
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert "filename*=UTF-8''%D8%A8" in shown.headers["content-disposition"]  # بيتي.jpg
    assert shown.headers["x-content-type-options"] == "nosniff"
    csp = shown.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp
    assert "no-store" in shown.headers["cache-control"]
    assert "private" in shown.headers["cache-control"]
    assert PHONE.encode() not in shown.content  # the cleaned copy, not the bytes as sent
    assert Image.open(io.BytesIO(shown.content)).size == (40, 30)

    download = client.get(text + "?download=1")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.content.decode() == NOTE

    original = client.get(image + "/original")
    assert original.status_code == 200
    assert original.headers["content-disposition"].startswith("attachment;")
    assert original.content == photo and PHONE.encode() in original.content

    audits = _file_audits(sessions)
    assert [(a.action, a.actor) for a in audits] == [
        ("report.file_viewed", "rev"),
        ("report.file_downloaded", "rev"),
        ("report.file_downloaded", "rev"),
    ]
    copies = [json.loads(a.details)["copy"] for a in audits]
    assert copies == ["cleaned", "cleaned", "original"]
    for record in audits:  # names the file, never holds what is in it
        assert record.subject_id == report_id
        assert NOTE not in record.details and PHONE not in record.details
    history = client.get(f"/staff/reports/{report_id}").text.split('id="history"')[1]
    assert "نزّل rev ملفًا من البلاغ" in history and "اطّلع rev على ملف" in history


def test_files_are_never_public_nor_for_roles_without_access(
    client, file_report, sessions, make_user, staff
) -> None:
    report_id, _photo = _report_with_files(file_report)
    other_id, _ = file_report()
    make_user("rev", "reviewer")
    make_user("ana", "analyst")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    image, _text = _file_links(client.get(f"/staff/reports/{report_id}").text)
    file_id = image.rsplit("/", 1)[1]
    # A file id under another report's address is not found.
    assert client.get(f"/staff/reports/{other_id}/files/{file_id}").status_code == 404
    client.cookies.clear()

    anonymous = client.get(image, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    api = f"/api/v1/reports/{report_id}/files/{file_id}"
    assert client.get(api).status_code == 401

    assert login(client, "ana", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{report_id}")
    assert 'class="evidence"' not in page.text and 'id="files-closed"' in page.text
    refused = client.get(image)
    assert refused.status_code == 403
    assert "SecretPhone" not in refused.text and b"\xff\xd8" not in refused.content
    assert _file_audits(sessions) == []  # nothing was opened


def test_a_confidential_case_file_is_for_its_caseworkers_only(
    client, file_report, sessions, make_user
) -> None:
    report_id, _photo = _report_with_files(file_report, confidential=True)
    make_user("rev", "reviewer")
    make_user("boss", "admin")
    headers = token_for(sessions, "rev")
    with sessions() as session:
        from marsad.reports.models import Report

        file_id = session.get(Report, report_id).files[0].id
    api = f"/api/v1/reports/{report_id}/files/{file_id}"
    assert client.get(api, headers=headers).status_code == 403
    from marsad.core import users
    from marsad.core.db import session_scope
    from marsad.reports import cases

    with session_scope(sessions) as session:
        boss = users.get_user(session, username="boss")
        cases.set_caseworker(session, report_id=report_id, username="rev", actor=boss, add=True)
    served = client.get(api, headers=headers)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert client.get(api + "?original=true", headers=headers).content.startswith(b"\xff\xd8")
    assert [a.action for a in _file_audits(sessions)] == [
        "report.file_viewed",
        "report.file_downloaded",
    ]
