"""Candidate violations arrive by themselves: the three rules, run as the periodic job."""

from __future__ import annotations

from sqlalchemy import select

from marsad.coordination.models import CoordinationRun
from marsad.core.blobs import Blob
from marsad.core.db import session_scope
from marsad.core.jobs.catalog import registered_kinds, registered_periodic_jobs
from marsad.core.jobs.service import create_job
from marsad.core.plugins import get_registry
from marsad.declaration import actors, violations
from marsad.declaration.models import Violation
from marsad.detect.flagging import review_flag
from marsad.detect.models import Flag
from marsad.evidence.models import EvidenceItem, PerceptualHash

from .conftest import run_queued
from .helpers import ingest

FABRICATED = "f0f0f0f0f0f0f0f0"
REUPLOAD = "f0f0f0f0f0f0f0f7"  # three bits away
UNRELATED = "0f0f0f0f0f0f0f0f"


def _actor(sessions, name: str, handle: str) -> str:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        profile = actors.create_actor(
            session,
            name=name,
            kind="candidate",
            accounts=[{"platform": "x", "handle": handle}],
            actor="mona",
        )
        return profile.actor_id


def _suggest(sessions, settings) -> list[Violation]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        create_job(
            session,
            kinds=registered_kinds(settings),
            kind="declaration.suggest",
            params={},
            requested_by="scheduler",
        )
    [job] = run_queued(sessions, settings, "declaration.suggest")
    assert job.status == "succeeded", job.error_message
    with sessions() as session:
        rows = list(session.execute(select(Violation).order_by(Violation.created_at)).scalars())
        session.expunge_all()
        return rows


def test_the_suggest_job_is_scheduled(settings) -> None:
    assert any(p.kind == "declaration.suggest" for p in registered_periodic_jobs(settings))


def test_a_confirmed_hate_flag_on_an_actors_account_is_suggested_once(
    engine, sessions, settings, tmp_path
) -> None:
    posts = ingest(engine, tmp_path)
    actor_id = _actor(sessions, "Ali al-Baghdadi", "ali_albaghdadi")
    with session_scope(sessions) as session:
        for post in ("a1", "a2", "n1"):
            session.add(
                Flag(post_pk=posts[post], model_version="m1", glossary_version="g1",
                     flagged=True, labels=["hate"], scores={"hate": 0.9}, top_score=0.9)
            )  # fmt: skip
        session.flush()
        ids = {f.post_pk: f.id for f in session.execute(select(Flag)).scalars()}
        review_flag(session, flag_id=ids[posts["a1"]], decision="confirmed", reviewer="rana")
        review_flag(session, flag_id=ids[posts["a2"]], decision="rejected", reviewer="rana")
        # Confirmed, but the author is no declaration actor.
        review_flag(session, flag_id=ids[posts["n1"]], decision="confirmed", reviewer="rana")
    [suggested] = _suggest(sessions, settings)
    assert suggested.actor_id == actor_id
    assert suggested.commitment_id == "candidates-7"
    assert suggested.status == "draft" and suggested.source == "flag"
    assert suggested.period == "campaign"  # the post's date (2021-09-01), not today's
    assert suggested.evidence == [f"flag:{ids[posts['a1']]}", f"post:{posts['a1']}"]
    # Run again (or delivered twice): nothing doubles.
    assert len(_suggest(sessions, settings)) == 1


def test_a_coordinated_group_amplifying_an_actor_is_suggested(
    engine, sessions, settings, tmp_path
) -> None:
    ingest(engine, tmp_path)
    actor_id = _actor(sessions, "Ali al-Baghdadi", "ali_albaghdadi")
    with session_scope(sessions) as session:
        run = CoordinationRun(
            created_by="mona",
            parameters={},
            result={
                "clusters": [
                    {"id": 1, "accounts": ["x:ring_one", "x:ring_two", "x:ring_three"],
                     "methods": ["co_reply"]},
                    {"id": 2, "accounts": ["x:news_basra", "x:ali_albaghdady"],
                     "methods": ["links"]},
                ]
            },
        )  # fmt: skip
        session.add(run)
        session.flush()
        run_id = run.id
    [suggested] = _suggest(sessions, settings)
    assert suggested.actor_id == actor_id and suggested.commitment_id == "candidates-8"
    assert suggested.evidence == [f"cluster:{run_id}/1"] and suggested.source == "coordination"
    assert "3 accounts" in suggested.description
    assert len(_suggest(sessions, settings)) == 1


def _image(session, post_pk: int, value: str, n: int) -> None:  # type: ignore[no-untyped-def]
    sha = f"sha256:{n:064x}"
    session.add(Blob(sha256=sha, size=10, media_type="image/jpeg"))
    session.flush()
    session.add(
        EvidenceItem(kind="capture", sha256=sha, source_ref=f"post:{post_pk}", created_by="mona")
    )
    session.add(PerceptualHash(sha256=sha, algorithm="phash", value=value))
    session.flush()


def test_a_reupload_of_a_fabricated_image_is_suggested(
    engine, sessions, settings, tmp_path
) -> None:
    posts = ingest(engine, tmp_path)
    first = _actor(sessions, "Ali al-Baghdadi", "ali_albaghdadi")
    second = _actor(sessions, "Omar Basri", "news_basra")
    third = _actor(sessions, "Huda Karim", "ring_one")
    references = get_registry(settings).references()
    with session_scope(sessions) as session:
        _image(session, posts["a1"], FABRICATED, 1)
        _image(session, posts["n1"], REUPLOAD, 2)
        _image(session, posts["r1"], UNRELATED, 3)
        # People confirmed that the first actor's post carried a fabricated picture.
        row = violations.create_violation(
            session, references=references, actor_id=first, commitment_id="candidates-7",
            description="Fabricated picture of a rival", severity="high",
            evidence=[f"post:{posts['a1']}"], created_by="mona",
        )  # fmt: skip
        for coder in ("mona", "omar"):
            violations.code(
                session, violation_id=row.id, coder=coder, commitment_id="candidates-7",
                breach=True, severity="high",
            )  # fmt: skip
        violations.move(
            session, violation_id=row.id, action="confirm", actor="rana", settings=settings
        )
    suggested = [v for v in _suggest(sessions, settings) if v.source == "image"]
    assert [(v.actor_id, v.commitment_id) for v in suggested] == [(second, "candidates-7")]
    assert f"post:{posts['n1']}" in suggested[0].evidence
    assert "3 bits" in suggested[0].description
    assert third not in {v.actor_id for v in suggested}
    assert len([v for v in _suggest(sessions, settings) if v.source == "image"]) == 1
