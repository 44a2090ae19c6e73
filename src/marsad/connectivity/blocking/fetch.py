"""Pull measurements from the OONI API, resumably and politely.

Lists ``/api/v1/measurements`` for a country in start-time order, one page at a
time, and reads each listed measurement's raw document from
``/api/v1/raw_measurement``. Each page is stored in one transaction and only then
is the cursor (``{"since", "offset"}``: where the next page starts) saved, so a
fetch killed mid-way starts again at the page it had not stored, and the
measurements' uids keep a page read twice from doubling anything. Requests are
spaced at least ``min_interval`` seconds apart.

The standard library's HTTP client is used: nothing here downloads code.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session, sessionmaker

from marsad.connectivity.blocking import service
from marsad.connectivity.blocking.measurements import (
    BadRecord,
    Batch,
    Rejected,
    parse_measurement,
    parse_time,
)
from marsad.core.db import session_scope
from marsad.core.errors import MarsadError

USER_AGENT = "marsad-connectivity (+https://github.com/ooni/api usage: measurement list and raw)"
MAX_REJECTIONS_SHOWN = 50


class FetchError(MarsadError):
    """The OONI API could not be read (the job fails with this message; its cursor is kept)."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(
            code="err_connectivity_fetch", message=message, where=where, status=502, exit_code=1
        )


@dataclass
class OoniApi:
    """A small client of the OONI API with a minimum spacing between requests."""

    base_url: str = "https://api.ooni.io"
    min_interval: float = 1.0
    timeout: float = 30.0
    _last: float = field(default=0.0, repr=False)

    def get(self, path: str, params: dict[str, Any]) -> Any:
        """GET a JSON document; FetchError naming the URL on any failure."""
        wait = self._last + self.min_interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        url = f"{self.base_url.rstrip('/')}{path}?{urlencode(params)}"
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked by the params model
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise FetchError(f"the OONI API answered {exc.code}", url) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"cannot reach the OONI API: {reason}", url) from None
        finally:
            self._last = time.monotonic()
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise FetchError("the OONI API answered with something that is not JSON", url) from None


@dataclass
class FetchResult:
    pages: int = 0
    listed: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    cursor: dict[str, Any] | None = None
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "listed": self.listed,
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [r.to_json() for r in self.rejected[:MAX_REJECTIONS_SHOWN]],
            "cursor": self.cursor,
            "done": self.done,
        }


def _start(item: dict[str, Any]) -> str:
    """A listed measurement's start time as the API's ``since`` takes it (UTC, no zone)."""
    try:
        return parse_time(item.get("measurement_start_time")).strftime("%Y-%m-%dT%H:%M:%S")
    except BadRecord:
        return ""


def _next_cursor(cursor: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the page after ``results`` starts: the last start time and how many had it."""
    last = _start(results[-1])
    if not last or last == cursor["since"]:
        return {"since": cursor["since"], "offset": cursor["offset"] + len(results)}
    same = sum(1 for r in results if _start(r) == last)
    return {"since": last, "offset": same}


def _since_text(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(value, datetime) else value.isoformat()


def fetch_measurements(
    sessions: sessionmaker[Session],
    *,
    api: OoniApi,
    country: str,
    since: date,
    until: date | None = None,
    page_size: int = 100,
    max_pages: int | None = None,
    cursor: dict[str, Any] | None = None,
    save_cursor: Callable[[dict[str, Any]], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[str], None] | None = None,
) -> FetchResult:
    """Fetch ``country``'s measurements from ``since`` (or the saved cursor) until the list ends."""
    result = FetchResult()
    position = dict(cursor) if cursor else {"since": _since_text(since), "offset": 0}
    with session_scope(sessions) as session:
        matcher = service.active_matcher(session)
    while max_pages is None or result.pages < max_pages:
        if cancelled is not None and cancelled():
            break
        params: dict[str, Any] = {
            "probe_cc": country,
            "since": position["since"],
            "order_by": "measurement_start_time",
            "order": "asc",
            "limit": page_size,
            "offset": position["offset"],
        }
        if until is not None:
            params["until"] = until.isoformat()
        page = api.get("/api/v1/measurements", params)
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            raise FetchError("the measurement list has no 'results'", "/api/v1/measurements")
        results = [r for r in results if isinstance(r, dict)]
        batch = Batch(
            path=f"api page since {position['since']} offset {position['offset']}",
            kind="measurements",
        )
        with session_scope(sessions) as session:
            known = service.known_uids(
                session, [str(r.get("measurement_uid") or "") for r in results]
            )
        for n, item in enumerate(results, start=1):
            uid = str(item.get("measurement_uid") or "")
            where = f"{batch.path}: result {n}" + (f" ({uid})" if uid else "")
            if uid in known:
                result.duplicates += 1  # stored already: its raw document is not asked again
                continue
            try:
                if not uid:
                    raise BadRecord("the list gave no measurement_uid")
                parse_time(item.get("measurement_start_time"))
                raw = api.get("/api/v1/raw_measurement", {"measurement_uid": uid})
                if isinstance(raw, dict):
                    raw.setdefault("measurement_uid", uid)
                batch.measurements.append(parse_measurement(raw, matcher=matcher))
            except BadRecord as exc:
                batch.rejected.append(Rejected(where, str(exc)))
            except FetchError as exc:
                batch.rejected.append(Rejected(where, f"{exc.message} ({exc.where})"))
        with session_scope(sessions) as session:
            stored = service.store_batch(session, batch)
        result.pages += 1
        result.listed += len(results)
        result.inserted += stored.inserted
        result.duplicates += stored.duplicates
        result.rejected.extend(stored.rejected)
        if results:
            position = _next_cursor(position, results)
        if save_cursor is not None:
            save_cursor(position)
        if progress is not None:
            progress(f"{result.listed} measurements listed, {result.inserted} new")
        if len(results) < page_size:
            result.done = True
            break
    result.cursor = position
    return result
