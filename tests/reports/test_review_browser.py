"""In a real browser: the no-JS form shows an error in the exact point and a dropped file,
the receipt can be copied (JS) or saved (no JS), and a reviewer sees the evidence image."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from marsad.reports.files import Upload

from .helpers import move

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

SHOTS = Path("/tmp/shots-review")
SIZES = {390: 844, 1280: 900}


def _context(browser, width: int, **kw):  # type: ignore[no-untyped-def]
    return browser.new_context(viewport={"width": width, "height": SIZES[width]}, **kw)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 110, 170)).save(out, format="PNG")
    return out.getvalue()


def _fill_form(page) -> None:  # type: ignore[no-untyped-def]
    page.fill("input[name=title]", "تهديد بعد نشر مقال")
    page.select_option("select[name=category]", "threat")
    page.select_option("select[name=governorate]", "IQG13")


@pytest.mark.parametrize("width", [390, 1280])
def test_without_javascript_an_error_in_the_exact_point_is_seen(
    live_server, browser, tmp_path, width
) -> None:
    SHOTS.mkdir(exist_ok=True)
    context = _context(browser, width, java_script_enabled=False)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/report")
    expect(page.locator("#files-cleaning")).to_be_visible()  # said before attaching
    page.screenshot(path=str(SHOTS / f"report-form-{width}.png"), full_page=True)
    _fill_form(page)
    page.click("details.point-picker summary")
    page.fill("input[name=lat]", "abc")
    page.fill("input[name=lon]", "44.3")
    photo = tmp_path / "street.png"
    photo.write_bytes(_png())
    page.set_input_files("input[name=files]", str(photo))
    page.click("button[type=submit]")
    expect(page.locator("#err-lat")).to_have_count(1)
    expect(page.locator("#err-lat")).to_be_visible()  # its section is open
    lat = page.locator("input[name=lat]")
    assert lat.get_attribute("aria-invalid") == "true"
    assert lat.get_attribute("aria-describedby") == "err-lat"
    expect(page.locator("#err-files-dropped")).to_be_visible()
    page.locator("details.point-picker").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"report-form-error-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert hosts == {live_server.split("/")[2]}
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_receipt_code_is_copied_or_saved(live_server, browser, width) -> None:
    context = _context(browser, width, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/report")
    _fill_form(page)
    page.click("button[type=submit]")
    expect(page.locator("#next-steps li")).to_have_count(5)
    code = page.locator("#receipt-code").inner_text()
    copy = page.locator("#copy-code")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("نُسخ")
    assert page.evaluate("navigator.clipboard.readText()") == code
    page.screenshot(path=str(SHOTS / f"receipt-{width}.png"), full_page=True)
    with page.expect_download() as saved:
        page.click(f"a[href='/r/{code}/receipt.txt']")
    assert code in Path(saved.value.path()).read_text(encoding="utf-8")
    assert hosts == {live_server.split("/")[2]}
    context.close()
    # Without JavaScript there is no dead button: the text file is the way to save it.
    context = _context(browser, width, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/r/{code}")
    expect(page.locator("#copy-code")).to_be_hidden()
    expect(page.locator(f"a[href='/r/{code}/receipt.txt']")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"receipt-nojs-{width}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_reviewer_sees_the_evidence_image_on_the_report_page(
    live_server, browser, file_report, sessions, staff, width
) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report(
        title="صور تهديد على الهاتف",
        occurred_at="2025-11-20",
        files=[
            Upload("لقطة.png", _png(), "image/png"),
            Upload("chat.txt", "رسائل التهديد".encode(), "text/plain"),
        ],
    )
    move(sessions, report_id, "rev", "triaged", note="الصور واضحة")
    context = _context(browser, width, java_script_enabled=False)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_server + "/login")
    page.fill("input[name=username]", "rev")
    page.fill("input[name=password]", "a-long-password-1")
    page.click("button[type=submit]")
    expect(page.locator("form.signout")).to_have_count(1)
    page.goto(f"{live_server}/staff/reports/{report_id}")
    image = page.locator("img.evidence")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320
    expect(page.locator("#occurred")).to_contain_text("2025-11-20")
    assert "12:00" not in page.locator("#occurred").inner_text()
    page.screenshot(path=str(SHOTS / f"staff-report-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert hosts == {live_server.split("/")[2]}
    context.close()
