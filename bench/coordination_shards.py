"""Benchmark: a coordination run counted in shards, against one process; prints figures.

Run with ``nice python bench/coordination_shards.py [POSTS] [SHARDS]`` (defaults
200,000 and 4). On a generated table in memory (no database), it times what
each step of a split ``coordination.run`` job does: every shard prepares the
whole table (reads it, extracts every method's objects) and counts its share of
the objects; the merge prepares again, adds the parts and scores once. It checks
that the merged result equals one process's, and prints the size of the parts
a shard sends (its job result).
"""

from __future__ import annotations

import json
import sys
import time

from marsad.coordination.service import (
    add_partial_edges,
    count_edges,
    detect_coordination,
    finish_detection,
    prepare_detection,
)
from marsad.coordination.sharding import decode_part, encode_part
from marsad.coordination.synthetic import generate


def main() -> None:
    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    shards = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    data = generate(
        n_posts=n_posts,
        n_accounts=n_posts // 10,
        n_groups=100,
        n_viral=50,
        viral_size=(200, 2000),
        seed=2024,
    )
    table = data.table
    t0 = time.perf_counter()
    whole = detect_coordination(table, window=60, min_repeat=3)
    t1 = time.perf_counter()
    print(f"{len(table):,} posts; one process: {t1 - t0:.1f} s, {len(whole.clusters)} groups")

    parts = []
    prepare_s, count_s, size = [], [], 0
    for shard in range(shards):
        a = time.perf_counter()
        prep = prepare_detection(table, window=60, min_repeat=3)
        b = time.perf_counter()
        doc = encode_part(count_edges(prep, shard=shard, shards=shards))
        c = time.perf_counter()
        prepare_s.append(b - a)
        count_s.append(c - b)
        size += len(json.dumps(doc))
        parts.append(doc)
    a = time.perf_counter()
    prep = prepare_detection(table, window=60, min_repeat=3)
    merged = finish_detection(prep, add_partial_edges([decode_part(p) for p in parts]))
    b = time.perf_counter()
    print(
        f"{shards} shards: each prepares {min(prepare_s):.1f}-{max(prepare_s):.1f} s and counts "
        f"{min(count_s):.1f}-{max(count_s):.1f} s; merge (prepare, add, score, group) "
        f"{b - a:.1f} s; parts {size / 1e6:.1f} MB of JSON in all"
    )
    one, split = whole.to_json(), merged.to_json()
    one.pop("seconds")
    split.pop("seconds")
    print("merged result equals one process's:", one == split)


if __name__ == "__main__":
    main()
