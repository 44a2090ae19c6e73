"""The evidence job kinds through the real jobs layer: submitted, run, retried."""

from __future__ import annotations

from sqlalchemy import select

from marsad.core.jobs import runners, service
from marsad.core.settings import Settings
from marsad.evidence.models import EvidenceTimestamp, PerceptualHash
from marsad.evidence.settings import EvidenceSettings
from tests.evidence.extras.pictures import encode, fabricated
from tests.evidence.extras.tsa import closed_port_url


def _run(settings, sessions, kind: str, **params: object) -> dict:  # type: ignore[no-untyped-def,type-arg]
    job_id = service.submit_job(
        sessions=sessions, settings=settings, kind=kind, params=params, requested_by="amal"
    )
    runners.run_in_foreground(settings=settings, sessions=sessions, job_id=job_id)
    with sessions() as session:
        return service.job_public(service.get_job(session, job_id=job_id))


def test_timestamp_job_leaves_pending_then_the_periodic_run_grants(
    settings, sessions, make_item, tsa
) -> None:
    item = make_item(b"seen at 10:02", media_type="text/plain")
    down = Settings(
        **settings.model_dump(),
        evidence=EvidenceSettings(evidence_tsa_url=closed_port_url(), evidence_tsa_timeout=2),
    )
    first = _run(down, sessions, "evidence.timestamp", item_ids=[item])
    assert first["status"] == "succeeded" and first["result"]["pending"] == 1
    with sessions() as session:
        stamp = session.scalars(select(EvidenceTimestamp)).one()
        assert stamp.status == "pending" and "did not answer" in stamp.reason
        stamp.tsa_url = tsa.url  # the TSA is back (at this address)
        session.commit()
    # What the scheduler submits every ten minutes: no items, retry the pending ones.
    retry = _run(down, sessions, "evidence.timestamp")
    assert retry["result"]["granted"] == 1 and retry["result"]["pending"] == 0
    again = _run(down, sessions, "evidence.timestamp")
    assert again["result"]["timestamps"] == []


def test_timestamp_job_without_a_tsa_does_nothing(settings, sessions, make_item) -> None:
    make_item(b"x")
    done = _run(settings, sessions, "evidence.timestamp")
    assert done["status"] == "succeeded" and done["result"]["skipped"] == "no TSA"


def test_phash_job_backfills_and_a_second_delivery_adds_nothing(
    settings, sessions, make_item
) -> None:
    for seed in (1, 2):
        make_item(encode(fabricated(seed)), media_type="image/png")
    done = _run(settings, sessions, "evidence.phash")
    assert done["status"] == "succeeded" and done["result"]["hashed"] >= 2
    twice = _run(settings, sessions, "evidence.phash")
    assert twice["result"]["hashed"] == 0
    with sessions() as session:
        assert len(session.scalars(select(PerceptualHash.sha256)).all()) == done["result"]["hashed"]
