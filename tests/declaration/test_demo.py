"""``marsad demo``: the declaration's sample shows on the public pages, loaded once."""

from __future__ import annotations

import pytest

from tests.coordination.test_demo import load_sample_posts

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_the_demo_has_actors_signatories_and_a_public_violation(
    engine, sessions, settings, client
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lines = load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    assert any(line.startswith("declaration actors added: 2, signatories: 2") for line in lines)
    again = load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    assert not any(line.startswith("declaration actors added") for line in again)
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 2
    league = client.get("/api/v1/declarations/iraq-2021/scorecards").json()
    breached = {row["name"]: row["breached"] for row in league["rows"]}
    assert breached == {"صوت بغداد": 0, "علي النجفي": 1}
    assert "علي النجفي" in client.get("/declarations/iraq-2021/scorecards").text
