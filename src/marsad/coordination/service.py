"""Coordination detection as one call: posts in, coordinated groups and their evidence out.

The web app, the CLI and background jobs call :func:`detect_coordination`; it is
pure (no database) and deterministic for a given table and parameters.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from marsad.coordination.coaction import (
    CoCounts,
    add_co_counts,
    co_action_counts,
    score_co_counts,
)
from marsad.coordination.creation import creation_bursts, group_creation
from marsad.coordination.graph import Edge, build_graph, find_groups
from marsad.coordination.hashtags import hashtag_actions
from marsad.coordination.link_sharing import link_actions
from marsad.coordination.near_duplicates import text_actions
from marsad.coordination.shares import (
    coortweet_candidates,
    coortweet_participation,
    share_objects,
)
from marsad.coordination.signals import copy_paste_share
from marsad.coordination.table import PostTable
from marsad.core.errors import InvalidInput

__all__ = [
    "METHODS",
    "Cluster",
    "CoordinationResult",
    "PartialEdges",
    "Prepared",
    "add_partial_edges",
    "count_edges",
    "default_weighting",
    "detect_coordination",
    "finish_detection",
    "method_actions",
    "object_shards",
    "parse_methods",
    "prepare_detection",
]

log = logging.getLogger(__name__)

METHODS = ("links", "text", "hashtags", "shares")
Weighting = Literal["surprise", "count"]
_ACTIONS: dict[str, Callable[[PostTable], tuple[np.ndarray, np.ndarray, np.ndarray]]] = {
    "links": link_actions,
    "text": text_actions,
    "hashtags": hashtag_actions,
}
_COLUMN = {"links": "url", "text": "text", "hashtags": "hashtags", "shares": "object_id"}


def method_actions(table: PostTable, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, object_codes, object_labels)`` of one method (see each method's module)."""
    if method == "shares":
        codes, labels = share_objects(table)
        rows = np.flatnonzero(codes >= 0)
        return rows.astype(np.int64), codes[rows].astype(np.int64), labels
    return _ACTIONS[method](table)


@dataclass(slots=True)
class Cluster:
    """A group of accounts found to act together, with what ties them."""

    id: int
    accounts: list[str]
    methods: list[str]
    edges: int
    density: float
    score: float
    objects: list[str]
    method: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    creation: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain JSON object."""
        doc = {
            "id": self.id,
            "method": self.method,
            "size": len(self.accounts),
            "accounts": self.accounts,
            "methods": self.methods,
            "evidence": self.evidence,
            "edges": self.edges,
            "density": round(self.density, 3),
            "score": round(self.score, 3),
            "objects": self.objects,
        }
        if self.creation is not None:
            doc["creation"] = self.creation
        return doc


@dataclass(slots=True)
class CoordinationResult:
    """What :func:`detect_coordination` found: significant edges and the groups they form."""

    parameters: dict[str, Any]
    posts: int
    accounts: int
    methods: dict[str, dict[str, Any]]
    edges: list[Edge]
    clusters: list[Cluster]
    seconds: float = 0.0
    cluster_of: dict[str, int] = field(default_factory=dict)
    creation_bursts: list[dict[str, Any]] | None = None
    dated_accounts: int = 0
    copy_paste: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """The document ``marsad coordination detect --json`` prints."""
        doc: dict[str, Any] = {
            "parameters": self.parameters,
            "input": {"posts": self.posts, "accounts": self.accounts},
            "methods": self.methods,
            "clusters": [c.to_json() for c in self.clusters],
            "edges": [e.to_json() for e in self.edges],
            "seconds": round(self.seconds, 3),
        }
        if self.creation_bursts is not None:
            # Only when account creation times were given; keys are added, never renamed.
            doc["input"]["dated_accounts"] = self.dated_accounts
            doc["creation_bursts"] = self.creation_bursts
        if self.copy_paste is not None:
            # Only when the text method ran; accounts of the input that are absent have 0.
            doc["copy_paste"] = self.copy_paste
        return doc


def _count_edges(
    table: PostTable,
    rows: np.ndarray,
    obj: np.ndarray,
    older: np.ndarray,
    newer: np.ndarray,
    *,
    min_repeat: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """CooRTweet-mode edges from one method's candidate pairs: (a, b, pairs, objects, codes)."""
    content = _share_content(table, rows, obj)
    pairs = coortweet_participation(
        account=table.account[rows],
        obj=obj,
        content=content,
        t=table.time[rows],
        older=older,
        newer=newer,
        min_participation=min_repeat,
    )
    acc = table.account[rows].astype(np.int64)
    ai, aj = acc[pairs.older], acc[pairs.newer]
    lo, hi = np.minimum(ai, aj), np.maximum(ai, aj)
    width = np.int64(table.n_accounts)
    key = lo * width + hi
    po = obj[pairs.older]
    order = np.lexsort((po, key))
    key, po = key[order], po[order]
    uniq, start, counts = np.unique(key, return_index=True, return_counts=True)
    bounds = list(start[1:]) + [key.size]
    objs = [np.unique(po[s:e]) for s, e in zip(start, bounds, strict=True)]
    n_objects = np.asarray([o.size for o in objs], dtype=np.int64)
    return uniq // width, uniq % width, counts, n_objects, objs


