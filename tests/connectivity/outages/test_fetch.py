"""fetch-signals against a local HTTP server replaying IODA-shaped responses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from marsad.connectivity.outages.fetch import FetchParams, fetch_signals
from marsad.connectivity.outages.store import read_series
from marsad.core.errors import MarsadError

from .conftest import run_cli

RECORDED = json.loads(
    (Path(__file__).parent / "data" / "ioda_signals_asn50710_bgp.json").read_text(encoding="utf-8")
)
DAY_ONE, DAY_TWO = sorted(RECORDED)


class Replay:
    """What the server answers: the recording, after any scripted failures."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.failures: list[int] = []  # status codes to answer first, one per request
        self.fail_at: dict[int, int] = {}  # request number → status code


@pytest.fixture
def ioda() -> Iterator[tuple[str, Replay]]:
    replay = Replay()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            url = urlparse(self.path)
            query = parse_qs(url.query)
            replay.seen.append(f"{url.path}?from={query['from'][0]}")
            failure = replay.fail_at.pop(len(replay.seen) - 1, None)
            if failure is None and replay.failures:
                failure = replay.failures.pop(0)
            if failure is not None:
                self.send_response(failure)
                self.send_header("Retry-After", "0")
                self.end_headers()
                return
            body = RECORDED.get(query["from"][0])
            if (
                url.path != "/v2/signals/raw/asn/50710"
                or query["datasource"] != ["bgp"]
                or not body
            ):
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2", replay
    server.shutdown()
    server.server_close()


def _params(base: str) -> FetchParams:
    return FetchParams(
        entities=["asn/50710"], sources=["bgp"], since=DAY_ONE,
        until=str(int(DAY_TWO) + 86400), base_url=base, min_interval=0,
    )  # fmt: skip


def test_fetch_signals_cli_stores_the_points(cli_env, ioda, sessions) -> None:  # type: ignore[no-untyped-def]
    base, replay = ioda
    code, doc, err = run_cli(
        "fetch-signals", "--entity", "asn/50710", "--source", "bgp", "--since",
        "2026-05-29T00:00:00Z", "--until", "2026-05-31T00:00:00Z", "--base-url", base,
        "--min-interval", "0", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert doc == {"requests": 2, "done": 2, "points": 574, "gaps": 2, "rejected": 0}
    with sessions() as session:
        (series,) = read_series(session)
    assert (series.entity_code, series.source, len(series.timestamps)) == ("AS50710", "bgp", 574)
    assert series.values.min() == 12.0


def test_a_killed_fetch_resumes_where_it_stopped_and_doubles_nothing(ioda, sessions) -> None:  # type: ignore[no-untyped-def]
    base, replay = ioda
    saved: list[int] = []
    replay.fail_at = {1: 500}  # the second request fails, after the first was committed
    with pytest.raises(MarsadError) as failed:
        fetch_signals(sessions, _params(base), save_cursor=saved.append)
    assert failed.value.where.endswith("/signals/raw/asn/50710") and saved == [1]
    # Delivered again with its cursor: only the second day is asked for.
    result = fetch_signals(sessions, _params(base), cursor=saved[-1], save_cursor=saved.append)
    assert saved == [1, 2] and result["done"] == 2
    assert replay.seen == [f"/v2/signals/raw/asn/50710?from={day}" for day in
                           (DAY_ONE, DAY_TWO, DAY_TWO)]  # fmt: skip
    # A delivery whose cursor was lost repeats everything: still nothing doubled.
    fetch_signals(sessions, _params(base))
    with sessions() as session:
        (series,) = read_series(session)
    assert len(series.timestamps) == 574


def test_rate_limited_answers_are_waited_out(ioda, sessions) -> None:  # type: ignore[no-untyped-def]
    base, replay = ioda
    replay.failures = [429, 429]
    result = fetch_signals(sessions, _params(base))
    assert result["done"] == 2
    assert len(replay.seen) == 4


def test_bad_parameters_name_the_option(cli_env) -> None:  # type: ignore[no-untyped-def]
    code, _doc, err = run_cli("fetch-signals", "--entity", "planet/9", "--since", "2026-05-29")
    assert code == 2 and "--entities" in err and "country/IQ" in err
