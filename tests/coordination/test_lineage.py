"""Re-created accounts on the store: rank, confirm or reject, follow the lineage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marsad.coordination import lineage
from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.posts.ingest import ingest_files
from tests.conftest import csrf_from

from .helpers import banned_and_successor

MAPPING = "id=id,author=author,author_name=author_name,text=text,created_at=created_at"


@pytest.fixture
def stored(engine, tmp_path):  # type: ignore[no-untyped-def]
    start = datetime(2026, 9, 1, 18, tzinfo=UTC)
    # The banned account posted in the evening about its causes, then vanished;
    # its successor took the same name with a number and the same habits.
    rows = banned_and_successor(start)
    for n in range(12):
        rows.append(
            {
                "id": f"c{n}",
                "author": "news_desk",
                "author_name": "Newsroom",
                "text": f"Morning bulletin {n} #news",
                "created_at": (start + timedelta(days=n, hours=-12)).isoformat(),
            }
        )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=MAPPING)


def test_rank_confirm_and_lineage(stored, sessions) -> None:
    with session_scope(sessions) as session:
        ranked = lineage.propose_successors(session, suspended="other:ali_basri")
        assert ranked[0]["account_id"] == "other:ali_basri2"
        assert ranked[0]["contributions"]["handle"] > 0
        assert ranked[0]["score"] > ranked[1]["score"]
        lineage.decide(
            session,
            predecessor="other:ali_basri",
            successor="other:ali_basri2",
            decision="confirmed",
            actor="mona",
            score=ranked[0]["score"],
        )
        lineage.decide(
            session,
            predecessor="other:ali_basri",
            successor="other:news_desk",
            decision="rejected",
            actor="mona",
        )
    with session_scope(sessions) as session:
        assert lineage.lineage(session, account="other:ali_basri2") == [
            "other:ali_basri",
            "other:ali_basri2",
        ]
        again = lineage.propose_successors(session, suspended="other:ali_basri")
        assert {c["account_id"]: c["decision"] for c in again} == {
            "other:ali_basri2": "confirmed",
            "other:news_desk": "rejected",
        }
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "account_link.confirmed" in actions and "account_link.rejected" in actions
        with pytest.raises(lineage.InvalidInput):
            lineage.decide(
                session, predecessor="x", successor="x", decision="confirmed", actor="mona"
            )
        with pytest.raises(lineage.InvalidInput):
            lineage.propose_successors(session, suspended="other:nobody")


def test_staff_pages_and_api(admin_client, stored) -> None:
    page = admin_client.get("/staff/coordination/successors?suspended=other:ali_basri&lang=en")
    assert page.status_code == 200 and "other:ali_basri2" in page.text
    done = admin_client.post(
        "/staff/coordination/successors",
        data={
            "csrf_token": csrf_from(page.text),
            "predecessor": "other:ali_basri",
            "successor": "other:ali_basri2",
            "decision": "confirmed",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    account = admin_client.get("/staff/coordination/accounts/other:ali_basri2?lang=en")
    assert "other:ali_basri → " in account.text.replace("</a>", "").replace(
        '<a href="/staff/coordination/accounts/other:ali_basri">', ""
    )
    assert "Posts per day" in account.text and "<td>12</td>" in account.text
    api = admin_client.get("/api/v1/coordination/accounts/other:ali_basri/lineage").json()
    assert api["lineage"] == ["other:ali_basri", "other:ali_basri2"]
    ranked = admin_client.post(
        "/api/v1/coordination/successors", json={"suspended": "other:ali_basri"}
    ).json()
    assert ranked["candidates"][0]["decision"] == "confirmed"