def _share_content(table: PostTable, rows: np.ndarray, obj: np.ndarray) -> np.ndarray:
    """CooRTweet's ``content_id`` of each action: its post, coded past the object codes."""
    _, post_code = np.unique(table.post_id[rows].astype(str), return_inverse=True)
    n_obj = int(obj.max()) + 1 if obj.size else 0
    return post_code.astype(np.int64) + n_obj


def default_weighting(methods: Sequence[str]) -> Weighting:
    """The weighting a run uses when none is asked for.

    ``shares`` alone is CooRTweet's model, so by default its edge set is
    CooRTweet's (``count``); any other choice of methods is scored against
    chance (``surprise``).
    """
    return "count" if list(methods) == ["shares"] else "surprise"


def parse_methods(value: str | Sequence[str] | None) -> list[str]:
    """Methods from a comma-separated string or a list; empty, None or ``all`` = every one."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    chosen = [m.strip() for m in items if m.strip()]
    if not chosen or chosen == ["all"]:
        return list(METHODS)
    return chosen


@dataclass(slots=True)
class Prepared:
    """A table with every method's actions extracted: the input of counting and scoring."""

    table: PostTable
    methods: list[str]
    window: int
    min_repeat: int
    weighting: Weighting
    max_crowd: int | None
    min_surprise: float | None
    actions: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    report: dict[str, dict[str, Any]]
    copy_paste: dict[str, float] | None
    started: float


