"""Successor ranking that reads only the posts that can matter, with the same result."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from marsad.coordination import lineage
from marsad.coordination.recreated_accounts import (
    BEHAVIOUR,
    DEFAULT_WEIGHTS,
    AccountProfile,
    rank_successors,
    rank_successors_pruned,
    score_bound,
)
from marsad.core.db import session_scope
from marsad.posts import read as posts_reader
from marsad.posts.ingest import ingest_files

from .helpers import banned_and_successor

MAPPING = "id=id,author=author,author_name=author_name,text=text,created_at=created_at"

_vocabulary = st.dictionaries(
    st.sampled_from(["#a", "#b", "#c", "#d", "domain:x.iq", "@u"]), st.integers(0, 4), max_size=4
).map(Counter)
_hours = st.one_of(st.just([0] * 24), st.lists(st.integers(0, 3), min_size=24, max_size=24))
_name = st.one_of(
    st.none(),
    st.sampled_from(
        ["علي البصري", "Ali Basri", "ali", "news desk", "", "!!", "حسين", "Hussein", "البصري"]
    ),
    st.text(alphabet="ab لي", max_size=6),
)
_bio = st.one_of(_name, st.sampled_from(["t.me/ali", "قناتي https://t.me/ali/", "www.x.iq t.me/b"]))
_ids = st.frozensets(st.sampled_from(["s", "c0", "c1", "p", "q", "r"]), max_size=4)
_style = st.dictionaries(
    st.sampled_from([" ال", "لي ", "هسه", "!! ", "abc"]), st.integers(0, 3), max_size=4
).map(Counter)
_profile = st.builds(
    AccountProfile,
    account_id=st.just(""),
    handle=st.one_of(st.none(), st.text(alphabet="al_i2.", max_size=6), st.just("hussein.iq")),
    display_name=_name,
    bio=st.one_of(st.none(), _bio),
    followers=_ids,
    style=_style,
    cosharers=_ids,
    avatar_hash=st.one_of(st.none(), st.sampled_from(["ff00", "ff01", "0f0f", "zz", "abc"])),
    created_at=st.one_of(st.none(), st.integers(0, 400 * 86_400)),
    last_post_at=st.one_of(st.none(), st.integers(0, 200 * 86_400)),
    vocabulary=_vocabulary,
    hours=_hours,
)
_weights = st.one_of(
    st.none(),
    st.fixed_dictionaries({k: st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]) for k in DEFAULT_WEIGHTS}),
)


@settings(max_examples=300, deadline=None)
@given(
    suspended=_profile,
    others=st.lists(_profile, max_size=25),
    weights=_weights,
    limit=st.integers(1, 6),
    min_score=st.sampled_from([0.0, 0.3, 0.7]),
    batch=st.integers(1, 4),
)
def test_pruned_ranking_equals_the_full_one(
    suspended, others, weights, limit, min_score, batch
) -> None:
    suspended = replace(suspended, account_id="s")
    full = [replace(p, account_id=f"c{n}") for n, p in enumerate(others)]
    # What the store knows without posts: the profile fields only.
    bare = [
        replace(
            p,
            vocabulary=Counter(),
            hours=[0] * 24,
            style=Counter(),
            cosharers=frozenset(),
            last_post_at=None,
        )
        for p in full
    ]
    by_id = {p.account_id: p for p in full}
    asked: list[str] = []

    def load(ids: list[str]) -> dict[str, AccountProfile]:
        asked.extend(ids)
        return {
            i: by_id[i]
            for i in ids
            if sum(by_id[i].hours) or by_id[i].vocabulary or by_id[i].style or by_id[i].cosharers
        }

    kwargs = {"weights": weights, "limit": limit, "min_score": min_score}
    expected = rank_successors(suspended, full, **kwargs)
    got = rank_successors_pruned(suspended, bare, load, batch=batch, max_batch=4, **kwargs)
    assert got == expected  # same accounts, bit-identical scores and contributions, same order
    assert len(asked) == len(set(asked))


def test_the_bound_holds_whatever_behaviour_turns_out() -> None:
    w = DEFAULT_WEIGHTS
    known = {"handle": 0.9, "timing": 0.0}
    bound = score_bound(known, w, ["vocabulary", "rhythm"])
    assert bound == pytest.approx((3 * 0.9 + 0 + 2 + 1) / (3 + 1 + 2 + 1))
    everything = score_bound(known, w, list(BEHAVIOUR))
    assert everything == pytest.approx((3 * 0.9 + 2 + 1 + 2 + 2) / (3 + 1 + 2 + 1 + 2 + 2))
    # A candidate with nothing known yet may still reach 1; with nothing possible, no score.
    assert score_bound({}, w, ["rhythm"]) == 1.0
    assert score_bound({}, w, []) is None
    # Absent behaviour can raise a mean as well as present: the bound takes the higher.
    assert score_bound({"handle": 1.0}, w, ["rhythm"]) == 1.0


def test_negative_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        rank_successors_pruned(
            AccountProfile("s", hours=[1] * 24), [], lambda ids: {}, weights={"rhythm": -1.0}
        )


# ------------------------------------------------------------------------------ store

NOISE = 240
NAMESAKES = 30
# Iraqis post mostly in the evening (UTC+3): hours in UTC.
EVENING = [9, 12, 15, 16, 17, 17, 18, 18, 18, 19, 19, 20]


@pytest.fixture
def crowded(engine, tmp_path):  # type: ignore[no-untyped-def]
    """The banned account, its successor, namesakes and many ordinary accounts.

    As in a real store, common names recur: a few dozen accounts are called
    something like the banned one; most are called anything else.
    """
    rng = random.Random(7)
    start = datetime(2026, 9, 1, 18, tzinfo=UTC)
    first = ["hussein", "zainab", "mustafa", "noor", "haider", "sara", "omar", "karrar", "ahmed"]
    last = ["baghdadi", "najafi", "mosuli", "kurdi", "hilli", "karbalai", "tamimi", "jabouri"]
    first_ar = ["حسين", "زينب", "مصطفى", "نور", "حيدر", "سارة", "عمر", "كرار", "أحمد"]
    last_ar = ["البغدادي", "النجفي", "الموصلي", "الكردي", "الحلي", "الكربلائي", "التميمي"]
    tags = ["#العراق", "#بغداد", "#البصرة_تنتفض", "#الماء", "#انتخابات", "#الكهرباء"]
    rows = banned_and_successor(start)
    for n in range(NOISE):
        if n < NAMESAKES:
            handle = rng.choice([f"ali_{rng.choice(last)}", f"{rng.choice(first)}_basri"])
            name = rng.choice(["علي ", "البصري "]) + rng.choice(first_ar + last_ar)
        elif n % 4 == 0:
            handle = f"{rng.choice(first)}_{rng.choice(last)}"
            name = f"{rng.choice(first_ar)} {rng.choice(last_ar)}"
        else:
            handle = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(5, 12)))
            name = rng.choice(["News", "Iraq today", "Baghdad Post", "شبكة أخبار", "Rudaw"])
        handle += str(n)
        for k in range(rng.randint(3, 8)):
            rows.append(
                {
                    "id": f"n{n}_{k}",
                    "author": handle,
                    "author_name": name,
                    "text": f"{' '.join(rng.sample(tags, 2))} خبر {k}",
                    "created_at": (
                        start.replace(hour=rng.choice(EVENING))
                        + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 59))
                    ).isoformat(),
                }
            )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=MAPPING)
    return len(rows)


@pytest.fixture
def posts_read(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """Rows read from the posts and whose they were; fails on a query over every post."""
    seen: dict[str, int] = Counter()

    def counted(real):  # type: ignore[no-untyped-def]
        def wrapper(**kwargs):  # type: ignore[no-untyped-def]
            for row in real(**kwargs):
                seen[row["account_id"]] += 1
                yield row

        return wrapper

    for name in ("iter_share_rows", "iter_share_rows_of"):
        monkeypatch.setattr(posts_reader, name, counted(getattr(posts_reader, name)))

    def check(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        flat = " ".join(statement.split())
        if " FROM posts" in flat and "posts_fts" not in flat:
            # by account, or (co-sharers) the posts within seconds of given ones
            assert (
                "posts.account_id =" in flat
                or "posts.account_id IN" in flat
                or "posts.created_at BETWEEN" in flat
            ), flat

    event.listen(engine, "before_cursor_execute", check)
    yield seen
    event.remove(engine, "before_cursor_execute", check)


def test_store_ranking_reads_few_accounts_posts(crowded, sessions, posts_read) -> None:
    with session_scope(sessions) as session:
        ranked = lineage.propose_successors(session, suspended="other:ali_basri")
    assert ranked[0]["account_id"] == "other:ali_basri2"
    assert len(ranked) == 10
    # The suspended account's posts, then only candidates that could reach the top ten.
    assert posts_read["other:ali_basri"] == 12
    assert len(posts_read) < NOISE / 3, len(posts_read)
    assert sum(posts_read.values()) < crowded / 3


def test_store_ranking_is_the_full_ranking(crowded, sessions) -> None:
    with session_scope(sessions) as session:
        ranked = lineage.propose_successors(session, suspended="other:ali_basri")
        everything = lineage.store_profiles(session)
    pool = [p for a, p in everything.items() if a != "other:ali_basri"]
    full = rank_successors(everything["other:ali_basri"], pool, limit=10)
    assert [c["account_id"] for c in ranked] == [c.account_id for c in full]
    assert [c["score"] for c in ranked] == [round(c.score, 4) for c in full]


def test_store_api_and_page_read_few_accounts_posts(crowded, admin_client, posts_read) -> None:
    ranked = admin_client.post(
        "/api/v1/coordination/successors", json={"suspended": "other:ali_basri", "limit": 3}
    ).json()
    assert ranked["candidates"][0]["account_id"] == "other:ali_basri2"
    assert len(ranked["candidates"]) == 3
    assert len(posts_read) < NOISE / 4, len(posts_read)
    posts_read.clear()
    page = admin_client.get("/staff/coordination/successors?suspended=other:ali_basri&lang=en")
    assert page.status_code == 200 and "other:ali_basri2" in page.text
    assert len(posts_read) < NOISE / 3, len(posts_read)
