"""Forms that tell the truth: the precision a report was published at, success messages,
words instead of codes, a reporter's date kept a date, form errors that can be seen,
files not dropped silently, and a receipt that says what happens next."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marsad.core.errors import InvalidInput
from marsad.core.models import AuditRecord
from marsad.reports import media_clean

from .helpers import csrf_from, login, move, publish
from .test_api import token_for
from .test_views import form_data


def _selected(page: str, name: str) -> str:
    select_html = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S).group(1)
    return re.search(r'<option value="([^"]+)" selected>', select_html).group(1)


# --- publication precision ---------------------------------------------------------------


def test_publishing_again_more_precisely_needs_a_confirmation(file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report(district="IQG08Q03")
    publish(sessions, report_id, location_precision="governorate", time_precision="month")
    move(sessions, report_id, "rev", "verified")  # withdrawn from the public map
    with pytest.raises(InvalidInput) as refused:
        move(sessions, report_id, "rev", "published", location_precision="district")
    assert refused.value.where == "confirm_more_precise"
    assert refused.value.details["raised"] == ["location_precision"]
    # Left unchosen, publishing again keeps what the last publication showed.
    report = move(sessions, report_id, "rev", "published")
    assert (report.location_precision, report.time_precision) == ("governorate", "month")
    move(sessions, report_id, "rev", "verified")
    report = move(
        sessions,
        report_id,
        "rev",
        "published",
        location_precision="district",
        time_precision="day",
        confirm_more_precise=True,
    )
    assert (report.location_precision, report.time_precision) == ("district", "day")
    with sessions() as session:
        last = (
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.action == "report.transition")
                .order_by(AuditRecord.seq.desc())
            )
            .scalars()
            .first()
        )
        assert "more_precise" in last.details and "time_precision" in last.details


def test_the_staff_page_shows_the_published_precision_and_asks_before_raising_it(
    client, file_report, sessions, make_user
) -> None:
    make_user("rev", "reviewer")
    report_id, _r = file_report(district="IQG08Q03")
    publish(sessions, report_id, location_precision="governorate", time_precision="week")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{report_id}").text
    assert _selected(page, "location_precision") == "governorate"  # not reset to district
    assert _selected(page, "time_precision") == "week"
    assert "يرى الجمهور المحافظة فقط." in page and "يرى الجمهور الأسبوع فقط." in page
    assert "governorate / week" not in page
    token = csrf_from(page)
    url = f"/staff/reports/{report_id}/transition"
    withdrawn = client.post(url, data={"csrf_token": token, "to": "verified"})
    assert 'id="done"' in withdrawn.text and "حُفظ: تغيّرت الحالة." in withdrawn.text
    page = withdrawn.text
    assert _selected(page, "location_precision") == "governorate"
    assert 'name="confirm_more_precise"' in page
    raise_it = {
        "csrf_token": token,
        "to": "published",
        "location_precision": "exact",
        "time_precision": "week",
        "note": "ready",
    }
    refused = client.post(url, data=raise_it)
    assert refused.status_code == 422
    assert 'id="err-transition"' in refused.text and "أكّد ذلك صراحةً" in refused.text
    assert _selected(refused.text, "location_precision") == "exact"  # the choice is kept
    assert re.search(r'name="confirm_more_precise" value="1" aria-invalid="true"', refused.text)
    assert "ready</textarea>" in refused.text
    with sessions() as session:
        from marsad.reports.models import Report

        assert session.get(Report, report_id).status == "verified"  # nothing was published
    done = client.post(url, data={**raise_it, "confirm_more_precise": "1"})
    assert done.status_code == 200 and "حُفظ: تغيّرت الحالة." in done.text
    assert "يرى الجمهور النقطة الدقيقة." in done.text


def test_saves_on_the_staff_page_say_so(client, file_report, make_user) -> None:
    make_user("rev", "reviewer")
    report_id, _r = file_report()
    assert login(client, "rev", "a-long-password-1").status_code == 303
    token = csrf_from(client.get(f"/staff/reports/{report_id}").text)
    base = f"/staff/reports/{report_id}"
    commented = client.post(f"{base}/comment", data={"csrf_token": token, "body": "seen"})
    assert "حُفظ: أُضيف تعليقك." in commented.text
    assigned = client.post(f"{base}/assign", data={"csrf_token": token, "assignee": "rev"})
    assert "حُفظ: تغيّر الإسناد." in assigned.text
    edit = client.post(f"{base}/lock", data={"csrf_token": token})
    values = {
        "csrf_token": token,
        "version": re.search(r'name="version" value="(\d+)"', edit.text).group(1),
        "title": "Account taken over",
        "category": "threat",
    }
    edited = client.post(f"{base}/edit", data=values)
    assert "حُفظ: خُزّنت تعديلاتك على البلاغ." in edited.text
    # Only known messages: a made-up one shows nothing.
    assert 'id="done"' not in client.get(f"{base}?done=<b>hi</b>").text


# --- words, not codes ----------------------------------------------------------------------


def test_report_pages_print_words_not_codes(client, file_report, sessions, make_user) -> None:
    make_user("rev", "reviewer")
    make_user("boss", "admin")
    report_id, _r = file_report()
    move(sessions, report_id, "rev", "triaged", note="looks real")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{report_id}").text
    assert "[received → triaged]" not in page
    assert "تغيّرت الحالة من «مستلَم» إلى «قيد المراجعة»." in page
    assert "looks real" in page
    assert "وصل عبر نموذج الموقع" in page and '<span dir="ltr">web</span>' not in page
    history = page.split('id="history"')[1]
    assert "report.received" not in history and "report.transition" not in history
    assert "غيّر rev حالة البلاغ" in history
    api = client.get(f"/api/v1/reports/{report_id}", headers=token_for(sessions, "rev")).json()
    (comment,) = api["comments"]
    assert comment["body"] == "looks real"
    assert (comment["transition_from"], comment["transition_to"]) == ("received", "triaged")
    client.cookies.clear()
    assert login(client, "boss", "a-long-password-1").status_code == 303
    categories = client.get("/admin/categories").text
    assert "<th>slug</th>" not in categories and "<label>slug " not in categories
    assert "المعرّف" in categories


# --- a date stays a date ---------------------------------------------------------------


def test_a_date_alone_is_shown_as_a_date_everywhere(client, sessions, make_user) -> None:
    sent = client.post(
        "/report", data=form_data(client, occurred_at="2025-11-20"), follow_redirects=False
    )
    assert sent.status_code == 303
    make_user("rev", "reviewer")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    queue = client.get("/staff/reports").text
    report_id = re.search(r'href="/staff/reports/([0-9a-f-]{36})"', queue).group(1)
    page = client.get(f"/staff/reports/{report_id}").text
    when = re.search(r'<dd id="occurred">(.*?)</dd>', page).group(1)
    assert when.startswith("2025-11-20") and "12:00" not in when
    view = client.get(f"/api/v1/reports/{report_id}", headers=token_for(sessions, "rev"))
    assert view.json()["occurred_precision"] == "day"
    csv = client.get("/staff/reports/export?format=csv").text
    assert ",2025-11-20," in csv and "2025-11-20T09:00" not in csv
    # Published at the "exact" time precision, the public still sees a day, not noon.
    token = csrf_from(page)
    for to in ("triaged", "verified"):
        move(sessions, report_id, "rev", to)
    move(sessions, report_id, "rev", "published", time_precision="exact")
    public = client.get(f"/reports/{report_id}").text
    assert '<dd dir="ltr">2025-11-20</dd>' in public and "12:00" not in public
    # The edit form keeps the date alone (an empty time), and a time typed in is exact.
    move(sessions, report_id, "rev", "verified")
    edit = client.post(f"/staff/reports/{report_id}/lock", data={"csrf_token": token})
    assert 'name="occurred_date" value="2025-11-20"' in edit.text
    assert 'name="occurred_time" value=""' in edit.text
    values = {
        "csrf_token": token,
        "version": re.search(r'name="version" value="(\d+)"', edit.text).group(1),
        "title": "حُجب موقع إخباري",
        "category": "website_blocking",
        "governorate": "IQG15",
        "occurred_date": "2025-11-20",
        "occurred_time": "21:15",
    }
    edited = client.post(f"/staff/reports/{report_id}/edit", data=values)
    assert re.search(r'<dd id="occurred">2025-11-20 21:15', edited.text)


# --- the public form -------------------------------------------------------------------


def test_an_error_in_the_exact_point_opens_it_and_marks_the_field(client) -> None:
    photo = b"\x89PNG\r\n\x1a\n-not-really"
    sent = client.post(
        "/report",
        data=form_data(client, lat="abc", lon="44.3"),
        files=[("files", ("street.png", photo, "image/png"))],
    )
    assert sent.status_code == 422
    assert re.search(r'<details class="point-picker" open', sent.text)
    assert re.search(r'name="lat"[^>]*aria-invalid="true" aria-describedby="err-lat"', sent.text)
    assert 'id="err-lat"' in sent.text
    # The chosen file is not silently gone: the reporter is told to choose it again.
    assert 'id="err-files-dropped"' in sent.text
    assert "لم يُحفظ الملف الذي اخترته" in sent.text
    assert re.search(r'name="files"[^>]*aria-describedby="[^"]*err-files-dropped', sent.text)
    untouched = client.post("/report", data=form_data(client, title=""))
    assert '<details class="point-picker" open' not in untouched.text
    assert 'id="err-files-dropped"' not in untouched.text


def test_the_form_says_what_is_cleaned_before_a_file_is_attached(client, monkeypatch) -> None:
    page = client.get("/report").text
    cleaning = page.index('id="files-cleaning"')
    assert cleaning < page.index('type="file"')  # said before the file field
    assert "تُعاد رسم الصور" in page  # photos: redrawn from pixels
    assert "ولا تتغيّر الصورة ولا الصوت" in page  # video and audio: metadata removed
    assert "لكن الصور الموجودة داخل ملف PDF تبقى فيها بياناتها المخفية" in page
    monkeypatch.setattr(media_clean, "_tool", lambda name: None if name == "ffmpeg" else name)
    page = client.get("/report").text
    assert "لا يمكن تنظيف مقاطع الفيديو والتسجيلات الصوتية" in page
    assert "لا يمكن تنظيف مستندات PDF" not in page


# --- the receipt -----------------------------------------------------------------------


def test_the_receipt_says_what_happens_next_and_can_be_saved(client) -> None:
    sent = client.post("/report", data=form_data(client), follow_redirects=False)
    code = re.search(r"/r/([A-Z0-9-]+)\?", sent.headers["location"]).group(1)
    page = client.get(sent.headers["location"]).text
    assert "ماذا يحدث بعد ذلك" in page and 'id="next-steps"' in page
    link = f'href="/r/{code}/receipt.txt" download'
    assert link in page
    assert '<script src="/static/reports/receipt.js"></script>' in page
    assert re.search(r'<button type="button" id="copy-code"[^>]* hidden>', page)
    saved = client.get(f"/r/{code}/receipt.txt")
    assert saved.status_code == 200
    assert saved.headers["content-type"].startswith("text/plain")
    assert saved.headers["content-disposition"].startswith("attachment;")
    assert code in saved.text and "مستلَم" in saved.text
    assert "حُجب موقع" not in saved.text  # the status only, never the content
    assert "no-store" in saved.headers["cache-control"]
    assert client.get("/r/AAAA-BBBB-CCCC/receipt.txt").status_code == 404
