"""Violations: filing with evidence, bad input, blind double coding, the right of reply,
what becomes public, and the scorecards and league table built from it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from marsad.core.db import utcnow
from marsad.declaration.models import Violation
from marsad.posts.actors import actor_accounts
from marsad.posts.watchlists import describe_watchlist

from .conftest import create_actor
from .helpers import ingest


def _count(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(select(func.count()).select_from(Violation)).scalar_one()


def test_an_actor_registers_official_accounts_kept_on_the_watchlist(
    client, engine, sessions, token, tmp_path
) -> None:
    ingest(engine, tmp_path)
    staff = token("mona")
    actor_id = create_actor(client, staff)
    with sessions() as session:
        listed = describe_watchlist(session=session, name="declaration:iraq-2021")
    assert [a["account_id"] for a in listed["accounts"]] == ["ali_albaghdadi"]
    # An account registered before any of its posts exists is on the watchlist too.
    response = client.post(
        f"/api/v1/actors/{actor_id}/accounts",
        json={"platform": "telegram", "handle": "@AliBaghdadiOfficial"},
        headers=staff,
    )
    assert response.status_code == 201
    with sessions() as session:
        listed = describe_watchlist(session=session, name="declaration:iraq-2021")
    assert sorted(a["platform"] for a in listed["accounts"]) == ["telegram", "x"]
    removed = client.delete(
        f"/api/v1/actors/{actor_id}/accounts/telegram/AliBaghdadiOfficial", headers=staff
    )
    assert removed.status_code == 200
    assert removed.json()["accounts"] == [{"platform": "x", "handle": "ali_albaghdadi"}]
    with sessions() as session:
        listed = describe_watchlist(session=session, name="declaration:iraq-2021")
    assert [a["platform"] for a in listed["accounts"]] == ["x"]
    with sessions() as session:
        owned = actor_accounts(session=session, actor_ids=[actor_id])
    assert [a["platform"] for a in owned] == ["x"]  # the telegram account left the actor
    again = client.delete(f"/api/v1/actors/{actor_id}/accounts/telegram/nobody", headers=staff)
    assert again.status_code == 404
    [actor] = client.get("/api/v1/actors").json()
    assert actor["party"] == "Future Alliance" and actor["list_number"] == "214"
    assert actor["group"] == "candidates"
    # Someone else's registered account, a wrong kind, and no token are refused.
    taken = client.post(
        "/api/v1/actors",
        json={
            "name": "B",
            "kind": "party",
            "accounts": [{"platform": "x", "handle": "ALI_albaghdadi"}],
        },
        headers=staff,
    )
    assert taken.status_code == 409 and taken.json()["where"] == "accounts[0]"
    wrong = client.post("/api/v1/actors", json={"name": "B", "kind": "wizard"}, headers=staff)
    assert wrong.status_code == 422 and wrong.json()["where"] == "kind"
    assert client.post("/api/v1/actors", json={"name": "B", "kind": "party"}).status_code == 401
    assert len(client.get("/api/v1/actors").json()) == 1


def test_look_alike_accounts_are_listed_for_review(client, engine, token, tmp_path) -> None:
    ingest(engine, tmp_path)
    staff = token("mona")
    create_actor(client, staff)
    found = client.get("/api/v1/impersonation", headers=staff).json()
    assert [f["account_id"] for f in found] == ["ali_albaghdady"]
    assert found[0]["resembles"] == "ali_albaghdadi" and found[0]["actor"] == "Ali al-Baghdadi"
    assert client.get("/api/v1/impersonation").status_code == 401


def test_bad_violations_are_refused_and_nothing_is_stored(
    client, engine, sessions, token, tmp_path
) -> None:
    posts = ingest(engine, tmp_path)
    staff = token("mona")
    admin = token("boss", "admin")
    actor_id = create_actor(client, staff)
    made = client.post(
        "/api/v1/declarations", json={"slug": "iraq-2025", "based_on": "iraq-2021"}, headers=admin
    )
    assert made.status_code == 201
    body = {
        "actor_id": actor_id,
        "commitment_id": "candidates-7",
        "description": "Hate speech against a rival list",
        "severity": "high",
        "evidence": [f"post:{posts['a1']}"],
        "declaration": "iraq-2021",
    }
    cases = [
        ({"commitment_id": "iraq-2025/candidates-7"}, "err_commitment_other_declaration"),
        ({"commitment_id": "candidates-99"}, "err_commitment_unknown"),
        ({"evidence": ["post:999999"]}, "err_ref_not_found"),
        ({"evidence": ["tweet:1"]}, "err_ref_unknown_prefix"),
        ({"severity": "apocalyptic"}, "err_severity"),
        ({"actor_id": "nobody"}, "err_actor_not_found"),
    ]
    for change, code in cases:
        response = client.post("/api/v1/violations", json={**body, **change}, headers=staff)
        assert 400 <= response.status_code < 500, (change, response.text)
        assert response.json()["error"] == code, change
    assert _count(sessions) == 0
    done = client.post("/api/v1/violations", json=body, headers=staff)
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "draft" and done.json()["declaration"] == "iraq-2021"
    assert _count(sessions) == 1


def test_blind_double_coding_then_confirmation_reply_and_publication(
    client, engine, sessions, token, tmp_path
) -> None:
    posts = ingest(engine, tmp_path)
    mona, omar = token("mona"), token("omar")
    reviewer = token("rana", "reviewer")
    actor_id = create_actor(client, mona)
    filed = client.post(
        "/api/v1/violations",
        json={
            "actor_id": actor_id,
            "commitment_id": "candidates-7",
            "description": "Posted a fabricated picture of a rival",
            "severity": "high",
            "evidence": [f"post:{posts['a2']}"],
            "period": "campaign",
        },
        headers=mona,
    ).json()
    path = f"/api/v1/violations/{filed['id']}"
    coding = {"commitment_id": "candidates-7", "breach": True, "severity": "high"}
    first = client.post(f"{path}/codings", json=coding, headers=mona)
    assert first.status_code == 201 and first.json()["status"] == "coded"
    # The second coder cannot see the first coding before coding.
    assert client.get(path, headers=omar).json()["codings"] is None
    assert len(client.get(path, headers=mona).json()["codings"]) == 1
    assert client.post(f"{path}/codings", json=coding, headers=mona).status_code == 409
    second = client.post(f"{path}/codings", json={**coding, "severity": "medium"}, headers=omar)
    assert second.json()["status"] == "double-coded" and len(second.json()["codings"]) == 2

    move = f"{path}/transition"
    assert client.post(move, json={"action": "confirm"}, headers=mona).status_code == 403
    assert client.post(move, json={"action": "notify"}, headers=reviewer).status_code == 409
    assert client.post(move, json={"action": "confirm"}, headers=reviewer).status_code == 200
    notified = client.post(move, json={"action": "notify"}, headers=reviewer).json()
    assert notified["status"] == "notified" and notified["reply_due"]
    early = client.post(move, json={"action": "no_response"}, headers=mona)
    assert early.status_code == 409 and early.json()["error"] == "err_reply_window_open"

    # Within the right of reply nothing is public.
    league = client.get("/api/v1/declarations/iraq-2021/scorecards").json()
    assert league["rows"][0]["violations"] == 0
    card = client.get(f"/api/v1/actors/{actor_id}/scorecard").json()
    assert card["violations"] == []

    replied = client.post(
        move,
        json={"action": "reply", "reply_text": "The picture was posted by a volunteer.",
              "reply_at": "2021-09-05T09:00:00+00:00"},
        headers=mona,
    ).json()  # fmt: skip
    assert replied["status"] == "responded" and replied["reply_at"].startswith("2021-09-05")
    with sessions() as session:
        row = session.get(Violation, filed["id"])
        row.reply_due = utcnow() - timedelta(minutes=1)
        session.commit()

    card = client.get(f"/api/v1/actors/{actor_id}/scorecard").json()
    [public] = card["violations"]
    assert public["commitment_id"] == "candidates-7"
    assert public["reply"] == "The picture was posted by a volunteer."
    # A post is evidence the monitors keep: counted, not shown.
    assert public["evidence"] == {"public": [], "other": {"post": 1}}
    overall, campaign = card["periods"][0], card["periods"][1]
    assert overall["breached"] == ["candidates-7"] and len(overall["honoured"]) == 7
    assert campaign["period"] == "campaign" and campaign["violations"] == 1
    silence = next(p for p in card["periods"] if p["period"] == "silence")
    assert silence["violations"] == 0

    by_party = client.get("/api/v1/declarations/iraq-2021/scorecards?by=party").json()
    assert by_party["rows"][0]["key"] == "Future Alliance"
    assert by_party["rows"][0]["breached"] == 1
    text = client.get("/api/v1/declarations/iraq-2021/scorecards.csv").text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "Ali al-Baghdadi" and row["breached"] == "1" and row["honoured"] == "7"
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/api/v1/actors/{actor_id}/scorecard.csv").text))
    )
    assert (rows[0]["period"], rows[0]["breached"], rows[0]["honoured"]) == (
        "all",
        "candidates-7",
        "7",
    )
    assert rows[1]["period"] == "campaign" and rows[1]["violations"] == "1"
    page = client.get(f"/actors/{actor_id}")
    assert page.status_code == 200 and "The picture was posted by a volunteer." in page.text

    kappa = client.get("/api/v1/declarations/iraq-2021/agreement", headers=mona).json()
    cell = next(k for k in kappa if k["commitment"] == "candidates-7")
    assert cell["period"] == "campaign" and cell["pairs"] == 1 and cell["agreement"] == 1.0
    from marsad.core.plugins import get_registry
    from marsad.core.refs import resolve_ref

    with sessions() as session:
        cited = resolve_ref(session, f"violation:{filed['id']}", get_registry().references())
    assert cited.public and cited.url == f"/actors/{actor_id}"
    staff_page = client.get("/staff/violations?lang=en", headers=mona)
    assert staff_page.status_code == 200 and "Agreement between coders" in staff_page.text
    assert ">100%<" in staff_page.text


def test_a_citizen_report_is_linked_and_its_reporter_stays_private(
    client, engine, token, tmp_path, sessions, settings
) -> None:
    from marsad.core.blobs import BlobStore
    from marsad.core.db import session_scope
    from marsad.core.security import FieldCipher
    from marsad.reports import service as reports
    from marsad.reports.settings import ReportSettings

    with session_scope(sessions) as session:
        done = reports.submit_report(
            session,
            submission=reports.Submission(
                title="Fake account of a candidate",
                category="threat",
                contact="reporter@example.org",
            ),
            channel="web",
            cipher=FieldCipher.from_settings(settings.field_key, settings.secret()),
            settings=ReportSettings(),
            blobs=BlobStore.from_settings(settings),
        )
    ingest(engine, tmp_path)
    mona = token("mona")
    actor_id = create_actor(client, mona)
    filed = client.post(
        "/api/v1/violations",
        json={"actor_id": actor_id, "commitment_id": "candidates-3", "severity": "low"},
        headers=mona,
    ).json()
    linked = client.post(
        f"/api/v1/violations/{filed['id']}/evidence",
        json={"refs": [f"report:{done.id}"]},
        headers=mona,
    )
    assert linked.status_code == 200 and linked.json()["evidence"] == [f"report:{done.id}"]
    assert "reporter@example.org" not in linked.text
    bad = client.post(
        f"/api/v1/violations/{filed['id']}/evidence", json={"refs": ["report:nope"]}, headers=mona
    )
    assert bad.status_code == 422
