"""Benchmark: a burst of report submissions with page views mixed in, on a real server.

Starts ``uvicorn`` (one process, as ``marsad serve`` does) on a fresh database, then
sends 1,000 submissions to ``POST /api/v1/reports`` and 100 views of ``/reports``
(10 %), 40 at a time, while a watcher asks ``/health`` every 100 ms. Prints
submissions/s, all requests/s, the worst and median /health latency, the status
codes seen, whether every accepted report is in the database, the server's CPU
time per submission and the machine's load average before and after (other
work on the machine takes CPU from both the server and this client: compare
runs made back to back, and read the CPU per submission, which load changes
least).

    nice python bench/http_burst.py                      # SQLite in a temporary folder
    nice python bench/http_burst.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The client runs on the same machine as the server: on a small machine it takes
a share of the CPU the server would otherwise have.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


def serve(database_url: str, data_dir: str, port: int) -> None:
    """The server process: migrate the database, then serve the app like ``marsad serve``."""
    import uvicorn

    from marsad.core import migrate
    from marsad.core.db import make_engine
    from marsad.core.settings import Settings
    from marsad.web.app import create_app

    settings = Settings(
        env="test", data_dir=Path(data_dir), database_url=database_url, secret_key=SECRET
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    app = create_app(settings, engine=engine)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
    )


async def burst(base: str, submissions: int, views: int, at_once: int) -> dict:
    """Run the burst against ``base``; return what was measured."""
    gate = asyncio.Semaphore(at_once)
    statuses: Counter[str] = Counter()
    accepted: list[str] = []
    health: list[float] = []
    done = asyncio.Event()
    # A new connection per request, as separate reporters make; it also avoids racing
    # uvicorn's keep-alive timeout on a busy machine.
    limits = httpx.Limits(max_connections=at_once + 5, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def submit(n: int) -> None:
            async with gate:
                body = {
                    "title": f"Bench report {n}",
                    "description": "نص البلاغ " * 40,
                    "category": "threat",
                    "governorate": "IQG08",
                    "contact": f"reporter-{n}@example.org",
                }
                try:
                    response = await client.post("/api/v1/reports", json=body)
                except httpx.HTTPError as exc:
                    statuses[f"submit {type(exc).__name__}"] += 1
                    return
                statuses[f"submit {response.status_code}"] += 1
                if response.status_code == 201:
                    accepted.append(response.json()["id"])

        async def view() -> None:
            async with gate:
                try:
                    response = await client.get("/reports")
                except httpx.HTTPError as exc:
                    statuses[f"page {type(exc).__name__}"] += 1
                    return
                statuses[f"page {response.status_code}"] += 1

        async def watch() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=60) as watcher:
                while not done.is_set():
                    started = time.perf_counter()
                    try:
                        await watcher.get("/health")
                    except httpx.HTTPError:
                        health.append(float("inf"))
                    else:
                        health.append(time.perf_counter() - started)
                    await asyncio.sleep(0.1)

        jobs = [submit(n) for n in range(submissions)]
        every = max(1, submissions // max(views, 1))
        for i in range(views):
            jobs.insert(i * (every + 1) + every, view())
        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        await asyncio.gather(*jobs)
        elapsed = time.perf_counter() - started
        done.set()
        await watcher
    return {
        "elapsed": elapsed,
        "statuses": dict(sorted(statuses.items())),
        "accepted": accepted,
        "health": health,
    }


def count_stored(database_url: str, ids: list[str]) -> int:
    """How many of these report ids are in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT id FROM reports")).scalars())
    engine.dispose()
    return len(stored & set(ids))


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(label: str, database_url: str, data_dir: str, args: argparse.Namespace) -> None:
    port = free_port()
    env = {**os.environ, "MARSAD_REPORTS_RATE_LIMIT": "1000000"}
    server = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, __file__, "--serve", database_url, data_dir, str(port)], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"{label}: the server did not start")
            time.sleep(0.2)
        load_before = os.getloadavg()[0]
        cpu_before = process_cpu(server.pid)
        result = asyncio.run(burst(base, args.submissions, args.views, args.at_once))
        server_cpu = process_cpu(server.pid) - cpu_before
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    health = [h for h in result["health"] if h != float("inf")]
    stored = count_stored(database_url, result["accepted"])
    total = args.submissions + args.views
    print(
        f"{label}: {args.submissions} submissions + {args.views} page views, {args.at_once} at once"
    )  # noqa: T201
    print(f"  time                 {result['elapsed']:.1f} s")  # noqa: T201
    print(f"  submissions/s        {args.submissions / result['elapsed']:.0f}")  # noqa: T201
    print(f"  requests/s           {total / result['elapsed']:.0f}")  # noqa: T201
    print(f"  status codes         {result['statuses']}")  # noqa: T201
    print(f"  accepted / stored    {len(result['accepted'])} / {stored}")  # noqa: T201
    print(  # noqa: T201
        f"  /health              {len(result['health'])} probes, "
        f"{len(result['health']) - len(health)} unanswered, "
        f"median {statistics.median(health) * 1000:.0f} ms, worst {max(health) * 1000:.0f} ms"
    )
    print(  # noqa: T201
        f"  server CPU           {server_cpu:.1f} s, "
        f"{server_cpu / args.submissions * 1000:.2f} ms per submission (page views included)"
    )
    print(  # noqa: T201
        f"  load average         {load_before:.1f} before, {load_after:.1f} after "
        f"({os.cpu_count()} CPUs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--views", type=int, default=100)
    parser.add_argument("--at-once", type=int, default=40)
    parser.add_argument("--postgres", help="a PostgreSQL URL; a fresh schema is made and dropped")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'marsad.db'}"
            run("SQLite", url, folder, args)
    if args.postgres:
        from sqlalchemy import create_engine, text

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{schema}"
        try:
            with tempfile.TemporaryDirectory() as folder:
                run("PostgreSQL", url, folder, args)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
