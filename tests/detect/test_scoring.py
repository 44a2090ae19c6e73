"""Which posts a run scores, one current flag per post, reviewed flags kept, and status."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.detect import curation, flagging
from marsad.detect.cli import app
from marsad.detect.glossary import GlossaryTerm
from marsad.detect.models import Flag
from marsad.posts.models import Post
from tests.detect.test_curation import ZARZOUR
from tests.detect.test_flagging import POSTS

OFFENSIVE, GREETING, INCITEMENT, WEATHER, SLOGAN = POSTS


def add_posts_with_ids(sessions, posts: dict[int, str]) -> None:  # type: ignore[no-untyped-def]
    """Store posts under the given ids, as ingests committing out of order leave them."""
    with session_scope(sessions) as session:
        for pk, text in posts.items():
            session.add(
                Post(
                    id=pk,
                    platform="x",
                    post_id=f"p{pk}",
                    account_id="a1",
                    text=text,
                    search_text=text,
                    source="test",
                )
            )


def flags_of(sessions, pk: int) -> list[Flag]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        rows = session.execute(select(Flag).where(Flag.post_pk == pk)).scalars().all()
        session.expunge_all()
    return list(rows)


def import_zarzour(sessions) -> int:  # type: ignore[no-untyped-def]
    """A glossary import that adds one term: a new glossary version; returns it."""
    with session_scope(sessions) as session:
        glossary = curation.current_glossary(session)
        changed = glossary.model_copy(
            update={"terms": [*glossary.terms, GlossaryTerm.model_validate(ZARZOUR)]}
        )
        curation.import_glossary(session, glossary=changed, actor="mona")
        return curation.glossary_version(session)


def test_posts_committed_after_a_run_with_lower_ids_are_scored_by_the_next(sessions) -> None:
    # Two ingests at once: the one holding ids 20-21 commits first, a run scores it,
    # then the one holding ids 5-6 commits. A "highest id seen" watermark would never
    # score 5 and 6.
    add_posts_with_ids(sessions, {20: GREETING, 21: OFFENSIVE})
    assert flagging.run_detection(sessions=sessions).processed == 2
    add_posts_with_ids(sessions, {5: INCITEMENT, 6: WEATHER})
    later = flagging.run_detection(sessions=sessions)
    assert later.processed == 2
    assert [len(flags_of(sessions, pk)) for pk in (5, 6, 20, 21)] == [1, 1, 1, 1]
    with session_scope(sessions) as session:
        queued = {item["post"] for item in flagging.list_flags(session)}
    assert {5, 21} <= queued and 6 not in queued
    assert flagging.run_detection(sessions=sessions).processed == 0
    counts = flagging.detection_status(sessions=sessions)
    assert (counts["posts"], counts["scored"]) == (4, 4)


def test_a_glossary_import_leaves_one_pending_flag_per_post(sessions, admin_client) -> None:
    add_posts_with_ids(sessions, dict(enumerate(POSTS, start=1)))
    first = flagging.run_detection(sessions=sessions)
    version = import_zarzour(sessions)
    second = flagging.run_detection(sessions=sessions)
    assert second.glossary_version == str(version) != first.glossary_version
    assert second.processed == len(POSTS)  # a new version scores every post again
    assert second.superseded == len(POSTS)
    with session_scope(sessions) as session:
        queue = flagging.list_flags(session, status="pending", limit=100)
    posts = [item["post"] for item in queue]
    assert len(posts) == len(set(posts)) == first.flagged
    assert {item["glossary_version"] for item in queue} == {str(version)}
    # The older pending flags are kept with their version, out of the queue.
    older = [f for f in flags_of(sessions, 1) if f.glossary_version == first.glossary_version]
    assert len(older) == 1 and older[0].flagged and not older[0].current
    # The API and the page show one card per post too.
    listed = admin_client.get("/api/v1/flags?status=all&limit=100").json()["items"]
    assert sorted(item["post"] for item in listed) == sorted(posts)
    page = admin_client.get("/staff/flags?lang=en").text
    assert page.count('class="flag card"') == len(posts)
    assert page.count(OFFENSIVE) == 1
    counts = flagging.detection_status(sessions=sessions)
    assert counts["flagged"] == counts["pending"] == len(posts)
    assert counts["scored"] == counts["posts"] == len(POSTS)


def test_a_reviewed_flag_survives_rescoring_and_shows_as_history(sessions, admin_client) -> None:
    add_posts_with_ids(sessions, {1: OFFENSIVE, 2: INCITEMENT})
    flagging.run_detection(sessions=sessions)
    with session_scope(sessions) as session:
        cards = {item["post"]: item for item in flagging.list_flags(session)}
        flagging.review_flag(
            session, flag_id=cards[1]["id"], decision="confirmed", reviewer="mona", note="slur"
        )
    stale_id = cards[2]["id"]  # still pending: the next scoring supersedes it
    import_zarzour(sessions)
    flagging.run_detection(sessions=sessions)

    reviewed = next(f for f in flags_of(sessions, 1) if f.id == cards[1]["id"])
    assert (reviewed.review_status, reviewed.reviewed_by, reviewed.review_note) == (
        "confirmed",
        "mona",
        "slur",
    )
    assert reviewed.glossary_version == cards[1]["glossary_version"] and not reviewed.current
    with session_scope(sessions) as session:
        queue = flagging.list_flags(session, status="pending")
    [again] = [item for item in queue if item["post"] == 1]
    assert again["id"] != reviewed.id and again["review_status"] == "pending"
    assert [(h["id"], h["review_status"], h["reviewed_by"]) for h in again["history"]] == [
        (reviewed.id, "confirmed", "mona")
    ]
    page = admin_client.get("/staff/flags?lang=en").text
    assert "Earlier decisions on this post" in page and page.count(OFFENSIVE) == 1

    # A decision sent for the superseded flag (a page left open) is refused, naming the new one.
    answer = admin_client.post(f"/api/v1/flags/{stale_id}/review", json={"decision": "rejected"})
    assert answer.status_code == 409
    assert answer.json()["error"] == "err_flag_superseded"
    [current] = [f for f in flags_of(sessions, 2) if f.current]
    assert answer.json()["details"] == {"current": current.id}
    assert current.review_status == "pending"


def test_a_reviewed_flag_stays_the_card_when_the_new_version_does_not_flag(sessions) -> None:
    add_posts_with_ids(sessions, {1: GREETING})
    # Thresholds so low the greeting is flagged; a reviewer rejects that.
    loose = dict.fromkeys(("offensive", "hate", "violence", "extremism"), 0.001)
    assert flagging.run_detection(sessions=sessions, thresholds=loose).flagged == 1
    with session_scope(sessions) as session:
        [card] = flagging.list_flags(session)
        flagging.review_flag(session, flag_id=card["id"], decision="rejected", reviewer="mona")
    import_zarzour(sessions)
    again = flagging.run_detection(sessions=sessions)  # the usual thresholds: not flagged
    assert (again.processed, again.flagged, again.superseded) == (1, 0, 0)
    rows = {f.id: f for f in flags_of(sessions, 1)}
    assert len(rows) == 2 and rows[card["id"]].current
    assert rows[card["id"]].review_status == "rejected"
    with session_scope(sessions) as session:
        assert flagging.list_flags(session, status="pending") == []
        assert [i["id"] for i in flagging.list_flags(session, status="rejected")] == [card["id"]]


def test_scoring_a_post_twice_with_the_same_versions_writes_nothing(sessions) -> None:
    from marsad.detect.model import load_configured_model
    from marsad.detect.scoring import score_posts

    add_posts_with_ids(sessions, {1: OFFENSIVE, 2: SLOGAN})
    model = load_configured_model()
    with session_scope(sessions) as session:
        glossary = curation.current_glossary(session)
    tools = {"sessions": sessions, "model": model, "glossary": glossary, "thresholds": {}}
    first = score_posts(**tools)
    # Two writers that both found the posts unscored (as concurrent shards might):
    # the second one's rows are skipped, not doubled, and move no card.
    from marsad.detect.scoring import Versions, store_scores

    versions = Versions(model=model.version, glossary=str(glossary.version))
    with session_scope(sessions) as session:
        verdict = {
            "labels": ["offensive"],
            "scores": {"offensive": 0.9},
            "spans": [],
            "language": "ar",
            "scores_advisory": False,
        }
        assert store_scores(session, versions=versions, scored=[(1, verdict)]) == (0, 0, 0)
    assert first.processed == 2 and score_posts(**tools).processed == 0
    assert [len(flags_of(sessions, pk)) for pk in (1, 2)] == [1, 1]


def test_status_cli_counts_posts_scored_and_flagged(cli_database, english) -> None:
    sessions = cli_database
    runner = CliRunner()
    add_posts_with_ids(sessions, dict(enumerate(POSTS, start=1)))
    empty = runner.invoke(app, ["status", "--json"])
    assert empty.exit_code == 0, empty.output
    body = json.loads(empty.stdout)
    assert {k: body[k] for k in ("posts", "scored", "flagged")} == {
        "posts": 5,
        "scored": 0,
        "flagged": 0,
    }
    ran = runner.invoke(app, ["run", "--json"])
    assert ran.exit_code == 0, ran.output
    flagged = json.loads(ran.stdout)["flagged"]
    body = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    assert (body["posts"], body["scored"], body["flagged"]) == (5, 5, flagged)
    assert flagged >= 2
    readable = runner.invoke(app, ["status"])
    assert readable.exit_code == 0
    assert "stored posts: 5" in readable.stdout
    assert f"posts with a current flag: {flagged}" in readable.stdout


def test_status_cli_on_a_database_not_migrated_says_what_to_do(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MARSAD_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 2
    assert "marsad db upgrade" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["hate=2", "nosuch=0.5"])
def test_run_cli_refuses_a_bad_threshold(cli_database, bad) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(app, ["run", "--threshold", bad])
    assert result.exit_code == 2 and "--threshold" in result.output
    assert "err_threshold" in result.output


def test_upgrading_keeps_one_current_flag_per_post(engine, sessions) -> None:
    """Flags written before 0003_detect_scoring: the newest is current, a decision outlives a
    newer scoring that did not flag the post."""
    from sqlalchemy import text

    from marsad.core import migrate

    migrate.downgrade(engine, "0002_jobs")  # the migration before 0003_detect_scoring
    add_posts_with_ids(sessions, {1: OFFENSIVE, 2: GREETING, 3: SLOGAN})
    rows = [
        # post, id, glossary version, flagged, review status, created (minute)
        (1, "a1", "1", True, "pending", 1),
        (1, "a2", "2", True, "pending", 2),  # the duplicate a glossary import left
        (2, "b1", "1", True, "confirmed", 1),
        (2, "b2", "2", False, "pending", 2),  # re-scored, not flagged: the decision stays
        (3, "c1", "1", True, "rejected", 1),
        (3, "c2", "2", True, "pending", 2),  # flagged again: the new flag is the card
    ]
    with engine.begin() as conn:
        for post, flag_id, version, flagged, status, minute in rows:
            conn.execute(
                text(
                    "INSERT INTO flags (id, post_pk, model_version, glossary_version, flagged,"
                    " labels, scores, top_score, spans, created_at, review_status, review_count)"
                    " VALUES (:id, :post, 'm', :version, :flagged, '[]', '{}', 0.5, '[]',"
                    " :created, :status, 0)"
                ),
                {
                    "id": flag_id,
                    "post": post,
                    "version": version,
                    "flagged": flagged,
                    "created": f"2026-12-01 10:0{minute}:00+00:00",
                    "status": status,
                },
            )
    migrate.upgrade(engine)
    with session_scope(sessions) as session:
        current = set(session.execute(select(Flag.id).where(Flag.current.is_(True))).scalars())
        assert current == {"a2", "b1", "c2"}
        assert len(session.execute(select(Flag)).scalars().all()) == len(rows)
