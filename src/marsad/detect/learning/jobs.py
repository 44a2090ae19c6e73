"""The ``detect.train-candidate`` job: retrain with the local labels, register a candidate.

``marsad scheduler`` submits it weekly (``detect.train-candidate`` in
``MARSAD_JOBS_SCHEDULE`` changes how often; 0 switches it off). It trains from
``MARSAD_LEARNING_SHARED_DATA`` plus the labels, as ``marsad detect train
--shared-data DIR --include-reviewed`` does, writes the model under
``<data dir>/models/<version>`` and registers it as a candidate; nobody's model
changes until staff promote it. It trains nothing, and says why in its result,
when no labels arrived since the last candidate or when there are too few.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.core.i18n import gettext as _
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob

__all__ = ["JOB_KINDS", "PERIODIC_JOBS", "TrainCandidateParams", "train_candidate_job"]

WEEK = 7 * 24 * 3600


class TrainCandidateParams(BaseModel):
    """The parameters of ``detect.train-candidate``."""

    model_config = ConfigDict(extra="forbid")

    shared_data: str | None = Field(
        None, description="Folder of the public data sets (default: MARSAD_LEARNING_SHARED_DATA)."
    )
    force: bool = Field(False, description="Train even when no label arrived since the last one.")


def train_candidate_job(context: JobContext, params: BaseModel) -> dict[str, Any]:
    """Train and register a candidate (see the module doc); the result says what happened."""
    from marsad.detect.learning.models import ModelVersion
    from marsad.detect.learning.retrain import LabelsTooFew, labels_stamp, train_candidate

    params = TrainCandidateParams.model_validate(params.model_dump())
    settings = context.settings
    folder = params.shared_data or settings.learning.learning_shared_data
    if folder is None:
        reason = _("MARSAD_LEARNING_SHARED_DATA is not set: no public data sets to retrain from")
        return {"candidate": None, "reason": reason}
    with session_scope(context.sessions) as session:
        stamp = labels_stamp(session)
        seen = session.execute(
            select(ModelVersion.labels_stamp).order_by(ModelVersion.trained_at.desc()).limit(1)
        ).scalar_one_or_none()
    if seen == stamp and not params.force:
        return {"candidate": None, "reason": _("no new labels since the last candidate")}
    context.progress(0.05, "training")
    try:
        result = train_candidate(
            sessions=context.sessions,
            settings=settings,
            shared_data=Path(folder),
            out=None,
            actor=context.requested_by or "scheduler",
        )
    except LabelsTooFew as exc:
        return {"candidate": None, "reason": exc.message}
    context.progress(1.0)
    return {"candidate": result["model_version"], **result}


JOB_KINDS = [
    JobKind(
        name="detect.train-candidate",
        params=TrainCandidateParams,
        run=train_candidate_job,
        description="Retrain with the analysts' labels and register the model as a candidate.",
    )
]

PERIODIC_JOBS = [
    PeriodicJob(name="detect.train-candidate", kind="detect.train-candidate", every_seconds=WEEK)
]
