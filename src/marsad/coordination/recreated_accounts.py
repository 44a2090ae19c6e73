"""Successor accounts: a banned account re-created under a new name.

:func:`rank_successors` compares one suspended account with candidate accounts
on independent features, each a similarity in ``[0, 1]``:

``handle``        handles reduced to a skeleton (normalised, digits, ``_`` and
                  ``.`` removed) compared with rapidfuzz's ``ratio``; re-created
                  accounts keep the name and add a number (``ali_iq`` → ``ali_iq2``).
                  Across scripts (one name in Arabic letters, the other in Latin)
                  the higher of that and the transliterated similarity (counted
                  from 0.75 up): each handle against the other account's handle
                  and display name.
``display_name``  normalised display names, rapidfuzz ``token_set_ratio``; across
                  scripts, the higher of that and the transliterated similarity.
``bio``           normalised profile texts, ``token_set_ratio``.
``bio_links``     Jaccard overlap of the links in the two bios (host without
                  ``www.``, path without a trailing ``/``, lower case).
``avatar``        ``1 - hamming / bits`` of two perceptual hashes (hex strings).
``followers``     Jaccard overlap of the followers, when a profile lists them.
``vocabulary``    cosine similarity of what the accounts post: hashtags, link
                  domains and mentioned handles (counts).
``rhythm``        cosine similarity of the 24 hourly posting counts (UTC).
``style``         cosine similarity of the character 3- and 4-grams of their post
                  texts (normalised; links, mentions and hashtags removed; the
                  first ``STYLE_CHARS`` characters of an account's texts, and
                  none below ``STYLE_MIN_CHARS``).
``cosharers``     Jaccard overlap of the accounts each one co-acted with: re-shared
                  the same object or posted the same link within the coordination
                  window (see :mod:`marsad.coordination.signals`); the two accounts
                  themselves are left out of both sets.
``timing``        1 when the candidate was created within ``grace_days`` after
                  the suspended account's last post, decaying as ``exp(-days/90)``
                  after that, 0 when it was created before.

The score is the weighted mean of the features *both* accounts have (missing
data neither helps nor hurts), so it lies in ``[0, 1]``; each candidate carries
every feature's contribution (``weight · similarity / Σ weights``), which sums
to the score, so an analyst sees why a candidate ranks where it does and can
confirm or reject it (a later service persists those decisions).

:func:`rank_successors_pruned` gives the same ranking without every candidate's
posts: it ranks on what needs none first (names, avatar, bio and its links,
followers, creation time)
and loads the ``BEHAVIOUR`` features (vocabulary, rhythm, style, co-sharers)
only for candidates whose score could still reach the top ``limit`` (see its doc
for the bound).

Transliteration (:func:`consonant_skeleton`) reduces a name in either script to
a Latin consonant skeleton: Arabic letters map to one Latin letter per sound
class (ث ت ط → t, ذ د ض ظ → d, ق ك غ → k, …), long vowels, alef, hamza and ع
are dropped (و and ي are kept as w and y at the start of a word), and a final ه
(ة) is dropped; Latin romanisations are folded the same way (kh → x, sh → c,
gh → k, ch → j, dh → d, th → t, ph → f, q c g → k, v → f, p → b, arabizi 7 → h),
vowels dropped (y and w kept at a word's start), a word-final h after a vowel
dropped, digits dropped. Doubled letters then become one, so ``ali_albaghdadi``
and ``علي البغدادي`` both give ``lbkd``, ``hussein`` and ``حسين`` ``hsn``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations

from rapidfuzz import fuzz

from marsad.core.text import normalize

__all__ = [
    "BEHAVIOUR",
    "DEFAULT_WEIGHTS",
    "STYLE_CHARS",
    "STYLE_MIN_CHARS",
    "AccountProfile",
    "Candidate",
    "bio_links",
    "consonant_skeleton",
    "rank_successors",
    "rank_successors_pruned",
    "score_bound",
    "style_grams",
    "with_behaviour",
]

DEFAULT_WEIGHTS: dict[str, float] = {
    "handle": 3.0,
    "display_name": 2.0,
    "avatar": 3.0,
    "bio": 1.0,
    "bio_links": 2.0,
    "followers": 2.0,
    "vocabulary": 2.0,
    "rhythm": 1.0,
    "style": 2.0,
    "cosharers": 2.0,
    "timing": 1.0,
}
_SKELETON = re.compile(r"[\d_.\-\s]+")
# Features read from an account's posts; the others come from its profile.
BEHAVIOUR = ("vocabulary", "rhythm", "style", "cosharers")
# Characters of an account's cleaned texts read for its style (its first posts), and the
# fewest that make one: n-grams of a few short posts are noise, not a style.
STYLE_CHARS = 5_000
STYLE_MIN_CHARS = 200
_STYLE_NOISE = re.compile(r"(?:https?://|www\.)\S+|[@#]\S+")
_URL = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,})(/[^\s]*)?", re.I)
_SPACES = re.compile(r"\s+")
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
    followers: frozenset[str] = frozenset()
    style: Counter[str] = field(default_factory=Counter)
    cosharers: frozenset[str] = frozenset()


def with_behaviour(profile: AccountProfile, known: AccountProfile | None) -> AccountProfile:
    """``profile`` (changed in place) with the posting behaviour of ``known`` when given."""
    if known is not None:
        profile.vocabulary, profile.hours = known.vocabulary, known.hours
        profile.style, profile.cosharers = known.style, known.cosharers
        profile.last_post_at = known.last_post_at
    return profile


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


# Arabic letters (after ``normalize``) → the Latin consonant class they are romanised as.
_ARABIC = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "t", "ظ": "d",
    "غ": "k", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
}  # fmt: skip
# Romanisation digraphs first, then single letters (vowels, y and w handled apart).
_LATIN_PAIRS = {
    "kh": "x", "sh": "c", "gh": "k", "ch": "j", "dh": "d", "th": "t", "ph": "f",
}  # fmt: skip
_LATIN = {"q": "k", "c": "k", "g": "k", "v": "f", "p": "b", "7": "h", "x": "x"}
_VOWELS = set("aeiou")
_ACROSS_MIN = 0.75


def _script(text: str) -> str | None:
    """``"ar"`` or ``"lat"``: the script most of a normalised text's letters are in."""
    arabic = latin = 0
    for ch in text:
        if "\u0600" <= ch <= "\u06ff" and ch.isalpha():
            arabic += 1
        elif "a" <= ch <= "z":
            latin += 1
    if arabic == latin:
        return None
    return "ar" if arabic > latin else "lat"


