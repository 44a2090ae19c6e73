"""CooRTweet equivalence on its own anonymised sample, against a slow obvious reference."""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.coordination.io import read_table
from marsad.coordination.shares import coortweet_edges, coortweet_pairs
from marsad.coordination.table import PostTable

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SAMPLE = SHARED / "formats" / "cib_coordination" / "cooRTweet_russian_coord_tweets.csv"
SELF_COORDINATED = "9fa51ef17278c01d13d313741eddfc0b"


def reference_edges(
    rows: list[dict[str, str]], *, window: int, min_participation: int, remove_loops: bool
) -> Counter[tuple[str, str]]:
    """CooRTweet's detect_groups + generate_coordinated_network, written the slow, plain way."""
    per_account = Counter(r["account_id"] for r in rows)
    kept = [r for r in rows if per_account[r["account_id"]] >= min_participation]
    by_object: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in kept:
        by_object[r["object_id"]].append(r)
    pairs = []
    for obj, group in by_object.items():
        for x, y in itertools.combinations(group, 2):
            if abs(int(x["timestamp"]) - int(y["timestamp"])) > window:
                continue
            if remove_loops and (
                x["account_id"] == y["account_id"]
                or x["post_id"] == y["post_id"]
                or obj in (x["post_id"], y["post_id"])
            ):
                continue
            pairs.append((x, y))
    if min_participation >= 1 and pairs:
        in_result = {r["post_id"] for pair in pairs for r in pair}
        counts = Counter(r["account_id"] for r in kept if r["post_id"] in in_result)
        qualified = {
            r["post_id"]
            for r in kept
            if r["post_id"] in in_result and counts[r["account_id"]] >= min_participation
        }
        pairs = [(x, y) for x, y in pairs if x["post_id"] in qualified or y["post_id"] in qualified]
    edges: Counter[tuple[str, str]] = Counter()
    for x, y in pairs:
        a, b = sorted((x["account_id"], y["account_id"]))
        edges[(a, b)] += 1
    return edges


def _sample_rows() -> list[dict[str, str]]:
    if not SAMPLE.exists():
        pytest.skip("needs ../shared/formats/cib_coordination (the shared data folder is absent)")
    with SAMPLE.open(newline="") as handle:
        return [
            {
                "object_id": r["object_id"],
                "account_id": r["account_id"],
                "post_id": r["content_id"],
                "timestamp": r["timestamp_share"],
            }
            for r in csv.DictReader(handle)
        ]


@pytest.mark.parametrize("remove_loops", [True, False])
def test_edges_equal_coortweet_reference_on_russian_sample(remove_loops: bool) -> None:
    rows = _sample_rows()
    table = read_table(SAMPLE)
    fast = coortweet_edges(
        table,
        coortweet_pairs(table, time_window=10, min_participation=5, remove_loops=remove_loops),
    )
    slow = reference_edges(rows, window=10, min_participation=5, remove_loops=remove_loops)
    assert fast == dict(slow)
    assert len(fast) > 0


GOLDEN = Path(__file__).resolve().parent / "data"


def _golden(name: str) -> dict[tuple[str, str], int]:
    """An edge list written by CooRTweet itself (see data/README.md), keyed as ours."""
    edges: dict[tuple[str, str], int] = {}
    with (GOLDEN / name).open(newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = sorted((row["from"], row["to"]))
            assert (a, b) not in edges
            edges[(a, b)] = int(row["weight"])
    return edges


@pytest.mark.parametrize(
    ("remove_loops", "golden", "n_edges"),
    [
        (True, "coortweet_edges_loops_removed.csv", 20),
        (False, "coortweet_edges_loops_kept.csv", 27),
    ],
)
def test_edges_equal_coortweets_own_output_on_its_sample(
    remove_loops: bool, golden: str, n_edges: int
) -> None:
    """Ground truth: CooRTweet's detect_groups + generate_coordinated_network, run in R."""
    _sample_rows()
    table = read_table(SAMPLE)
    ours = coortweet_edges(
        table,
        coortweet_pairs(table, time_window=10, min_participation=5, remove_loops=remove_loops),
    )
    theirs = _golden(golden)
    assert len(theirs) == n_edges
    assert ours == theirs


def test_self_coordinated_account_only_appears_when_loops_are_kept() -> None:
    """CooRTweet's upstream test: the account shows only with remove_loops=FALSE."""
    _sample_rows()
    table = read_table(SAMPLE)
    with_loops = coortweet_edges(
        table, coortweet_pairs(table, time_window=10, min_participation=5, remove_loops=False)
    )
    without = coortweet_edges(
        table, coortweet_pairs(table, time_window=10, min_participation=5, remove_loops=True)
    )
    assert any(SELF_COORDINATED in pair for pair in with_loops)
    assert not any(SELF_COORDINATED in pair for pair in without)


def test_window_is_inclusive() -> None:
    rows = [
        {"account_id": "a", "post_id": "1", "object_id": "o", "timestamp": 100},
        {"account_id": "b", "post_id": "2", "object_id": "o", "timestamp": 110},
        {"account_id": "c", "post_id": "3", "object_id": "o", "timestamp": 121},
    ]
    table = PostTable.from_rows(rows)
    edges = coortweet_edges(table, coortweet_pairs(table, time_window=10, min_participation=1))
    assert edges == {("a", "b"): 1}


row_strategy = st.lists(
    st.tuples(
        st.sampled_from("abcdef"),
        st.sampled_from(["o1", "o2", "o3", "1"]),
        st.integers(0, 40),
    ),
    min_size=2,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(row_strategy, st.integers(0, 12), st.integers(0, 4), st.booleans())
def test_fast_matches_reference_on_random_inputs(
    raw: list[tuple[str, str, int]], window: int, min_participation: int, remove_loops: bool
) -> None:
    rows = [
        {"account_id": a, "object_id": o, "timestamp": str(t), "post_id": str(n)}
        for n, (a, o, t) in enumerate(raw)
    ]
    table = PostTable.from_rows(rows)
    fast = coortweet_edges(
        table,
        coortweet_pairs(
            table,
            time_window=window,
            min_participation=min_participation,
            remove_loops=remove_loops,
        ),
    )
    slow = reference_edges(
        rows, window=window, min_participation=min_participation, remove_loops=remove_loops
    )
    assert fast == dict(slow)


def test_window_pairs_never_misses_a_pair() -> None:
    from marsad.coordination.coaction import window_pairs

    rng = np.random.default_rng(3)
    obj = rng.integers(-1, 5, size=300)
    t = rng.integers(0, 200, size=300)
    i, j = window_pairs(obj, t, window=7)
    got = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist(), strict=True)}
    want = {
        (x, y)
        for x in range(300)
        for y in range(x + 1, 300)
        if obj[x] >= 0 and obj[x] == obj[y] and abs(int(t[x]) - int(t[y])) <= 7
    }
    assert got == want
    assert len(i) == len(got)
