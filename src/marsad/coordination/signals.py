"""Per-account signals computed from posts, vectorised over the whole table.

They describe *how* an account posts, for the analyst weighing a cluster and
for :mod:`marsad.coordination.recreated_accounts`:

``posts``           number of posts.
``active_days``     days between first and last post (at least 1/24).
``posts_per_day``   ``posts / active_days``.
``hour_entropy``    Shannon entropy (bits, 0–4.58) of the UTC posting hour: a
                    schedule-driven account posts at few hours (low entropy).
``median_gap``      median seconds between consecutive posts.
``share_ratio``     fraction of posts that re-share another post.
``copy_paste``      fraction of posts whose text is a near-duplicate of a post by
                    *another* account (same near-duplicate cluster as in the
                    ``text`` method: MinHash on word bigrams, texts of 4 words or
                    more); NaN when the table has no text.

Co-sharers (:func:`co_sharers`, for successor ranking): the accounts that
re-shared the same object or posted the same link within ``COACTION_WINDOW``
seconds of one of the account's posts. A post with more than ``CROWD`` such
posts by others around it is a viral moment, not a circle, and adds no one.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

import numpy as np

from marsad.coordination.link_sharing import canonical_url
from marsad.coordination.near_duplicates import text_actions
from marsad.coordination.recreated_accounts import AccountProfile, style_grams
from marsad.coordination.table import PostTable

__all__ = [
    "COACTION_WINDOW",
    "CROWD",
    "account_signals",
    "action_keys",
    "behaviour_profiles",
    "co_sharers",
    "coactions",
    "copy_paste_share",
]

COACTION_WINDOW = 60
CROWD = 100
Action = tuple[str, str, int, str]  # post id, "o:object" or "u:link", time, account


def account_signals(table: PostTable, *, copy_paste: bool = True) -> dict[str, np.ndarray]:
    """Signals per account code (arrays of length ``table.n_accounts``).

    ``copy_paste=False`` leaves that signal out: it compares each account with
    the others, so on one account's posts alone it means nothing.
    """
    n = table.n_accounts
    acc = table.account.astype(np.int64)
    t = table.time
    posts = np.bincount(acc, minlength=n)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, acc, t)
    np.maximum.at(last, acc, t)
    days = np.maximum((last - first) / 86_400, 1 / 24)
    hours = (t // 3600) % 24
    hist = np.zeros((n, 24))
    np.add.at(hist, (acc, hours), 1)
    p = hist / np.maximum(hist.sum(1, keepdims=True), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # + 0.0 turns the -0.0 of an account that posts at one hour only into 0.0
        # (it showed as "-0.00" on the account page).
        entropy = -np.nansum(np.where(p > 0, p * np.log2(p), 0.0), axis=1) + 0.0
    order = np.lexsort((t, acc))
    gaps = np.diff(t[order]).astype(np.float64)
    same = acc[order][1:] == acc[order][:-1]
    median_gap = np.full(n, np.nan)
    ga, gv = acc[order][1:][same], gaps[same]
    if ga.size:
        o = np.lexsort((gv, ga))
        ga, gv = ga[o], gv[o]
        starts = np.searchsorted(ga, np.arange(n), side="left")
        ends = np.searchsorted(ga, np.arange(n), side="right")
        has = ends > starts
        mid_lo = (starts + (ends - starts - 1) // 2)[has]
        mid_hi = (starts + (ends - starts) // 2)[has]
        median_gap[has] = (gv[mid_lo] + gv[mid_hi]) / 2
    shared = (
        np.bincount(acc, weights=np.asarray([o is not None for o in table.object_id]), minlength=n)
        if table.object_id is not None
        else np.zeros(n)
    )
    out = {
        "posts": posts,
        "active_days": days,
        "posts_per_day": posts / days,
        "hour_entropy": entropy,
        "median_gap": median_gap,
        "share_ratio": shared / np.maximum(posts, 1),
    }
    if copy_paste:
        out["copy_paste"] = copy_paste_share(table)
    return out


def copy_paste_share(
    table: PostTable, actions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    """Per account code, the fraction of its posts that near-duplicate another account's post.

    ``actions`` are the table's ``text_actions`` when the caller has them already
    (a coordination run does), so the texts are not clustered twice.
    """
    n = table.n_accounts
    if table.text is None:
        return np.full(n, np.nan)
    rows, codes, _ = actions if actions is not None else text_actions(table)
    posts = np.bincount(table.account.astype(np.int64), minlength=n)
    if rows.size == 0:
        return np.zeros(n)
    acc = table.account[rows].astype(np.int64)
    cluster_account = np.unique(np.stack([codes, acc]), axis=1)
    accounts_in = np.bincount(cluster_account[0], minlength=int(codes.max()) + 1)
    copied = np.bincount(acc[accounts_in[codes] >= 2], minlength=n)
    return copied / np.maximum(posts, 1)


def action_keys(object_id: object, urls: object) -> list[str]:
    """A post's co-action keys: ``o:`` its re-shared object, ``u:`` each of its links in
    the comparison form the ``links`` method uses (:func:`canonical_url`)."""
    keys = [] if object_id is None else ["o:" + str(object_id)]
    if urls:
        found = (canonical_url(u) for u in str(urls).split())
        keys.extend("u:" + u for u in dict.fromkeys(found) if u)
    return keys


def coactions(table: PostTable) -> list[Action]:
    """The posts' re-shared objects and links, one action per post and object or link."""
    out: list[Action] = []
    names = table.accounts
    for r, code in enumerate(table.account.tolist()):
        keys = action_keys(
            table.object_id[r] if table.object_id is not None else None,
            table.url[r] if table.url is not None else None,
        )
        for key in keys:
            out.append((str(table.post_id[r]), key, int(table.time[r]), str(names[code])))
    return out


