"""Copy-paste campaigns: clusters of near-duplicate texts.

Texts are compared in their canonical matching form
(:func:`marsad.core.text.tokens`, so diacritics, tatweel, elongation and
lookalike letters do not separate copies) with links removed (shorteners make
every copy's link different). Each text becomes the set of its word bigrams;
two texts are near-duplicates when the Jaccard similarity of those sets is high.

Finding them never compares all pairs: a MinHash signature of ``bands × rows``
(default 6 × 4) values is computed for each distinct text with numpy, and texts
whose signatures agree on all values of any band fall into one bucket
(locality-sensitive hashing). With 6 bands of 4 rows, two texts of Jaccard
similarity ``J`` meet in a bucket with probability ``1 - (1 - J⁴)⁶``: 0.96 at
``J = 0.8``, 0.57 at ``J = 0.6`` and 0.05 at ``J = 0.3``. Buckets are joined
transitively (connected components), so a cluster is a chain of near copies.
Texts with fewer than ``min_tokens`` words are left out: "good morning" is not
a campaign.

The cluster id is then the *object* of the co-action engine: the same text,
posted by the same accounts within seconds, repeatedly.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from marsad.coordination.table import PostTable
from marsad.core.text import tokens

__all__ = ["minhash_signatures", "near_duplicate_clusters", "text_actions"]

log = logging.getLogger(__name__)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_PARALLEL_FROM = 100_000


def _words(text: str) -> str:
    return " ".join(tokens(_URL.sub(" ", text)))


def _normalise_all(texts: list[str]) -> list[str]:
    """Canonical word strings for ``texts``; in two processes when there are many."""
    workers = min(2, os.cpu_count() or 1)
    if len(texts) < _PARALLEL_FROM or workers < 2:
        return [_words(t) for t in texts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_words, texts, chunksize=20_000))


def _mix(x: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64) so minimum values behave like random permutations."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def minhash_signatures(
    shingles: np.ndarray, offsets: np.ndarray, *, n_hashes: int, seed: int = 0
) -> np.ndarray:
    """MinHash signatures, shape ``(n_docs, n_hashes)``, of documents given as shingle runs.

    Document ``d`` owns ``shingles[offsets[d]:offsets[d+1]]`` (uint64 values);
    every document must own at least one shingle.
    """
    n_docs = offsets.size - 1
    sig = np.empty((n_docs, n_hashes), dtype=np.uint64)
    rng = np.random.default_rng(seed)
    salts = rng.integers(1, 2**63, size=n_hashes, dtype=np.int64).astype(np.uint64)
    starts = offsets[:-1]
    with np.errstate(over="ignore"):
        for h in range(n_hashes):
            values = _mix(shingles ^ salts[h])
            sig[:, h] = np.minimum.reduceat(values, starts)
    return sig


def near_duplicate_clusters(
    texts: list[str],
    *,
    bands: int = 6,
    rows: int = 4,
    min_tokens: int = 4,
    seed: int = 0,
    min_size: int = 2,
) -> np.ndarray:
    """Cluster id per text (-1: too short, or in a cluster of fewer than ``min_size`` posts).

    See the module docstring. ``min_size=1`` keeps every text long enough to compare,
    each unmatched one in a cluster of its own.
    """
    n = len(texts)
    labels = np.full(n, -1, dtype=np.int64)
    raw_index: dict[str, int] = {}
    raw_code = np.fromiter(
        (raw_index.setdefault(t, len(raw_index)) if t else -1 for t in texts),
        dtype=np.int64,
        count=n,
    )
    uniques = list(raw_index)
    words = _normalise_all(uniques)
    norm_index: dict[str, int] = {}
    vocab: dict[str, int] = {}
    flat: list[int] = []
    offsets = [0]
    norm_code = np.full(len(uniques), -1, dtype=np.int64)
    for u, w in enumerate(words):
        toks = w.split()
        if len(toks) < min_tokens:
            continue
        code = norm_index.get(w)
        if code is None:
            code = norm_index[w] = len(norm_index)
            flat.extend(vocab.setdefault(tok, len(vocab)) for tok in toks)
            offsets.append(len(flat))
        norm_code[u] = code
    n_docs = len(norm_index)
    if n_docs == 0:
        return labels
    ids = np.asarray(flat, dtype=np.uint64)
    offs = np.asarray(offsets, dtype=np.int64)
    # Word bigrams: pair each token with the next one inside the same document.
    last_in_doc = np.zeros(ids.size, dtype=bool)
    last_in_doc[offs[1:] - 1] = True
    first = np.flatnonzero(~last_in_doc)
    shingles = (ids[first] << np.uint64(32)) | ids[first + 1]
    doc_of = np.repeat(np.arange(n_docs), np.diff(offs))[first]
    shingle_offsets = np.concatenate([[0], np.cumsum(np.bincount(doc_of, minlength=n_docs))])
    sig = minhash_signatures(shingles, shingle_offsets, n_hashes=bands * rows, seed=seed)

    bucket_keys = np.empty((bands, n_docs), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for b in range(bands):
            key = np.full(n_docs, np.uint64(b + 1) * _MIX, dtype=np.uint64)
            for r in range(rows):
                key = _mix(key ^ sig[:, b * rows + r])
            bucket_keys[b] = key
    _, bucket = np.unique(bucket_keys.ravel(), return_inverse=True)
    n_buckets = int(bucket.max()) + 1
    doc = np.tile(np.arange(n_docs), bands)
    graph = coo_matrix(
        (np.ones(doc.size, dtype=np.int8), (doc, n_docs + bucket)),
        shape=(n_docs + n_buckets, n_docs + n_buckets),
    )
    _, component = connected_components(graph, directed=False)
    doc_cluster = component[:n_docs]

    mapped = np.where(raw_code >= 0, norm_code[np.maximum(raw_code, 0)], -1)
    labels = np.where(mapped >= 0, doc_cluster[np.maximum(mapped, 0)], -1)
    if min_size > 1:
        valid = labels >= 0
        counts = np.bincount(labels[valid], minlength=int(labels.max()) + 1 if valid.any() else 0)
        labels[valid & (counts[np.maximum(labels, 0)] < min_size)] = -1
    return labels


def text_actions(table: PostTable, **options: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, object_codes, examples)``: one action per post with a text long enough to compare.

    A text that matches no other is an action too, on an object of its own: it
    can never be co-posted, but it is an action its account took, and the
    chance model (:mod:`marsad.coordination.coaction`) needs every action in its
    denominator, as the ``links`` and ``hashtags`` methods give it. Leaving such
    posts out made accounts that only paste look as if they were most of the
    activity, so their expected co-posting rose to match what they did, and small
    campaigns in small data were missed. ``examples`` maps each object code to one
    text of its cluster (for evidence).
    """
    options.setdefault("min_size", 1)
    if table.text is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=object)
    texts = [t or "" for t in table.text.tolist()]
    labels = near_duplicate_clusters(texts, **options)
    rows = np.flatnonzero(labels >= 0)
    uniq, codes = np.unique(labels[rows], return_inverse=True)
    first_row = np.full(uniq.size, -1, dtype=np.int64)
    first_row[codes[::-1]] = rows[::-1]
    examples = np.empty(uniq.size, dtype=object)
    examples[:] = [texts[r][:280] for r in first_row.tolist()]
    log.debug("text: %d posts in %d near-duplicate clusters", rows.size, uniq.size)
    return rows.astype(np.int64), codes.astype(np.int64), examples
