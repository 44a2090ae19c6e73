"""Synchronised hashtag pushes: accounts that post the same hashtags at the same moments.

Tags are normalised with :func:`marsad.core.text.normalize` (so
``#حرية_الصحافة`` and ``#حريـــة_الصحافة`` are one tag). The object of a post is
its *tag set*: the tag itself when it has one, the sorted combination when it
has several. A trending tag is used by thousands of people; an identical set of
three tags, posted by the same accounts within seconds again and again, is what
a push by an electronic army looks like. Counting the tags of a set separately
would let one shared post count as several repetitions, so they are not.

Popular tags are not discounted here: the surprise score in
:mod:`marsad.coordination.coaction` does that from how crowded each use was.
"""

from __future__ import annotations

import numpy as np

from marsad.coordination.table import PostTable
from marsad.core.text import normalize

__all__ = ["hashtag_actions"]


def hashtag_actions(table: PostTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, object_codes, labels)``: one action per post that has hashtags (its tag set)."""
    if table.hashtags is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=object)
    norm_cache: dict[str, str] = {}
    index: dict[str, int] = {}
    rows: list[int] = []
    codes: list[int] = []
    for r, tags in enumerate(table.hashtags):
        if not tags:
            continue
        normed = set()
        for tag in tags:
            n = norm_cache.get(tag)
            if n is None:
                n = norm_cache[tag] = normalize(tag).replace(" ", "_")
            if n:
                normed.add(n)
        if normed:
            rows.append(r)
            codes.append(index.setdefault(" ".join("#" + n for n in sorted(normed)), len(index)))
    labels = np.empty(len(index), dtype=object)
    labels[:] = list(index)
    return np.asarray(rows, dtype=np.int64), np.asarray(codes, dtype=np.int64), labels
