"""Benchmark: dashboard statistics over 100,000 reports and 1,000,000 posts; the weekly PDF.

Run with ``nice python bench/publish_stats.py [--reports N] [--posts N] [--postgres URL]``.
It builds a fresh database (SQLite in a temporary folder, or a throwaway schema of
the PostgreSQL at URL), fills it with synthetic rows by bulk inserts (reports over
26 weeks and 18 governorates, posts over 12 weeks with 5 % flagged, each flag
naming a glossary term and target group), then times, median of 5 after one warm-up:

- ``/api/v1/stats/reports?by=governorate|category|week`` (the service call);
- the public dashboard (every public section for one week);
- the staff dashboard (queues);
- the weekly report rendered to PDF (once), and its size.

Each is timed twice: cold (nothing kept, as on a new install before the
``publish.refresh-figures`` job first ran), then after that job stored the
figures, in a fresh process (this process's memory dropped): the first call,
then the median of 5. The data was ingested and scored a day before, as in a
running observatory; ``--churn`` adds a post, a flag and a published report
between calls, so each call also counts what changed since.

The goal is under 200 ms per statistic and under 30 s for the PDF. It prints
the figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

from marsad.core import migrate
from marsad.core.db import make_engine, read_scope, reader, session_factory, session_scope
from marsad.core.places import gazetteer
from marsad.core.settings import Settings
from marsad.detect.models import Flag
from marsad.posts.models import Post
from marsad.publish import service, stored, weekly
from marsad.publish.sections import Period
from marsad.reports.models import Category, Report
from marsad.reports.stats import public_rows

WEEK = "2026-W49"
END = datetime(2026, 12, 7, tzinfo=UTC)
# When the synthetic posts were ingested and scored (a day ago: kept figures hold).
INGESTED = datetime.now(UTC) - timedelta(days=1)
BATCH = 20_000
LABELS = ("hate", "offensive", "incitement", "extremism")
TARGETS = ("sect", "ethnicity", "religion", "tribe", "gender")


def fill_reports(engine: Any, n: int) -> None:
    rng = random.Random(1)
    with engine.begin() as conn:
        categories = list(conn.execute(select(Category.id)).scalars())
    governorates = [row.pcode for row in gazetteer() if row.level == 1]
    statuses = ["published"] * 6 + ["received", "triaged", "rejected", "verified"]
    for start in range(0, n, BATCH):
        rows = []
        for _ in range(min(BATCH, n - start)):
            created = END - timedelta(seconds=rng.randrange(26 * 7 * 86400))
            status = rng.choice(statuses)
            rows.append(
                {
                    "id": str(uuid.uuid4()),
                    "receipt_hash": secrets.token_hex(32),
                    "status": status,
                    "confidential": rng.random() < 0.05,
                    "verified": status == "published" and rng.random() < 0.8,
                    "channel": "web",
                    "language": "ar",
                    "title": "synthetic",
                    "description": "",
                    "links": "[]",
                    "category_id": rng.choice(categories),
                    "governorate_pcode": rng.choice(governorates),
                    "published_at": created + timedelta(days=1) if status == "published" else None,
                    "version": 1,
                    "created_at": created,
                    "updated_at": min(created, INGESTED),
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(Report), rows)


def fill_posts(engine: Any, n: int) -> None:
    rng = random.Random(2)
    next_id = 1
    for start in range(0, n, BATCH):
        posts, flags = [], []
        for _ in range(min(BATCH, n - start)):
            created = END - timedelta(seconds=rng.randrange(12 * 7 * 86400))
            posts.append(
                {
                    "id": next_id,
                    "platform": "x",
                    "post_id": str(next_id),
                    "account_id": f"a{rng.randrange(50_000)}",
                    "text": "",
                    "search_text": "",
                    "created_at": created,
                    "ingested_at": INGESTED,
                    "source": "bench",
                }
            )
            if rng.random() < 0.05:
                term = rng.randrange(40)
                flags.append(
                    {
                        "id": str(uuid.uuid4()),
                        "post_pk": next_id,
                        "model_version": "m",
                        "glossary_version": "1",
                        "flagged": True,
                        "current": True,
                        "labels": [rng.choice(LABELS)],
                        "scores": {},
                        "top_score": 0.9,
                        "spans": [
                            {
                                "term_id": f"t{term}",
                                "term": f"term {term}",
                                "target_group": TARGETS[term % len(TARGETS)],
                            }
                        ],
                        "review_status": "pending",
                        "review_count": 0,
                        "created_at": INGESTED,
                    }
                )
            next_id += 1
        with engine.begin() as conn:
            conn.execute(insert(Post), posts)
            if flags:
                conn.execute(insert(Flag), flags)


def timed(
    label: str, call: Callable[[], Any], repeat: int = 5, before: Callable[[], Any] | None = None
) -> None:
    times = []
    for _ in range(repeat + 1):
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    first, rest = times[0], times[1:]
    print(
        f"  {label}: first {first:.0f} ms, then median {statistics.median(rest):.0f} ms, "
        f"max {max(rest):.0f} ms"
    )


def run(url: str, data_dir: Path, reports: int, posts: int, churn: bool = False) -> None:
    settings = Settings(env="test", data_dir=data_dir, database_url=url, secret_key="b" * 40)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    started = time.perf_counter()
    fill_reports(engine, reports)
    fill_posts(engine, posts)
    if engine.dialect.name == "postgresql":
        # What autovacuum does in production: statistics and the visibility map
        # (without it PostgreSQL cannot answer counts from the index alone).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(
        f"{engine.dialect.name}: {reports:,} reports and {posts:,} posts inserted in "
        f"{time.perf_counter() - started:.0f} s"
    )
    sessions = session_factory(engine, settings)
    readers = session_factory(reader(engine), settings)  # as web requests read
    period = Period.parse(WEEK, timezone=settings.timezone)
    measure(readers, settings, period, "cold: nothing kept yet", churn=None)
    with read_scope(sessions) as session:
        kept = {
            s.key: s.keep(session, settings)
            for s in service.sections(service.get_registry(settings))
            if s.keep is not None
        }
    started = time.perf_counter()
    with session_scope(sessions) as session:
        for key, scopes in kept.items():
            stored.persist(session, key, scopes)
    print(
        f"  (refresh job stored its figures; the store took {time.perf_counter() - started:.2f} s)"
    )
    stored.forget()
    measure(readers, settings, period, "after the refresh job, in a fresh process", churn=None)
    if churn:
        stored.forget()
        measure(
            readers,
            settings,
            period,
            "after the job, a new post, flag and report each call",
            churn=engine,
        )
    with sessions() as session:
        started = time.perf_counter()
        doc = weekly.build(session, settings=settings, period=period, lang="ar")
        pdf = weekly.render_pdf(doc, settings=settings)
        print(f"  weekly PDF (ar): {time.perf_counter() - started:.1f} s, {len(pdf):,} bytes")
    engine.dispose()


def add_news(engine: Any) -> None:
    """One post (with a flag) ingested now in this week, one report published now."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        post_id = conn.execute(select(func.max(Post.id))).scalar_one() + 1
        post = {"id": post_id, "platform": "x", "post_id": f"n{post_id}", "text": ""}
        post.update(search_text="", created_at=now, ingested_at=now, source="bench")
        conn.execute(insert(Post), [post])
        flag = {"id": str(uuid.uuid4()), "post_pk": post_id, "model_version": "m"}
        flag.update(glossary_version="1", flagged=True, current=True, labels=["hate"])
        flag.update(scores={}, top_score=0.9, spans=[], review_status="pending")
        conn.execute(insert(Flag), [{**flag, "review_count": 0, "created_at": now}])
        report = {"id": str(uuid.uuid4()), "receipt_hash": secrets.token_hex(32)}
        report.update(status="published", confidential=False, verified=True, channel="web")
        report.update(language="ar", title="synthetic", description="", links="[]")
        report.update(category_id=conn.execute(select(Category.id)).scalars().first())
        report.update(governorate_pcode="IQG08", published_at=now, version=1)
        conn.execute(insert(Report), [{**report, "created_at": now, "updated_at": now}])


