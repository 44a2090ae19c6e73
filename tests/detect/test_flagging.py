"""Flagging stored posts, the review queue, and decisions that feed retraining."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import flagging
from marsad.detect.models import Flag
from marsad.posts.models import Post
from tests.conftest import csrf_from

POSTS = [
    "يا كلب يا حقير الله يلعنك",  # offensive
    "صباح الخير يا بغداد، الجو جميل اليوم",
    "اقتلوهم جميعا ولا تتركوا منهم احدا",  # incitement
    "The weather in Erbil is lovely this week",
    "باقية وتتمدد دولة الخلافة",  # extremist slogan
]


def add_posts(sessions, texts, start=1):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        for i, text in enumerate(texts, start=start):
            session.add(
                Post(
                    platform="x",
                    post_id=str(i),
                    account_id="a1",
                    text=text,
                    search_text=text,
                    source="test",
                )
            )


@pytest.fixture
def flagged(sessions):  # type: ignore[no-untyped-def]
    add_posts(sessions, POSTS)
    result = flagging.run_detection(sessions=sessions, batch_size=2)
    return result


def test_run_flags_harmful_posts_and_explains_why(flagged, sessions) -> None:
    assert flagged.processed == 5
    with session_scope(sessions) as session:
        items = flagging.list_flags(session, status="pending", limit=10)
    texts = {item["text"]: item for item in items}
    assert POSTS[0] in texts and "offensive" in texts[POSTS[0]]["labels"]
    assert POSTS[4] in texts and "extremism" in texts[POSTS[4]]["labels"]
    assert POSTS[1] not in texts and POSTS[3] not in texts
    slogan = texts[POSTS[4]]
    assert slogan["spans"], "an extremist slogan is explained by the glossary term it matched"
    assert slogan["model_version"] and slogan["glossary_version"]


def test_run_is_incremental(flagged, sessions) -> None:
    again = flagging.run_detection(sessions=sessions)
    assert again.processed == 0
    add_posts(sessions, ["منشور جديد عن الانتخابات"], start=100)
    assert flagging.run_detection(sessions=sessions).processed == 1
    with session_scope(sessions) as session:
        assert session.execute(select(func.count()).select_from(Flag)).scalar_one() == 6


def test_review_decisions_are_audited_and_become_training_data(flagged, sessions) -> None:
    with session_scope(sessions) as session:
        first, *_ = flagging.list_flags(session, label="offensive")
        flagging.review_flag(session, flag_id=first["id"], decision="rejected", reviewer="mona")
    with session_scope(sessions) as session:
        assert flagging.list_flags(session, status="rejected")[0]["id"] == first["id"]
        examples = dict(flagging.reviewed_examples(session, task="offensive"))
        assert examples == {first["text"]: 0}
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "flag.rejected" in actions
    with session_scope(sessions) as session, pytest.raises(flagging.InvalidInput):
        flagging.review_flag(session, flag_id=first["id"], decision="maybe", reviewer="mona")


def test_classify_api(client, make_user, sessions) -> None:
    from marsad.core import users

    make_user("bot")
    with session_scope(sessions) as session:
        token = users.create_token(session, username="bot", actor="test")
    auth = {"Authorization": f"Bearer {token}"}
    body = client.post("/api/v1/classify", json={"texts": POSTS[:2]}, headers=auth).json()
    assert [("offensive" in r["labels"]) for r in body["results"]] == [True, False]
    assert body["model_version"]
    assert client.post("/api/v1/classify", json={"texts": POSTS[:1]}).status_code == 401
    bad = client.post("/api/v1/classify", json={"texts": "not a list"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["details"][0]["where"] == "texts"


def test_review_queue_page(admin_client, flagged) -> None:
    page = admin_client.get("/staff/flags?lang=en")
    assert page.status_code == 200 and POSTS[0] in page.text
    flag_id = re.search(r'action="/staff/flags/([^/"]+)/review"', page.text).group(1)
    card = page.text.split(f'id="flag-{flag_id}"')[1]
    first_text = re.sub(r"</?mark>", "", card.split('class="post-text" dir="auto">')[1])
    first_text = first_text.split("</p>")[0]
    done = admin_client.post(
        f"/staff/flags/{flag_id}/review",
        data={"decision": "confirmed", "labels": ["offensive"], "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    confirmed = admin_client.get("/staff/flags?status=confirmed&lang=en")
    assert first_text in confirmed.text and "boss" in confirmed.text
    assert flag_id not in admin_client.get("/staff/flags?lang=en").text


def test_cli_run_and_train_with_reviewed_decisions(
    flagged, settings, sessions, monkeypatch, tmp_path
):  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from marsad.detect.cli import app
    from marsad.detect.model import load_model

    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    add_posts(sessions, ["منشور جديد"], start=50)
    ran = runner.invoke(app, ["run", "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["processed"] == 1

    with session_scope(sessions) as session:
        for item in flagging.list_flags(session, limit=10):
            flagging.review_flag(session, flag_id=item["id"], decision="rejected", reviewer="m")
    tiny = Path(__file__).parent / "data" / "tiny.tsv"
    trained = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(tiny),
            "--task",
            "offensive",
            "--out",
            str(tmp_path / "m"),
            "--include-reviewed",
            "--json",
        ],
    )
    assert trained.exit_code == 0, trained.output
    body = json.loads(trained.stdout)
    assert body["rows"] == 40 + 3  # the file's rows plus the three reviewed flags
    assert (
        load_model(tmp_path / "m").metadata["training_data_sha256"] == body["training_data_sha256"]
    )
    # The model that learnt from the decisions flags the posts again, under its own version.
    reflagged = runner.invoke(app, ["run", "--model", str(tmp_path / "m"), "--json"])
    assert reflagged.exit_code == 0, reflagged.output
    assert json.loads(reflagged.stdout)["model_version"] == body["model_version"]
    assert json.loads(reflagged.stdout)["processed"] == len(POSTS) + 1


def test_kurdish_is_labelled_only_on_glossary_evidence() -> None:
    from marsad.detect.service import classify_texts

    neutral, slur = classify_texts(["کارەبا نییە لە گەڕەکەکەمان", "ئەوانە هەموو داعشی و تیرۆریستن"])
    assert neutral["language"] == "ckb" and neutral["labels"] == []
    assert neutral["scores"]  # the scores are still there for the analyst
    # A glossary term is still found and shown in a Kurdish post.
    assert "ckb-daishi" in [span["term_id"] for span in slur["spans"]]


# Cuts so low that the model's score alone is over them for any post.
LOW = {"offensive": 0.01, "hate": 0.01}


def test_english_and_kurdish_posts_are_not_flagged_by_the_model_score_alone() -> None:
    from marsad.detect.service import classify_texts

    arabic, english, kurdish, turkish, persian = classify_texts(
        [
            "يا كلب يا حقير الله يلعنك",
            "you are a stupid idiot and everybody hates you",
            "کارەبا نییە لە گەڕەکەکەمان",
            "sen çok aptal bir adamsın",  # Turkish: "other", the heads saw none
            "این مرد احمق است",  # Persian: "other" too
        ],
        thresholds=LOW,
    )
    # An Arabic post is still labelled by the model's scores.
    assert arabic["language"] == "ar" and {"offensive", "hate"} <= set(arabic["labels"])
    assert not arabic["scores_advisory"] and arabic["advisory"] == []
    for post, language in (
        (english, "en"),
        (kurdish, "ckb"),
        (turkish, "other"),
        (persian, "other"),
    ):
        assert post["language"] == language
        assert post["labels"] == [], "no glossary term, so no label, whatever the model says"
        # The scores are returned, marked advisory, with what the model alone would say.
        assert post["scores_advisory"] and {"offensive", "hate"} <= set(post["advisory"])
        assert post["scores"]["offensive"] >= LOW["offensive"]


def test_a_glossary_term_labels_an_english_or_kurdish_post() -> None:
    from marsad.detect.service import classify_texts

    clear, ambiguous = classify_texts(
        ["Those ragheads should all go home", "ئەوانە هەموو داعشی و تیرۆریستن"], thresholds=LOW
    )
    # A clear slur: offensive and hate from the glossary, nothing left advisory.
    assert clear["language"] == "en" and clear["labels"] == ["offensive", "hate"]
    assert clear["advisory"] == []
    # A term marked ambiguous: offensive (for a reviewer to look at), hate stays advisory.
    assert ambiguous["language"] == "ckb" and ambiguous["labels"] == ["offensive"]
    assert "hate" in ambiguous["advisory"]


def test_flag_card_says_the_model_scores_are_advisory(admin_client, sessions) -> None:
    english = "Those ragheads should all go home"
    add_posts(sessions, [POSTS[0], english])
    flagging.run_detection(sessions=sessions)
    with session_scope(sessions) as session:
        items = {item["text"]: item for item in flagging.list_flags(session, limit=10)}
    assert items[english]["scores_advisory"] and not items[POSTS[0]]["scores_advisory"]
    page = admin_client.get("/staff/flags?lang=en")
    card = page.text.split(f'id="flag-{items[english]["id"]}"')[1].split("</article>")[0]
    assert "its scores are advisory only" in card
    arabic = page.text.split(f'id="flag-{items[POSTS[0]]["id"]}"')[1].split("</article>")[0]
    assert "advisory" not in arabic
    api = admin_client.get("/api/v1/flags").json()["items"]
    assert {i["text"]: i["scores_advisory"] for i in api} == {POSTS[0]: False, english: True}


def test_a_flag_keeps_the_advisory_verdict_of_the_model_that_scored_it(
    admin_client, sessions
) -> None:
    """A 1.2 model labelled posts in "other" languages itself; since 1.3 the default list of
    advisory languages has "other". Its flags still show those labels as the model's."""
    import dataclasses

    from marsad.detect.model import DEFAULT_ADVISORY_LANGUAGES, load_default_model

    shipped = load_default_model()
    older = dataclasses.replace(
        shipped,
        version="marsad-detect-1.2.0+a1b2c3d4",
        metadata={**shipped.metadata, "advisory_languages": ["ckb", "en", "kmr"]},
    )
    turkish, english = "sen çok aptal bir adamsın", "Those ragheads should all go home"
    add_posts(sessions, [turkish, english])
    flagging.run_detection(sessions=sessions, model=older, thresholds=LOW)
    assert "other" in DEFAULT_ADVISORY_LANGUAGES  # the list the card used to read
    with session_scope(sessions) as session:
        items = {item["text"]: item for item in flagging.list_flags(session, limit=10)}
    assert items[turkish]["language"] == "other" and "offensive" in items[turkish]["labels"]
    assert not items[turkish]["scores_advisory"]  # the model labelled it, as that model could
    assert items[english]["scores_advisory"]
    page = admin_client.get("/staff/flags?lang=en")
    card = page.text.split(f'id="flag-{items[turkish]["id"]}"')[1].split("</article>")[0]
    assert "advisory" not in card
    offensive = items[turkish]["scores"]["offensive"]
    assert re.search(rf'offensive <bdi dir="ltr">{offensive:.2f}</bdi>', card)
    api = admin_client.get("/api/v1/flags").json()["items"]
    assert {i["text"]: i["scores_advisory"] for i in api} == {turkish: False, english: True}
