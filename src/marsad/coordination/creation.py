"""Account creation dates as a coordination signal: bursts, and groups created together.

An operator who needs a hundred accounts registers them in a few days; organic
accounts are created at a slowly changing rate. Two questions, both answered
from account creation (registration) times alone, as epoch seconds:

Bursts (:func:`creation_bursts`): spans of days in which far more accounts were
created than the baseline rate predicts. Creation times are counted per UTC
day; every window of ``w`` days (``w`` in ``widths``, default 1, 2, 3, 7, 14
and 30) at every start day is scored. Its baseline is *local*: the rate of
the ``context_days`` on either side of the window (the window itself left
out, days outside the observed span not counted), so slow growth of a
platform is not a burst. With ``n`` accounts created in the window and a
baseline of ``λ`` per day, the surprise is ``-log10 P(X >= n)`` for
``X ~ Poisson(λ · w)`` (the baseline never below half an account per context,
so an empty context does not make every window infinitely surprising). With
``M`` windows scored, a burst needs surprise ``>= log10(M) + 2`` (a Bonferroni
bound: about one chance burst in a hundred runs), at least ``min_accounts``
accounts, and at least ``min_ratio`` (2) times the baseline count: with
thousands of accounts a 20 % bump is already "significant", and a platform
growing fast near the end of the data (where the context is one-sided) makes
such bumps; a registration drive is many times the baseline. The most
surprising window is taken first, then the most surprising one not
overlapping it, and so on.

Groups (:func:`group_creation`): whether a group's members were created close
together. ``k`` is the largest number of members created within
``within_days`` of one another, ``m`` the members with a known date, and
``p`` the share of *all* accounts with a known date created in that same span.
If members were drawn at random from those accounts, the count in that span
would be ``Binomial(m, p)``; the surprise is ``-log10 (m · P(X >= k))``, the
factor ``m`` paying for having picked the best of at most ``m`` spans. A
group is ``concentrated`` when most of its dated members (``k >= m/2``, at
least 3) fall in the span and the surprise is at least 2.

Pure logic: numpy and scipy, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from scipy.stats import binom

from marsad.coordination.coaction import surprise

__all__ = ["Burst", "GroupCreation", "creation_bursts", "group_creation"]

DAY = 86_400
DEFAULT_WIDTHS = (1, 2, 3, 7, 14, 30)


def _date(day_start: int) -> str:
    return datetime.fromtimestamp(day_start, UTC).date().isoformat()


@dataclass(frozen=True, slots=True)
class Burst:
    """Days ``[start, end]`` (inclusive, UTC) in which ``accounts`` accounts were created."""

    start: int
    end: int
    accounts: int
    expected: float
    surprise: float

    def to_json(self) -> dict[str, object]:
        return {
            "start": _date(self.start),
            "end": _date(self.end),
            "days": (self.end - self.start) // DAY + 1,
            "accounts": self.accounts,
            "expected": round(self.expected, 3),
            "surprise": round(self.surprise, 2),
        }


def creation_bursts(
    created: Iterable[int],
    *,
    widths: Sequence[int] = DEFAULT_WIDTHS,
    context_days: int = 182,
    min_accounts: int = 5,
    min_ratio: float = 2.0,
    min_surprise: float | None = None,
) -> list[Burst]:
    """Spans of days with far more account creations than the local baseline (module doc)."""
    t = np.asarray(list(created), dtype=np.int64)
    if t.size < min_accounts:
        return []
    day = t // DAY
    first = int(day.min())
    counts = np.bincount(day - first)
    n_days = counts.size
    prefix = np.concatenate([[0], np.cumsum(counts)])
    starts_all: list[np.ndarray] = []
    widths_all: list[np.ndarray] = []
    observed_all: list[np.ndarray] = []
    expected_all: list[np.ndarray] = []
    for w in sorted({int(w) for w in widths if 0 < int(w) < n_days}):
        s = np.arange(n_days - w + 1)
        inside = prefix[s + w] - prefix[s]
        lo = np.maximum(s - context_days, 0)
        hi = np.minimum(s + w + context_days, n_days)
        around = prefix[hi] - prefix[lo] - inside
        around_days = (hi - lo) - w
        rate = np.maximum(around, 0.5) / np.maximum(around_days, 1)
        starts_all.append(s)
        widths_all.append(np.full(s.size, w))
        observed_all.append(inside)
        expected_all.append(rate * w)
    if not starts_all:
        return []
    start = np.concatenate(starts_all)
    width = np.concatenate(widths_all)
    observed = np.concatenate(observed_all)
    expected = np.concatenate(expected_all)
    score = surprise(observed, expected)
    threshold = (
        float(min_surprise) if min_surprise is not None else math.log10(max(start.size, 1)) + 2.0
    )
    candidates = np.flatnonzero(
        (observed >= min_accounts) & (observed >= min_ratio * expected) & (score >= threshold)
    )
    # Most surprising first; ties to the narrower, then earlier window.
    candidates = candidates[np.lexsort((start[candidates], width[candidates], -score[candidates]))]
    taken = np.zeros(n_days, dtype=bool)
    bursts: list[Burst] = []
    for c in candidates.tolist():
        s, w = int(start[c]), int(width[c])
        if taken[s : s + w].any():
            continue
        taken[s : s + w] = True
        bursts.append(
            Burst(
                start=(first + s) * DAY,
                end=(first + s + w - 1) * DAY,
                accounts=int(observed[c]),
                expected=float(expected[c]),
                surprise=float(score[c]),
            )
        )
    return sorted(bursts, key=lambda b: b.start)


@dataclass(frozen=True, slots=True)
class GroupCreation:
    """How close together a group's members were created (see the module docstring)."""

    members: int
    dated: int
    within_days: int
    together: int
    start: int | None
    end: int | None
    expected: float
    surprise: float
    in_bursts: int

    @property
    def concentrated(self) -> bool:
        return self.together >= 3 and 2 * self.together >= self.dated and self.surprise >= 2.0

    def to_json(self) -> dict[str, object]:
        return {
            "members": self.members,
            "dated": self.dated,
            "within_days": self.within_days,
            "together": self.together,
            "share": round(self.together / self.dated, 3) if self.dated else 0.0,
            "start": _date(self.start) if self.start is not None else None,
            "end": _date(self.end) if self.end is not None else None,
            "expected": round(self.expected, 3),
            "surprise": round(self.surprise, 2),
            "concentrated": self.concentrated,
            "in_bursts": self.in_bursts,
        }


