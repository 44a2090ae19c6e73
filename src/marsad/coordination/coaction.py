"""The engine under every co-action detector: who did the same thing at the same time.

Every method reduces posts to *actions* ``(account, object, time)``: the object is
a shared URL (links), a near-duplicate text cluster (text), a hashtag (hashtags)
or a re-shared post (shares). Two actions *co-occur* when they have the same
object and their times differ by at most ``window`` seconds (inclusive).

Finding co-occurrences never compares all pairs: actions are sorted by
``(object, time)`` and swept with growing offsets ``k = 1, 2, …``; row ``r`` and
``r + k`` co-occur while they share the object and ``t[r+k] - t[r] <= window``,
and since times are sorted, a row that fails at offset ``k`` fails at every
larger one, so it leaves the sweep. The work is proportional to the number of
co-occurring pairs plus the number of actions.

Scoring (why organic virality is not coordination)
--------------------------------------------------
For an account pair ``(a, b)`` the *observed* count ``k_ab`` is the number of
distinct objects they both acted on within the window. Its *expected* value if
accounts acted independently is estimated from how crowded each action was:

* the *crowd* ``c_s`` of an action ``s`` is the number of other actions on the same
  object within ±window of it (a viral burst has a large crowd);
* ``C_a = Σ_{s of a} c_s`` is account ``a``'s crowd exposure, ``n_a`` its number of
  actions and ``S`` the total number of actions;
* if the ``c_s`` neighbours of each action of ``a`` were drawn from all actions at
  random, ``b`` would own ``c_s · n_b / S`` of them, so
  ``E_ab = max(C_a · n_b, C_b · n_a) / S`` (the larger of the two symmetric
  estimates, which errs towards calling a pair organic);
* ``S`` and ``n`` count every action, including those on objects nobody else
  touched: leaving them out makes accounts whose actions all meet others (a
  campaign) look like most of the activity, which inflates their own ``E``;
* with ``stratum`` (one per method), ``E_ab`` is the sum of one such term per
  stratum, each from that stratum's own counts.

The *surprise* of a pair is ``-log10 P(X >= k_ab)`` for ``X ~ Poisson(E_ab)``.
Repeated co-action on rare objects (small crowds, small ``E``) is very surprising;
heavy users who share everything, and coincidences inside viral bursts, have a
large ``E`` and are not. A pair is *coordinated* when ``k_ab >= min_repeat`` and
its surprise reaches ``log10(M)``, where ``M`` is the number of candidate
pairs: a Bonferroni bound at which about one pair in the whole run is expected
to pass by chance (and fewer in practice, because ``E_ab`` errs high), unless a
fixed threshold is given. Groups are then formed from these edges, and a chance
edge rarely joins a group: on generated data with planted groups this kept
pairwise precision at 1.0 while letting weakly active members in.

Actions whose crowd exceeds ``max_crowd`` (default 1,000) are treated as organic
virality and left out of both counts, which also bounds the work on bursts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc, gammaln

__all__ = [
    "CoCounts",
    "CoEdges",
    "add_co_counts",
    "co_action_counts",
    "co_action_edges",
    "crowd_sizes",
    "score_co_counts",
    "surprise",
    "window_pairs",
]

log = logging.getLogger(__name__)
_LN10 = np.log(10.0)


def _sorted_keys(obj: np.ndarray, t: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Order rows by (object, time) and give each a key that is monotone in that order."""
    order = np.lexsort((t, obj))
    t0 = t.min() if t.size else 0
    span = int(t.max() - t0) + 2 * int(window) + 1 if t.size else 1
    key = obj[order].astype(np.int64) * span + (t[order] - t0)
    return order, key


def crowd_sizes(obj: np.ndarray, t: np.ndarray, *, window: int) -> np.ndarray:
    """For each action, how many other actions on its object lie within ±window seconds."""
    if obj.size == 0:
        return np.zeros(0, dtype=np.int64)
    order, key = _sorted_keys(obj, t, window)
    lo = np.searchsorted(key, key - window, side="left")
    hi = np.searchsorted(key, key + window, side="right")
    crowd = np.empty(obj.size, dtype=np.int64)
    crowd[order] = hi - lo - 1
    return crowd