@dataclass(slots=True)
class PartialEdges:
    """What a run counts over some of its objects; parts over disjoint objects add up.

    ``counts`` in ``surprise`` weighting, ``pairs`` (per method, candidate row
    pairs as indices into that method's actions) in ``count`` weighting.
    """

    counts: CoCounts | None = None
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def prepare_detection(
    table: PostTable,
    *,
    methods: Sequence[str] = METHODS,
    window: int = 60,
    min_repeat: int = 3,
    weighting: Weighting | None = None,
    max_crowd: int | None = 1000,
    min_surprise: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Prepared:
    """Check the parameters against the table and extract each method's actions."""
    started = time.perf_counter()
    methods = list(methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise InvalidInput(
            "err_coordination_method",
            f"unknown method {', '.join(unknown)}; use {', '.join(METHODS)} or all",
            where="method",
        )
    if weighting is None:
        weighting = default_weighting(methods)
    if weighting not in ("surprise", "count"):
        raise InvalidInput("err_coordination_input", "use surprise or count", where="weighting")
    if window < 0:
        raise InvalidInput("err_coordination_input", "must be 0 or more seconds", where="window")
    if min_repeat < 1:
        raise InvalidInput("err_coordination_input", "must be at least 1", where="min_repeat")
    if table.n_accounts < 2:
        raise InvalidInput(
            "err_coordination_input",
            f"needs posts from at least two accounts, found {table.n_accounts}",
            where="input",
        )
    usable = [m for m in methods if getattr(table, _COLUMN[m]) is not None]
    if not usable:
        raise InvalidInput(
            "err_coordination_input",
            "no column for the chosen methods (need "
            + ", ".join(f"{_COLUMN[m]} for {m}" for m in methods)
            + ")",
            where="input",
        )
    report: dict[str, dict[str, Any]] = {}
    actions: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for method in methods:
        if method not in usable:
            report[method] = {"skipped": f"no {_COLUMN[method]} column"}
            continue
        if progress:
            progress(f"{method}: extracting actions")
        actions[method] = method_actions(table, method)
        report[method] = {"actions": int(actions[method][0].size)}
    copy_paste = None
    if "text" in actions:
        # The texts are clustered already: each account's copy-paste share costs
        # almost nothing here, and saved with a run it spares the account pages
        # from clustering the whole store again on every view.
        share = copy_paste_share(table, actions["text"])
        copy_paste = {
            str(table.accounts[c]): round(float(share[c]), 4)
            for c in np.flatnonzero(share > 0).tolist()
        }
    return Prepared(
        table=table,
        methods=methods,
        window=window,
        min_repeat=min_repeat,
        weighting=weighting,
        max_crowd=max_crowd,
        min_surprise=min_surprise,
        actions=actions,
        report=report,
        copy_paste=copy_paste,
        started=started,
    )


def object_shards(method: str, labels: np.ndarray, shards: int) -> np.ndarray:
    """The shard (0 to ``shards - 1``) of each of a method's objects, by a stable hash.

    The hash is of the object itself (its URL, tag, text or post id), not of its
    code, so an object keeps its shard whatever else the store holds.
    """
    if shards <= 1:
        return np.zeros(labels.size, dtype=np.int64)
    prefix = method.encode() + b"\x1f"
    return np.fromiter(
        (
            zlib.crc32(prefix + str(label).encode("utf-8", "surrogatepass")) % shards
            for label in labels
        ),
        dtype=np.int64,
        count=labels.size,
    )


def count_edges(
    prep: Prepared,
    *,
    shard: int = 0,
    shards: int = 1,
    progress: Callable[[str], None] | None = None,
) -> PartialEdges:
    """Count co-actions on the objects of one shard (all of them when ``shards`` is 1)."""
    if not 0 <= shard < shards:
        raise InvalidInput("err_coordination_input", f"must be 0 to {shards - 1}", where="shard")
    table = prep.table
    mine: dict[str, np.ndarray] = {}
    for method, (rows, obj, labels) in prep.actions.items():
        if shards == 1:
            mine[method] = np.ones(rows.size, dtype=bool)
        else:
            mine[method] = object_shards(method, labels, shards)[obj] == shard
    if prep.weighting == "count":
        # CooRTweet's model, run on each method's objects separately.
        part = PartialEdges()
        for method, (rows, obj, _labels) in prep.actions.items():
            if progress:
                progress(f"{method}: pairing {int(mine[method].sum()):,} actions")
            part.pairs[method] = coortweet_candidates(
                account=table.account[rows],
                obj=obj,
                content=_share_content(table, rows, obj),
                t=table.time[rows],
                time_window=prep.window,
                min_participation=prep.min_repeat,
                remove_loops=True,
                only=mine[method],
            )
        return part
    if not prep.actions:
        return PartialEdges()
    # One pass over the actions of every method: a group that shares a link
    # today and pastes a text tomorrow repeats itself across methods, so the
    # repetitions are counted together (object codes kept apart per method).
    names = list(prep.actions)
    offsets = _offsets(prep)
    keep = np.concatenate([mine[m] for m in names])
    rows = np.concatenate([prep.actions[m][0] for m in names])[keep]
    obj = np.concatenate(
        [prep.actions[m][1] + off for m, off in zip(names, offsets, strict=False)]
    )[keep]
    stratum = np.concatenate(
        [np.full(prep.actions[m][0].size, i, dtype=np.int64) for i, m in enumerate(names)]
    )[keep]
    if progress:
        progress(f"pairing {rows.size:,} actions")
    counts = co_action_counts(
        table.account[rows],
        obj,
        table.time[rows],
        window=prep.window,
        width=max(table.n_accounts, 1),
        max_crowd=prep.max_crowd,
        stratum=stratum,
    )
    return PartialEdges(counts=counts)


def add_partial_edges(parts: Sequence[PartialEdges]) -> PartialEdges:
    """The counts of all the parts' objects together (each object counted in one part)."""
    counted = [p.counts for p in parts if p.counts is not None]
    total = PartialEdges(counts=add_co_counts(counted) if counted else None)
    for p in parts:
        for method, (older, newer) in p.pairs.items():
            before = total.pairs.get(method)
            if before is None:
                total.pairs[method] = (older, newer)
            else:
                total.pairs[method] = (
                    np.concatenate([before[0], older]),
                    np.concatenate([before[1], newer]),
                )
    return total


def _offsets(prep: Prepared) -> np.ndarray:
    names = list(prep.actions)
    return np.cumsum([0] + [prep.actions[m][2].size for m in names])


def detect_coordination(
    table: PostTable,
    *,
    methods: Sequence[str] = METHODS,
    window: int = 60,
    min_repeat: int = 3,
    weighting: Weighting | None = None,
    max_crowd: int | None = 1000,
    min_surprise: float | None = None,
    min_cluster_size: int = 2,
    max_objects: int = 10,
    created: Mapping[str, int] | None = None,
    creation_days: int = 30,
    progress: Callable[[str], None] | None = None,
) -> CoordinationResult:
    """Find groups of accounts that repeatedly act together within ``window`` seconds.

    The same three steps a sharded run takes (:func:`prepare_detection`,
    :func:`count_edges` per shard, :func:`finish_detection`), in one process.

    Parameters
    ----------
    table:
        The posts (:class:`PostTable`).
    methods:
        Any of ``links`` (same URL), ``text`` (near-duplicate text), ``hashtags``
        (same tag set) and ``shares`` (same re-shared post, CooRTweet's model).
    window:
        Seconds within which two actions count as simultaneous (inclusive).
    min_repeat:
        ``surprise`` weighting: fewest distinct objects a pair must share.
        ``count`` weighting: CooRTweet's ``min_participation``.
    weighting:
        ``surprise`` scores pairs against chance, so viral content and heavy
        users are not coordination (see :mod:`marsad.coordination.coaction`);
        ``count`` reproduces CooRTweet: every pair that survives its filters is
        an edge weighted by share pairs. ``None`` (default) is
        :func:`default_weighting`: ``count`` for ``shares`` alone, else ``surprise``.
    max_crowd, min_surprise:
        See :func:`marsad.coordination.coaction.co_action_edges`.
    min_cluster_size:
        Smallest group reported.
    max_objects:
        How many tying objects to keep as evidence per edge and per group.
    created:
        Account creation (registration) times, epoch seconds, by account id;
        when given (even empty), the result lists creation bursts among them
        and each cluster says whether its members were created within
        ``creation_days`` of one another (:mod:`marsad.coordination.creation`).
    progress:
        Called with a short message before each step.

    Returns
    -------
    CoordinationResult
    """
    prep = prepare_detection(
        table,
        methods=methods,
        window=window,
        min_repeat=min_repeat,
        weighting=weighting,
        max_crowd=max_crowd,
        min_surprise=min_surprise,
        progress=progress,
    )
    return finish_detection(
        prep,
        count_edges(prep, progress=progress),
        min_cluster_size=min_cluster_size,
        max_objects=max_objects,
        created=created,
        creation_days=creation_days,
        progress=progress,
    )


def finish_detection(
    prep: Prepared,
    counted: PartialEdges,
    *,
    min_cluster_size: int = 2,
    max_objects: int = 10,
    created: Mapping[str, int] | None = None,
    creation_days: int = 30,
    progress: Callable[[str], None] | None = None,
) -> CoordinationResult:
    """Score the counted edges, group the accounts and describe each group."""
    table, actions = prep.table, prep.actions
    report = {m: dict(r) for m, r in prep.report.items()}
    merged: dict[tuple[int, int], Edge] = {}
    co = None
    if prep.weighting == "count":
        for method, (rows, obj, labels) in actions.items():
            older, newer = counted.pairs.get(method, (np.zeros(0, np.int64),) * 2)
            a, b, pair_counts, n_objects, objs = _count_edges(
                table, rows, obj, older, newer, min_repeat=prep.min_repeat
            )
            report[method]["edges"] = int(a.size)
            for x, y, p, o, codes in zip(
                a.tolist(), b.tolist(), pair_counts.tolist(), n_objects.tolist(), objs, strict=True
            ):
                edge = merged.get((x, y))
                if edge is None:
                    edge = merged[(x, y)] = Edge(
                        source=str(table.accounts[x]), target=str(table.accounts[y]), weight=0.0
                    )
                edge.weight += p
                edge.methods[method] = {"pairs": p, "objects": o}
                edge.objects[method] = [str(labels[c]) for c in codes[:max_objects].tolist()]
    elif actions and counted.counts is not None:
        names = list(actions)
        offsets = _offsets(prep)
        co = score_co_counts(
            counted.counts, min_repeat=prep.min_repeat, min_surprise=prep.min_surprise
        )
        keep = np.flatnonzero(co.significant)
        all_objs = co.objects_of(keep, limit=10**9)
        for m in names:
            report[m]["edges"] = 0
        for n, e in enumerate(keep.tolist()):
            x, y = int(co.a[e]), int(co.b[e])
            edge = merged[(x, y)] = Edge(
                source=str(table.accounts[x]),
                target=str(table.accounts[y]),
                weight=float(co.surprise[e]),
            )
            codes = all_objs[n]
            which = np.searchsorted(offsets, codes, side="right") - 1
            for mi, m in enumerate(names):
                mine = codes[which == mi] - offsets[mi]
                if mine.size:
                    report[m]["edges"] += 1
                    edge.methods[m] = {"objects": int(mine.size)}
                    edge.objects[m] = [str(actions[m][2][c]) for c in mine[:max_objects].tolist()]
            edge.stats = {
                "objects": int(co.objects[e]),
                "pairs": int(co.pairs[e]),
                "expected": round(float(co.expected[e]), 4),
                "surprise": round(float(co.surprise[e]), 2),
            }
        report["all"] = {
            "candidate_pairs": len(co),
            "edges": int(keep.size),
            "surprise_threshold": round(co.threshold, 2),
        }

    if progress:
        progress("grouping accounts")
    edges = sorted(merged.values(), key=lambda e: (-e.weight, e.source, e.target))
    graph = build_graph(edges)
    groups = find_groups(graph, min_size=min_cluster_size)
    if co is not None and groups:
        groups = _attach(groups, co, table, edges)
    cluster_of = {acc: i for i, members in enumerate(groups, start=1) for acc in members}
    clusters = _describe(groups, edges, cluster_of, max_objects)
    _add_evidence(clusters, edges, cluster_of, table, actions)
    bursts = None
    if created is not None:
        if progress:
            progress("account creation dates")
        population = np.sort(np.fromiter(created.values(), dtype=np.int64, count=len(created)))
        found = creation_bursts(population)
        bursts = [b.to_json() for b in found]
        for c in clusters:
            c.creation = group_creation(
                c.accounts,
                created,
                population=population,
                within_days=creation_days,
                bursts=found,
            ).to_json()
    parameters = {
        "methods": list(prep.methods),
        "window": prep.window,
        "min_repeat": prep.min_repeat,
        "weighting": prep.weighting,
        "max_crowd": prep.max_crowd if prep.weighting == "surprise" else None,
        "min_surprise": prep.min_surprise,
    }
    return CoordinationResult(
        parameters=parameters,
        posts=len(table),
        accounts=table.n_accounts,
        methods=report,
        edges=edges,
        clusters=clusters,
        seconds=time.perf_counter() - prep.started,
        cluster_of=cluster_of,
        creation_bursts=bursts,
        dated_accounts=len(created) if created is not None else 0,
        copy_paste=prep.copy_paste,
    )


def _attach(
    groups: list[list[str]], co: Any, table: PostTable, edges: list[Edge]
) -> list[list[str]]:
    """Let an account join a group on several weaker ties to its members.

    An account outside every group joins group ``G`` when at least two of its
    pairs with members of ``G`` each repeat (two or more objects) with surprise
    >= 2, and the surprises of those pairs sum to the significance threshold.
    One weak tie is chance; several, to the same group, are the evidence a
    single strong tie would be (the sum of -log10 p is Fisher's combination).
    """
    member_of = {a: g for g, members in enumerate(groups) for a in members}
    weak = np.flatnonzero(~co.significant & (co.objects >= 2) & (co.surprise >= 2.0))
    support: dict[tuple[str, int], list[int]] = {}
    for e in weak.tolist():
        x, y = str(table.accounts[co.a[e]]), str(table.accounts[co.b[e]])
        gx, gy = member_of.get(x), member_of.get(y)
        if (gx is None) == (gy is None):
            continue
        outsider, group = (x, gy) if gx is None else (y, gx)
        support.setdefault((outsider, int(group)), []).append(e)
    best: dict[str, tuple[float, int, list[int]]] = {}
    for (outsider, group), ties in support.items():
        total = float(co.surprise[ties].sum())
        better = outsider not in best or total > best[outsider][0]
        if len(ties) >= 2 and total >= co.threshold and better:
            best[outsider] = (total, group, ties)
    out = [list(members) for members in groups]
    for outsider, (_, group, ties) in sorted(best.items()):
        out[group].append(outsider)
        for e in ties:
            edges.append(
                Edge(
                    source=str(table.accounts[co.a[e]]),
                    target=str(table.accounts[co.b[e]]),
                    weight=float(co.surprise[e]),
                    stats={
                        "objects": int(co.objects[e]),
                        "pairs": int(co.pairs[e]),
                        "expected": round(float(co.expected[e]), 4),
                        "surprise": round(float(co.surprise[e]), 2),
                        "supporting": True,
                    },
                )
            )
    return [sorted(members) for members in out]


def _describe(
    groups: list[list[str]], edges: list[Edge], cluster_of: dict[str, int], max_objects: int
) -> list[Cluster]:
    inside: dict[int, list[Edge]] = {}
    for e in edges:
        c = cluster_of.get(e.source)
        if c is not None and c == cluster_of.get(e.target):
            inside.setdefault(c, []).append(e)
    clusters = []
    for cid, members in enumerate(groups, start=1):
        own = inside.get(cid, [])
        methods = sorted({m for e in own for m in e.methods})
        tally: Counter[str] = Counter()
        for e in own:
            for objs in e.objects.values():
                tally.update(objs)
        n = len(members)
        clusters.append(
            Cluster(
                id=cid,
                accounts=members,
                methods=methods,
                edges=len(own),
                density=len(own) / (n * (n - 1) / 2) if n > 1 else 0.0,
                score=sum(e.weight for e in own),
                objects=[o for o, _ in tally.most_common(max_objects)],
            )
        )
    return clusters


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(float(seconds), UTC).isoformat().replace("+00:00", "Z")


def _add_evidence(
    clusters: list[Cluster],
    edges: list[Edge],
    cluster_of: dict[str, int],
    table: PostTable,
    actions: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> None:
    """Give each cluster its main method and, per tying object, the members' shares of it.

    One vectorised pass per method finds the rows of every object any cluster
    cites; the per-cluster work is then over those few rows only.
    """
    wanted: dict[str, dict[int, list[tuple[int, str]]]] = {}
    per_method_count: dict[int, Counter[str]] = {}
    for e in edges:
        cid = cluster_of.get(e.source)
        if cid is None or cid != cluster_of.get(e.target):
            continue
        tally = per_method_count.setdefault(cid, Counter())
        for m, objs in e.objects.items():
            tally[m] += 1
            for label in objs:
                wanted.setdefault(m, {}).setdefault(cid, []).append((0, label))
    by_id = {c.id: c for c in clusters}
    for cid, tally in per_method_count.items():
        by_id[cid].method = tally.most_common(1)[0][0]
    for c in clusters:
        if not c.method and c.methods:
            c.method = c.methods[0]
    for m, per_cluster in wanted.items():
        if m not in actions:
            continue
        rows, codes, labels = actions[m]
        needed = {label for items in per_cluster.values() for _, label in items}
        label_codes = np.flatnonzero(np.isin(labels.astype(str), list(needed)))
        mask = np.isin(codes, label_codes)
        hit_rows, hit_codes = rows[mask], codes[mask]
        shares_of: dict[str, list[int]] = {}
        for r, code in zip(hit_rows.tolist(), hit_codes.tolist(), strict=True):
            shares_of.setdefault(str(labels[code]), []).append(r)
        for cid, items in per_cluster.items():
            cluster = by_id[cid]
            members = set(cluster.accounts)
            seen: set[str] = {ev["object"] for ev in cluster.evidence}
            for _, label in items:
                if label in seen or len(cluster.evidence) >= 10:
                    continue
                seen.add(label)
                shares = [
                    {
                        "account": str(table.accounts[table.account[r]]),
                        "post_id": str(table.post_id[r]),
                        "timestamp": _iso(table.time[r]),
                    }
                    for r in shares_of.get(label, [])
                    if str(table.accounts[table.account[r]]) in members
                ]
                shares.sort(key=lambda s: (s["timestamp"], s["account"]))
                cluster.evidence.append({"object": label, "method": m, "shares": shares})
