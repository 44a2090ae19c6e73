"""Sections from detect and coordination, the staff dashboard, and the registry's collector."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from marsad.coordination.models import CoordinationRun
from marsad.core.db import session_scope
from marsad.core.jobs.models import Job
from marsad.core.plugins import get_registry
from marsad.detect.models import Flag
from marsad.posts.models import Post
from tests.conftest import login

W49 = datetime(2026, 12, 2, 12, tzinfo=UTC)
W48 = datetime(2026, 11, 25, 12, tzinfo=UTC)
SECRET_TEXT = "نص منشور لا يجوز أن يظهر"


def _posts_and_flags(sessions) -> None:  # type: ignore[no-untyped-def]
    span = {"term_id": "t-1", "term": "كلمة", "target_group": "sect", "text": SECRET_TEXT}
    rows = [
        # (week, flagged, labels, spans)
        (W49, True, ["hate"], [span, span]),
        (W49, True, ["offensive"], []),
        (W49, False, [], []),
        (W49, False, [], []),
        (W48, True, ["hate"], [span]),
        (W48, False, [], []),
    ]
    with session_scope(sessions) as session:
        for i, (when, flagged, labels, spans) in enumerate(rows):
            post = Post(
                platform="x",
                post_id=str(i),
                account_id="a",
                text=SECRET_TEXT,
                search_text="",
                source="test",
                created_at=when,
            )
            session.add(post)
            session.flush()
            session.add(
                Flag(
                    post_pk=post.id,
                    model_version="m",
                    glossary_version="1",
                    flagged=flagged,
                    labels=labels,
                    spans=spans,
                    created_at=when,
                )
            )


def test_hate_speech_shares_per_week_without_post_text(client, sessions):
    _posts_and_flags(sessions)
    response = client.get("/api/v1/stats/hate-speech?week=2026-W49")
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert figures["weeks"][-2:] == ["2026-W48", "2026-W49"]
    assert figures["posts"][-2:] == [2, 4]
    assert figures["flagged_share"][-2:] == [50.0, 50.0]
    assert figures["share_by_label"]["hate"][-2:] == [50.0, 25.0]
    assert figures["share_by_label"]["offensive"][-2:] == [0.0, 25.0]
    assert figures["share_by_target_group"]["sect"][-2:] == [50.0, 25.0]
    assert figures["rising_terms"] == [
        {
            "term_id": "t-1",
            "term": "كلمة",
            "target_groups": ["sect"],
            "this_week": 2,
            "last_week": 1,
        }
    ]
    assert SECRET_TEXT not in response.text
    assert SECRET_TEXT not in client.get("/dashboard?week=2026-W49").text


def test_coordination_groups_counted_without_accounts(client, sessions):
    doc = {
        "clusters": [
            {"id": "c1", "method": "link", "size": 3, "accounts": ["@secret1", "@b", "@c"]},
            {"id": "c2", "method": "text", "size": 2, "accounts": ["@d", "@e"]},
        ]
    }
    with session_scope(sessions) as session:
        session.add(
            CoordinationRun(
                created_at=W49, created_by="t", parameters={}, posts=10, clusters=2, result=doc
            )
        )
    body = client.get("/api/v1/stats/coordination?week=2026-W49").json()
    week = body["figures"]["week"]
    assert (week["groups"], week["accounts"], week["largest"]) == (2, 5, 3)
    assert body["figures"]["groups"][-1] == 2
    assert "@secret1" not in json.dumps(body)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_staff_dashboard_puts_failing_jobs_first(client, make_user, sessions, add_reports):
    assert client.get("/api/v1/staff/dashboard").status_code == 401
    add_reports(2, status="received", created_at=datetime.now(UTC))
    with session_scope(sessions) as session:
        session.add(
            Job(kind="detect.run", params={}, status="failed", finished_at=datetime.now(UTC))
        )
    password = make_user("ana", "analyst")
    assert login(client, "ana", password).status_code == 303
    body = client.get("/api/v1/staff/dashboard").json()
    assert [item["key"] for item in body["attention"]] == ["failing-jobs", "report-queue"]
    queues = {s["key"]: s["figures"] for s in body["sections"]}
    assert queues["report-queue"]["waiting"] == 2
    assert queues["report-queue"]["this_week"] == 2
    assert queues["flag-queue"]["waiting"] == 0
    page = client.get("/staff").text
    assert "/staff/jobs?status=failed" in page and "/staff/reports?status=received" in page


def test_sections_come_from_the_registry_in_order():
    registry = get_registry()
    keys = [s.key for s in registry.publish_sections()]
    assert keys.index("reports") < keys.index("hate-speech") < keys.index("coordination")
    assert {"report-queue", "flag-queue", "failing-jobs"} <= set(keys)


def test_a_switched_off_capability_adds_no_section():
    from types import SimpleNamespace

    registry = get_registry(SimpleNamespace(plugins=None, disabled_plugins="coordination"))
    keys = [s.key for s in registry.publish_sections()]
    assert "coordination" not in keys and "reports" in keys


def test_two_sections_with_one_key_are_refused():
    from marsad.core.errors import ConfigError
    from marsad.core.plugins import Registry, _load_plugins

    registry = Registry(_load_plugins((), ()))
    sections = registry.publish_sections()
    # As if a second plugin returned the reports section again from its hook.
    registry._cache["marsad_publish_sections"] = [*sections, sections[0]]
    with pytest.raises(ConfigError, match="publish section"):
        registry.publish_sections()


def test_kept_days_are_reused_but_a_late_post_or_new_flag_shows_at_once(client, sessions, settings):
    from datetime import timedelta

    from sqlalchemy import func, select

    from marsad.detect import stats as detect_stats
    from marsad.publish import stored
    from marsad.publish.models import StoredFigures

    long_ago = datetime.now(UTC) - timedelta(hours=2)

    def add_post(post_id: str, when: datetime, ingested: datetime | None = None) -> int:
        with session_scope(sessions) as session:
            post = Post(
                platform="x",
                post_id=post_id,
                text="",
                search_text="",
                source="t",
                created_at=when,
                **({"ingested_at": ingested} if ingested else {}),
            )
            session.add(post)
            session.flush()
            return post.id

    def figures(week: str = "2026-W49") -> dict:
        return client.get(f"/api/v1/stats/hate-speech?week={week}").json()["figures"]

    for i in range(3):
        add_post(f"old{i}", W48, ingested=long_ago)
    assert figures()["posts"][-2:] == [3, 0]
    # The job stores the days; a restarted process (memory dropped) reads them back.
    with session_scope(sessions) as session:
        assert stored.persist(session, "hate-speech", detect_stats.keep(session, settings)) > 0
        assert session.execute(select(func.count()).select_from(StoredFigures)).scalar_one()
    stored.forget()
    # A row that claims to have arrived before the days were counted is not looked for:
    # proof that the kept counts are read rather than counted again.
    add_post("backdated", W48, ingested=long_ago - timedelta(hours=1))
    assert figures()["posts"][-2:] == [3, 0]
    # A late post ingested now, in a finished week, shows at once...
    late = add_post("late", W48)
    assert figures()["posts"][-2:] == [5, 0]
    # ...and so does a new flag on an old post (the day's share moves).
    with session_scope(sessions) as session:
        session.add(
            Flag(
                post_pk=late,
                model_version="m",
                glossary_version="1",
                flagged=True,
                labels=["hate"],
                spans=[],
            )
        )
    assert figures()["flagged"][-2] == 1
    assert figures()["share_by_label"]["hate"][-2] == 20.0