def group_creation(
    members: Sequence[str],
    created: Mapping[str, int],
    *,
    population: np.ndarray | None = None,
    within_days: int = 30,
    bursts: Sequence[Burst] = (),
) -> GroupCreation:
    """Whether ``members`` were created within ``within_days`` of one another, and how surprising.

    ``created`` maps account ids to creation times (accounts without one are
    left out); ``population`` is every known creation time, sorted (default:
    the values of ``created``).
    """
    pop = (
        np.sort(np.fromiter(created.values(), dtype=np.int64)) if population is None else population
    )
    times = np.sort(np.asarray([created[a] for a in members if a in created], dtype=np.int64))
    m = int(times.size)
    in_bursts = sum(1 for x in times.tolist() if any(b.start <= x < b.end + DAY for b in bursts))
    if m == 0 or pop.size == 0:
        return GroupCreation(len(members), m, within_days, 0, None, None, 0.0, 0.0, in_bursts)
    span = within_days * DAY
    # For each member as the earliest of a span, how many members fall in [t, t + span].
    ends = np.searchsorted(times, times + span, side="right")
    together = ends - np.arange(m)
    best = int(np.argmax(together))  # earliest among the fullest spans
    k = int(together[best])
    lo, hi = int(times[best]), int(times[best]) + span
    p = (np.searchsorted(pop, hi, side="right") - np.searchsorted(pop, lo, side="left")) / pop.size
    p = float(min(max(p, 1.0 / pop.size), 1.0))
    log_tail = float(binom.logsf(k - 1, m, p)) + math.log(m)
    score = max(0.0, -log_tail / math.log(10))
    return GroupCreation(
        members=len(members),
        dated=m,
        within_days=within_days,
        together=k,
        start=lo,
        end=int(times[best + k - 1]),
        expected=m * p,
        surprise=score,
        in_bursts=in_bursts,
    )
