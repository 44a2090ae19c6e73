"""In a real browser, JavaScript off: the two-person contact rule and a confidential case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

SHOTS = Path("/tmp/shots-hardening")
CONTACT = "07705550199"


def _sign_in(browser, base: str, name: str, width: int):  # type: ignore[no-untyped-def]
    return signed_in(browser, base, name, width=width, javascript=False)


@pytest.mark.parametrize("width", [390, 1280])
def test_contact_needs_a_second_person_in_the_browser(
    live_server, browser, file_report, staff, width
) -> None:
    SHOTS.mkdir(exist_ok=True)
    staff("rev", "reviewer")
    staff("boss", "admin")
    report_id, _r = file_report(contact=CONTACT, title="تهديد بعد منشور")
    hosts: set[str] = set()
    rev_ctx, rev = _sign_in(browser, live_server, "rev", width)
    rev.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    rev.goto(f"{live_server}/staff/reports/{report_id}")
    assert CONTACT not in rev.content()
    rev.fill("textarea[name=reason]", "المبلغ طلب مساعدة قانونية")
    rev.click("#contact button[type=submit]")
    rev.wait_for_load_state()
    assert "بانتظار شخص ثانٍ" in rev.locator("#contact").inner_text()
    rev.screenshot(path=str(SHOTS / f"contact-requested-{width}.png"), full_page=True)
    boss_ctx, boss = _sign_in(browser, live_server, "boss", width)
    boss.goto(f"{live_server}/admin/contact-requests")
    assert "المبلغ طلب مساعدة قانونية" in boss.content()
    boss.screenshot(path=str(SHOTS / f"admin-contact-requests-{width}.png"), full_page=True)
    boss.click("button[value=approve]")
    boss.wait_for_load_state()
    assert "لا توجد طلبات" in boss.content()
    rev.goto(f"{live_server}/staff/reports/{report_id}")
    rev.click("#contact a[href='?contact=1']")
    rev.wait_for_load_state()
    assert CONTACT in rev.locator("#contact").inner_text()
    # The history reads as sentences, not codes ("rev viewed the contact of report …").
    assert "اطّلع rev على وسيلة التواصل" in rev.locator("#history").inner_text()
    assert "report.contact_viewed" not in rev.locator("#history").inner_text()
    rev.screenshot(path=str(SHOTS / f"contact-shown-{width}.png"), full_page=True)
    assert hosts == {live_server.split("/")[2]}
    rev_ctx.close()
    boss_ctx.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_caseworker_records_a_referral_and_an_analyst_sees_only_that_the_case_exists(
    live_server, browser, file_report, staff, width
) -> None:
    SHOTS.mkdir(exist_ok=True)
    staff("worker", "reviewer")
    staff("boss", "admin")
    staff("ana", "analyst")
    report_id, _r = file_report(title="ابتزاز بصور خاصة", category="blackmail")
    boss_ctx, boss = _sign_in(browser, live_server, "boss", width)
    boss.goto(f"{live_server}/staff/reports/{report_id}")
    boss.select_option("#case select[name=username]", "worker")
    boss.click("#case form button[type=submit]")
    boss.wait_for_load_state()
    assert "worker" in boss.locator("#case").inner_text()
    boss_ctx.close()
    ctx, page = _sign_in(browser, live_server, "worker", width)
    page.goto(f"{live_server}/staff/reports/{report_id}")
    page.select_option("#case select[name=kind]", "referral")
    page.fill("#case textarea[name=body]", "أحيلت إلى محامية في أربيل")
    page.click("#case form[action$='/case/entry'] button[type=submit]")
    page.wait_for_load_state()
    assert "أحيلت إلى محامية في أربيل" in page.locator("#case").inner_text()
    page.screenshot(path=str(SHOTS / f"case-caseworker-{width}.png"), full_page=True)
    ctx.close()
    ctx, page = _sign_in(browser, live_server, "ana", width)
    page.goto(f"{live_server}/staff/reports/{report_id}")
    text = page.content()
    assert "ابتزاز بصور خاصة" not in text and "أحيلت إلى محامية" not in text
    assert page.locator("#case-closed").is_visible()
    page.screenshot(path=str(SHOTS / f"case-analyst-{width}.png"), full_page=True)
    ctx.close()
