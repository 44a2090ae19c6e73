"""The ``connectivity.fetch_ooni`` job kind: pull a country's OONI measurements.

It runs in-process in the demo and on Celery workers in production. The job's
cursor is the fetch's (``{"since", "offset"}``), saved after each stored page, so
a worker killed mid-way leaves a job that continues where it stopped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from marsad.connectivity.blocking.fetch import OoniApi, fetch_measurements
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob

__all__ = ["JOB_KINDS", "PERIODIC_JOBS", "FetchOoniParams"]


class FetchOoniParams(BaseModel):
    """What to fetch from the OONI API, and how politely."""

    country: str = Field("IQ", description="ISO 3166 two-letter country code of the probes.")
    since: date | None = Field(
        None, description="First day of measurements to fetch (UTC); default: days_back."
    )
    days_back: int = Field(
        2, ge=1, le=31, description="Without since: fetch from this many days before today."
    )
    until: date | None = Field(None, description="Last day (exclusive, as the OONI API reads it).")
    api_url: str = Field("https://api.ooni.io", description="Base URL of the OONI API.")
    page_size: int = Field(100, ge=1, le=1000, description="Measurements listed per request.")
    min_interval: float = Field(
        1.0, ge=0, le=60, description="Fewest seconds between two requests to the API."
    )
    max_pages: int | None = Field(
        None, ge=1, description="Stop after this many pages (the cursor lets a next run go on)."
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise ValueError("country must be a two-letter code such as IQ")
        return value

    @field_validator("api_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("api_url must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _order(self) -> FetchOoniParams:
        if self.until is not None and self.until <= self.first_day():
            raise ValueError("until must be after since")
        return self

    def first_day(self) -> date:
        """``since``, or ``days_back`` days before today (UTC) for a scheduled fetch."""
        if self.since is not None:
            return self.since
        return datetime.now(UTC).date() - timedelta(days=self.days_back)


def run(context: JobContext, params: Any) -> dict[str, Any]:
    """Fetch from the saved cursor on; the result is ``fetch-ooni --json``'s document."""
    if not isinstance(params, FetchOoniParams):
        params = FetchOoniParams.model_validate(params)
    result = fetch_measurements(
        context.sessions,
        api=OoniApi(base_url=params.api_url, min_interval=params.min_interval),
        country=params.country,
        since=params.first_day(),
        until=params.until,
        page_size=params.page_size,
        max_pages=params.max_pages,
        cursor=context.cursor(),
        save_cursor=context.save_cursor,
        cancelled=context.cancelled,
        progress=lambda note: context.progress(0.5, note),
    )
    context.progress(1.0, "done" if result.done else "stopped")
    return result.to_json()


# Off until switched on (MARSAD_JOBS_SCHEDULE='{"connectivity.fetch-ooni-iq": 21600}'): a
# scheduler then fetches Iraq's last two days every interval; stored ones are skipped.
PERIODIC_JOBS = [
    PeriodicJob(
        name="connectivity.fetch-ooni-iq",
        kind="connectivity.fetch_ooni",
        every_seconds=0,
        params={"country": "IQ", "days_back": 2},
        external=True,  # OONI's API
    )
]

JOB_KINDS = [
    JobKind(
        name="connectivity.fetch_ooni",
        params=FetchOoniParams,
        run=run,
        description="Pull a country's OONI measurements from the OONI API (resumable).",
    )
]
