"""``fetch-signals``: pull connectivity signals from the IODA API as a resumable job.

The work is a fixed list of requests (entity × source × time window), so a job
delivered again after its worker died skips the requests its cursor says are
done and repeats at most the one it was in; repeating one changes nothing,
because stored points are merged by timestamp (``store.write_series``).
Requests are spaced by ``min_interval`` seconds, and a ``429 Too Many
Requests`` waits as the server asks (at most a minute) before trying again.

IODA's v2 API answers ``GET {base}/signals/raw/{entityType}/{entityCode}?from=
&until=&datasource=`` with ``{"data": [[{"entityType", "entityCode",
"datasource", "from", "until", "step", "values": [...]}]]}``, which
:func:`marsad.connectivity.outages.signals.read_json` reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator

from marsad.connectivity.outages.signals import parse_timestamp, read_json
from marsad.connectivity.outages.store import write_series
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput, MarsadError

IODA_API = "https://api.ioda.inetintel.cc.gatech.edu/v2"
SOURCES = ("bgp", "ping-slash24", "merit-nt")
USER_AGENT = "marsad (connectivity observatory)"


class FetchParams(BaseModel):
    """What to fetch: entities (``country/IQ``, ``asn/50710``), sources and a time span."""

    model_config = ConfigDict(extra="forbid")

    entities: list[str] = Field(
        default_factory=lambda: ["country/IQ"],
        description="entity_type/code pairs; default the country.",
    )
    sources: list[str] = Field(default_factory=lambda: list(SOURCES))
    since: str | None = Field(None, description="ISO 8601 or epoch; default: lookback_hours ago.")
    until: str | None = Field(None, description="ISO 8601 or epoch; default: now.")
    lookback_hours: int = Field(48, ge=1, le=24 * 366)
    window_hours: int = Field(24, ge=1, le=24 * 31, description="Span of one request.")
    base_url: str = Field(IODA_API, description="The API's base URL.")
    min_interval: float = Field(1.0, ge=0, le=60, description="Seconds between requests.")
    timeout: float = Field(30.0, gt=0, le=300)

    @field_validator("entities")
    @classmethod
    def _entities(cls, values: list[str]) -> list[str]:
        for value in values:
            kind, sep, code = value.partition("/")
            if not sep or kind not in ("country", "region", "asn") or not code.strip():
                raise ValueError(f"{value!r}: expected country/IQ, region/<id> or asn/<number>")
        return values

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("base_url must be an http(s) URL")
        return value.rstrip("/")


def _epoch(value: str | None, default: int, where: str) -> int:
    if value is None:
        return default
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise InvalidInput("err_bad_time", str(exc), where=where) from None


def plan_requests(params: FetchParams, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every request of the job, in a fixed order (the cursor counts them)."""
    now = now or datetime.now(UTC)
    until = _epoch(params.until, int(now.timestamp()), "until")
    since = _epoch(
        params.since, int((now - timedelta(hours=params.lookback_hours)).timestamp()), "since"
    )
    if since >= until:
        raise InvalidInput("err_bad_time", "since must be before until", where="since")
    step = params.window_hours * 3600
    requests = []
    for entity in params.entities:
        kind, _sep, code = entity.partition("/")
        for source in params.sources:
            for start in range(since, until, step):
                requests.append(
                    {
                        "entity_type": kind,
                        "entity_code": code.strip(),
                        "source": source,
                        "from": start,
                        "until": min(start + step, until),
                    }  # fmt: skip
                )
    return requests


def _get(client: httpx.Client, url: str, query: dict[str, Any]) -> str:
    for _attempt in range(4):
        try:
            response = client.get(url, params=query)
        except httpx.HTTPError as exc:
            raise MarsadError(
                code="err_fetch_failed", message=f"request failed: {type(exc).__name__}",
                where=url, status=502,
            ) from None  # fmt: skip
        if response.status_code == 429:
            wait = response.headers.get("Retry-After", "5")
            time.sleep(min(60.0, float(wait) if wait.replace(".", "", 1).isdigit() else 5.0))
            continue
        if response.status_code != 200:
            raise MarsadError(
                code="err_fetch_failed", message=f"HTTP {response.status_code}", where=url,
                status=502,
            )  # fmt: skip
        return response.text
    raise MarsadError(code="err_fetch_failed", message="still rate-limited", where=url, status=502)


def fetch_signals(
    sessions: Any,
    params: FetchParams,
    *,
    cursor: int = 0,
    save_cursor: Callable[[int], None] | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run (or resume at ``cursor``) the requests; each one's points are committed before
    the cursor moves past it."""
    requests = plan_requests(params, now=now)
    points = gaps = rejected = 0
    done = cursor
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    with httpx.Client(timeout=params.timeout, headers=headers, follow_redirects=False) as client:
        last = 0.0
        for index in range(cursor, len(requests)):
            if cancelled is not None and cancelled():
                break
            request = requests[index]
            wait = params.min_interval - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
            last = time.monotonic()
            url = f"{params.base_url}/signals/raw/{request['entity_type']}/{request['entity_code']}"
            text = _get(client, url, {"from": request["from"], "until": request["until"],
                                      "datasource": request["source"]})  # fmt: skip
            parsed = read_json(text, f"{request['entity_type']}/{request['entity_code']}")
            with session_scope(sessions) as session:
                points += write_series(session, parsed.series).points
            gaps += parsed.gaps
            rejected += parsed.rejected
            done = index + 1
            if save_cursor is not None:
                save_cursor(done)
            if progress is not None:
                progress(done / len(requests), f"{done}/{len(requests)} requests")
    return {
        "requests": len(requests),
        "done": done,
        "points": points,
        "gaps": gaps,
        "rejected": rejected,
    }
