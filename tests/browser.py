"""Signing in to the staff pages in a real browser (Playwright), as a user types it."""

from __future__ import annotations

from typing import Any

PASSWORD = "a-long-password-1"  # what the make_user and staff fixtures give every user


def signed_in(
    browser: Any, base: str, name: str, *, width: int, height: int = 900, javascript: bool = True
) -> tuple[Any, Any]:
    """A new browser context at this screen size, signed in as ``name``; its context and page."""
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page