def _arabic_word(word: str) -> str:
    out = []
    for n, ch in enumerate(word):
        if ch in "وي":
            if n == 0:
                out.append("w" if ch == "و" else "y")
        elif ch == "ه" and n == len(word) - 1 and n > 0:
            continue  # ة (normalised to ه) and a final ه are romanised as a vowel, if at all
        else:
            out.append(_ARABIC.get(ch, ""))
    return "".join(out)


def _latin_word(word: str) -> str:
    out = []
    n = 0
    while n < len(word):
        pair = _LATIN_PAIRS.get(word[n : n + 2])
        if pair is not None:
            out.append(pair)
            n += 2
            continue
        ch = word[n]
        if ch in "yw":
            if n == 0:
                out.append(ch)
        elif ch == "h" and n == len(word) - 1 and n > 0 and word[n - 1] in _VOWELS:
            pass  # "fatimah", "zahra" alike
        elif ch == "7" and n + 1 < len(word):
            out.append("h")  # arabizi ح inside a word; other digits are numbering
        elif ch.isalpha() and ch not in _VOWELS and ch.isascii():
            out.append(_LATIN.get(ch, ch))
        n += 1
    return "".join(out)


def consonant_skeleton(name: str) -> str:
    """A name's Latin consonant skeleton, in whichever script it is written (module doc)."""
    return _skeleton_of(normalize(name.lstrip("@")))


