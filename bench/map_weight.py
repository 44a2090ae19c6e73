"""Benchmark: how many bytes a first (and a second) visit to the public map transfers.

Builds an SQLite observatory in a temporary folder with the demo's sample reports
(``marsad demo``'s reports data only: the rest does not touch the map), serves it
with uvicorn as ``marsad serve`` does, and opens ``/reports/map`` in Debian's
Chromium (Playwright) with an empty cache. Prints every response with the bytes it
took on the wire (headers and compressed body) and its size once decoded, the
total of the first visit, and the total of a second visit in the same browser
(the fingerprinted assets and the base layer come from the cache then).

    nice python bench/map_weight.py            # goal: first visit <= 100 KB

Measured 2026-12 on the development machine (Chromium, phone size, Arabic): first
visit 87 KB over 15 requests (Leaflet 37 KB, the named boundaries 20 KB, both brotli
11); a second visit fetches only the page and the reports' JSON (Playwright still
lists the cached files with their header sizes).
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

SECRET = "bench-secret-key-that-is-long-enough-0123456789"
CHROMIUM = "/usr/bin/chromium"
GOAL = 100 * 1024


def build_app(data_dir: Path):  # type: ignore[no-untyped-def]
    """A migrated SQLite observatory with the demo's sample reports, and its web app."""
    from marsad.core import migrate
    from marsad.core.db import make_engine, session_factory
    from marsad.core.plugins import DemoContext
    from marsad.core.settings import Settings
    from marsad.reports import plugin as reports_plugin
    from marsad.web.app import create_app

    settings = Settings(
        env="test",
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'marsad.db'}",
        secret_key=SECRET,
    )
    engine = make_engine(settings)
    migrate.upgrade(engine)
    sessions = session_factory(engine, settings)
    reports_plugin.marsad_demo_data(DemoContext(settings, engine, sessions))
    return create_app(settings, engine=engine)


def serve(app) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    """Serve ``app`` on a free loopback port in a thread; return its URL and server."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def visit(page, url: str) -> list[tuple[str, int, int, int, str]]:  # type: ignore[no-untyped-def]
    """Load ``url`` until the map has drawn; (path, status, wire bytes, body bytes, encoding)."""
    seen: list = []

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        seen.append(request)

    page.on("requestfinished", finished)
    page.goto(url)
    page.wait_for_selector(".area-label span", state="attached", timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", finished)
    rows = []
    for request in seen:
        response = request.response()
        sizes = request.sizes()
        wire = sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
        body = len(response.body()) if response and response.status == 200 else 0
        encoding = (response.headers.get("content-encoding") if response else None) or "-"
        path = request.url.split("/", 3)[3]
        rows.append(("/" + path, response.status if response else 0, wire, body, encoding))
    return rows


def report(title: str, rows: list[tuple[str, int, int, int, str]]) -> int:
    """Print one visit's responses; return its total bytes on the wire."""
    print(f"\n{title}")
    print(f"{'on the wire':>12} {'decoded':>9}  enc   status  path")
    for path, status, wire, body, encoding in rows:
        print(f"{wire:>12,} {body:>9,}  {encoding:<5} {status:>5}  {path[:70]}")
    total = sum(r[2] for r in rows)
    print(f"{total:>12,} {sum(r[3] for r in rows):>9,}  total, {len(rows)} requests")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="ar", choices=["ar", "ckb", "en"])
    parser.add_argument("--width", type=int, default=390, help="viewport width (a phone: 390)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="marsad-map-weight-") as folder:
        base, server = serve(build_app(Path(folder)))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": args.width, "height": 844})
            page = context.new_page()
            url = f"{base}/reports/map?lang={args.lang}"
            first = report("first visit (empty cache)", visit(page, url))
            second = report("second visit (same browser)", visit(page, url))
            browser.close()
        server.should_exit = True  # type: ignore[attr-defined]
    verdict = "within" if first <= GOAL else "OVER"
    print(f"\nfirst visit: {first / 1024:.1f} KB ({verdict} the {GOAL // 1024} KB goal)")
    print(f"second visit: {second / 1024:.1f} KB")


if __name__ == "__main__":
    main()
