"""The combined coordination network: accounts as nodes, evidence of co-action as edges.

Edges from every method are merged per account pair; the edge weight is the sum
of the methods' surprise scores (or share-pair counts in CooRTweet mode), and
each edge keeps per-method attributes. Groups are found with the Leiden
algorithm (``leidenalg``, modularity, fixed seed so a re-run gives the same
groups), falling back to igraph's Louvain when leidenalg is missing.

Exports: GraphML (Gephi, Cytoscape, igraph), CSV (an edge list plus a node list)
and JSON (node-link, the shape D3 and the web view read).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import igraph as ig

__all__ = ["Edge", "build_graph", "find_groups", "write_csv", "write_graphml", "write_json"]


@dataclass(slots=True)
class Edge:
    """One account pair tied by at least one method."""

    source: str
    target: str
    weight: float
    methods: dict[str, dict[str, float | int]] = field(default_factory=dict)
    objects: dict[str, list[str]] = field(default_factory=dict)
    stats: dict[str, float | int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """A plain JSON object."""
        return {
            "source": self.source,
            "target": self.target,
            "weight": round(self.weight, 3),
            **self.stats,
            "methods": sorted(self.methods),
            "method_stats": self.methods,
            "objects": self.objects,
        }


def build_graph(edges: Sequence[Edge]) -> ig.Graph:
    """An undirected weighted igraph graph with vertex attribute ``name`` = account id."""
    names: dict[str, int] = {}
    pairs = []
    for e in edges:
        pairs.append(
            (names.setdefault(e.source, len(names)), names.setdefault(e.target, len(names)))
        )
    g = ig.Graph(n=len(names), edges=pairs, directed=False)
    g.vs["name"] = list(names)
    g.es["weight"] = [float(e.weight) for e in edges]
    g.es["methods"] = [",".join(sorted(e.methods)) for e in edges]
    return g


def find_groups(g: ig.Graph, *, seed: int = 0, min_size: int = 2) -> list[list[str]]:
    """Communities of the graph (Leiden, modularity), largest first, each sorted by name."""
    if g.vcount() == 0:
        return []
    weights = g.es["weight"] if g.ecount() else None
    try:
        import leidenalg

        partition = leidenalg.find_partition(
            g, leidenalg.ModularityVertexPartition, weights=weights, seed=seed
        )
        membership = partition.membership
    except ImportError:  # pragma: no cover - leidenalg is a dependency
        membership = g.community_multilevel(weights=weights).membership
    groups: dict[int, list[str]] = {}
    for vertex, community in zip(g.vs["name"], membership, strict=True):
        groups.setdefault(community, []).append(vertex)
    out = [sorted(members) for members in groups.values() if len(members) >= min_size]
    out.sort(key=lambda m: (-len(m), m[0]))
    return out


def write_graphml(g: ig.Graph, path: Path, *, cluster_of: dict[str, int]) -> None:
    """Write GraphML with node attribute ``cluster`` (-1 = in no group)."""
    h = g.copy()
    h.vs["cluster"] = [cluster_of.get(n, -1) for n in h.vs["name"]]
    h.write_graphml(str(path))


def write_csv(edges: Sequence[Edge], path: Path, *, cluster_of: dict[str, int]) -> Path:
    """Write ``path`` (edges) and ``<stem>.nodes.csv`` beside it; return the nodes path."""
    methods = sorted({m for e in edges for m in e.methods})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["source", "target", "weight", "methods"]
            + [f"{m}_{k}" for m in methods for k in ("objects", "surprise")]
        )
        for e in edges:
            row: list[object] = [e.source, e.target, round(e.weight, 3)]
            row.append(",".join(sorted(e.methods)))
            for m in methods:
                info = e.methods.get(m, {})
                row += [info.get("objects", ""), info.get("surprise", "")]
            writer.writerow(row)
    nodes = path.with_name(path.stem + ".nodes.csv")
    accounts = sorted({a for e in edges for a in (e.source, e.target)})
    with nodes.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "cluster"])
        for a in accounts:
            writer.writerow([a, cluster_of.get(a, -1)])
    return nodes


def write_json(edges: Sequence[Edge], path: Path, *, cluster_of: dict[str, int]) -> None:
    """Write node-link JSON: ``{"nodes": [{id, cluster}], "links": [edge…]}``."""
    accounts = sorted({a for e in edges for a in (e.source, e.target)})
    document = {
        "nodes": [{"id": a, "cluster": cluster_of.get(a, -1)} for a in accounts],
        "links": [e.to_json() for e in edges],
    }
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
