"""The demo's sample posts show a coordinated group and a banned account's successor."""

from __future__ import annotations

import pytest

from marsad.core.plugins import DemoContext, get_registry
from tests.coordination.test_statuses import _cli, cli_env  # noqa: F401 - the fixture


def load_sample_posts(*, engine, sessions, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """Every plugin's demo data (the posts, their flags, the coordination run)."""
    context = DemoContext(settings=settings, engine=engine, sessions=sessions)
    return get_registry(settings).load_demo_data(context)


def test_demo_shows_a_group_and_ranks_the_banned_accounts_successor_first(
    engine, sessions, settings, admin_client
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lines = load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    assert "suspended account recorded: demo:abu_haider_77" in lines
    assert "coordinated groups found: 1" in lines
    # Loading again records nothing twice.
    again = load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    assert not any(line.startswith("suspended account recorded") for line in again)

    page = admin_client.get("/staff/coordination/successors?lang=en")
    assert "?suspended=demo%3Aabu_haider_77" in page.text  # listed among the banned accounts
    ranked = admin_client.post(
        "/api/v1/coordination/successors", json={"suspended": "demo:abu_haider_77"}
    )
    assert ranked.status_code == 200, ranked.text
    candidates = ranked.json()["candidates"]
    assert candidates[0]["account_id"] == "demo:abu_haider_78"
    assert candidates[0]["score"] > candidates[1]["score"] + 0.2


@pytest.mark.usefixtures("cli_env")
def test_cli_ranks_stored_successors_as_the_staff_page_does(
    engine, sessions, settings, admin_client
) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    load_sample_posts(engine=engine, sessions=sessions, settings=settings)
    code, doc, err = _cli("successors", "--all-suspended", "--limit", "5", "--json")
    assert code == 0, err
    [entry] = doc["suspended"]
    api = admin_client.post(
        "/api/v1/coordination/successors", json={"suspended": "demo:abu_haider_77", "limit": 5}
    ).json()
    assert entry["account_id"] == "demo:abu_haider_77"
    # Names from the accounts table count on the command line too, not only posting hours.
    assert entry["candidates"] == api["candidates"]
    assert entry["candidates"][0]["contributions"]["handle"] > 0
