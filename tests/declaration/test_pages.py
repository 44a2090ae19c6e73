"""The pages: public ones without JavaScript, staff and admin ones behind their roles."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.conftest import csrf_from, login

from .conftest import confirm_link, create_actor, outbox, run_queued
from .helpers import ingest


def test_the_public_form_signs_and_shows_errors_in_place(client, settings, sessions) -> None:
    page = client.get("/declarations/iraq-2021/sign")
    assert page.status_code == 200 and "<script" not in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "name": "Sara Ali",
        "group": "individuals",
        "email": "sara@example.org",
        "platform0": "x",
        "handle0": "sara_ali",
    }
    bad = client.post("/declarations/iraq-2021/sign", data={**form, "email": "nope"})
    assert bad.status_code == 422 and 'id="err-email"' in bad.text
    assert 'value="Sara Ali"' in bad.text  # nothing typed is lost
    done = client.post("/declarations/iraq-2021/sign", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/signed")
    again = client.post("/declarations/iraq-2021/sign", data=form)
    assert again.status_code == 409 and 'id="err-email"' in again.text
    run_queued(sessions, settings, "declaration.mail")
    assert client.get(urlsplit(confirm_link(outbox(settings)[0])).path).status_code == 200
    listed = client.get("/declarations/iraq-2021/signatories")
    assert "Sara Ali" in listed.text and "sara@example.org" not in listed.text
    assert "<script" not in client.get("/declarations/iraq-2021").text


def test_staff_pages_need_a_signed_in_staff_member(client, make_user, engine, tmp_path) -> None:
    for path in ("/staff/violations", "/staff/actors", "/admin/declarations/iraq-2021"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (302, 303, 307) and "/login" in response.headers["location"]
    ingest(engine, tmp_path)
    login(client, "mona", make_user("mona"))
    page = client.get("/staff/actors")
    token = csrf_from(page.text)
    added = client.post(
        "/staff/actors",
        data={"csrf_token": token, "name": "Ali al-Baghdadi", "kind": "candidate",
              "accounts": "x:ali_albaghdadi"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303
    page = client.get("/staff/actors")
    assert "ali_albaghdady" in page.text  # the look-alike is listed for review
    assert client.get("/admin/declarations/iraq-2021").status_code == 403
    actor_id = re.search(r'href="/actors/([^"]+)"', page.text).group(1)
    filed = client.post(
        "/staff/violations",
        data={"csrf_token": token, "actor_id": actor_id, "commitment_id": "candidates-99",
              "severity": "low", "declaration": "iraq-2021"},
    )  # fmt: skip
    assert filed.status_code == 422 and 'id="err-commitment_id"' in filed.text
    filed = client.post(
        "/staff/violations",
        data={"csrf_token": token, "actor_id": actor_id, "commitment_id": "candidates-3",
              "severity": "low", "declaration": "iraq-2021"},
        follow_redirects=False,
    )  # fmt: skip
    assert filed.status_code == 303
    page = client.get(filed.headers["location"])
    assert "candidates-3" in page.text and 'action="' in page.text


def test_admins_fill_the_kurdish_texts(admin_client) -> None:
    page = admin_client.get("/admin/declarations/iraq-2021?lang=ckb")
    assert page.status_code == 200
    saved = admin_client.post(
        "/admin/declarations/iraq-2021/texts",
        data={"csrf_token": csrf_from(page.text), "target": "ckb",
              "commitment:candidates-3": "تەنها هەژماری فەرمی بەکاربهێنە."},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    doc = admin_client.get("/api/v1/declarations/iraq-2021?lang=ckb").json()
    assert doc["version"] == 2
    assert doc["groups"][0]["commitments"][2]["text"] == "تەنها هەژماری فەرمی بەکاربهێنە."
    # A text not filled in Kurdish falls back to the Arabic original.
    assert doc["groups"][0]["commitments"][0]["text"].startswith("التحقق")


def test_the_actor_page_and_league_table_render(client, token, engine, tmp_path) -> None:
    ingest(engine, tmp_path)
    actor_id = create_actor(client, token("mona"))
    league = client.get("/declarations/iraq-2021/scorecards?by=party")
    assert league.status_code == 200 and "Future Alliance" in league.text
    assert client.get("/declarations/iraq-2021/scorecards?by=nonsense").status_code == 422
    page = client.get(f"/actors/{actor_id}")
    assert page.status_code == 200 and "ali_albaghdadi" in page.text
    assert client.get("/actors/nobody").status_code == 404
