"""`connectivity.fetch_ooni` against recorded OONI API responses served on loopback.

The server pages the recorded list by ``since``, ``offset`` and ``limit`` as the
API does, and answers 404 for a raw document it does not have.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.connectivity.blocking.jobs import JOB_KINDS
from marsad.connectivity.blocking.models import OoniMeasurement

API = Path(__file__).parent / "data" / "ooni_api"


class WorkerKilled(Exception):
    """Raised by the test context to stop a job the way a killed worker stops."""


class Context:
    """A JobContext keeping its cursor in memory (through JSON, as the jobs table does)."""

    def __init__(self, settings, engine, sessions, *, die_after_saves: int | None = None):  # type: ignore[no-untyped-def]
        self.job_id, self.requested_by = "job-1", "monitor"
        self.settings, self.engine, self.sessions = settings, engine, sessions
        self.saved: list[Any] = []
        self.die_after_saves = die_after_saves

    def progress(self, fraction: float, note: str | None = None) -> None:
        assert 0 <= fraction <= 1

    def cursor(self) -> Any:
        return self.saved[-1] if self.saved else None

    def save_cursor(self, value: Any) -> None:
        self.saved.append(json.loads(json.dumps(value)))
        if self.die_after_saves is not None and len(self.saved) >= self.die_after_saves:
            self.die_after_saves = None
            raise WorkerKilled

    def cancelled(self) -> bool:
        return False


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "").replace(" ", "T"))


@pytest.fixture
def ooni_api() -> Iterator[Any]:
    listed = json.loads((API / "measurements_IQ.json").read_text())["results"]
    requests: list[tuple[float, str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server interface
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            requests.append((time.monotonic(), url.path, query))
            if url.path == "/api/v1/measurements":
                since = _when(query["since"])
                rows = [r for r in listed if _when(r["measurement_start_time"]) >= since]
                offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
                page = rows[offset : offset + limit]
                body: Any = {
                    "metadata": {"count": len(rows), "offset": offset, "limit": limit},
                    "results": page,
                }
            elif url.path == "/api/v1/raw_measurement":
                raw = API / "raw" / f"{query.get('measurement_uid', '')}.json"
                if not raw.is_file():
                    self.send_error(404)
                    return
                body = json.loads(raw.read_text())
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def run(context: Context, **params: Any) -> dict[str, Any]:
    (kind,) = JOB_KINDS
    return kind.run(context, kind.params.model_validate(params))


def stored(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(select(func.count()).select_from(OoniMeasurement)).scalar_one()


def test_fetch_stores_each_page_and_names_what_it_could_not_read(
    settings, engine, sessions, ooni_api
) -> None:
    context = Context(settings, engine, sessions)
    result = run(context, since="2025-03-01", api_url=ooni_api.url, page_size=2, min_interval=0)
    assert (result["listed"], result["inserted"], result["rejected"], result["done"]) == (
        5,
        4,
        1,
        True,
    )
    (rejection,) = result["rejections"]
    assert "20250310090000.000104_IQ_webconnectivity_test104" in rejection["where"]
    assert "answered 404" in rejection["reason"]
    assert stored(sessions) == 4
    assert len(context.saved) == 3  # after each of the three pages
    with sessions() as session:
        row = session.execute(
            select(OoniMeasurement).where(OoniMeasurement.target == "https://blocked.example/")
        ).scalar_one()
        assert (row.verdict, row.cc, row.asn) == ("confirmed", "IQ", 50710)
    # delivered again from nothing (it died before its first save): nothing doubles, and
    # only the raw document it could not get before is asked for again
    ooni_api.requests.clear()
    again = run(
        Context(settings, engine, sessions),
        since="2025-03-01",
        api_url=ooni_api.url,
        page_size=2,
        min_interval=0,
    )
    assert (again["inserted"], again["duplicates"]) == (0, 4)
    assert stored(sessions) == 4
    raws = [q["measurement_uid"] for _, path, q in ooni_api.requests if "raw" in path]
    assert raws == ["20250310090000.000104_IQ_webconnectivity_test104"]


def test_a_fetch_killed_after_a_page_resumes_from_its_cursor(
    settings, engine, sessions, ooni_api
) -> None:
    context = Context(settings, engine, sessions, die_after_saves=1)
    params = {"since": "2025-03-01", "api_url": ooni_api.url, "page_size": 2, "min_interval": 0}
    with pytest.raises(WorkerKilled):
        run(context, **params)
    assert stored(sessions) == 2
    assert context.cursor() == {"since": "2025-03-10T09:00:00", "offset": 2}
    ooni_api.requests.clear()
    resumed = run(context, **params)
    assert (resumed["inserted"], resumed["duplicates"]) == (2, 0)
    assert stored(sessions) == 4
    first_list = next(q for _, path, q in ooni_api.requests if path == "/api/v1/measurements")
    assert (first_list["since"], first_list["offset"]) == ("2025-03-10T09:00:00", "2")


def test_requests_are_spaced_by_the_rate_limit(settings, engine, sessions, ooni_api) -> None:
    run(
        Context(settings, engine, sessions),
        since="2025-03-11",
        api_url=ooni_api.url,
        min_interval=0.2,
    )
    times = [t for t, _, _ in ooni_api.requests]
    assert len(times) == 2  # the list, then the one raw measurement
    assert times[1] - times[0] >= 0.19


def test_bad_parameters_are_refused_before_any_request() -> None:
    (kind,) = JOB_KINDS
    for bad in (
        {"since": "2025-03-01", "country": "Iraq"},
        {"since": "2025-03-01", "until": "2025-02-01"},
        {"since": "2025-03-01", "api_url": "file:///etc/passwd"},
        {"since": "soon"},
    ):
        with pytest.raises(ValueError):
            kind.params.model_validate(bad)


@pytest.fixture
def cli(engine, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    monkeypatch.delenv("MARSAD_BROKER_URL", raising=False)
    return lambda *args: CliRunner().invoke(app, ["connectivity", *args])


def test_fetch_ooni_runs_as_a_job_from_the_command_line(cli, ooni_api) -> None:
    out = cli(
        "fetch-ooni",
        "--country",
        "IQ",
        "--since",
        "2025-03-01",
        "--api-url",
        ooni_api.url,
        "--min-interval",
        "0",
        "--json",
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert (doc["kind"], doc["status"]) == ("connectivity.fetch_ooni", "succeeded")
    assert doc["result"]["inserted"] == 4
    blocked = json.loads(cli("blocked", "--country", "IQ", "--json").stdout)
    assert blocked["count"] == 2


def test_an_unreachable_api_fails_the_job_with_a_clear_error(cli) -> None:
    out = cli(
        "fetch-ooni",
        "--since",
        "2025-03-01",
        "--api-url",
        "http://127.0.0.1:9",
        "--min-interval",
        "0",
        "--json",
    )
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc["status"] == "failed"
    assert doc["error"]["code"] == "err_connectivity_fetch"
    assert "cannot reach the OONI API" in doc["error"]["message"]
    bad = cli("fetch-ooni", "--since", "2025-03-01", "--country", "Iraq")
    assert bad.exit_code == 2 and "--country" in bad.stderr


def test_queue_only_submits_the_job(cli, sessions) -> None:
    out = cli("fetch-ooni", "--since", "2025-03-01", "--queue", "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["kind"] == "connectivity.fetch_ooni"
    from marsad.core.jobs.service import get_job

    with sessions() as session:
        job = get_job(session, job_id=doc["job_id"])
        assert (job.status, job.params["country"], job.params["since"]) == (
            "queued",
            "IQ",
            "2025-03-01",
        )


def test_the_scheduled_fetch_is_off_until_switched_on_and_then_takes_recent_days(
    settings,
) -> None:
    from datetime import UTC, timedelta

    from marsad.core.jobs import scheduler
    from marsad.core.jobs.service import validate_params

    assert "connectivity.fetch-ooni-iq" not in [s.job.name for s in scheduler.schedule(settings)]
    on = settings.model_copy(update={"jobs_schedule": {"connectivity.fetch-ooni-iq": 21600}})
    (job,) = [s for s in scheduler.schedule(on) if s.job.name == "connectivity.fetch-ooni-iq"]
    assert job.every == 21600
    (kind,) = JOB_KINDS
    params = validate_params(kind, job.job.params)
    today = datetime.now(UTC).date()
    assert params.first_day() in (today - timedelta(days=2), today - timedelta(days=3))
