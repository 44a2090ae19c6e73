"""Benchmark: importing many OONI measurements, then listing what is blocked.

Run with ``nice python bench/ooni_import.py [N] [DATABASE_URL]`` (default 100,000
measurements into a temporary SQLite database). The measurements are generated
in OONI's raw web_connectivity format over 2,000 URLs, 20 Iraqi-style ASNs and 30
days, about one in ten anomalous and one in fifty with a blockpage body, written
to one JSON Lines file, imported with ``import_files`` (what ``marsad connectivity
import-ooni`` calls), imported again (all duplicates), and then ``blocked_now``
is timed. Prints measurements per second and the process's peak memory.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from marsad.connectivity.blocking.service import blocked_now, import_files
from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.settings import Settings


def _generate(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            asn = 50000 + rng.randrange(20)
            day = 1 + rng.randrange(30)
            roll = rng.random()
            keys: dict = {"blocking": False, "accessible": True, "dns_consistency": "consistent"}
            if roll < 0.02:
                keys = {
                    "blocking": "http-diff",
                    "accessible": False,
                    "requests": [{"response": {"code": 200, "body": "poweredbynetsweeper.com"}}],
                }
            elif roll < 0.1:
                keys = {"blocking": "dns", "accessible": False, "dns_consistency": "inconsistent"}
            doc = {
                "measurement_uid": f"bench{i:09d}_IQ_webconnectivity",
                "test_name": "web_connectivity",
                "input": f"https://site{rng.randrange(2000)}.example/",
                "probe_cc": "IQ",
                "probe_asn": f"AS{asn}",
                "probe_network_name": f"Network {asn}",
                "measurement_start_time": f"2025-03-{day:02d} {rng.randrange(24):02d}:00:00",
                "report_id": f"202503{day:02d}T000000Z_webconnectivity_IQ_{asn}_n1_bench",
                "test_keys": keys,
            }
            out.write(json.dumps(doc) + "\n")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        settings = Settings(env="test", data_dir=Path(tmp), database_url=url, secret_key="b" * 48)
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)
        source = Path(tmp) / "measurements.jsonl"
        _generate(source, n)
        size_mb = source.stat().st_size / 1e6

        started = time.perf_counter()
        first = import_files(sessions, paths=[source], actor="bench")
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = import_files(sessions, paths=[source], actor="bench")
        again_s = time.perf_counter() - started
        started = time.perf_counter()
        with sessions() as session:
            doc = blocked_now(session, country="IQ")
        blocked_s = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(f"database: {engine.dialect.name}; file: {n:,} measurements, {size_mb:.0f} MB")  # noqa: T201
        print(  # noqa: T201
            f"import: {first['inserted']:,} inserted in {first_s:.1f} s "
            f"({first['inserted'] / first_s:,.0f} measurements/s)"
        )
        print(  # noqa: T201
            f"import again: {again['duplicates']:,} duplicates in {again_s:.1f} s "
            f"({again['duplicates'] / again_s:,.0f} measurements/s)"
        )
        print(  # noqa: T201
            f"blocked now: {doc['count']:,} targets on {len(doc['networks'])} networks "
            f"in {blocked_s:.2f} s"
        )
        print(f"peak memory (max RSS): {peak_mb:.0f} MB")  # noqa: T201
        engine.dispose()


if __name__ == "__main__":
    main()
