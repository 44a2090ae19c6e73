"""Benchmark: what the alerts hook adds to an emitter, per 100,000 events.

Run with ``nice python bench/alerts_hook.py [EVENTS] [DATABASE_URL]`` (default
100,000 ``flag.created`` events in batches of 1,000 on a temporary SQLite
database). Three passes, each one transaction per batch, as detect writes:

1. no alert rule at all;
2. rules on other events only (the hook looks the batch up and returns);
3. a rule matching 1 % of the flags (one delivery row each, one job per batch).

It prints the seconds per pass and the microseconds each event cost.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from marsad.alerts import rules
from marsad.alerts.matching import forget_rules
from marsad.core import migrate
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.events import Event, emit_many
from marsad.core.settings import Settings

BATCH = 1000


def _pass(sessions, total: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        events = [
            Event(
                "flag.created",
                {
                    "flag_id": f"f{n}",
                    "post_id": n,
                    "label": "hate" if n % 100 == 0 else "offensive",
                    "labels": ["hate"] if n % 100 == 0 else ["offensive"],
                    "severity": None,
                    "account": f"x:user{n % 500}",
                    "watchlists": [],
                },
            )
            for n in range(start, min(total, start + BATCH))
        ]
        with session_scope(sessions) as session:
            emit_many(session, events)
    return time.perf_counter() - started


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(env="test", data_dir=Path(tmp), database_url=url, secret_key="b" * 48)
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)
        forget_rules()
        none = _pass(sessions, total)
        with session_scope(sessions) as session:
            rules.add_rule(
                session, settings=settings, event="report.received", email="a@example.org",
                actor="bench",
            )  # fmt: skip
        other = _pass(sessions, total)
        with session_scope(sessions) as session:
            rules.add_rule(
                session, settings=settings, event="flag.created", filters=["label=hate"],
                webhook="http://127.0.0.1:9/", actor="bench",
            )  # fmt: skip
        matching = _pass(sessions, total)
        engine.dispose()
    for name, seconds in (
        ("no rule", none),
        ("rules on other events", other),
        ("a rule matching 1 %", matching),
    ):
        sys.stdout.write(
            f"{name:>24}: {seconds:7.2f} s for {total:,} events "
            f"({seconds / total * 1e6:6.1f} µs each, {engine.dialect.name})\n"
        )


if __name__ == "__main__":
    main()
