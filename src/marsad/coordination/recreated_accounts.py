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
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from marsad.detect.normalize import normalize

__all__ = ["DEFAULT_WEIGHTS", "AccountProfile", "Candidate", "rank_successors"]

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
