"""The flag queue as an analyst uses it: context on each card, undo, bulk, shortcuts."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import flagging
from marsad.detect.models import Flag
from marsad.posts.models import Account, Post
from tests.browser import signed_in
from tests.conftest import csrf_from

SLOGAN = "باقية وتتمدد دولة الخلافة"
INSULT = "يا كلب يا حقير الله يلعنك"
THREAT = "اقتلوهم جميعا ولا تتركوا منهم احدا"


@pytest.fixture
def queue(sessions):  # type: ignore[no-untyped-def]
    """Three harmful posts by a named account, scored; their flag ids by text."""
    with session_scope(sessions) as session:
        session.add(
            Account(
                platform="telegram",
                account_id="chan42",
                handle="dawn_news",
                display_name="أخبار الفجر",
            )
        )
        for i, text in enumerate((SLOGAN, INSULT, THREAT), start=1):
            session.add(
                Post(
                    platform="telegram",
                    post_id=str(i),
                    account_id="chan42",
                    text=text,
                    search_text=text,
                    source="test",
                    url=f"https://t.me/dawn_news/{i}",
                    # 21:30 UTC is 00:30 the next day in Baghdad (UTC+3).
                    created_at=datetime(2025, 11, 20, 21, 30, tzinfo=UTC),
                )
            )
    flagging.run_detection(sessions=sessions)
    with session_scope(sessions) as session:
        return {item["text"]: item["id"] for item in flagging.list_flags(session)}


def card_of(html: str, flag_id: str) -> str:
    return html.split(f'id="flag-{flag_id}"')[1].split("</article>")[0]


def test_card_shows_author_platform_local_time_links_and_terms_in_place(
    admin_client, queue, sessions
) -> None:
    page = admin_client.get("/staff/flags?lang=en")
    assert page.status_code == 200
    card = card_of(page.text, queue[SLOGAN])
    assert "أخبار الفجر" in card and "@dawn_news" in card and "telegram" in card
    assert "2025-11-21 00:30" in card, "the time is shown in Baghdad time"
    with session_scope(sessions) as session:
        pk = session.execute(select(Post.id).where(Post.post_id == "1")).scalar_one()
    assert f'href="/posts/{pk}"' in card and 'href="/accounts/telegram/chan42"' in card
    assert 'href="https://t.me/dawn_news/1"' in card
    text = card.split('class="post-text"')[1].split("</p>")[0]
    assert "<mark>" in text, "the glossary term is highlighted inside the post"
    assert re.sub(r"</?mark>", "", text.split(">", 1)[1]) == SLOGAN, "no word lost or doubled"
    assert 'class="confirm"' in card and 'class="reject"' in card
    assert admin_client.get("/staff/flags?lang=en").text.count(f'id="flag-{queue[SLOGAN]}"') == 1
    api = admin_client.get("/api/v1/flags").json()["items"]
    twin = next(i for i in api if i["id"] == queue[SLOGAN])
    assert twin["author"] == "أخبار الفجر" and twin["account_page"] == "/accounts/telegram/chan42"
    assert twin["posted_at"].startswith("2025-11-20T21:30")


def test_decision_can_be_undone_by_its_reviewer_only(
    admin_client, client, queue, make_user, sessions
) -> None:
    page = admin_client.get("/staff/flags?lang=en")
    flag_id = queue[INSULT]
    done = admin_client.post(
        f"/staff/flags/{flag_id}/review",
        data={
            "decision": "rejected",
            "note": "quoted to condemn it",
            "csrf_token": csrf_from(page.text),
            "back": "/staff/flags?status=pending&label=&page=1",
        },
    )
    assert done.status_code == 200 and f'value="{flag_id}"' in done.text
    assert 'action="/staff/flags/undo"' in done.text, "the queue offers to undo the decision"
    rejected = admin_client.get("/staff/flags?status=rejected&lang=en").text
    assert "quoted to condemn it" in card_of(rejected, flag_id), "the note stays visible"
    undone = admin_client.post(
        "/staff/flags/undo",
        data={"flag_ids": [flag_id], "csrf_token": csrf_from(done.text)},
    )
    assert undone.status_code == 200 and f'id="flag-{flag_id}"' in undone.text
    with session_scope(sessions) as session:
        flag = session.get(Flag, flag_id)
        assert flag.review_status == "pending" and flag.reviewed_by is None
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "flag.undone" in actions
        assert dict(flagging.reviewed_examples(session, task="offensive")) == {}
    # Someone else's decision is not mine to take back.
    with session_scope(sessions) as session:
        flagging.review_flag(session, flag_id=flag_id, decision="confirmed", reviewer="mona")
    again = admin_client.post(
        "/staff/flags/undo", data={"flag_ids": [flag_id], "csrf_token": csrf_from(done.text)}
    )
    assert again.status_code == 409
    with session_scope(sessions) as session:
        assert session.get(Flag, flag_id).review_status == "confirmed"


def test_bulk_decision_on_selected_posts(admin_client, queue, sessions) -> None:
    page = admin_client.get("/staff/flags?lang=en")
    chosen = [queue[INSULT], queue[THREAT]]
    done = admin_client.post(
        "/staff/flags/bulk",
        data={"decision": "confirmed", "flag_ids": chosen, "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 200
    with session_scope(sessions) as session:
        states = {i: session.get(Flag, i).review_status for i in queue.values()}
    assert states == {
        queue[INSULT]: "confirmed",
        queue[THREAT]: "confirmed",
        queue[SLOGAN]: "pending",
    }
    assert all(f'name="flag_ids" value="{i}"' in done.text for i in chosen), "undo offered"
    none = admin_client.post(
        "/staff/flags/bulk",
        data={"decision": "rejected", "csrf_token": csrf_from(page.text)},
    )
    assert none.status_code == 422
    api = admin_client.post(
        "/api/v1/flags/review", json={"flag_ids": [queue[SLOGAN]], "decision": "rejected"}
    )
    assert api.status_code == 200 and api.json() == {"done": [queue[SLOGAN]], "skipped": []}
    back = admin_client.post(f"/api/v1/flags/{queue[SLOGAN]}/undo")
    assert back.status_code == 200 and back.json()["review_status"] == "pending"


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_keyboard_confirms_and_undoes_in_a_browser(
    live_server, browser, make_user, queue, sessions
) -> None:
    from playwright.sync_api import expect

    make_user("ana", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, name in ((390, "phone"), (1280, "desktop")):
        context, page = signed_in(browser, live_server, "ana", width=width)
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.goto(live_server + "/staff/flags?lang=en")
        assert page.locator(".shortcuts").is_visible(), "the keys are explained once JS runs"
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, f"the queue overflows the {name} screen"
        page.screenshot(path=str(shots / f"flags-{name}.png"), full_page=True)
        if name == "desktop":
            first = page.locator("article.flag").first.get_attribute("data-flag")
            page.keyboard.press("j")
            page.keyboard.press("c")
            page.wait_for_selector("form.undo")
            expect(page.locator(".shortcuts")).to_be_visible()  # the keys work on the new page
            page.screenshot(path=str(shots / "flags-decided.png"), full_page=True)
            with session_scope(sessions) as session:
                assert session.get(Flag, first).review_status == "confirmed"
            page.keyboard.press("u")
            page.wait_for_selector(f"#flag-{first}")
            with session_scope(sessions) as session:
                assert session.get(Flag, first).review_status == "pending"
        assert errors == []
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_advisory_scores_fit_the_card_in_a_browser(
    live_server, browser, make_user, sessions
) -> None:
    from playwright.sync_api import expect

    english = "Those ragheads should all go home"
    with session_scope(sessions) as session:
        session.add(
            Post(
                platform="x",
                post_id="9",
                account_id="a9",
                text=english,
                search_text=english,
                source="test",
            )
        )
    flagging.run_detection(sessions=sessions)
    make_user("ana", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, height, name in ((390, 844, "phone"), (1280, 900, "desktop")):
        context, page = signed_in(browser, live_server, "ana", width=width, height=height)
        page.goto(live_server + "/staff/flags?lang=en")
        advisory = page.locator("article.flag p.advisory")
        expect(advisory).to_have_count(1)
        assert "advisory only" in advisory.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(shots / f"flags-advisory-{name}.png"), full_page=True)
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_flag_of_an_older_model_shows_its_labels_as_the_models_in_a_browser(
    live_server, browser, make_user, sessions
) -> None:
    """A 1.2 model labelled a Turkish ("other") post itself: its card shows the scores by
    the labels, while an English post that model left to the glossary is marked advisory."""
    import dataclasses

    from playwright.sync_api import expect

    from marsad.detect.model import load_default_model

    shipped = load_default_model()
    older = dataclasses.replace(
        shipped,
        version="marsad-detect-1.2.0+a1b2c3d4",
        metadata={**shipped.metadata, "advisory_languages": ["ckb", "en", "kmr"]},
    )
    texts = ["sen çok aptal bir adamsın", "Those ragheads should all go home"]
    with session_scope(sessions) as session:
        for i, text in enumerate(texts, start=1):
            session.add(
                Post(
                    platform="x",
                    post_id=str(i),
                    account_id="a9",
                    text=text,
                    search_text=text,
                    source="test",
                )
            )
    flagging.run_detection(sessions=sessions, model=older, thresholds={"offensive": 0.01})
    make_user("ana", "analyst")
    shots = Path(os.environ.get("MARSAD_SHOTS", "/tmp/shots-usable"))
    shots.mkdir(parents=True, exist_ok=True)
    for width, height, name in ((390, 844, "phone"), (1280, 900, "desktop")):
        context, page = signed_in(browser, live_server, "ana", width=width, height=height)
        page.goto(live_server + "/staff/flags?lang=en")
        turkish = page.locator("article.flag", has_text=texts[0])
        expect(turkish.locator("p.advisory")).to_have_count(0)
        assert re.search(r"offensive \d\.\d\d", turkish.locator("p.labels").inner_text())
        expect(page.locator("article.flag", has_text=texts[1]).locator("p.advisory")).to_have_count(
            1
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(shots / f"flags-older-model-{name}.png"), full_page=True)
        context.close()
