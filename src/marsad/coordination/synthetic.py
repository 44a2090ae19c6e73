"""Generated activity with planted coordinated groups, for tests, benchmarks and demos.

Organic activity is built to contain what fools naive detectors:

* heavy-tailed activity: a few *heavy users* post hundreds of times and join
  every viral burst;
* *viral bursts*: popular URLs, posts and hashtags shared by hundreds of accounts
  within minutes;
* Zipf-popular URLs, re-shared posts and hashtags, and free text drawn from a
  Zipf vocabulary.

Each planted group repeatedly acts together: for every *event* a leader posts
an object and each member (with probability ``participation``) posts the same
object within ``window`` seconds: a fresh or a popular URL, a re-share of a
post, a copy of a text with one word changed, or the same set of hashtags.
Members also keep their organic activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marsad.coordination.table import PostTable

__all__ = ["Generated", "generate", "pairwise_scores"]

_LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")


@dataclass(frozen=True, slots=True, eq=False)
class Generated:
    """A generated table and the planted groups (account ids)."""

    table: PostTable
    groups: list[list[str]]


def _words(rng: np.random.Generator, n: int) -> np.ndarray:
    lengths = rng.integers(3, 7, size=n)
    letters = rng.choice(_LETTERS, size=int(lengths.sum()))
    out, pos = [], 0
    for length in lengths.tolist():
        out.append("".join(letters[pos : pos + length]))
        pos += length
    return np.asarray(sorted(set(out)), dtype=object)


def _zipf_index(rng: np.random.Generator, n_items: int, size: int, a: float) -> np.ndarray:
    ranks = np.arange(1, n_items + 1, dtype=np.float64)
    p = ranks**-a
    p /= p.sum()
    return rng.choice(n_items, size=size, p=p)


def generate(
    *,
    n_posts: int = 50_000,
    n_accounts: int = 5_000,
    n_groups: int = 10,
    group_size: tuple[int, int] = (5, 20),
    events: tuple[int, int] = (6, 14),
    participation: float = 0.7,
    window: int = 60,
    n_viral: int = 20,
    viral_size: tuple[int, int] = (100, 800),
    heavy_fraction: float = 0.005,
    days: int = 7,
    seed: int = 0,
) -> Generated:
    """Generate about ``n_posts`` posts by ``n_accounts`` accounts with planted groups."""
    rng = np.random.default_rng(seed)
    span = days * 86_400
    vocab = _words(rng, 6000)
    n_heavy = max(1, int(n_accounts * heavy_fraction))
    activity = rng.lognormal(0.0, 1.0, size=n_accounts)
    heavy = rng.choice(n_accounts, size=n_heavy, replace=False)
    activity[heavy] *= 60.0
    activity /= activity.sum()

    acc: list[np.ndarray] = []
    times: list[np.ndarray] = []
    kinds: list[np.ndarray] = []  # 0 share, 1 link, 2 text only
    objs: list[np.ndarray] = []  # object index into the kind's pool, -1 none
    tags: list[list[tuple[str, ...]]] = []
    texts: list[list[str | None]] = []

    n_pool = max(1000, n_posts // 5)
    n_tags = 2000

    def organic_text(count: int) -> list[str]:
        lengths = rng.integers(8, 20, size=count)
        ids = _zipf_index(rng, vocab.size, int(lengths.sum()), 1.05)
        words = vocab[ids]
        out, pos = [], 0
        for length in lengths.tolist():
            out.append(" ".join(words[pos : pos + length]))
            pos += length
        return out

    def organic_tags(count: int) -> list[tuple[str, ...]]:
        has = rng.random(count) < 0.3
        n_each = rng.integers(1, 3, size=count)
        ids = _zipf_index(rng, n_tags, int(n_each.sum()), 1.1)
        out, pos = [], 0
        for h, k in zip(has.tolist(), n_each.tolist(), strict=True):
            out.append(tuple(f"وسم{i}" for i in ids[pos : pos + k]) if h else ())
            pos += k
        return out

    # 1. Viral bursts: an object shared by hundreds within minutes, heavy users included.
    burst_total = 0
    for _ in range(n_viral):
        size = int(rng.integers(*viral_size))
        kind = int(rng.integers(0, 2))
        obj = int(_zipf_index(rng, 50, 1, 1.0)[0])  # the most popular objects go viral
        start = int(rng.integers(0, span - 3600))
        members = np.concatenate(
            [
                rng.choice(n_accounts, size=size, p=activity),
                heavy[rng.random(n_heavy) < 0.8],
            ]
        )
        acc.append(members)
        times.append(start + rng.exponential(600.0, size=members.size).astype(np.int64))
        kinds.append(np.full(members.size, kind))
        objs.append(np.full(members.size, obj))
        tags.append(organic_tags(members.size))
        texts.append([None] * members.size)
        burst_total += members.size

    # 2. Planted groups.
    groups: list[list[int]] = []
    free = rng.permutation(np.setdiff1d(np.arange(n_accounts), heavy))
    pos = 0
    planted = 0
    for g in range(n_groups):
        size = int(rng.integers(group_size[0], group_size[1] + 1))
        members = free[pos : pos + size]
        pos += size
        groups.append(members.tolist())
        for e in range(int(rng.integers(events[0], events[1] + 1))):
            who = members[rng.random(size) < participation]
            if who.size < 2:
                who = members[:2]
            t0 = int(rng.integers(0, span - window))
            t = t0 + rng.integers(0, int(window * 0.8) + 1, size=who.size)
            kind = int(rng.integers(0, 4))  # share, link, text, hashtags
            acc.append(who)
            times.append(t)
            if kind in (0, 1):
                popular = rng.random() < 0.3
                obj = int(rng.integers(50, 500)) if popular else n_pool + g * 1000 + e
                kinds.append(np.full(who.size, kind))
                objs.append(np.full(who.size, obj))
                tags.append([()] * who.size)
                texts.append([None] * who.size)
            elif kind == 2:
                base = organic_text(1)[0].split() + list(rng.choice(vocab, size=6))
                copies = []
                for _ in range(who.size):
                    words = list(base)
                    words[int(rng.integers(0, len(words)))] = str(rng.choice(vocab))
                    copies.append(" ".join(words))
                kinds.append(np.full(who.size, 2))
                objs.append(np.full(who.size, -1))
                tags.append([()] * who.size)
                texts.append(copies)
            else:
                chosen = tuple(f"وسم{i}" for i in rng.choice(200, size=3, replace=False))
                kinds.append(np.full(who.size, 2))
                objs.append(np.full(who.size, -1))
                tags.append([chosen] * who.size)
                texts.append(organic_text(who.size))
            planted += who.size

    # 3. Organic background.
    n_org = max(0, n_posts - burst_total - planted)
    acc.append(rng.choice(n_accounts, size=n_org, p=activity))
    times.append(rng.integers(0, span, size=n_org))
    kind = rng.choice(3, size=n_org, p=[0.35, 0.25, 0.40])
    kinds.append(kind)
    objs.append(np.where(kind < 2, _zipf_index(rng, n_pool, n_org, 1.1), -1))
    tags.append(organic_tags(n_org))
    org_text = organic_text(n_org)
    texts.append([t if k != 0 else None for t, k in zip(org_text, kind.tolist(), strict=True)])

    account = np.concatenate(acc)
    time = np.concatenate(times).astype(np.int64) + 1_700_000_000
    kind = np.concatenate(kinds)
    obj = np.concatenate(objs)
    n = account.size
    object_id = np.where(kind == 0, np.char.add("post", obj.astype(str)), "").astype(object)
    url = np.where(kind == 1, np.char.add("https://news.example/a/", obj.astype(str)), "")
    url = url.astype(object)
    object_id[object_id == ""] = None
    url[url == ""] = None
    table = PostTable.from_columns(
        account_id=np.char.add("u", account.astype(str)).astype(object),
        post_id=np.char.add("p", np.arange(n).astype(str)).astype(object),
        timestamp=time,
        object_id=object_id,
        url=url,
        text=[t for chunk in texts for t in chunk],
        hashtags=[t for chunk in tags for t in chunk],
    )
    return Generated(table=table, groups=[[f"u{a}" for a in g] for g in groups])


def pairwise_scores(truth: list[list[str]], found: list[list[str]]) -> tuple[float, float]:
    """Pairwise precision and recall of ``found`` groups against ``truth`` groups.

    A pair of accounts is *predicted* when both lie in one found group and
    *true* when both lie in one planted group.
    """

    def pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for g in groups:
            members = sorted(set(g))
            out.update(
                (members[i], members[j])
                for i in range(len(members))
                for j in range(i + 1, len(members))
            )
        return out

    true_pairs, found_pairs = pairs(truth), pairs(found)
    hit = len(true_pairs & found_pairs)
    precision = hit / len(found_pairs) if found_pairs else 1.0
    recall = hit / len(true_pairs) if true_pairs else 1.0
    return precision, recall
