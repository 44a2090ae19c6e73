"""The public pages (no JavaScript needed) and the staff pages."""

from __future__ import annotations

import re

import pytest

from .helpers import csrf_from, login, publish


def form_data(client, **fields):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/report").text)
    return {
        "csrf_token": token,
        "title": "حُجب موقع إخباري",
        "category": "website_blocking",
        "description": "لا يفتح الموقع منذ يومين",
        "governorate": "IQG15",
        "district": "",
        **fields,
    }


def test_report_form_is_small_arabic_and_needs_no_script(client) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "style=" not in page.text
    # Two small optional scripts (the district list's filter and the map picker, which
    # loads Leaflet only on demand); the page with everything it loads up front stays
    # under 50 KB.
    import re

    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    scripts = re.findall(r'<script src="(/static/[^"?]+)\?v=[0-9a-f]+">', page.text)
    assert scripts == ["/static/reports/districts.js", "/static/reports/picker.js"]
    assert len(re.findall(r"<script[^>]*>", page.text)) == 2
    total = len(page.content) + sum(len(client.get(a).content) for a in assets)
    assert total < 50_000, total
    assert "IQG08Q03" in page.text  # districts grouped by governorate, no script needed


def test_submitting_the_form_shows_the_receipt(client) -> None:
    response = client.post("/report", data=form_data(client), follow_redirects=False)
    assert response.status_code == 303
    receipt_url = response.headers["location"]
    assert re.fullmatch(r"/r/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\?new=1", receipt_url)
    page = client.get(receipt_url)
    assert "مستلَم" in page.text  # "received", in Arabic
    assert "حُجب موقع" not in page.text  # the receipt never shows the content


def test_form_errors_are_shown_next_to_fields_and_nothing_is_stored(client) -> None:
    response = client.post("/report", data=form_data(client, title="", category="nope"))
    assert response.status_code == 422
    assert "العنوان مطلوب" in response.text
    assert 'id="err-category"' in response.text
    assert "لا يفتح الموقع منذ يومين" in response.text  # what was typed is kept
    assert client.get("/api/v1/reports").json()["count"] == 0


def test_the_honeypot_answers_like_success_but_stores_nothing(client, sessions) -> None:
    real = client.post("/report", data=form_data(client), follow_redirects=False)
    bot = client.post(
        "/report", data=form_data(client, website="http://spam"), follow_redirects=False
    )
    # The same kind of answer: a redirect to a receipt code of the same form.
    shape = re.compile(r"/r/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\?new=1")
    assert real.status_code == bot.status_code == 303
    assert shape.fullmatch(real.headers["location"]) and shape.fullmatch(bot.headers["location"])
    # Both receipt pages read alike once the codes are set aside.
    real_code = real.headers["location"][3:17]
    bot_code = bot.headers["location"][3:17]
    real_page = client.get(real.headers["location"])
    bot_page = client.get(bot.headers["location"])
    assert real_page.status_code == bot_page.status_code == 200

    def without_codes(html: str) -> str:
        html = html.replace(real_code, "CODE").replace(bot_code, "CODE")
        return re.sub(r'name="csrf_token" value="[^"]*"', "", html)

    assert without_codes(real_page.text) == without_codes(bot_page.text)
    # A made-up code is still unknown; only the real report was stored.
    assert client.get("/r/ABCD-EFGH-JKMN").status_code == 404
    from marsad.reports.models import Report

    with sessions() as session:
        assert session.query(Report).count() == 1


def test_form_without_csrf_is_refused(client) -> None:
    data = form_data(client)
    data["csrf_token"] = "forged"
    assert client.post("/report", data=data).status_code == 403


def test_staff_review_through_the_pages(client, make_user, sessions) -> None:
    client.post("/report", data=form_data(client, contact="reach.me@example.net"))
    make_user("rev", "reviewer")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    queue = client.get("/staff/reports")
    report_id = re.search(r'href="/staff/reports/([0-9a-f-]{36})"', queue.text).group(1)
    page = client.get(f"/staff/reports/{report_id}")
    assert "reach.me@example.net" not in page.text  # not assigned yet
    token = csrf_from(page.text)
    client.post(f"/staff/reports/{report_id}/assign", data={"csrf_token": token, "assignee": "rev"})
    page = client.get(f"/staff/reports/{report_id}")
    assert "reach.me@example.net" not in page.text  # self-assignment never reveals it
    assert client.get(f"/staff/reports/{report_id}?contact=1").status_code == 403
    for to in ("triaged", "verified"):
        client.post(f"/staff/reports/{report_id}/transition", data={"csrf_token": token, "to": to})
    client.post(
        f"/staff/reports/{report_id}/transition",
        data={
            "csrf_token": token,
            "to": "published",
            "location_precision": "governorate",
            "time_precision": "month",
        },
    )
    listing = client.get("/reports?lang=en")
    assert "حُجب موقع إخباري" in listing.text
    public_page = client.get(f"/reports/{report_id}")
    assert public_page.status_code == 200 and "reach.me" not in public_page.text


def test_an_unpublished_report_has_no_public_page(client, file_report) -> None:
    report_id, _receipt = file_report()
    assert client.get(f"/reports/{report_id}").status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_public_pages_stay_small(client, file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    for _i in range(3):
        report_id, _r = file_report(governorate="IQG08")
        publish(sessions, report_id)
    for url in ("/reports", "/reports/map", "/r", f"/reports/{report_id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert len(page.content) < 50_000, url
        assert "style=" not in page.text


def test_admins_add_nested_categories_that_the_api_lists(admin_client) -> None:
    page = admin_client.get("/admin/categories")
    assert "account_hacking" in page.text
    response = admin_client.post(
        "/admin/categories",
        data={
            "csrf_token": csrf_from(page.text),
            "slug": "doxxing",
            "name_ar": "نشر معلومات شخصية",
            "name_ckb": "بڵاوکردنەوەی زانیاریی کەسی",
            "name_en": "Doxxing",
            "parent": "privacy_breach",
            "confidential": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    rows = admin_client.get("/api/v1/categories?lang=ckb").json()
    doxxing = next(r for r in rows if r["slug"] == "doxxing")
    assert doxxing["parent"] == "privacy_breach" and doxxing["name"] == "بڵاوکردنەوەی زانیاریی کەسی"
    assert doxxing["confidential"] is True


def test_only_admins_manage_categories(client, make_user) -> None:
    make_user("rev", "reviewer")
    login(client, "rev", "a-long-password-1")
    assert client.get("/admin/categories").status_code == 403