def window_pairs(obj: np.ndarray, t: np.ndarray, *, window: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs of rows ``(i, j)`` with ``obj[i] == obj[j]`` and ``|t[i] - t[j]| <= window``.

    Each unordered pair appears once, with ``t[i] <= t[j]``. Rows with a negative
    object code take no part.
    """
    rows = np.flatnonzero(obj >= 0)
    if rows.size < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    o, tt = obj[rows], t[rows]
    order = np.lexsort((tt, o))
    o, tt, rows = o[order], tt[order], rows[order]
    n = rows.size
    firsts: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    active = np.arange(n - 1)
    k = 1
    while active.size:
        nxt = active + k
        inside = nxt < n
        active, nxt = active[inside], nxt[inside]
        keep = (o[nxt] == o[active]) & (tt[nxt] - tt[active] <= window)
        active, nxt = active[keep], nxt[keep]
        if active.size:
            firsts.append(rows[active])
            seconds.append(rows[nxt])
        k += 1
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def surprise(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``-log10 P(X >= observed)`` for ``X ~ Poisson(expected)``, stable for tiny tails."""
    k = np.asarray(observed, dtype=np.float64)
    lam = np.maximum(np.asarray(expected, dtype=np.float64), 1e-300)
    tail = gammainc(np.maximum(k, 1e-12), lam)  # P(X >= k) for k >= 1
    with np.errstate(divide="ignore"):
        log_tail = np.where(tail > 1e-280, np.log(np.maximum(tail, 1e-300)), 0.0)
    # Below ~1e-280 the regularised gamma underflows; the first term of the tail
    # (the Poisson mass at k) is then an excellent lower bound on it.
    log_pmf = k * np.log(lam) - lam - gammaln(k + 1)
    log_tail = np.where(tail > 1e-280, log_tail, log_pmf)
    return np.where(k <= 0, 0.0, -log_tail / _LN10)


@dataclass(frozen=True, slots=True, eq=False)
class CoEdges:
    """Account pairs that co-acted, one entry per pair (``a < b`` as account codes).

    ``objects`` counts distinct co-acted objects (``k_ab``), ``pairs`` the
    co-occurring action pairs (CooRTweet's edge weight), ``expected`` is
    ``E_ab`` and ``surprise`` the Poisson surprise; ``significant`` marks the
    pairs that pass ``min_repeat`` and the surprise threshold.
    """

    a: np.ndarray
    b: np.ndarray
    objects: np.ndarray
    pairs: np.ndarray
    expected: np.ndarray
    surprise: np.ndarray
    significant: np.ndarray
    threshold: float
    pair_obj_key: np.ndarray
    pair_obj: np.ndarray
    width: int

    def __len__(self) -> int:
        return int(self.a.shape[0])

    def objects_of(self, keep: np.ndarray, *, limit: int = 20) -> list[np.ndarray]:
        """For the edges selected by ``keep`` (mask or indices), the objects tying each pair."""
        wanted = self.a[keep].astype(np.int64) * self.width + self.b[keep]
        lo = np.searchsorted(self.pair_obj_key, wanted, side="left")
        hi = np.searchsorted(self.pair_obj_key, wanted, side="right")
        return [self.pair_obj[s : min(e, s + limit)] for s, e in zip(lo, hi, strict=True)]


@dataclass(frozen=True, slots=True, eq=False)
class CoCounts:
    """The additive part of co-action scoring, before any threshold.

    Every field is a sum over objects (crowds never cross objects), so counts made
    on disjoint sets of objects add up to the counts of their union
    (:func:`add_co_counts`): a run may count its objects in shards and score once.

    ``pair_key``/``pair_obj``/``pair_n``: one entry per (account pair, object) the
    pair co-acted on, with its number of co-occurring action pairs; the key is
    ``a * width + b`` with ``a < b``. ``n_actions``/``exposure``: per stratum, each
    account's number of actions and its summed crowd (integers).
    """

    width: int
    pair_key: np.ndarray
    pair_obj: np.ndarray
    pair_n: np.ndarray
    n_actions: dict[int, np.ndarray]
    exposure: dict[int, np.ndarray]


def co_action_counts(
    account: np.ndarray,
    obj: np.ndarray,
    t: np.ndarray,
    *,
    window: int,
    width: int,
    max_crowd: int | None = 1000,
    stratum: np.ndarray | None = None,
) -> CoCounts:
    """Count co-actions per account pair and object, and each account's crowd exposure.

    ``width`` is one more than the largest account code (the same for every part of
    a run, so keys of several parts agree). See :func:`co_action_edges`.
    """
    account = np.asarray(account, dtype=np.int64)
    obj = np.asarray(obj, dtype=np.int64)
    t = np.asarray(t, dtype=np.int64)
    # One action per (account, object, time): a repeated identical action adds nothing.
    valid = obj >= 0
    strat = (
        np.zeros(obj.size, dtype=np.int64)
        if stratum is None
        else np.asarray(stratum, dtype=np.int64)
    )
    account, obj, t, strat = account[valid], obj[valid], t[valid], strat[valid]
    if account.size:
        # Object codes are disjoint across strata, so the stratum follows the object.
        stacked = np.unique(np.stack([account, obj, t, strat]), axis=1)
        account, obj, t, strat = stacked[0], stacked[1], stacked[2], stacked[3]
    crowd = crowd_sizes(obj, t, window=window)
    if max_crowd is not None:
        calm = crowd <= max_crowd
        dropped = int((~calm).sum())
        if dropped:
            log.info("ignoring %d viral actions (crowd > %d)", dropped, max_crowd)
        account, obj, t, crowd = account[calm], obj[calm], t[calm], crowd[calm]
        strat = strat[calm]
    i, j = window_pairs(obj, t, window=window)
    ai, aj = account[i], account[j]
    distinct = ai != aj
    ai, aj, po = ai[distinct], aj[distinct], obj[i][distinct]
    lo, hi = np.minimum(ai, aj), np.maximum(ai, aj)
    key = lo * np.int64(width) + hi
    pair_key, pair_obj, pair_n = _count_pair_objects(key, po, np.ones(key.size, dtype=np.int64))
    n_actions: dict[int, np.ndarray] = {}
    exposure: dict[int, np.ndarray] = {}
    for g in np.unique(strat).tolist():
        mine = strat == g
        n_actions[g] = np.bincount(account[mine], minlength=width).astype(np.int64)
        exposure[g] = np.bincount(account[mine], weights=crowd[mine], minlength=width).astype(
            np.int64
        )
    return CoCounts(width, pair_key, pair_obj, pair_n, n_actions, exposure)


def _count_pair_objects(
    key: np.ndarray, po: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries ``(key, object, n)`` summed per distinct (key, object), sorted by both."""
    if key.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort((po, key))
    key, po, n = key[order], po[order], n[order]
    new = np.ones(key.size, dtype=bool)
    new[1:] = (key[1:] != key[:-1]) | (po[1:] != po[:-1])
    start = np.flatnonzero(new)
    return key[start], po[start], np.add.reduceat(n, start)


def add_co_counts(parts: list[CoCounts]) -> CoCounts:
    """The counts of the union of the parts' objects (the parts' objects must be disjoint)."""
    if not parts:
        raise ValueError("nothing to add")
    width = parts[0].width
    if any(p.width != width for p in parts):
        raise ValueError("the parts count different accounts")
    key, po, n = _count_pair_objects(
        np.concatenate([p.pair_key for p in parts]),
        np.concatenate([p.pair_obj for p in parts]),
        np.concatenate([p.pair_n for p in parts]),
    )
    n_actions: dict[int, np.ndarray] = {}
    exposure: dict[int, np.ndarray] = {}
    for p in parts:
        for g in p.n_actions:
            zero = np.zeros(width, dtype=np.int64)
            n_actions[g] = n_actions.get(g, zero) + p.n_actions[g]
            exposure[g] = exposure.get(g, zero) + p.exposure[g]
    return CoCounts(width, key, po, n, n_actions, exposure)


def score_co_counts(
    counts: CoCounts, *, min_repeat: int = 2, min_surprise: float | None = None
) -> CoEdges:
    """Score the counted pairs against chance and mark the coordinated ones."""
    width = np.int64(counts.width)
    key, n = counts.pair_key, counts.pair_n
    if key.size:
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        uniq_key = key[start]
        obj_counts = np.diff(np.r_[start, key.size]).astype(np.int64)
        pair_counts = np.add.reduceat(n, start)
    else:
        uniq_key = obj_counts = pair_counts = np.zeros(0, dtype=np.int64)
    a, b = uniq_key // width, uniq_key % width
    expected = np.zeros(a.size, dtype=np.float64)
    for g in sorted(counts.n_actions):
        n_actions = counts.n_actions[g].astype(np.float64)
        exposure = counts.exposure[g].astype(np.float64)
        if not n_actions.any():
            continue
        total = max(float(n_actions.sum()), 1.0)
        expected += np.maximum(exposure[a] * n_actions[b], exposure[b] * n_actions[a]) / total
    score = surprise(obj_counts, expected)
    threshold = (
        float(min_surprise)
        if min_surprise is not None
        else float(max(np.log10(max(uniq_key.size, 1)), 2.0))
    )
    significant = (obj_counts >= min_repeat) & (score >= threshold)
    return CoEdges(
        a=a,
        b=b,
        objects=obj_counts,
        pairs=pair_counts,
        expected=expected,
        surprise=score,
        significant=significant,
        threshold=threshold,
        pair_obj_key=key,
        pair_obj=counts.pair_obj,
        width=int(width),
    )


def co_action_edges(
    account: np.ndarray,
    obj: np.ndarray,
    t: np.ndarray,
    *,
    window: int,
    min_repeat: int = 2,
    max_crowd: int | None = 1000,
    min_surprise: float | None = None,
    stratum: np.ndarray | None = None,
    width: int | None = None,
) -> CoEdges:
    """Score every account pair that acted on the same object within ``window`` seconds.

    Parameters
    ----------
    account, obj, t:
        Parallel arrays, one entry per action: account code, object code (-1 =
        no object) and epoch seconds.
    window:
        Seconds; two actions co-occur when their times differ by at most this.
    min_repeat:
        Fewest distinct objects a pair must co-act on to be called coordinated.
    max_crowd:
        Actions with more than this many same-object neighbours in the window are
        viral and ignored (``None`` keeps all).
    min_surprise:
        Fixed surprise threshold; ``None`` uses ``log10(M)`` (see the module docstring).
    stratum:
        Optional small non-negative int per action (the method it comes from): the
        expectation is then the sum of one expectation per stratum, each from that
        stratum's own counts, so one method's volume does not dilute another's.
    width:
        One more than the largest account code (default: from ``account``).
    """
    account = np.asarray(account, dtype=np.int64)
    if width is None:
        width = int(account.max()) + 1 if account.size else 1
    counts = co_action_counts(
        account, obj, t, window=window, width=width, max_crowd=max_crowd, stratum=stratum
    )
    return score_co_counts(counts, min_repeat=min_repeat, min_surprise=min_surprise)
