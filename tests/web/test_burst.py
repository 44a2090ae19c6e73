"""A bounded burst on a real server: reporters posting while others browse.

The server is uvicorn on loopback with the app as it ships (sync handlers in
the thread pool, SQLite's write lock held only for the insert). 300 reports
and 30 page views, 40 at a time, while a watcher asks ``/health`` over and
over. Nothing accepted may be lost, nothing may fail with a 5xx, and /health
must keep answering. The full burst (1,000 + 10 %) is ``bench/http_burst.py``.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select

from marsad.reports import receipts
from marsad.reports.models import Report
from tests.conftest import use_report_settings

SUBMISSIONS = 300
PAGE_VIEWS = 30
AT_ONCE = 40
CAP_SECONDS = 300  # the whole burst must end by then (a hang fails, it does not wait forever)


async def _burst(base: str) -> tuple[list[tuple[str, int, dict]], list[int]]:
    """Run the burst; return (kind, status, body) per request and /health's statuses."""
    gate = asyncio.Semaphore(AT_ONCE)
    results: list[tuple[str, int, dict]] = []
    health: list[int] = []
    done = asyncio.Event()
    # A new connection per request, as separate reporters make; it also avoids racing
    # uvicorn's keep-alive timeout on a busy machine.
    limits = httpx.Limits(max_connections=AT_ONCE + 5, max_keepalive_connections=0)

    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

        async def submit(n: int) -> None:
            async with gate:
                body = {
                    "title": f"Burst report {n}",
                    "description": "نص البلاغ " * 20,
                    "category": "threat",
                    "governorate": "IQG08",
                    "contact": f"reporter-{n}@example.org",
                }
                response = await client.post("/api/v1/reports", json=body)
                payload = response.json() if response.status_code < 300 else {}
                results.append(("submit", response.status_code, payload))

        async def browse() -> None:
            async with gate:
                response = await client.get("/reports")
                results.append(("page", response.status_code, {}))

        async def watch() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=10) as watcher:
                while not done.is_set():
                    try:
                        response = await watcher.get("/health")
                        health.append(response.status_code)
                    except httpx.TimeoutException:
                        health.append(0)  # no answer within 10 s
                    await asyncio.sleep(0.1)

        jobs = [submit(n) for n in range(SUBMISSIONS)]
        for i in range(PAGE_VIEWS):  # one page view after every tenth submission
            jobs.insert(i * 11 + 10, browse())
        watcher = asyncio.create_task(watch())
        try:
            await asyncio.wait_for(asyncio.gather(*jobs), CAP_SECONDS)
        finally:
            done.set()
            await watcher
    return results, health


def test_burst_loses_nothing_and_health_answers(app, live_server, sessions):  # type: ignore[no-untyped-def]
    # Every request comes from 127.0.0.1: lift the per-address limit for this test.
    use_report_settings(app, reports_rate_limit=10**6)

    # In a thread of its own: Playwright's sync API may keep an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        results, health = pool.submit(asyncio.run, _burst(live_server)).result()

    statuses = [status for _kind, status, _body in results]
    assert len(results) == SUBMISSIONS + PAGE_VIEWS
    assert [s for s in statuses if s >= 500] == []
    assert all(status == 201 for kind, status, _ in results if kind == "submit"), statuses
    assert all(status == 200 for kind, status, _ in results if kind == "page"), statuses
    accepted = {body["id"]: body["receipt"] for kind, _status, body in results if kind == "submit"}
    assert len(accepted) == SUBMISSIONS
    with sessions() as session:
        stored = set(session.execute(select(Report.id)).scalars())
        # Each receipt handed out finds its report.
        found = [receipts.receipt_status(session, code=code) for code in accepted.values()]
    assert stored == set(accepted), f"{len(set(accepted) - stored)} accepted reports are lost"
    assert found == ["received"] * SUBMISSIONS
    # /health was asked throughout and answered every time, with 200.
    assert len(health) >= 3
    assert set(health) == {200}, health
