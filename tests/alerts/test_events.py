"""Each capability's event reaches a matching rule: flags, coordinated groups, failed jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marsad.alerts import rules
from marsad.alerts.models import AlertDelivery
from marsad.core.db import new_id, session_scope
from marsad.core.jobs.models import Job
from marsad.core.jobs.runners import run_in_foreground
from marsad.posts.ingest import ingest_files
from marsad.posts.models import Account, Actor, Post

pytestmark = pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
MAPPING = "id=id,author=author,text=text,created_at=created_at"


def add(sessions, settings, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return rules.add_rule(session, settings=settings, actor="tester", **kwargs)


def alerts(sessions) -> list[dict]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.execute(
            select(AlertDelivery).order_by(AlertDelivery.created_at, AlertDelivery.id)
        ).scalars()
        return [dict(row.payload) for row in rows]


def write_posts(path, rows):  # type: ignore[no-untyped-def]
    import json

    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_flags_on_a_watched_account_raise_alerts_with_labels_but_no_text(
    engine, sessions, settings, tmp_path
):  # type: ignore[no-untyped-def]
    from marsad.detect.scoring import Versions, store_scores

    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [
        {
            "id": f"p{n}",
            "author": "mp_one",
            "text": f"نص المنشور {n}",
            "created_at": (start + timedelta(hours=n)).isoformat(),
        }
        for n in range(3)
    ]
    ingest_files(
        fmt="jsonl",
        paths=[write_posts(tmp_path / "p.jsonl", rows)],
        engine=engine,
        mapping=MAPPING,
        watchlist="mps",
    )
    with session_scope(sessions) as session:
        account = session.execute(select(Account)).scalar_one()
        account.actor = Actor(name="Party A")
    add(
        sessions,
        settings,
        event="flag.created",
        filters=["label=hate", "watchlist=mps", "actor=Party A"],
        email="a@example.org",
    )
    add(
        sessions,
        settings,
        event="flag.created",
        filters=["watchlist=journalists"],
        email="b@example.org",
    )
    with sessions() as session:
        pks = list(session.execute(select(Post.id).order_by(Post.id)).scalars())

    def verdict(labels, severity=None):  # type: ignore[no-untyped-def]
        spans = [{"term_id": "t", "severity": severity}] if severity else []
        scores = {label: 0.9 - 0.1 * i for i, label in enumerate(labels)}
        return {
            "labels": labels,
            "scores": scores,
            "spans": spans,
            "language": "ar",
            "scores_advisory": False,
        }

    with session_scope(sessions) as session:
        store_scores(
            session,
            versions=Versions("m1", "g1"),
            scored=[
                (pks[0], verdict(["offensive", "hate"], severity=3)),
                (pks[1], verdict(["offensive"])),
                (pks[2], verdict([])),
            ],
        )
    (alert,) = alerts(sessions)
    data = alert["data"]
    assert data["post_id"] == pks[0]
    assert data["label"] == "offensive" and data["labels"] == ["offensive", "hate"]
    assert data["severity"] == "3"
    assert data["account"] == "other:mp_one"
    assert data["watchlists"] == ["mps"]
    assert data["actor"] == "Party A"
    assert "نص المنشور" not in str(alert)


def test_a_coordination_run_raises_one_alert_per_group(engine, sessions, settings, tmp_path):  # type: ignore[no-untyped-def]
    from marsad.coordination.params import make_params
    from marsad.coordination.runs import start_run

    start = datetime(2026, 10, 1, tzinfo=UTC)
    rows = []
    for k in range(6):
        for j in range(4):
            at = start + timedelta(days=k, hours=3, seconds=5 * j)
            link = f"https://campaign.example/p/{k}"
            rows.append(
                {
                    "id": f"r{k}-{j}",
                    "author": f"ring{j}",
                    "text": link,
                    "created_at": at.isoformat(),
                }
            )
    for n in range(40):
        at = start + timedelta(minutes=37 * n)
        link = f"https://news{n % 20}.example/{n}"
        rows.append(
            {"id": f"o{n}", "author": f"user{n % 20}", "text": link, "created_at": at.isoformat()}
        )
    ingest_files(
        fmt="jsonl", paths=[write_posts(tmp_path / "p.jsonl", rows)], engine=engine, mapping=MAPPING
    )
    add(sessions, settings, event="coordination.group_found", email="c@example.org")
    run = start_run(sessions, actor="tester", params=make_params(methods=["links"]))
    assert run.clusters == 1
    (alert,) = alerts(sessions)
    assert alert["data"]["group"] == f"cluster:{run.id}/1"
    assert alert["data"]["size"] == 4


def test_a_failed_job_raises_an_alert_filtered_by_kind(sessions, settings):  # type: ignore[no-untyped-def]
    add(
        sessions,
        settings,
        event="job.failed",
        filters=["kind=vanished.kind"],
        email="ops@example.org",
    )
    add(sessions, settings, event="job.failed", filters=["kind=detect.run"], email="x@example.org")
    with session_scope(sessions) as session:
        job = Job(
            id=new_id(),
            kind="vanished.kind",
            params={},
            status="queued",
            progress=0.0,
            attempts=0,
            cancel_requested=False,
            created_at=datetime.now(UTC),
        )
        session.add(job)
    assert run_in_foreground(settings=settings, sessions=sessions, job_id=job.id) == "failed"
    (alert,) = alerts(sessions)
    assert alert["data"] == {
        "job_id": job.id,
        "kind": "vanished.kind",
        "error": "err_job_kind_unknown",
    }
