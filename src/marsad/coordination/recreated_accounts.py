"""Successor accounts: a banned account re-created under a new name.

:func:`rank_successors` compares one suspended account with candidate accounts
on independent features, each a similarity in ``[0, 1]``:

``handle``        handles reduced to a skeleton (normalised, digits, ``_`` and
                  ``.`` removed) compared with rapidfuzz's ``ratio``; re-created
                  accounts keep the name and add a number (``ali_iq`` → ``ali_iq2``).
``display_name``  normalised display names, rapidfuzz ``token_set_ratio``.
``bio``           normalised profile texts, ``token_set_ratio``.
``avatar``        ``1 - hamming / bits`` of two perceptual hashes (hex strings).
``vocabulary``    cosine similarity of what the accounts post: hashtags, link
                  domains and mentioned handles (counts).
``rhythm``        cosine similarity of the 24 hourly posting counts (UTC).
``timing``        1 when the candidate was created within ``grace_days`` after
                  the suspended account's last post, decaying as ``exp(-days/90)``
                  after that, 0 when it was created before.

The score is the weighted mean of the features *both* accounts have (missing
data neither helps nor hurts), so it lies in ``[0, 1]``; each candidate carries
every feature's contribution (``weight · similarity / Σ weights``), which sums
to the score, so an analyst sees why a candidate ranks where it does and can
confirm or reject it (a later service persists those decisions).

:func:`rank_successors_pruned` gives the same ranking without every candidate's
posts: it ranks on what needs none first (names, avatar, bio, creation time)
and loads ``vocabulary`` and ``rhythm`` only for candidates whose score could
still reach the top ``limit`` (see its doc for the bound).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from rapidfuzz import fuzz

from marsad.detect.normalize import normalize

__all__ = [
    "BEHAVIOUR",
    "DEFAULT_WEIGHTS",
    "AccountProfile",
    "Candidate",
    "rank_successors",
    "rank_successors_pruned",
    "score_bound",
]

DEFAULT_WEIGHTS: dict[str, float] = {
    "handle": 3.0,
    "display_name": 2.0,
    "avatar": 3.0,
    "bio": 1.0,
    "vocabulary": 2.0,
    "rhythm": 1.0,
    "timing": 1.0,
}
_SKELETON = re.compile(r"[\d_.\-\s]+")
# Features read from an account's posts; the others come from its profile.
BEHAVIOUR = ("vocabulary", "rhythm")
# Slack on the bound for floating-point rounding: scores are sums of a few terms in [0, 1].
_EPS = 1e-9


@dataclass(slots=True)
class AccountProfile:
    """What is known about one account; every field but ``account_id`` is optional."""

    account_id: str
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    avatar_hash: str | None = None
    created_at: int | None = None
    last_post_at: int | None = None
    vocabulary: Counter[str] = field(default_factory=Counter)
    hours: list[int] = field(default_factory=lambda: [0] * 24)


@dataclass(slots=True)
class Candidate:
    """A possible successor: its score and what each feature contributed."""

    account_id: str
    score: float
    contributions: dict[str, float]
    similarities: dict[str, float]

    def to_json(self) -> dict[str, object]:
        """A plain JSON object."""
        return {
            "account_id": self.account_id,
            "score": round(self.score, 4),
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "similarities": {k: round(v, 4) for k, v in self.similarities.items()},
        }


def _skeleton(handle: str) -> str:
    return _SKELETON.sub("", normalize(handle.lstrip("@")))


def _text_sim(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    na, nb = normalize(a), normalize(b)
    if not na or not nb:
        return None
    return fuzz.token_set_ratio(na, nb) / 100.0


def _handle_sim(a: str | None, b: str | None) -> float | None:
    if not a or not b:
        return None
    sa, sb = _skeleton(a), _skeleton(b)
    if not sa or not sb:
        return None
    return fuzz.ratio(sa, sb) / 100.0


def _avatar_sim(a: str | None, b: str | None) -> float | None:
    if not a or not b or len(a) != len(b):
        return None
    try:
        bits = bin(int(a, 16) ^ int(b, 16)).count("1")
    except ValueError:
        return None
    return 1.0 - bits / (4 * len(a))


Vector = Mapping[str, float] | Sequence[float]


def _cosine(a: Vector, b: Vector) -> float | None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if not a or not b:
            return None
        dot = sum(v * b.get(k, 0.0) for k, v in a.items())
        na = math.sqrt(sum(v * v for v in a.values()))
        nb = math.sqrt(sum(v * v for v in b.values()))
    else:
        dot = sum(x * y for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
        na = math.sqrt(sum(x * x for x in a))  # type: ignore[union-attr]
        nb = math.sqrt(sum(y * y for y in b))  # type: ignore[union-attr]
    if na == 0 or nb == 0:
        return None
    return dot / (na * nb)


def _timing(
    suspended: AccountProfile, candidate: AccountProfile, grace_days: float
) -> float | None:
    end = suspended.last_post_at
    if end is None or candidate.created_at is None:
        return None
    days = (candidate.created_at - end) / 86_400
    if days < 0:
        return 0.0
    return 1.0 if days <= grace_days else math.exp(-(days - grace_days) / 90.0)


def similarities(
    suspended: AccountProfile, candidate: AccountProfile, *, grace_days: float = 30.0
) -> dict[str, float]:
    """Each feature's similarity between the two accounts (features either lacks are absent)."""
    values = {
        "handle": _handle_sim(suspended.handle, candidate.handle),
        "display_name": _text_sim(suspended.display_name, candidate.display_name),
        "bio": _text_sim(suspended.bio, candidate.bio),
        "avatar": _avatar_sim(suspended.avatar_hash, candidate.avatar_hash),
        "vocabulary": _cosine(suspended.vocabulary, candidate.vocabulary),
        "rhythm": _cosine(suspended.hours, candidate.hours),
        "timing": _timing(suspended, candidate, grace_days),
    }
    return {k: float(v) for k, v in values.items() if v is not None}


