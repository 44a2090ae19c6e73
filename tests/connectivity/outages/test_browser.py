"""The connectivity pages in Chromium at phone and desktop widths (screenshots for review)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marsad.connectivity.outages import service
from marsad.core.db import session_scope

SHOTS = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-conn-outages"))


def _events(sessions) -> str:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        plan = ((1, "national", []), (3, "regional", ["IQG11", "IQG06", "IQG09"]),
                (4, "network", ["IQG08"]))  # fmt: skip
        for day, scope, places in plan:
            row = service.create_event(
                session,
                data=service.EventInput(
                    start=datetime(2026, 6, day, 3, 0, tzinfo=UTC),
                    end=datetime(2026, 6, day, 5, 0, tzinfo=UTC), scope=scope,
                    governorates=places, networks=["AS50710"] if scope == "network" else [],
                    cause="Exams", ordered_by="Ministry of Education",
                ),
                actor="tester",
            )  # fmt: skip
        return row.id


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_timeline_and_staff_desk_fit_phone_and_desktop(
    live_server, browser, sessions, make_user
) -> None:  # type: ignore[no-untyped-def]
    event_id = _events(sessions)
    make_user("ana", "analyst")
    SHOTS.mkdir(parents=True, exist_ok=True)
    foreign: list[str] = []

    def watch(request) -> None:  # type: ignore[no-untyped-def]
        if not request.url.startswith(live_server):
            foreign.append(request.url)

    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.on("request", watch)
        for lang in ("ar", "en"):
            page.goto(f"{live_server}/connectivity?lang={lang}")
            assert page.locator("svg.conn-map a").count() == 18
            assert page.locator("ol.timeline li").count() == 3
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{width}px {lang}: the page is {overflow}px too wide"
            page.screenshot(path=str(SHOTS / f"timeline-{lang}-{width}.png"), full_page=True)
        # The map filters without any script: follow Erbil's link.
        page.click("svg.conn-map a[href$='IQG11']")
        # the national and the regional one
        expect(page.locator("ol.timeline li")).to_have_count(2)
        page.goto(f"{live_server}/connectivity/events/{event_id}")
        page.screenshot(path=str(SHOTS / f"event-{width}.png"), full_page=True)
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.goto(live_server + "/staff/connectivity")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"staff desk {width}px is {overflow}px too wide"
        page.screenshot(path=str(SHOTS / f"staff-{width}.png"), full_page=True)
        assert foreign == []
        context.close()
