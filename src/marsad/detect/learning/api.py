"""JSON twins of the labelling pages: the queue, labels, agreement, the model registry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from marsad.core.models import User
from marsad.detect.learning import labels as label_service
from marsad.detect.learning import queue as queue_service
from marsad.detect.learning import registry
from marsad.web.deps import DbSession, require_role

router = APIRouter(prefix="/api/v1", tags=["learning"])
Analyst = Annotated[User, Depends(require_role("analyst"))]


class QueueRequest(BaseModel):
    task: str = Field(..., description="offensive, hate, violence or extremism")
    size: int = Field(50, ge=1, le=queue_service.MAX_QUEUE, description="How many posts.")


@router.post("/labels/queue")
def draw_queue(
    body: QueueRequest, request: Request, user: Analyst, session: DbSession
) -> dict[str, Any]:
    """Draw and store the next posts to label: ``{"sample", "task", "model_version", "posts"}``."""
    settings = request.app.state.settings
    label_service.check_task(body.task, "task")
    model = registry.model_in_use(session, settings=settings)
    return queue_service.build_queue(
        session,
        task=body.task,
        size=body.size,
        model=model,
        thresholds={**model.thresholds, **settings.detect.thresholds(model.thresholds)},
        actor=user.username,
        settings=settings,
    )


class LabelRequest(BaseModel):
    post_id: int = Field(
        ..., ge=1, le=2**62, description="Marsad's post id, as the queue gives it."
    )
    task: str = Field(..., description="offensive, hate, violence or extremism")
    value: int = Field(..., description="1 (yes) or 0 (no)")


@router.post("/labels")
def add_label(body: LabelRequest, user: Analyst, session: DbSession) -> dict[str, Any]:
    """Record your answer on one post for one task (replacing your earlier one); audited."""
    label = label_service.record_label(
        session,
        post_pk=body.post_id,
        task=body.task,
        value=body.value,
        labelled_by=user.username,
        source="queue",
    )
    return {
        "post_id": label.post_pk,
        "task": label.task,
        "value": label.value,
        "labelled_by": label.labelled_by,
        "labelled_at": label.labelled_at.isoformat(),
    }


@router.get("/labels/agreement")
def agreement(
    user: Analyst,  # noqa: ARG001 - staff only
    session: DbSession,
    task: str | None = Query(None, description="One task (default: every task)."),
) -> dict[str, Any]:
    """Krippendorff's alpha (nominal) per task over posts labelled by two or more people."""
    return label_service.agreement(session, task=task)


@router.get("/models")
def models(user: Analyst, session: DbSession) -> dict[str, Any]:  # noqa: ARG001
    """The registered versions, newest first, and which one is in use."""
    current = registry.current_version(session)
    return {
        "in_use": current.version if current is not None else registry.SHIPPED,
        "versions": registry.list_versions(session),
    }


@router.get("/models/compare")
def compare(
    request: Request,
    user: Analyst,  # noqa: ARG001 - staff only
    session: DbSession,
    version: str | None = Query(None, description="Candidate (default: the newest)."),
) -> dict[str, Any]:
    """A candidate and the model in use, scored now on the frozen evaluation samples."""
    return registry.compare(session, settings=request.app.state.settings, candidate=version)


@router.post("/models/{version}/promote")
def promote(version: str, user: Analyst, session: DbSession) -> dict[str, Any]:
    """Put this version in use; the one it replaces is retired. Audited."""
    return registry.version_view(registry.promote(session, version=version, actor=user.username))


@router.post("/models/rollback")
def rollback(user: Analyst, session: DbSession) -> dict[str, Any]:
    """Put back the version in use before the current one (or the shipped model)."""
    return {"in_use": registry.rollback(session, actor=user.username)}
