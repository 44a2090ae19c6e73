"""Evidence's background work: the ``evidence.capture`` job kind.

A job captures one item that :func:`marsad.evidence.capture.start_capture`
already added as ``pending`` (so the page that asked can link to it at once).
Running it is idempotent: a captured item is returned as it is, a pending or
failed one is fetched again. A failed capture fails the job with the item's
reason, so ``marsad jobs retry`` (or the jobs page) tries it once more; a
worker killed mid-way leaves the item pending and nothing stored, and the job,
queued again by the sweep, simply fetches again.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from marsad.core.blobs import BlobStore
from marsad.core.errors import MarsadError
from marsad.core.jobs.kinds import JobContext, JobKind
from marsad.evidence.capture import run_capture


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


JOB_KINDS = [
    JobKind(
        name="evidence.capture",
        params=CaptureParams,
        run=run_capture_job,
        description="Capture a URL as evidence (WARC, screenshot, PDF), as "
        "`marsad evidence capture` does.",
    )
]