def _skeleton_of(text: str) -> str:
    """:func:`consonant_skeleton` of an already normalised name."""
    parts = []
    for word in re.findall(r"[^\W_]+", text):
        arabic = any("\u0600" <= ch <= "\u06ff" for ch in word)
        parts.append(
            _arabic_word(word) if arabic else _latin_word(unicodedata.normalize("NFKD", word))
        )
    joined = "".join(parts)
    return "".join(ch for n, ch in enumerate(joined) if n == 0 or ch != joined[n - 1])


def bio_links(bio: str | None) -> frozenset[str]:
    """The links in a bio as ``host/path`` (lower case, no ``www.``, no trailing ``/``)."""
    if not bio:
        return frozenset()
    found = set()
    for match in _URL.finditer(bio):
        host, path = match.group(1).lower(), (match.group(2) or "").rstrip("/.,)")
        if "." not in host or (not path and not match.group(0).lower().startswith(("http", "www"))):
            # a bare "word.word" is a sentence more often than a link; with a path it is a link
            continue
        found.add(host + path.lower())
    return frozenset(found)


def style_grams(texts: Sequence[str | None], limit: int = STYLE_CHARS) -> Counter[str]:
    """Character 3- and 4-grams of the texts (normalised, links, mentions, hashtags removed).

    Texts are taken in order until ``limit`` characters are read; each is padded with a
    space. Fewer than ``STYLE_MIN_CHARS`` characters in all give no n-grams (no style).
    """
    grams: Counter[str] = Counter()
    used = 0
    for text in texts:
        if used >= limit:
            break
        if not text:
            continue
        clean = _SPACES.sub(" ", _STYLE_NOISE.sub(" ", normalize(text))).strip()
        if not clean:
            continue
        clean = " " + clean[: limit - used] + " "
        used += len(clean) - 2
        for n in (3, 4):
            grams.update(clean[i : i + n] for i in range(len(clean) - n + 1))
    return grams if used >= STYLE_MIN_CHARS else Counter()


@dataclass(slots=True)
class _Side:
    """One account's profile fields prepared for comparison (normalised once)."""

    handle: str
    handle_script: str | None
    handle_skeleton: str
    name: str
    name_script: str | None
    name_skeleton: str
    bio: str
    links: frozenset[str]


def _side(profile: AccountProfile) -> _Side:
    raw_handle = normalize(profile.handle.lstrip("@")) if profile.handle else ""
    name = normalize(profile.display_name) if profile.display_name else ""
    return _Side(
        handle=_SKELETON.sub("", raw_handle),
        handle_script=_script(raw_handle),
        handle_skeleton=_skeleton_of(raw_handle),
        name=name,
        name_script=_script(name),
        name_skeleton=_skeleton_of(name),
        bio=normalize(profile.bio) if profile.bio else "",
        links=bio_links(profile.bio),
    )


def _across(
    script_a: str | None, skeleton_a: str, script_b: str | None, skeleton_b: str
) -> float | None:
    """Similarity of two names' skeletons when one is Arabic and the other Latin, else None.

    Below ``_ACROSS_MIN`` it is None too: short skeletons of unrelated names share
    a letter or two by chance, and only a likely transliteration should count.
    """
    if {script_a, script_b} != {"ar", "lat"} or len(skeleton_a) < 2 or len(skeleton_b) < 2:
        return None
    found = fuzz.ratio(skeleton_a, skeleton_b) / 100.0
    return found if found >= _ACROSS_MIN else None


def _best(*values: float | None) -> float | None:
    found = [v for v in values if v is not None]
    return max(found) if found else None


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float | None:
    if not a or not b:
        return None
    return len(a & b) / len(a | b)


