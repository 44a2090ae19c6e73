"""Evidence's JSON API (staff only): the twins of the staff pages, from the same service calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from marsad.evidence import service
from marsad.evidence.views import queue_capture
from marsad.web.deps import DbSession, StaffUser

router = APIRouter(prefix="/api/v1/evidence", tags=["evidence"])


class CaptureRequest(BaseModel):
    """A URL to capture, why, and what it is evidence for."""

    url: str = Field(..., max_length=4000)
    note: str = Field("", max_length=4000)
    ref: str | None = Field(None, max_length=200, description="e.g. post:12 or report:<id>")


@router.get("")
def list_items(
    user: StaffUser,
    session: DbSession,
    kind: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Items matching the filters, newest first, with ``next_offset`` for the next page."""
    page = service.list_items(
        session, kind=kind or None, status=status or None, text=q, limit=limit, offset=offset
    )
    return {
        "total": page.total,
        "offset": page.offset,
        "next_offset": page.next_offset,
        "items": [service.item_public(i) for i in page.items],
    }


@router.get("/{item_id}")
def get_item(item_id: int, user: StaffUser, session: DbSession) -> dict[str, Any]:
    """One item with its parts, versions, custody log and timestamps (the viewing is logged)."""
    return service.item_detail(session, item_id, actor=user.username)


@router.post("/captures", status_code=202)
def capture(body: CaptureRequest, request: Request, user: StaffUser) -> dict[str, Any]:
    """Queue a capture; answers ``{"id", "sha256", "status": "pending", "reason", "job_id"}``."""
    return queue_capture(request, user, url=body.url, note=body.note, ref=body.ref)
