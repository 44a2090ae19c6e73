"""The alerts job kinds: ``alerts.deliver`` (send what is due) and ``alerts.digest``.

``alerts.deliver`` is queued in the transaction that recorded new deliveries
and runs every minute from the scheduler (``alerts.retry``), which is how a
delivery that failed is retried once its backoff has passed. ``alerts.digest``
runs daily: held alerts become one digest per rule and receiver, then sent.
Both are safe to run twice at once: every delivery is claimed before it is sent.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from marsad.alerts import delivery, service
from marsad.core.db import session_scope
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob


class DeliverParams(BaseModel):
    ids: list[str] = Field(
        default_factory=list, description="Deliveries to send (empty: every one that is due)."
    )


class DigestParams(BaseModel):
    pass


def run_deliver(context: JobContext, params: Any) -> dict[str, Any]:
    params = params if isinstance(params, DeliverParams) else DeliverParams.model_validate(params)
    counts = delivery.deliver_due(
        sessions=context.sessions,
        settings=context.settings,
        ids=params.ids or None,
        should_stop=context.cancelled,
    )
    context.progress(1.0, "sent")
    return counts


def run_digest(context: JobContext, params: Any) -> dict[str, Any]:  # noqa: ARG001
    with session_scope(context.sessions) as session:
        made = service.make_digests(session)
    counts = delivery.deliver_due(sessions=context.sessions, settings=context.settings, ids=made)
    context.progress(1.0, "sent")
    return {"digests": len(made), **counts}


JOB_KINDS = [
    JobKind(
        name="alerts.deliver",
        params=DeliverParams,
        run=run_deliver,
        description="Send the alerts that are due (webhooks and e-mail), recording each attempt.",
    ),
    JobKind(
        name="alerts.digest",
        params=DigestParams,
        run=run_digest,
        description="Fold the held alerts of digest rules into one message per receiver and send.",
    ),
]

PERIODIC_JOBS = [
    PeriodicJob(name="alerts.retry", kind="alerts.deliver", every_seconds=60),
    PeriodicJob(name="alerts.digest", kind="alerts.digest", every_seconds=86400),
]
