"""Fixtures for the declaration tests: staff tokens, the queued jobs run for real, actors."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from marsad.core import users
from marsad.core.db import session_scope
from marsad.core.jobs.catalog import registered_kinds
from marsad.core.jobs.execution import claim_job, run_claim
from marsad.core.jobs.models import Job
from marsad.core.settings import Settings
from marsad.declaration.settings import DeclarationSettings
from tests.conftest import TEST_SECRET


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    """The shared test settings, with a signing rate limit the tests do not reach."""
    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=TEST_SECRET,
        declaration=DeclarationSettings(declaration_rate_limit=1000),
    )


@pytest.fixture
def token(sessions, make_user):  # type: ignore[no-untyped-def]
    """A bearer header for a new staff member of a role."""

    def factory(username: str, role: str = "analyst") -> dict[str, str]:
        make_user(username, role)
        with session_scope(sessions) as session:
            value = users.create_token(session, username=username, label="test", actor=username)
        return {"Authorization": f"Bearer {value}"}

    return factory


def run_queued(sessions, settings, kind: str | None = None) -> list[Job]:  # type: ignore[no-untyped-def]
    """Run every queued job (of a kind) through the jobs layer, as a worker would."""
    with sessions() as session:
        query = select(Job.id).where(Job.status == "queued")
        if kind:
            query = query.where(Job.kind == kind)
        ids = list(session.execute(query).scalars())
    kinds = registered_kinds(settings)
    for job_id in ids:
        claim = claim_job(sessions=sessions, job_id=job_id)
        assert claim is not None
        run_claim(settings=settings, sessions=sessions, claim=claim, kinds=kinds)
    with sessions() as session:
        return [session.get(Job, job_id) for job_id in ids]


def outbox(settings) -> list[Any]:  # type: ignore[no-untyped-def]
    """The messages in the outbox folder, parsed."""
    folder = Path(settings.data_dir) / "outbox"
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def confirm_link(message) -> str:  # type: ignore[no-untyped-def]
    body = message.get_body(("plain",)).get_content()
    [link] = [w for w in body.split() if "/confirm/" in w]
    return link


def create_actor(client, headers, **fields):  # type: ignore[no-untyped-def]
    body = {
        "name": "Ali al-Baghdadi",
        "kind": "candidate",
        "governorate": "IQG11",
        "party": "Future Alliance",
        "list_number": "214",
        "accounts": [{"platform": "x", "handle": "ali_albaghdadi"}],
        **fields,
    }
    response = client.post("/api/v1/actors", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]