def measure(sessions: Any, settings: Any, period: Period, label: str, churn: Any) -> None:
    """Each call in a fresh read-only session, as a web request has (``cold``: memory dropped
    before every call, nothing in the table yet)."""
    print(f" {label}:")
    cold = churn is None and label.startswith("cold")

    def before() -> None:
        if churn is not None:
            add_news(churn)
        if cold:
            stored.forget()

    def call(work: Callable[[Any], Any]) -> Callable[[], Any]:
        def run_once() -> Any:
            with sessions() as session:
                try:
                    return work(session)
                finally:
                    session.rollback()

        return run_once

    for by in ("governorate", "category", "week"):
        timed(
            f"stats/reports?by={by}",
            call(
                lambda session, by=by: public_rows(
                    session, by=by, k=3, lang="ar", timezone=settings.timezone
                )
            ),
            before=before,
        )
    for section in service.sections(service.get_registry(settings), "public"):
        timed(
            f"section {section.key}",
            call(lambda session, s=section: s.compute(session, period, settings)),
            before=before,
        )
    timed(
        "public dashboard (all sections)",
        call(lambda session: service.dashboard(session, settings=settings, period=period)),
        before=before,
    )
    timed(
        "staff dashboard",
        call(lambda session: service.staff_dashboard(session, settings=settings, period=period)),
        before=before,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a throwaway schema is used")
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument(
        "--churn", action="store_true", help="also time with new rows arriving between calls"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            sqlite_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            run(sqlite_url, Path(tmp) / "data", args.reports, args.posts, args.churn)
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(args.postgres)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.postgres else "?"
            try:
                url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
                run(url, Path(tmp) / "pgdata", args.reports, args.posts, args.churn)
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
