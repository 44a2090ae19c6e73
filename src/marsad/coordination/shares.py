"""Co-sharing of the same post (retweets, forwards): CooRTweet's model, reimplemented.

:func:`coortweet_pairs` reproduces what CooRTweet's ``detect_groups`` keeps, and
:func:`coortweet_edges` the edge list of ``generate_coordinated_network`` built
from it (default arguments: every edge, weight = number of share pairs). The
semantics, established from CooRTweet's documentation and its upstream test:

1. **Pre-filter**: an account takes part only if it has at least
   ``min_participation`` rows (shares, not distinct objects) in the input.
2. **Pairs**: every two rows of the same ``object_id`` whose times differ by at
   most ``time_window`` seconds (inclusive: ``|Δt| <= time_window``); each
   unordered pair of rows once.
3. **Loops** (``remove_loops``): drop a pair when both rows are by the same
   account, when both rows carry the same ``content_id``, or when either
   row's ``content_id`` equals the ``object_id`` (the original post itself).
4. **Participation**: among the pre-filtered rows whose ``content_id`` appears in
   a surviving pair, count rows per account; accounts with at least
   ``min_participation`` qualify. A pair survives if *either* of its two
   ``content_id`` values belongs to a qualifying account (ids compared by
   value, so a repeated ``content_id`` counts wherever it appears).
5. **Network**: one undirected edge per account pair in the surviving pairs,
   weighted by the number of pairs (self-loops only when ``remove_loops`` is off).

For Marsad's own scoring of shares (surprise rather than raw counts) the service
runs :func:`marsad.coordination.coaction.co_action_edges` on ``object_id``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marsad.coordination.coaction import window_pairs
from marsad.coordination.table import PostTable, factorize

__all__ = [
    "SharePairs",
    "coortweet_candidates",
    "coortweet_edges",
    "coortweet_pairs",
    "coortweet_pairs_arrays",
    "coortweet_participation",
    "share_objects",
]


def share_objects(table: PostTable) -> tuple[np.ndarray, np.ndarray]:
    """Object codes (-1 when a row re-shares nothing) and the object ids, from ``object_id``."""
    if table.object_id is None:
        return np.full(len(table), -1, dtype=np.int32), np.empty(0, dtype=object)
    return factorize(table.object_id)


@dataclass(frozen=True, slots=True, eq=False)
class SharePairs:
    """Row pairs kept by the CooRTweet model: ``older``/``newer`` row indices and ``time_delta``."""

    older: np.ndarray
    newer: np.ndarray
    time_delta: np.ndarray


def coortweet_pairs(
    table: PostTable,
    *,
    time_window: int = 10,
    min_participation: int = 2,
    remove_loops: bool = True,
) -> SharePairs:
    """Co-shares as CooRTweet's ``detect_groups`` finds them (see the module docstring)."""
    if table.object_id is None:
        raise ValueError("the table has no object_id column")
    n = len(table)
    # One vocabulary for object and content ids, so "content_id == object_id" is a code test.
    ids, _ = factorize(np.concatenate([table.object_id, table.post_id]))
    return coortweet_pairs_arrays(
        account=table.account,
        obj=ids[:n],
        content=ids[n:],
        t=table.time,
        time_window=time_window,
        min_participation=min_participation,
        remove_loops=remove_loops,
    )


def coortweet_pairs_arrays(
    *,
    account: np.ndarray,
    obj: np.ndarray,
    content: np.ndarray,
    t: np.ndarray,
    time_window: int,
    min_participation: int,
    remove_loops: bool,
) -> SharePairs:
    """:func:`coortweet_pairs` on bare arrays (object/content codes share one vocabulary).

    Rows with a negative object code take no part in pairs but still count in
    the pre-filter, as rows without an object would in CooRTweet.
    """
    i, j = coortweet_candidates(
        account=account,
        obj=obj,
        content=content,
        t=t,
        time_window=time_window,
        min_participation=min_participation,
        remove_loops=remove_loops,
    )
    return coortweet_participation(
        account=account,
        obj=obj,
        content=content,
        t=t,
        older=i,
        newer=j,
        min_participation=min_participation,
    )


def coortweet_candidates(
    *,
    account: np.ndarray,
    obj: np.ndarray,
    content: np.ndarray,
    t: np.ndarray,
    time_window: int,
    min_participation: int,
    remove_loops: bool,
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 1-3 (pre-filter, pairs, loops): row pairs ``(older, newer)``.

    Each pair lies within one object, so the pairs of disjoint sets of objects
    (``only``: a mask of the rows whose object to pair) together are the pairs
    of all of them; the pre-filter still counts every row.
    """
    account = np.asarray(account, dtype=np.int64)
    obj = np.asarray(obj, dtype=np.int64)
    content = np.asarray(content, dtype=np.int64)
    n_accounts = int(account.max()) + 1 if account.size else 0
    per_account = np.bincount(account, minlength=n_accounts)
    eligible = per_account[account] >= min_participation
    if only is not None:
        eligible = eligible & only
    i, j = window_pairs(
        np.where(eligible, obj, -1), np.asarray(t, dtype=np.int64), window=time_window
    )
    if remove_loops:
        keep = (
            (account[i] != account[j])
            & (content[i] != content[j])
            & (obj[i] != content[i])
            & (obj[i] != content[j])
        )
        i, j = i[keep], j[keep]
    return i, j


def coortweet_participation(
    *,
    account: np.ndarray,
    obj: np.ndarray,
    content: np.ndarray,
    t: np.ndarray,
    older: np.ndarray,
    newer: np.ndarray,
    min_participation: int,
) -> SharePairs:
    """Step 4 over every candidate pair at once (it counts across objects)."""
    account = np.asarray(account, dtype=np.int64)
    obj = np.asarray(obj, dtype=np.int64)
    content = np.asarray(content, dtype=np.int64)
    t = np.asarray(t, dtype=np.int64)
    i, j = np.asarray(older, dtype=np.int64), np.asarray(newer, dtype=np.int64)
    n_accounts = int(account.max()) + 1 if account.size else 0
    per_account = np.bincount(account, minlength=n_accounts)
    eligible = per_account[account] >= min_participation
    if min_participation >= 1 and i.size:
        size = int(max(content.max(), obj.max())) + 1
        in_result = np.zeros(size, dtype=bool)
        in_result[content[i]] = True
        in_result[content[j]] = True
        rows = np.flatnonzero(eligible & in_result[content])
        counts = np.bincount(account[rows], minlength=n_accounts)
        qualified_rows = rows[counts[account[rows]] >= min_participation]
        qualified_content = np.zeros_like(in_result)
        qualified_content[content[qualified_rows]] = True
        keep = qualified_content[content[i]] | qualified_content[content[j]]
        i, j = i[keep], j[keep]

    return SharePairs(older=i, newer=j, time_delta=t[j] - t[i])


def coortweet_edges(table: PostTable, pairs: SharePairs) -> dict[tuple[str, str], int]:
    """The coordinated network as ``{(account, account): weight}`` (ids sorted within a pair)."""
    a = table.accounts[table.account[pairs.older]]
    b = table.accounts[table.account[pairs.newer]]
    edges: dict[tuple[str, str], int] = {}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        key = (x, y) if x <= y else (y, x)
        edges[key] = edges.get(key, 0) + 1
    return edges
