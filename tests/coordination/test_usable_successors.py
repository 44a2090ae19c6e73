"""Re-created accounts as an analyst meets them: cut-off, typos, unknown creation times."""

from __future__ import annotations

from marsad.coordination import lineage
from marsad.core.db import session_scope

from .test_lineage import stored  # noqa: F401 - the fixture


def test_unknown_registration_time_counts_as_unknown(stored, sessions) -> None:  # noqa: F811
    # No export here says when an account was created on its platform: Marsad's own
    # first sight of it (the ingest, months after the suspension) is no creation time.
    with session_scope(sessions) as session:
        ranked = lineage.propose_successors(session, suspended="other:ali_basri")
    assert ranked and all("timing" not in c["similarities"] for c in ranked)
    assert [c["likely"] for c in ranked] == [True, False]


def test_successor_page_cuts_off_weak_candidates(admin_client, stored) -> None:  # noqa: F811
    page = admin_client.get("/staff/coordination/successors?suspended=other:ali_basri&lang=en")
    likely, weaker = page.text.split('<details class="weaker">')
    assert "other:ali_basri2" in likely and "other:news_desk" not in likely
    assert "other:news_desk" in weaker and "1 weaker candidate" in weaker
    assert "No likely successor" not in page.text
    none = admin_client.get("/staff/coordination/successors?suspended=other:news_desk&lang=en")
    assert none.status_code == 200 and "No likely successor." in none.text


def test_a_wrong_account_name_suggests_stored_ones(admin_client, stored) -> None:  # noqa: F811
    page = admin_client.get("/staff/coordination/successors?suspended=ali_basri&lang=en")
    assert page.status_code == 200, "a typo is not a dead end"
    assert "No stored account is named ali_basri" in page.text
    assert 'href="/staff/coordination/successors?suspended=other%3Aali_basri"' in page.text
    assert 'href="/staff/coordination/successors?suspended=other%3Aali_basri2"' in page.text
    nothing = admin_client.get("/staff/coordination/successors?suspended=x:zzz&lang=en")
    assert nothing.status_code == 200 and "No stored account resembles it." in nothing.text


def test_account_page_shows_no_negative_zero(admin_client, stored) -> None:  # noqa: F811
    # news_desk posts at the same hour every day: its spread over the day is 0.
    page = admin_client.get("/staff/coordination/accounts/other:news_desk?lang=en")
    assert page.status_code == 200 and "<td>0.00</td>" in page.text
    assert "-0.00" not in page.text
