"""Background work of the outages half: fetching signals and detecting outages.

``connectivity.fetch_signals`` is :func:`fetch.fetch_signals` with the job's
cursor (the number of requests done); ``connectivity.detect_outages`` runs the
same detection as the CLI and saves new events (each once: events carry a
fingerprint). The scheduler runs both hourly in production; the fetch looks
back six hours each time, so a missed hour is filled in by the next run.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from marsad.connectivity.outages import service
from marsad.connectivity.outages.fetch import FetchParams, fetch_signals
from marsad.core import audit
from marsad.core.db import session_scope
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob


def run_fetch(context: JobContext, params: FetchParams) -> dict[str, Any]:
    """Fetch from the job's cursor on."""
    return fetch_signals(
        context.sessions,
        params,
        cursor=int(context.cursor() or 0),
        save_cursor=context.save_cursor,
        progress=lambda fraction, note: context.progress(fraction, note),
        cancelled=context.cancelled,
    )


class DetectParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lookback_days: int = Field(
        30, ge=1, le=3660, description="Detect over the signals of the last N days."
    )


def run_detect(context: JobContext, params: DetectParams) -> dict[str, Any]:
    """Detect over recent signals and save the events not saved yet."""
    from datetime import UTC, datetime, timedelta

    since = datetime.now(UTC) - timedelta(days=params.lookback_days)
    with session_scope(context.sessions) as session:
        document = service.detect_outages(
            session,
            actor=context.requested_by or audit.SYSTEM,
            since=since,
            settings=context.settings,
        )
    context.progress(1.0)
    return {"events": len(document["events"]), "created": document.get("created", 0)}


JOB_KINDS = [
    JobKind(
        name="connectivity.fetch_signals",
        params=FetchParams,
        run=run_fetch,  # type: ignore[arg-type]
        description="Fetch connectivity signals from the IODA API (resumable, rate-limited).",
    ),
    JobKind(
        name="connectivity.detect_outages",
        params=DetectParams,
        run=run_detect,  # type: ignore[arg-type]
        description="Detect outages in the stored signals and save new events.",
    ),
]

PERIODIC_JOBS = [
    PeriodicJob(
        name="connectivity.fetch-signals",
        kind="connectivity.fetch_signals",
        every_seconds=3600,
        params={"lookback_hours": 6, "window_hours": 6},
        external=True,  # IODA's API
    ),
    PeriodicJob(
        name="connectivity.detect-outages",
        kind="connectivity.detect_outages",
        every_seconds=3600,
        params={"lookback_days": 30},
    ),
]
