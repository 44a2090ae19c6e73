"""Detect's JSON API: classify texts, list flags, review them (staff only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from marsad.detect import flagging
from marsad.detect.curation import current_glossary
from marsad.detect.learning.registry import model_in_use
from marsad.detect.service import classify_texts
from marsad.detect.settings import DetectSettings, merged_thresholds
from marsad.web.deps import MAX_OFFSET, DbSession, StaffUser

router = APIRouter(prefix="/api/v1", tags=["detect"])


class ClassifyRequest(BaseModel):
    texts: list[str] = Field(
        ..., min_length=1, max_length=10_000, description="Posts to classify (1 to 10,000)."
    )
    thresholds: dict[str, float] | None = Field(
        None,
        description="Per-label decision thresholds overriding the model's, e.g. {'hate': 0.6}.",
    )


def detect_settings(request: Request) -> DetectSettings:
    """The detect section of the settings this app was created with."""
    return request.app.state.settings.detect


@router.post("/classify")
def classify(
    body: ClassifyRequest, request: Request, user: StaffUser, session: DbSession
) -> dict[str, Any]:
    """Labels, calibrated scores and the curated glossary's spans that explain them.

    The model is ``MARSAD_DETECT_MODEL``, else the promoted one, else the shipped one; the body's
    ``thresholds`` override ``MARSAD_DETECT_THRESHOLDS``, which override the model's.
    """
    settings = detect_settings(request)
    model = model_in_use(session, settings=request.app.state.settings)
    results = classify_texts(
        body.texts,
        model=model,
        thresholds=merged_thresholds(settings.thresholds(model.thresholds), body.thresholds),
        glossary=current_glossary(session),
    )
    first = results[0] if results else {}
    return {
        "results": results,
        "model_version": first.get("model_version"),
        "glossary_version": first.get("glossary_version"),
    }


@router.get("/flags")
def flags(
    user: StaffUser,
    session: DbSession,
    status: str = Query("pending", description="pending, confirmed, rejected or all"),
    label: str | None = Query(None, description="offensive, hate, violence or extremism"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """The review queue: flagged posts, strongest first."""
    items = flagging.list_flags(session, status=status, label=label, limit=limit, offset=offset)
    nxt = None
    if len(items) == limit:
        nxt = f"/api/v1/flags?status={status}&limit={limit}&offset={offset + limit}"
        if label:
            nxt += f"&label={label}"
    return {"items": items, "next": nxt}


class ReviewRequest(BaseModel):
    decision: str = Field(..., description="confirmed or rejected")
    labels: list[str] | None = Field(None, description="The right labels, if not the detector's")
    note: str | None = None


@router.post("/flags/{flag_id}/review")
def review(
    flag_id: str, body: ReviewRequest, user: StaffUser, session: DbSession
) -> dict[str, Any]:
    """Confirm or reject a flag; the decision is audited and feeds retraining."""
    flag = flagging.review_flag(
        session,
        flag_id=flag_id,
        decision=body.decision,
        reviewer=user.username,
        labels=body.labels,
        note=body.note,
    )
    return flagging.view_flag(session, flag=flag)


class BulkReviewRequest(BaseModel):
    flag_ids: list[str] = Field(..., description="The flags to decide on")
    decision: str = Field(..., description="confirmed or rejected")
    note: str | None = None


@router.post("/flags/review")
def review_many(body: BulkReviewRequest, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """One decision on several flags (each keeps its detector's labels); audited one by one.

    Flags a newer scoring replaced are not decided: they are listed as ``skipped``.
    """
    return flagging.review_flags(
        session,
        flag_ids=body.flag_ids,
        decision=body.decision,
        reviewer=user.username,
        note=body.note,
    )


@router.post("/flags/{flag_id}/undo")
def undo(flag_id: str, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """Take back your own decision on a current flag: it waits for review again."""
    flag = flagging.undo_review(session, flag_id=flag_id, reviewer=user.username)
    return flagging.view_flag(session, flag=flag)