def rank_successors(
    suspended: AccountProfile,
    candidates: Sequence[AccountProfile],
    *,
    weights: Mapping[str, float] | None = None,
    limit: int = 10,
    min_score: float = 0.0,
    grace_days: float = 30.0,
) -> list[Candidate]:
    """Candidates most likely to be ``suspended`` re-created, best first (see module doc)."""
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    ranked: list[Candidate] = []
    for cand in candidates:
        if cand.account_id == suspended.account_id:
            continue
        found = similarities(suspended, cand, grace_days=grace_days)
        sims = {k: v for k, v in found.items() if w.get(k)}
        total = sum(w[k] for k in sims)
        if total == 0:
            continue
        contributions = {k: w[k] * v / total for k, v in sims.items()}
        score = sum(contributions.values())
        if score >= min_score:
            ranked.append(Candidate(cand.account_id, score, contributions, sims))
    ranked.sort(key=lambda c: (-c.score, c.account_id))
    return ranked[:limit]


def _static_similarities(
    suspended: AccountProfile, candidates: Sequence[AccountProfile], grace_days: float
) -> list[dict[str, float | None]]:
    """Each candidate's profile similarities as :func:`similarities` finds them (None: absent)."""
    skeleton = _skeleton(suspended.handle) if suspended.handle else ""
    name = normalize(suspended.display_name) if suspended.display_name else ""
    bio = normalize(suspended.bio) if suspended.bio else ""
    out = []
    for cand in candidates:
        handle = _skeleton(cand.handle) if skeleton and cand.handle else ""
        cname = normalize(cand.display_name) if name and cand.display_name else ""
        cbio = normalize(cand.bio) if bio and cand.bio else ""
        out.append(
            {
                "handle": fuzz.ratio(skeleton, handle) / 100.0 if handle else None,
                "display_name": fuzz.token_set_ratio(name, cname) / 100.0 if cname else None,
                "bio": fuzz.token_set_ratio(bio, cbio) / 100.0 if cbio else None,
                "avatar": _avatar_sim(suspended.avatar_hash, cand.avatar_hash),
                "timing": _timing(suspended, cand, grace_days),
            }
        )
    return out


