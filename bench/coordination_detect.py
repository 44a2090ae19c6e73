"""Benchmark: 1,000,000 generated posts from 100,000 accounts, every method; prints figures.

Run with ``nice python bench/coordination_detect.py``. Also times CooRTweet's sample
when ../shared is present.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from marsad.coordination.io import read_table
from marsad.coordination.service import detect_coordination
from marsad.coordination.synthetic import generate, pairwise_scores

SAMPLE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/formats/cib_coordination/cooRTweet_russian_coord_tweets.csv"
)


def peak_mb() -> float:
    """Peak resident memory of this process and its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def main() -> None:
    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_accounts = n_posts // 10
    t0 = time.perf_counter()
    data = generate(
        n_posts=n_posts,
        n_accounts=n_accounts,
        n_groups=100,
        n_viral=50,
        viral_size=(200, 2000),
        seed=2024,
    )
    t1 = time.perf_counter()
    print(
        f"generated {len(data.table):,} posts, {data.table.n_accounts:,} accounts, {t1 - t0:.1f} s"
    )
    result = detect_coordination(data.table, window=60, min_repeat=3)
    t2 = time.perf_counter()
    precision, recall = pairwise_scores(data.groups, [c.accounts for c in result.clusters])
    print(
        f"detect (all methods): {t2 - t1:.1f} s; {len(result.edges):,} edges, "
        f"{len(result.clusters)} groups; pairwise precision {precision:.3f} recall {recall:.3f}"
    )
    for method, info in result.methods.items():
        print(f"  {method}: {info}")
    print(f"peak memory: {peak_mb():,.0f} MB")
    if SAMPLE.exists():
        t3 = time.perf_counter()
        table = read_table(SAMPLE)
        t4 = time.perf_counter()
        coor = detect_coordination(
            table, methods=["shares"], window=10, min_repeat=5, weighting="count"
        )
        t5 = time.perf_counter()
        print(
            f"CooRTweet sample: read {t4 - t3:.2f} s, detect {t5 - t4:.2f} s, "
            f"{len(coor.edges)} edges"
        )


if __name__ == "__main__":
    main()
