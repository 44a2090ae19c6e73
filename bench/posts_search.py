"""Benchmark: search latency over a 1,000,000-post SQLite database.

Uses the database ``bench/posts_ingest.py --keep DIR`` leaves (DIR/x.db), or builds
one first. Runs typical monitor queries (a common Arabic word, a rare one, a phrase, a
prefix, with and without filters, a later page) through the service and prints the
median and worst latency of each, and how many posts matched.

    nice python bench/posts_search.py --db /tmp/marsad-bench/x.db
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

QUERIES: list[tuple[str, dict]] = [
    ("common word: حكومة", {"query": "حكومة"}),
    ("two words: حظر التجوال", {"query": "حظر التجوال"}),
    ('phrase: "حرية التعبير"', {"query": '"حرية التعبير"'}),
    ("prefix: انتخاب*", {"query": "انتخاب*"}),
    ("hashtag word: البصرة + lang ar", {"query": "البصرة", "lang": "ar"}),
    ("Kurdish word: ڕۆژنامەنووس", {"query": "ڕۆژنامەنووس"}),
    ("English: curfew baghdad", {"query": "curfew baghdad"}),
    (
        "word + one day",
        {
            "query": "حكومة",
            "since": datetime(2024, 1, 5, tzinfo=UTC),
            "until": datetime(2024, 1, 6, tzinfo=UTC),
        },
    ),
    ("word + account", {"query": "حكومة", "account": "user_10042"}),
    ("no match: زلزال", {"query": "زلزال"}),
    ("filters only: platform x, page 3", {"platform": "x", "offset": 40}),
    ("common word, page 10", {"query": "حكومة", "offset": 180}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an SQLite database made by posts_ingest.py")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    db = args.db
    if db is None:
        folder = Path("/tmp/marsad-bench")
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).with_name("posts_ingest.py")),
                "--only",
                "x",
                "--keep",
                str(folder),
            ],
            check=True,
        )
        db = folder / "x.db"

    from sqlalchemy import func, select

    from marsad.core.db import make_engine, session_factory
    from marsad.core.settings import Settings
    from marsad.posts import service
    from marsad.posts.models import Post

    settings = Settings(
        env="test",
        data_dir=db.parent,
        database_url=f"sqlite:///{db}",
        secret_key="bench-secret-key-long-enough-0123456789abcdef",
    )
    engine = make_engine(settings)
    sessions = session_factory(engine)
    with sessions() as session:
        total = session.execute(select(func.count()).select_from(Post)).scalar_one()
    print(f"{total:,} posts in {db}")
    worst_overall = 0.0
    for label, kwargs in QUERIES:
        timings = []
        matched = 0
        for _ in range(args.repeat):
            with sessions() as session:
                start = time.perf_counter()
                page = service.search(session=session, limit=20, **kwargs)
                timings.append((time.perf_counter() - start) * 1000)
                matched = page.total
        worst_overall = max(worst_overall, max(timings[1:]) if len(timings) > 1 else timings[0])
        print(
            f"{label:<40} matched {matched:>9,}  median {statistics.median(timings):7.1f} ms"
            f"  worst {max(timings):7.1f} ms  (first {timings[0]:.1f} ms)"
        )
    print(f"worst warm latency: {worst_overall:.1f} ms")


if __name__ == "__main__":
    main()