def co_sharers(
    actions: Iterable[Action],
    accounts: Collection[str] | None = None,
    *,
    window: int = COACTION_WINDOW,
    crowd: int = CROWD,
) -> dict[str, frozenset[str]]:
    """Who co-acted with each of ``accounts`` (default: every account) — see the module doc.

    ``actions`` must hold every action within ``window`` seconds of the accounts'
    own; one repeated (same post and key) counts once.
    """
    groups: dict[str, dict[tuple[str, int, str], None]] = defaultdict(dict)
    for post, key, ts, account in actions:
        groups[key][(post, ts, account)] = None
    out: dict[str, set[str]] = defaultdict(set)
    for acts in groups.values():
        if len(acts) < 2:
            continue
        ordered = sorted((ts, account) for _post, ts, account in acts)
        times = [ts for ts, _ in ordered]
        for ts, account in ordered:
            if accounts is not None and account not in accounts:
                continue
            lo, hi = bisect_left(times, ts - window), bisect_right(times, ts + window)
            if hi - lo - 1 > crowd:
                continue
            out[account].update(a for _, a in ordered[lo:hi] if a != account)
    return {a: frozenset(peers) for a, peers in out.items() if peers}


def behaviour_profiles(table: PostTable, *, cosharers: bool = True) -> dict[str, AccountProfile]:
    """One :class:`AccountProfile` per account: vocabulary, hours, last post time, style.

    With ``cosharers`` (the default) each also gets the accounts it co-acted with
    in this table; a table of some accounts' posts only leaves that to the caller.
    """
    profiles = {str(a): AccountProfile(account_id=str(a)) for a in table.accounts.tolist()}
    names = table.accounts
    texts: dict[str, list[str | None]] = defaultdict(list)
    for r, code in enumerate(table.account.tolist()):
        prof = profiles[str(names[code])]
        ts = int(table.time[r])
        prof.hours[(ts // 3600) % 24] += 1
        if prof.last_post_at is None or ts > prof.last_post_at:
            prof.last_post_at = ts
        vocab: Counter[str] = prof.vocabulary
        if table.hashtags is not None:
            vocab.update("#" + h.lower() for h in table.hashtags[r])
        if table.url is not None and table.url[r]:
            for u in str(table.url[r]).split():
                host = urlsplit(u if "://" in u else "http://" + u).hostname
                if host:
                    vocab["domain:" + host.removeprefix("www.")] += 1
        if table.text is not None and table.text[r]:
            vocab.update(w.lower() for w in str(table.text[r]).split() if w.startswith("@"))
            texts[prof.account_id].append(str(table.text[r]))
    for account, written in texts.items():
        profiles[account].style = style_grams(written)
    if cosharers:
        for account, peers in co_sharers(coactions(table)).items():
            profiles[account].cosharers = peers
    return profiles
