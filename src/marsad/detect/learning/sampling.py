"""Which posts analysts should label next: pure logic, no database.

:func:`choose_for_labelling` takes a pool of candidate posts with the current
model's probability for one task and returns the picks, each with why it was
picked:

- ``random``: a share of the picks (``random_share``) drawn uniformly from the
  pool, so precision and prevalence can be estimated from them without the
  bias of the uncertain picks;
- ``uncertain``: the rest, the posts whose probability is nearest the task's
  decision threshold, spread over topics: the most uncertain candidates are
  grouped by what they talk about (:func:`topic_groups`) and picked
  round-robin from the groups, so one story does not fill a batch.

Near-duplicates are never asked twice: a post whose :func:`dedupe_key` (the
key training already deduplicates on) is in ``skip_keys`` (posts labelled or
sampled before) or was picked already is passed over.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from marsad.detect.train import dedupe_key

__all__ = ["Pick", "choose_for_labelling", "topic_groups"]

# How many uncertain candidates per uncertain pick are grouped into topics.
UNCERTAIN_POOL_FACTOR = 2
# Two posts this similar (cosine of hashed character 3-4 gram TF-IDF) share a topic.
TOPIC_SIMILARITY = 0.3


@dataclass(frozen=True)
class Pick:
    """One post chosen: its index in the pool, why it was chosen, its probability."""

    index: int
    reason: str  # "uncertain" or "random"
    score: float


def topic_groups(texts: Sequence[str], *, similar: float = TOPIC_SIMILARITY) -> np.ndarray:
    """A topic group number for each text, in one pass over them in the order given.

    Leader clustering: a text joins the group of the first earlier group leader
    it is similar to (cosine of small hashed character TF-IDF vectors at least
    ``similar``), else it leads a new group. Given the most uncertain first,
    each group's leader is its most uncertain post.
    """
    n = len(texts)
    if n < 2:
        return np.zeros(n, dtype=int)
    from marsad.detect.classifiers import HashedNgramFeatures

    features = HashedNgramFeatures(
        char_ngram_range=(3, 4), word_ngram_range=(1, 1), n_features=2**14, min_df=1
    )
    X = features.fit_transform(list(texts))  # L2-normalised rows
    similarity = (X @ X.T).toarray()
    group = np.full(n, -1, dtype=int)
    leaders: list[int] = []
    for i in range(n):
        if leaders:
            close = similarity[i, leaders] >= similar
            if close.any():
                group[i] = group[leaders[int(np.argmax(close))]]
                continue
        group[i] = len(leaders)
        leaders.append(i)
    return group


def choose_for_labelling(
    texts: Sequence[str],
    scores: Sequence[float],
    *,
    threshold: float,
    size: int,
    random_share: float = 0.2,
    seed: int | None = None,
    skip_keys: Iterable[str] = (),
    spread: bool = True,
) -> list[Pick]:
    """Pick up to ``size`` posts of the pool for analysts to label (see the module doc).

    ``scores`` are the current model's probabilities for the task and
    ``threshold`` its decision threshold. The random picks come first in the
    returned list's order of drawing, then the uncertain ones by topic; callers
    interleave them as they wish. ``seed`` makes the draw repeatable.
    """
    if len(texts) != len(scores):
        raise ValueError("texts and scores differ in length")
    rng = random.Random(seed)  # noqa: S311 - a repeatable sample, not a secret
    skip = set(skip_keys)
    eligible: list[int] = []
    keys: dict[int, str] = {}
    for i, text in enumerate(texts):
        if not text or not text.strip():
            continue
        key = dedupe_key(text)
        if key and key in skip:
            continue
        keys[i] = key
        eligible.append(i)
    size = max(0, min(size, len(eligible)))
    if size == 0:
        return []
    n_random = min(size, round(size * random_share))
    if random_share > 0 and n_random == 0 and size >= 2:
        n_random = 1
    picks: list[Pick] = []
    taken: set[str] = set()

    def take(i: int, reason: str) -> bool:
        key = keys[i]
        if key and key in taken:
            return False
        if key:
            taken.add(key)
        picks.append(Pick(index=i, reason=reason, score=float(scores[i])))
        return True

    # Random picks: uniform over the pool (a copy of a post drawn earlier is passed over).
    order = eligible[:]
    rng.shuffle(order)
    chosen: set[int] = set()
    for i in order:
        if len(picks) >= n_random:
            break
        if take(i, "random"):
            chosen.add(i)

    # Uncertain picks: nearest the threshold, spread over topics.
    n_uncertain = size - len(picks)
    rest = [i for i in eligible if i not in chosen and not (keys[i] and keys[i] in taken)]
    margin = np.abs(np.asarray([scores[i] for i in rest], dtype=float) - threshold)
    ranked = [rest[j] for j in np.argsort(margin, kind="stable")]
    shortlist = ranked[: max(n_uncertain * UNCERTAIN_POOL_FACTOR, n_uncertain)]
    if spread and n_uncertain > 1:
        groups = topic_groups([texts[i] for i in shortlist])
        by_group: dict[int, list[int]] = {}
        for i, group in zip(shortlist, groups, strict=True):
            by_group.setdefault(int(group), []).append(i)  # most uncertain first
        rank = {i: n for n, i in enumerate(shortlist)}
        queues = sorted(by_group.values(), key=lambda members: rank[members[0]])
        sequence: list[int] = []
        while any(queues):
            for members in queues:
                if members:
                    sequence.append(members.pop(0))
        first = set(sequence)
        shortlist = sequence + [i for i in ranked if i not in first]
    else:
        shortlist = ranked
    for i in shortlist:
        if len(picks) >= size:
            break
        take(i, "uncertain")
    return picks