def _profile_similarities(
    sa: _Side,
    sb: _Side,
    suspended: AccountProfile,
    candidate: AccountProfile,
    grace_days: float,
) -> dict[str, float | None]:
    """The features read from profiles alone (None: either account lacks it)."""
    handle = None
    if suspended.handle and candidate.handle:
        handle = _best(
            fuzz.ratio(sa.handle, sb.handle) / 100.0 if sa.handle and sb.handle else None,
            _across(sa.handle_script, sa.handle_skeleton, sb.handle_script, sb.handle_skeleton),
            _across(sa.handle_script, sa.handle_skeleton, sb.name_script, sb.name_skeleton),
            _across(sa.name_script, sa.name_skeleton, sb.handle_script, sb.handle_skeleton),
        )
    name = None
    if sa.name and sb.name:
        name = _best(
            fuzz.token_set_ratio(sa.name, sb.name) / 100.0,
            _across(sa.name_script, sa.name_skeleton, sb.name_script, sb.name_skeleton),
        )
    followers = None
    if suspended.followers and candidate.followers:
        pair = {suspended.account_id, candidate.account_id}
        followers = _jaccard(suspended.followers - pair, candidate.followers - pair)
    return {
        "handle": handle,
        "display_name": name,
        "bio": fuzz.token_set_ratio(sa.bio, sb.bio) / 100.0 if sa.bio and sb.bio else None,
        "bio_links": _jaccard(sa.links, sb.links),
        "avatar": _avatar_sim(suspended.avatar_hash, candidate.avatar_hash),
        "followers": followers,
        "timing": _timing(suspended, candidate, grace_days),
    }


def _behaviour_similarities(
    suspended: AccountProfile, candidate: AccountProfile
) -> dict[str, float | None]:
    """The features read from posts (``BEHAVIOUR``)."""
    pair = {suspended.account_id, candidate.account_id}
    return {
        "vocabulary": _cosine(suspended.vocabulary, candidate.vocabulary),
        "rhythm": _cosine(suspended.hours, candidate.hours),
        "style": _cosine(suspended.style, candidate.style),
        "cosharers": _jaccard(suspended.cosharers - pair, candidate.cosharers - pair),
    }


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
    return _similarities(_side(suspended), suspended, candidate, grace_days)


def _similarities(
    sa: _Side, suspended: AccountProfile, candidate: AccountProfile, grace_days: float
) -> dict[str, float]:
    values = _profile_similarities(sa, _side(candidate), suspended, candidate, grace_days)
    values.update(_behaviour_similarities(suspended, candidate))
    return {k: float(v) for k in DEFAULT_WEIGHTS if (v := values.get(k)) is not None}


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
    sa = _side(suspended)
    ranked: list[Candidate] = []
    for cand in candidates:
        if cand.account_id == suspended.account_id:
            continue
        found = _similarities(sa, suspended, cand, grace_days)
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
    sa = _side(suspended)
    return [
        _profile_similarities(sa, _side(cand), suspended, cand, grace_days) for cand in candidates
    ]


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
    followers, ``created_at``); ``load(ids)`` returns the behaviour (``vocabulary``,
    ``hours``, ``style``, ``cosharers``) of those of ``ids`` that have posts.
    ``suspended`` is complete.

    Every candidate gets an upper bound (:func:`score_bound`): its profile
    similarities, with the ``BEHAVIOUR`` features (those the suspended account has
    and that weigh) taken as 1 and as present or absent, whichever scores higher.
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
        "style": _cosine(suspended.style, suspended.style) is not None,
        # the candidate itself is left out of the suspended account's set
        "cosharers": bool(suspended.cosharers - {suspended.account_id}),
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
                cand = replace(
                    cand,
                    vocabulary=known.vocabulary,
                    hours=known.hours,
                    style=known.style,
                    cosharers=known.cosharers,
                )
            full.append(cand)
        scored = rank_successors(
            suspended, full, weights=w, limit=limit, min_score=min_score, grace_days=grace_days
        )
        top = sorted(top + scored, key=lambda c: (-c.score, c.account_id))[:limit]
    return top