def score_bound(
    known: Mapping[str, float], weights: Mapping[str, float], unknown: Sequence[str]
) -> float | None:
    """The highest score a candidate can reach, or None when it cannot be scored at all.

    ``known`` are its computed similarities, ``unknown`` the features not computed
    yet that it may or may not have. Each unknown similarity is taken as 1, and
    every subset of them as the features it turns out to have (the score is a mean
    over the features present, so a missing one can raise it). Weights must not be
    negative.
    """
    num = sum(weights[k] * v for k, v in known.items())
    den = sum(weights[k] for k in known)
    best: float | None = None
    for size in range(len(unknown) + 1):
        for present in combinations(unknown, size):
            extra = sum(weights[k] for k in present)
            if den + extra > 0:
                bound = (num + extra) / (den + extra)
                best = bound if best is None else max(best, bound)
    return best


def rank_successors_pruned(
    suspended: AccountProfile,
    candidates: Sequence[AccountProfile],
    load: Callable[[list[str]], Mapping[str, AccountProfile]],
    *,
    weights: Mapping[str, float] | None = None,
    limit: int = 10,
    min_score: float = 0.0,
    grace_days: float = 30.0,
    batch: int | None = None,
    max_batch: int = 512,
) -> list[Candidate]:
    """:func:`rank_successors`, loading candidates' posting behaviour only where it can matter.

    ``candidates`` need only their profile fields (handle, names, bio, avatar,
    ``created_at``); ``load(ids)`` returns the behaviour (``vocabulary``,
    ``hours``) of those of ``ids`` that have posts. ``suspended`` is complete.

    Every candidate gets an upper bound (:func:`score_bound`): its profile
    similarities, with vocabulary and rhythm (those the suspended account has and
    that weigh) taken as 1 and as present or absent, whichever scores higher.
    Candidates are taken in order of bound, their behaviour loaded a batch at a
    time (``batch``, by default twice ``limit``, doubling up to ``max_batch``)
    and exactly scored, until the
    ``limit``-th best exact score is above the next bound: no candidate left can
    then enter the top. The result, scores and order included, is
    :func:`rank_successors` over the complete profiles.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if any(v < 0 for v in w.values()):
        raise ValueError("pruning needs non-negative weights")
    pool = [c for c in candidates if c.account_id != suspended.account_id]
    has = {
        "vocabulary": _cosine(suspended.vocabulary, suspended.vocabulary) is not None,
        "rhythm": _cosine(suspended.hours, suspended.hours) is not None,
    }
    unknown = [k for k in BEHAVIOUR if has[k] and w.get(k)]
    if not unknown:  # the candidates' posts cannot change any score
        return rank_successors(
            suspended, pool, weights=w, limit=limit, min_score=min_score, grace_days=grace_days
        )
    bounded: list[tuple[float, AccountProfile]] = []
    for cand, found in zip(pool, _static_similarities(suspended, pool, grace_days), strict=True):
        known = {k: float(v) for k, v in found.items() if v is not None and w.get(k)}
        bound = score_bound(known, w, unknown)
        if bound is not None:
            bounded.append((bound, cand))
    bounded.sort(key=lambda item: (-item[0], item[1].account_id))
    top: list[Candidate] = []
    done = 0
    batch = batch or max(2 * limit, 16)
    while done < len(bounded):
        bound = bounded[done][0]
        if bound + _EPS < min_score or (len(top) >= limit and top[-1].score > bound + _EPS):
            break
        chunk = [cand for _, cand in bounded[done : done + batch]]
        done += len(chunk)
        batch = min(batch * 2, max_batch)
        behaviour = load([c.account_id for c in chunk])
        full = []
        for cand in chunk:
            known = behaviour.get(cand.account_id)
            if known is not None:
                cand = replace(cand, vocabulary=known.vocabulary, hours=known.hours)
            full.append(cand)
        scored = rank_successors(
            suspended, full, weights=w, limit=limit, min_score=min_score, grace_days=grace_days
        )
        top = sorted(top + scored, key=lambda c: (-c.score, c.account_id))[:limit]
    return top
