"""Which posts analysts should label next: pure logic, no database.

:func:`choose_for_labelling` takes a pool of candidate posts with the current
model's probability for one task and returns the picks, each with why it was
picked:

- ``random``: a share of the picks (``random_share``) drawn uniformly from the
  pool, so precision and prevalence can be estimated from them without the
  bias of the uncertain picks;
- ``uncertain``: the rest, the posts whose probability is nearest the task's
  decision threshold, spread over topics: the most uncertain candidates are
  grouped by what they talk about (k-means over a small TF-IDF projection)
  and picked round-robin from the groups, so one story does not fill a batch.

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
UNCERTAIN_POOL_FACTOR = 4
# About how many picks share one topic group.
PICKS_PER_TOPIC = 2


@dataclass(frozen=True)
class Pick:
    """One post chosen: its index in the pool, why it was chosen, its probability."""

    index: int
    reason: str  # "uncertain" or "random"
    score: float


def topic_groups(texts: Sequence[str], n_groups: int, *, seed: int = 0) -> np.ndarray:
    """A topic group number for each text (k-means over a small TF-IDF projection)."""
    n = len(texts)
    n_groups = max(1, min(n_groups, n))
    if n_groups == 1 or n < 3:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize as l2

    from marsad.detect.classifiers import HashedNgramFeatures

    features = HashedNgramFeatures(
        char_ngram_range=(3, 4), word_ngram_range=(1, 1), n_features=2**16, min_df=1
    )
    X = features.fit_transform(list(texts))
    dims = min(48, n - 1, X.shape[1] - 1)
    if dims < 2:
        return np.zeros(n, dtype=int)
    reduced = l2(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(X))
    km = MiniBatchKMeans(n_clusters=n_groups, random_state=seed, n_init=3, batch_size=1024)
    return np.asarray(km.fit_predict(reduced), dtype=int)


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
    if spread and n_uncertain > PICKS_PER_TOPIC:
        groups = topic_groups(
            [texts[i] for i in shortlist],
            n_uncertain // PICKS_PER_TOPIC,
            seed=seed or 0,
        )
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
