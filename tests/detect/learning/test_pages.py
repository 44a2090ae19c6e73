"""The labelling and model pages as analysts use them, with and without JavaScript."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.detect.learning import labels
from marsad.detect.learning.models import Label
from tests.conftest import csrf_from, login

QUESTION = "Is this post offensive or abusive?"


def signed_in(client, make_user, name: str, role: str = "analyst"):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    assert login(client, name, make_user(name, role)).status_code == 303
    return client


def shown_post(html: str) -> int:
    return int(html.split('name="post_id" value="')[1].split('"')[0])


def answer(client, value: int, mode: str = "first") -> int:  # type: ignore[no-untyped-def]
    page = client.get(f"/staff/labels?task=offensive&mode={mode}&lang=en").text
    post = shown_post(page)
    response = client.post(
        "/staff/labels/answer",
        data={
            "csrf_token": csrf_from(page),
            "post_id": post,
            "task": "offensive",
            "value": value,
            "mode": mode,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    return post


def test_labelling_without_javascript_first_and_blind_second(
    client, make_user, stored, sessions
) -> None:
    signed_in(client, make_user, "mona")
    page = client.get("/staff/labels?task=offensive&lang=en").text
    assert "Nothing left to label" in page  # no queue drawn yet
    drawn = client.post(
        "/staff/labels/draw",
        data={"csrf_token": csrf_from(page), "task": "offensive"},
        follow_redirects=False,
    )
    assert drawn.status_code == 303
    page = client.get(drawn.headers["location"] + "&lang=en").text
    assert QUESTION in page and 'value="1"' in page and 'value="0"' in page
    first = answer(client, 1)
    second = answer(client, 0)
    assert first != second  # the next post comes after an answer
    page = client.get(f"/staff/labels?task=offensive&undo={second}&lang=en").text
    assert "Answer saved." in page
    client.post(
        "/staff/labels/undo",
        data={"csrf_token": csrf_from(page), "post_id": second, "task": "offensive"},
    )
    with session_scope(sessions) as session:
        mine = {(r.post_pk, r.value) for r in session.execute(select(Label)).scalars()}
    assert mine == {(first, 1)}

    # A second analyst gets Mona's post, blind: her answer is nowhere on the page.
    signed_in(client, make_user, "ali")
    page = client.get("/staff/labels?task=offensive&mode=second&lang=en").text
    assert shown_post(page) == first
    assert "mona" not in page
    answer(client, 0, mode="second")
    page = client.get("/staff/labels?task=offensive&mode=second&lang=en").text
    assert "No post labelled by someone else" in page
    with session_scope(sessions) as session:
        assert labels.agreement(session, task="offensive")["tasks"]["offensive"]["posts"] == 1
    nxt = client.get("/staff/labels?task=offensive&lang=en").text
    skipped = client.get(
        "/staff/labels?task=offensive&lang=en&after=" + nxt.split("after=")[1].split('"')[0]
    ).text
    assert shown_post(skipped) != shown_post(nxt)  # "next" moves on without an answer


def test_pages_refuse_reviewers_and_bad_tasks(client, make_user) -> None:
    signed_in(client, make_user, "rev", "reviewer")
    assert client.get("/staff/labels").status_code == 403
    signed_in(client, make_user, "mona")
    bad = client.get("/staff/labels?task=sarcasm&lang=en")
    assert bad.status_code == 422 and "sarcasm" in bad.text


def test_models_page_lists_and_rolls_back(client, make_user, sessions, tmp_path) -> None:
    from marsad.detect.learning import registry
    from tests.detect.conftest import train_tiny

    folder = tmp_path / "m"
    version = train_tiny(folder)
    with session_scope(sessions) as session:
        registry.register_candidate(
            session,
            model=registry.load_configured_model(folder),
            path=folder,
            trained_by="mona",
            local_labels={},
        )
    signed_in(client, make_user, "mona")
    page = client.get("/staff/models?lang=en").text
    assert version in page and "the model shipped with Marsad" in page
    compared = client.get(f"/staff/models?lang=en&compare={quote(version)}").text
    assert "Compared on the frozen evaluation sample" in compared
    client.post("/staff/models/promote", data={"csrf_token": csrf_from(page), "version": version})
    page = client.get("/staff/models?lang=en").text
    assert f"In use: {version}" in page
    api = client.get("/api/v1/models").json()
    assert api["in_use"] == version and api["versions"][0]["promoted_by"] == "mona"
    client.post("/staff/models/rollback", data={"csrf_token": csrf_from(page)})
    assert client.get("/api/v1/models").json()["in_use"] == "shipped"


def test_api_twins(client, make_user, stored) -> None:
    signed_in(client, make_user, "mona")
    drawn = client.post("/api/v1/labels/queue", json={"task": "hate", "size": 5})
    assert drawn.status_code == 200
    posts = drawn.json()["posts"]
    assert len(posts) == 5 and {"id", "text", "reason"} <= set(posts[0])
    made = client.post(
        "/api/v1/labels", json={"post_id": posts[0]["id"], "task": "hate", "value": 1}
    )
    assert made.status_code == 200 and made.json()["labelled_by"] == "mona"
    bad = client.post("/api/v1/labels", json={"post_id": 10**9, "task": "hate", "value": 1})
    assert bad.status_code == 422 and bad.json()["error"] == "err_label_post"
    bad = client.post(
        "/api/v1/labels", json={"post_id": posts[0]["id"], "task": "hate", "value": 3}
    )
    assert bad.status_code == 422 and bad.json()["error"] == "err_label_value"
    assert client.get("/api/v1/labels/agreement").json()["tasks"]["hate"]["posts"] == 0


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_keys_answer_skip_and_undo_in_a_browser(
    live_server, browser, make_user, stored, sessions
) -> None:
    make_user("ana", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, height, name in ((390, 844, "phone"), (1280, 900, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        hosts: set[str] = set()
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r, h=hosts: h.add(r.url.split("/")[2]))
        page.goto(live_server + "/login")
        page.fill("input[name=username]", "ana")
        page.fill("input[name=password]", "a-long-password-1")
        page.click("button[type=submit]")
        page.goto(live_server + "/staff/labels?task=offensive&lang=en")
        if name == "phone":
            page.click("form.draw button")
        expect(page.locator("form.answer")).to_have_count(1)
        expect(page.locator(".shortcuts")).to_be_visible()  # the keys are explained once JS runs
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(shots / f"labels-{name}.png"), full_page=True)
        if name == "desktop":
            first = page.locator("input[name=post_id]").first.get_attribute("value")
            expect(page.locator(".shortcuts")).to_be_visible()
            page.keyboard.press("j")  # next: another post, nothing saved
            expect(page.locator(f"input[name=post_id][value='{first}']")).to_have_count(0)
            shown = page.locator("form.answer input[name=post_id]").get_attribute("value")
            # the keys script runs after the document is parsed: wait for it on every new page
            expect(page.locator(".shortcuts")).to_be_visible()
            page.keyboard.press("1")
            expect(page.locator("form.undo")).to_have_count(1)
            expect(page.locator(".shortcuts")).to_be_visible()
            with session_scope(sessions) as session:
                saved = session.execute(select(Label.post_pk, Label.value)).all()
            assert [(str(pk), v) for pk, v in saved] == [(shown, 1)]
            page.keyboard.press("u")
            expect(page.locator("form.undo")).to_have_count(0)
            with session_scope(sessions) as session:
                assert session.execute(select(Label)).first() is None
            page.goto(live_server + "/staff/models?lang=en")
            page.screenshot(path=str(shots / "models-desktop.png"), full_page=True)
        assert errors == []
        assert hosts == {live_server.split("/")[2]}  # nothing from another host
        context.close()
