"""Benchmark: outage detection and signal import at the issue's full size.

Run with ``nice python bench/connectivity_outages.py [NETWORKS] [DAYS]`` (default
40 networks × 3 sources × 365 days of 5-minute points ≈ 12.6 M points, with 60
planted outages). It prints, for one process on an embedded SQLite database:

- generation of the signals and writing them as the import CSV (not timed goals);
- ``import``: ``marsad connectivity import-signals`` on that CSV (goal < 30 s);
- ``detect``: detection over the stored signals (goal < 5 s), and detection on
  the in-memory series alone, with precision and recall against the planted
  outages;
- the peak resident memory of the process (goal < 1 GB).

Each step prints wall-clock and CPU seconds: on a shared machine the wall clock
also counts other people's work; the load average is printed at the end.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from marsad.connectivity.outages import service
from marsad.connectivity.outages.detection import Scoping, detect_events
from marsad.connectivity.outages.synthetic import generate, score, write_csv
from marsad.core import migrate
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.settings import Settings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_CPU = [0.0]


def _cpu() -> float:
    """CPU seconds of this process since the last call (the machine may be shared)."""
    now = time.process_time()
    spent, _CPU[0] = now - _CPU[0], now
    return spent


def _line(label: str, seconds: float, extra: str = "") -> None:
    sys.stdout.write(f"{label:<34} {seconds:8.2f} s wall {_cpu():8.2f} s CPU  {extra}\n")
    sys.stdout.flush()


def main() -> None:
    networks = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    _cpu()
    started = time.perf_counter()
    generated = generate(networks=networks, days=days, outages=60, seed=3, country=False)
    points = sum(len(s.timestamps) for s in generated.series)
    _line("generate", time.perf_counter() - started, f"{points:,} points")

    scoping = Scoping(networks=networks, region_of=generated.networks.get)
    started = time.perf_counter()
    events = detect_events(generated.series, scoping)
    found = [(e.start, e.end, e.scope) for e in events]
    precision, recall = score(found, generated.planted)
    _line(
        "detect (in memory)",
        time.perf_counter() - started,
        f"{len(events)} events, precision {precision:.3f}, recall {recall:.3f}",
    )

    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "signals.csv"
        started = time.perf_counter()
        write_csv(generated.series, csv_path)
        size = csv_path.stat().st_size / 1e6
        _line("write the CSV", time.perf_counter() - started, f"{size:,.0f} MB")
        del generated

        settings = Settings(
            env="test",
            data_dir=Path(folder) / "data",
            database_url=f"sqlite:///{folder}/bench.db",
            secret_key="bench-secret-key-that-is-long-enough-0123456789",
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)

        started = time.perf_counter()
        with session_scope(sessions) as session:
            result = service.import_signals(session, path=csv_path, actor="bench")
        seconds = time.perf_counter() - started
        _line(
            "import (goal < 30 s)", seconds, f"{result.points:,} points, {points / seconds:,.0f}/s"
        )

        started = time.perf_counter()
        with session_scope(sessions) as session:
            stored = service.find_outages(session)
        _line("detect from the store (goal < 5 s)", time.perf_counter() - started,
              f"{len(stored)} events")  # fmt: skip
        engine.dispose()
    sys.stdout.write(f"peak memory (goal < 1024 MB)       {_peak_mb():8.0f} MB\n")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    sys.stdout.write(f"load average {load} on {os.cpu_count()} CPUs\n")


if __name__ == "__main__":
    main()
