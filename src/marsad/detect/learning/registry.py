"""The model registry: trained versions, their scores on the frozen sample, promotion, rollback.

A version is registered as a ``candidate`` when a retraining writes it. Staff
compare a candidate with the model in use on each task's frozen evaluation
sample (:func:`compare`) and promote it: it becomes ``current``, the one
``marsad detect run``, ``detect text`` and ``POST /api/v1/classify`` use, and
the version it replaced is ``retired``. :func:`rollback` puts back the version
that was in use before the current one (the shipped model when there was
none). Every promotion and rollback is audited.

Which model is in use (:func:`model_in_use`): ``--model DIR``, else
``MARSAD_DETECT_MODEL``, else the promoted version, else the shipped model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import session_scope, utcnow
from marsad.core.errors import ConfigError, InvalidInput, MarsadError, NotFound
from marsad.core.i18n import gettext as _
from marsad.detect.learning import labels as label_service
from marsad.detect.learning.models import ModelVersion
from marsad.detect.model import (
    BINARY_TASKS,
    DetectorModel,
    load_configured_model,
    load_default_model,
)

__all__ = [
    "SHIPPED",
    "compare",
    "current_version",
    "evaluate_on_frozen",
    "get_version",
    "list_versions",
    "model_in_use",
    "promote",
    "register_candidate",
    "rollback",
    "version_view",
]

#: How the shipped model is named where a registry version would be.
SHIPPED = "shipped"


def current_version(session: Session) -> ModelVersion | None:
    """The promoted version in use, or None (the shipped model)."""
    return session.execute(
        select(ModelVersion).where(ModelVersion.status == "current").limit(1)
    ).scalar_one_or_none()


def model_in_use(
    source: Session | sessionmaker[Session],
    *,
    settings: Any,
    path: str | Path | None = None,
) -> DetectorModel:
    """The model that flags posts: ``path``, else the setting, else the promoted, else shipped."""
    if path is not None or settings.detect.detect_model is not None:
        return load_configured_model(path, settings=settings)
    if isinstance(source, Session):
        current = current_version(source)
        found = None if current is None else (current.version, current.path)
    else:
        with session_scope(source) as session:
            current = current_version(session)
            found = None if current is None else (current.version, current.path)
    if found is None:
        return load_default_model()
    version, where = found
    if not Path(where).exists():
        raise ConfigError(
            "model_versions",
            _(
                "the promoted model {version} is missing at {path}; restore the file or "
                "roll back with 'marsad detect models rollback'"
            ).format(version=version, path=where),
        )
    return load_configured_model(where, settings=settings)


def evaluate_on_frozen(session: Session, model: DetectorModel) -> dict[str, Any]:
    """task -> ``{"macro_f1", "precision", "recall", "n", "glossary_only"}`` on its frozen sample.

    The posts are labelled as the service would label them with ``model``
    (:func:`~marsad.detect.evaluate.evaluate_as_service`): a Kurdish or English
    post from the glossary alone, whatever the model's score, so staff compare
    what analysts would see. ``glossary_only`` counts those posts. A task whose
    sample has no labels yet (or that the model does not score) is ``{"n": 0}``:
    there is nothing to measure it on.
    """
    from marsad.detect.evaluate import evaluate_as_service

    out: dict[str, Any] = {}
    for task in BINARY_TASKS:
        rows = label_service.evaluation_examples(session, task=task)
        if not rows or task not in model.thresholds:
            out[task] = {"n": 0}
            continue
        result = evaluate_as_service(model, [r[1] for r in rows], [r[2] for r in rows], task)
        result.pop("posts_per_s", None)
        out[task] = result
    return out


def register_candidate(
    session: Session,
    *,
    model: DetectorModel,
    path: Path,
    trained_by: str,
    local_labels: dict[str, dict[str, int]],
    labels_stamp: str | None = None,
) -> ModelVersion:
    """Record a newly trained model as a candidate, with its scores on the frozen samples."""
    existing = session.execute(
        select(ModelVersion).where(ModelVersion.version == model.version)
    ).scalar_one_or_none()
    row = existing or ModelVersion(version=model.version, status="candidate")
    row.path = str(Path(path).resolve())
    row.tasks = [t for t in BINARY_TASKS if t in model.heads]
    row.metrics = evaluate_on_frozen(session, model)
    row.local_labels = local_labels
    row.labels_stamp = labels_stamp
    row.training_data_sha256 = model.metadata.get("training_data_sha256")
    row.trained_by = trained_by
    row.trained_at = utcnow()
    if existing is None:
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor=trained_by,
        action="model.registered",
        subject_type="model_version",
        subject_id=row.version,
        details={"metrics": row.metrics, "local_labels": local_labels},
    )
    return row


def get_version(session: Session, *, version: str) -> ModelVersion:
    row = session.execute(
        select(ModelVersion).where(ModelVersion.version == version)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            "err_model_version", _("there is no model version {v}").format(v=version), "version"
        )
    return row


def version_view(row: ModelVersion) -> dict[str, Any]:
    """One registry row as the CLI, the API and the page show it (times in UTC)."""
    return {
        "version": row.version,
        "status": row.status,
        "path": row.path,
        "tasks": list(row.tasks or []),
        "metrics": row.metrics or {},
        "local_labels": row.local_labels or {},
        "trained_by": row.trained_by,
        "trained_at": row.trained_at.isoformat() if row.trained_at else None,
        "promoted_by": row.promoted_by,
        "promoted_at": row.promoted_at.isoformat() if row.promoted_at else None,
    }


def list_versions(session: Session) -> list[dict[str, Any]]:
    """Every registered version, newest first."""
    rows = session.execute(
        select(ModelVersion).order_by(ModelVersion.trained_at.desc(), ModelVersion.id)
    ).scalars()
    return [version_view(r) for r in rows]


def compare(session: Session, *, settings: Any, candidate: str | None = None) -> dict[str, Any]:
    """The candidate (default: the newest) and the model in use, scored now on the frozen samples.

    ``{"candidate": {"version", "metrics"}, "current": {"version", "metrics"},
    "gain": {task: candidate macro-F1 minus current}}``. Both are measured on the
    labels the frozen samples have today, so the figures are comparable.
    """
    if candidate is None:
        row = session.execute(
            select(ModelVersion)
            .where(ModelVersion.status == "candidate")
            .order_by(ModelVersion.trained_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("err_model_no_candidate", _("there is no candidate to compare"))
    else:
        row = get_version(session, version=candidate)
    current_row = current_version(session)
    current_model = model_in_use(session, settings=settings)
    candidate_model = load_configured_model(row.path, settings=settings)
    theirs = evaluate_on_frozen(session, candidate_model)
    ours = evaluate_on_frozen(session, current_model)
    gain = {
        task: round(theirs[task]["macro_f1"] - ours[task]["macro_f1"], 4)
        for task in BINARY_TASKS
        if "macro_f1" in theirs.get(task, {}) and "macro_f1" in ours.get(task, {})
    }
    return {
        "candidate": {"version": row.version, "metrics": theirs},
        "current": {
            "version": current_model.version,
            "registered": current_row is not None,
            "metrics": ours,
        },
        "gain": gain,
    }


def promote(session: Session, *, version: str, actor: str) -> ModelVersion:
    """Make this version the one in use; the one it replaces is retired. Audited."""
    row = get_version(session, version=version)
    if row.status == "current":
        raise MarsadError(
            "err_model_already_current", _("this version is already in use"), "version", 409
        )
    if not Path(row.path).exists():
        raise InvalidInput(
            "err_model_missing",
            _("the model file of {version} is missing at {path}").format(
                version=version, path=row.path
            ),
            "version",
        )
    before = current_version(session)
    if before is not None:
        before.status = "retired"
    row.status = "current"
    row.previous_id = before.id if before is not None else None
    row.promoted_by = actor
    row.promoted_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="model.promoted",
        subject_type="model_version",
        subject_id=row.version,
        details={"replaced": before.version if before is not None else SHIPPED},
    )
    return row


def rollback(session: Session, *, actor: str) -> str:
    """Put back the version in use before the current one; returns its name (or ``shipped``)."""
    row = current_version(session)
    if row is None:
        raise MarsadError(
            "err_model_no_rollback",
            _("the shipped model is in use; there is nothing to roll back"),
            "version",
            409,
        )
    previous = session.get(ModelVersion, row.previous_id) if row.previous_id else None
    row.status = "retired"
    if previous is not None:
        previous.status = "current"
        previous.promoted_by = actor
        previous.promoted_at = utcnow()
    session.flush()
    back_to = previous.version if previous is not None else SHIPPED
    audit.record(
        session,
        actor=actor,
        action="model.rolled_back",
        subject_type="model_version",
        subject_id=row.version,
        details={"back_to": back_to},
    )
    return back_to
