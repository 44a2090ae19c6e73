"""Benchmark: rank successors of a suspended account in a generated SQLite store.

Builds (or reuses) a store of ``--posts`` posts from a tenth as many accounts:
names drawn from common Iraqi first and family names (so namesakes recur),
random handles and outlet names, posts per account heavy-tailed, mostly in the
evening, hashtags and link domains from Zipf-like pools. ``x:ali_basri`` was
banned; ``x:ali_basri2`` re-created it later. Then times, each in its own
process (peak memory is per process), the whole-store ranking (every account's
behaviour from every post, as before) and :func:`propose_successors`, and checks
that they rank the same.

    nice python bench/coordination_successors.py --db /tmp/marsad-succ/s.db [--posts 1000000]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from marsad.core import migrate
from marsad.core.db import make_engine, new_id, session_factory
from marsad.core.settings import Settings

FIRST = [
    "ali",
    "hussein",
    "zainab",
    "mustafa",
    "noor",
    "haider",
    "sara",
    "omar",
    "karrar",
    "ahmed",
    "abbas",
    "fatima",
]
LAST = [
    "basri",
    "baghdadi",
    "najafi",
    "mosuli",
    "kurdi",
    "hilli",
    "karbalai",
    "tamimi",
    "jabouri",
    "obaidi",
]
FIRST_AR = [
    "علي",
    "حسين",
    "زينب",
    "مصطفى",
    "نور",
    "حيدر",
    "سارة",
    "عمر",
    "كرار",
    "أحمد",
    "عباس",
    "فاطمة",
]
LAST_AR = [
    "البصري",
    "البغدادي",
    "النجفي",
    "الموصلي",
    "الكردي",
    "الحلي",
    "الكربلائي",
    "التميمي",
    "الجبوري",
    "العبيدي",
]
OUTLETS = ["News", "Iraq today", "Baghdad Post", "شبكة أخبار", "Rudaw", "قناة", "Basra 24"]
EVENING = [6, 9, 12, 14, 15, 16, 17, 17, 18, 18, 18, 19, 19, 20, 21]
TAGS = [f"وسم{i}" for i in range(300)] + ["البصرة_تنتفض", "الماء", "العراق"]
DOMAINS = [f"site{i}.iq" for i in range(100)]
START = datetime(2026, 1, 1, tzinfo=UTC)


def settings(db: Path) -> Settings:
    return Settings(env="test", data_dir=db.parent / "data", database_url=f"sqlite:///{db}")


def build(db: Path, n_posts: int, seed: int = 11) -> None:
    from marsad.posts.models import Account, Post

    rng = random.Random(seed)
    engine = make_engine(settings(db))
    migrate.upgrade(engine)
    n_accounts = n_posts // 10
    accounts, weights = [], []
    for n in range(n_accounts):
        roll = rng.random()
        if roll < 0.6:
            handle = f"{rng.choice(FIRST)}_{rng.choice(LAST)}{n}"
            name = f"{rng.choice(FIRST_AR)} {rng.choice(LAST_AR)}"
        elif roll < 0.9:
            handle = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(5, 12)))
            name = rng.choice(FIRST_AR + OUTLETS)
        else:
            handle, name = f"user{n}", None
        accounts.append((f"{n}", handle + ("" if handle.endswith(str(n)) else str(n)), name))
        weights.append(1 / (1 + n % 997) ** 0.8)
    accounts += [
        ("ali_basri", "ali_basri", "علي البصري"),
        ("ali_basri2", "ali_basri2", "علي البصري"),
    ]
    now = START + timedelta(days=300)
    account_rows = [
        {
            "id": new_id(),
            "platform": "x",
            "account_id": a,
            "handle": h,
            "display_name": d,
            "first_seen": START + timedelta(days=rng.randint(0, 200)),
            "last_seen": now,
        }
        for a, h, d in accounts
    ]
    account_rows[-1]["first_seen"] = START + timedelta(days=215)  # after the ban
    own_tags = ["البصرة_تنتفض", "الماء", "وسم7"]

    def post(i: int, account: str, when: datetime, tags: list[str]) -> dict:
        links = [f"https://{rng.choice(DOMAINS)}/{i}"] if rng.random() < 0.3 else None
        return {
            "platform": "x",
            "post_id": str(i),
            "account_id": account,
            "text": " ".join("#" + t for t in tags) + f" نص {i}",
            "created_at": when,
            "hashtags": tags or None,
            "links": links,
            "source": "bench",
            "ingested_at": now,
        }

    with engine.begin() as conn:
        conn.execute(Account.__table__.insert(), account_rows)
        ids = [a for a, _h, _d in accounts[:-2]]
        # Every account posts; half the posts go to a heavy-tailed few.
        busy = rng.choices(ids, weights, k=n_posts)
        batch = []
        for i in range(n_posts - 100):
            account = busy[i] if i % 2 else ids[(i // 2) % len(ids)]
            when = START.replace(hour=rng.choice(EVENING)) + timedelta(
                days=rng.randint(0, 280), minutes=rng.randint(0, 59)
            )
            tags = [TAGS[min(int(rng.paretovariate(1.2)) - 1, len(TAGS) - 1)]]
            if rng.random() < 0.4:
                tags.append(rng.choice(TAGS))
            batch.append(post(i, account, when, tags))
            if len(batch) == 20_000:
                conn.execute(Post.__table__.insert(), batch)
                batch = []
        for k in range(50):  # the banned account, then its successor
            day = START.replace(hour=18) + timedelta(days=150 + k // 2)
            batch.append(post(n_posts + k, "ali_basri", day, rng.sample(own_tags, 2)))
            later = START.replace(hour=19) + timedelta(days=220 + k // 2)
            batch.append(post(n_posts + 50 + k, "ali_basri2", later, rng.sample(own_tags, 2)))
        conn.execute(Post.__table__.insert(), batch)
    engine.dispose()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(db: Path, mode: str) -> None:
    """One ranking in this process; prints a JSON line."""
    from marsad.coordination import lineage
    from marsad.coordination.recreated_accounts import rank_successors
    from marsad.posts import read as posts_read

    read: Counter[str] = Counter()
    for name in ("iter_share_rows", "iter_share_rows_of"):
        real = getattr(posts_read, name)

        def counted(real=real, **kwargs):  # type: ignore[no-untyped-def]
            for row in real(**kwargs):
                read[row["account_id"]] += 1
                yield row

        setattr(posts_read, name, counted)
    sessions = session_factory(make_engine(settings(db)), settings(db))
    with sessions() as session:
        t0 = time.perf_counter()
        if mode == "full":
            profiles = lineage.store_profiles(session)
            pool = [p for a, p in profiles.items() if a != "x:ali_basri"]
            ranked = [c.to_json() for c in rank_successors(profiles["x:ali_basri"], pool, limit=10)]
        else:
            ranked = lineage.propose_successors(session, suspended="x:ali_basri", limit=10)
        took = time.perf_counter() - t0
    top = [(c["account_id"], c["score"]) for c in ranked]
    print(
        json.dumps(
            {
                "mode": mode,
                "seconds": round(took, 2),
                "peak_mb": round(peak_mb()),
                "accounts_read": len(read),
                "posts_read": sum(read.values()),
                "top": top,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--measure", choices=["full", "pruned"])
    args = parser.parse_args()
    if args.measure:
        measure(args.db, args.measure)
        return
    if not args.db.exists():
        args.db.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build(args.db, args.posts)
        print(f"built {args.db} ({args.posts:,} posts) in {time.perf_counter() - t0:.0f} s")
    results = {}
    for mode in ("full", "pruned"):
        out = subprocess.run(
            [sys.executable, __file__, "--db", str(args.db), "--measure", mode],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[mode] = json.loads(out.strip().splitlines()[-1])
        r = results[mode]
        print(
            f"{mode}: {r['seconds']} s, peak RSS {r['peak_mb']} MB, posts read "
            f"{r['posts_read']:,} of {r['accounts_read']:,} accounts; top {r['top'][:2]}"
        )
    same = results["full"]["top"] == results["pruned"]["top"]
    print("same ranking:", same)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
