"""Evidence's background work: the ``evidence.capture`` job kind.

A job captures one item that :func:`marsad.evidence.capture.start_capture`
already added as ``pending`` (so the page that asked can link to it at once).
Running it is idempotent: a captured item is returned as it is, a pending or
failed one is fetched again. A failed capture fails the job with the item's
reason, so ``marsad jobs retry`` (or the jobs page) tries it once more; a
worker killed mid-way leaves the item pending and nothing stored, and the job,
queued again by the sweep, simply fetches again. ``evidence.capture_retry``
(every 15 minutes under ``marsad scheduler``) tries again, by itself, the
captures that failed for a reason that may pass.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from marsad.core.blobs import BlobStore
from marsad.core.errors import MarsadError
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob
from marsad.evidence.capture import retry_failed, run_capture


class CaptureParams(BaseModel):
    """The parameters of ``evidence.capture``."""

    model_config = ConfigDict(extra="forbid")

    item_id: int = Field(..., ge=1, description="The pending capture item to fetch.")


def run_capture_job(context: JobContext, params: BaseModel) -> dict[str, Any]:
    """Capture the item; raise the capture's failure so the job shows it and can be retried."""
    params = CaptureParams.model_validate(params.model_dump())
    settings = context.settings
    result = run_capture(
        sessions=context.sessions,
        store=BlobStore.from_settings(settings),
        cfg=settings.evidence_capture,
        item_id=params.item_id,
        actor=context.requested_by or "jobs",
    )
    context.progress(1.0)
    if result["status"] == "failed":
        code, _sep, reason = str(result["reason"]).partition(": ")
        raise MarsadError(code=code or "err_capture_failed", message=reason or code, where="url")
    return result


class RetryParams(BaseModel):
    """``evidence.capture_retry`` takes no parameters."""

    model_config = ConfigDict(extra="forbid")


def run_retry_job(context: JobContext, params: BaseModel) -> dict[str, Any]:
    """Try again the failed captures whose failure may pass (timeouts, unreachable hosts)."""
    del params
    settings = context.settings
    result = retry_failed(
        sessions=context.sessions,
        store=BlobStore.from_settings(settings),
        cfg=settings.evidence_capture,
        actor=context.requested_by or "jobs",
    )
    context.progress(1.0)
    return result


JOB_KINDS = [
    JobKind(
        name="evidence.capture",
        params=CaptureParams,
        run=run_capture_job,
        description="Capture a URL as evidence (WARC, screenshot, PDF), as "
        "`marsad evidence capture` does.",
    ),
    JobKind(
        name="evidence.capture_retry",
        params=RetryParams,
        run=run_retry_job,
        description="Try again the captures that failed for a reason that may pass "
        "(a timeout, an unreachable host), up to MARSAD_EVIDENCE_CAPTURE_MAX_ATTEMPTS tries.",
    ),
]
PERIODIC_JOBS = [
    PeriodicJob(
        name="evidence.retry-failed-captures", kind="evidence.capture_retry", every_seconds=900
    )
]
