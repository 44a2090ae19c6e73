"""A full-page screenshot and a PDF of a captured page, rendered by headless Chromium.

Optional: it needs Debian's Chromium (``/usr/bin/chromium``, never a browser
downloaded at run time) and the Playwright package. When either is missing,
or rendering fails, the capture keeps its WARC and says why in its metadata.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from marsad.evidence.capture_settings import CaptureSettings


@dataclass(frozen=True)
class Rendered:
    """What Chromium rendered: PNG and PDF bytes and the page's title."""

    screenshot: bytes
    pdf: bytes
    title: str


def unavailable(cfg: CaptureSettings) -> str | None:
    """Why no screenshot can be taken here, or None when one can."""
    if not cfg.evidence_capture_browser:
        return "screenshots are switched off (MARSAD_EVIDENCE_CAPTURE_BROWSER)"
    if not Path(cfg.evidence_capture_chromium).exists():
        return f"no Chromium at {cfg.evidence_capture_chromium}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def render(url: str, cfg: CaptureSettings) -> Rendered:
    """Load ``url`` in headless Chromium; return a full-page PNG, a PDF and the title.

    Runs in a thread of its own: Playwright's sync API refuses a thread that
    already runs an event loop (a web worker, or another Playwright session).
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="marsad-render") as pool:
        return pool.submit(_render, url, cfg).result()


def _render(url: str, cfg: CaptureSettings) -> Rendered:
    from playwright.sync_api import sync_playwright

    timeout_ms = cfg.evidence_capture_timeout * 1000
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=cfg.evidence_capture_chromium,
            headless=True,
            # No request of Chromium's own (updates, safe browsing, sync) may leave with
            # the capture: the monitor's network sees only the page being preserved.
            args=[
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
            proxy={"server": cfg.evidence_capture_proxy} if cfg.evidence_capture_proxy else None,
        )
        try:
            # With a private CA (the setting), httpx has already checked the same host's
            # certificate against it; Chromium cannot be given that CA, so it is told to
            # accept what it sees. Without the setting, Chromium checks TLS itself.
            context = browser.new_context(
                ignore_https_errors=bool(cfg.evidence_capture_ca_bundle),
                viewport={"width": 1280, "height": 900},
                user_agent=cfg.evidence_capture_user_agent or None,
                service_workers="block",
            )
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=timeout_ms)
            title = page.title()
            screenshot = page.screenshot(full_page=True, timeout=timeout_ms)
            pdf = page.pdf(print_background=True)
            return Rendered(screenshot=screenshot, pdf=pdf, title=title)
        finally:
            browser.close()
