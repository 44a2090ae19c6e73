"""Detect's JSON API over HTTP: classify with thresholds, the flag queue, reviews."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import flagging
from marsad.detect.model import default_model_path
from tests.detect.test_flagging import POSTS, add_posts

shipped = pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")


@pytest.fixture
def auth(make_user, sessions) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from marsad.core import users

    make_user("mona")
    with session_scope(sessions) as session:
        token = users.create_token(session, username="mona", actor="test")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def queue(sessions):  # type: ignore[no-untyped-def]
    add_posts(sessions, POSTS)
    flagging.run_detection(sessions=sessions)


@shipped
def test_classify_thresholds_move_the_labels_not_the_scores(client, auth) -> None:
    text = "صباح الخير على الجميع"
    plain = client.post("/api/v1/classify", json={"texts": [text]}, headers=auth)
    assert plain.status_code == 200 and plain.json()["results"][0]["labels"] == []
    low = dict.fromkeys(("offensive", "hate", "violence", "extremism"), 0.001)
    body = client.post(
        "/api/v1/classify", json={"texts": [text], "thresholds": low}, headers=auth
    ).json()
    [result] = body["results"]
    assert set(result["labels"]) == set(low)
    assert result["scores"] == plain.json()["results"][0]["scores"]


@shipped
def test_classify_thresholds_setting_is_the_default(client, auth, monkeypatch) -> None:
    monkeypatch.setenv("MARSAD_DETECT_THRESHOLDS", "offensive=0.001")
    text = "صباح الخير على الجميع"
    [result] = client.post("/api/v1/classify", json={"texts": [text]}, headers=auth).json()[
        "results"
    ]
    assert result["labels"] == ["offensive"]
    body = {"texts": [text], "thresholds": {"offensive": 0.99}}
    [result] = client.post("/api/v1/classify", json=body, headers=auth).json()["results"]
    assert result["labels"] == []  # the request's own threshold wins


@shipped
@pytest.mark.parametrize(
    ("thresholds", "where"),
    [({"nope": 0.5}, "thresholds"), ({"hate": 1.5}, "thresholds.hate")],
)
def test_classify_rejects_bad_thresholds(client, auth, thresholds, where) -> None:
    response = client.post(
        "/api/v1/classify", json={"texts": ["x"], "thresholds": thresholds}, headers=auth
    )
    assert response.status_code == 422
    assert response.json()["error"] == "err_threshold" and response.json()["where"] == where


@shipped
def test_flags_lists_the_queue_strongest_first(client, auth, queue) -> None:
    assert client.get("/api/v1/flags").status_code == 401
    body = client.get("/api/v1/flags", headers=auth).json()
    texts = [item["text"] for item in body["items"]]
    assert POSTS[0] in texts and POSTS[4] in texts and POSTS[1] not in texts
    assert all(item["model_version"] and item["glossary_version"] for item in body["items"])
    assert all("hate_type" in item and item["spans"] is not None for item in body["items"])
    tops = [max(item["scores"][label] for label in item["labels"]) for item in body["items"]]
    assert tops == sorted(tops, reverse=True)
    assert body["next"] is None
    first = client.get("/api/v1/flags?limit=1", headers=auth).json()
    assert (
        len(first["items"]) == 1
        and first["next"] == "/api/v1/flags?status=pending&limit=1&offset=1"
    )
    second = client.get(first["next"], headers=auth).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    extremism = client.get("/api/v1/flags?label=extremism", headers=auth).json()["items"]
    assert [item["text"] for item in extremism] == [POSTS[4]]
    bad = client.get("/api/v1/flags?status=maybe", headers=auth)
    assert bad.status_code == 422 and bad.json()["error"] == "err_flag_status"


@shipped
def test_review_a_flag_over_the_api(client, auth, queue, sessions) -> None:
    flag = next(
        item
        for item in client.get("/api/v1/flags", headers=auth).json()["items"]
        if item["text"] == POSTS[0]
    )
    url = f"/api/v1/flags/{flag['id']}/review"
    done = client.post(
        url, json={"decision": "confirmed", "labels": ["hate"], "note": "a slur"}, headers=auth
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["review_status"], body["reviewed_labels"], body["reviewed_by"]) == (
        "confirmed",
        ["hate"],
        "mona",
    )
    assert body["review_note"] == "a slur" and body["reviewed_at"]
    pending = client.get("/api/v1/flags", headers=auth).json()["items"]
    assert flag["id"] not in [item["id"] for item in pending]
    confirmed = client.get("/api/v1/flags?status=confirmed", headers=auth).json()["items"]
    assert [item["id"] for item in confirmed] == [flag["id"]]
    with session_scope(sessions) as session:
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "flag.confirmed" in actions
        assert dict(flagging.reviewed_examples(session, task="hate")) == {POSTS[0]: 1}

    bad = client.post(url, json={"decision": "maybe"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"] == "err_flag_decision"
    labels = client.post(url, json={"decision": "confirmed", "labels": ["rude"]}, headers=auth)
    assert labels.status_code == 422 and labels.json()["error"] == "err_flag_labels"
    missing = client.post("/api/v1/flags/nope/review", json={"decision": "rejected"}, headers=auth)
    assert missing.status_code == 404 and missing.json()["error"] == "err_flag_not_found"
    assert client.post(url, json={"decision": "rejected"}).status_code == 401
