"""Detect's staff pages: the queue of flagged posts to confirm or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from marsad.detect import flagging
from marsad.detect.glossary_views import router as glossary_router
from marsad.detect.model import TASKS
from marsad.web.deps import MAX_PAGE, CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(glossary_router)


@router.get("/staff/flags")
def queue(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: str = "pending",
    label: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    size = 50
    page = max(page, 1)
    items = flagging.list_flags(
        session, status=status, label=label or None, limit=size, offset=(page - 1) * size
    )
    return render(
        request,
        "detect/flags.html",
        {
            "items": items,
            "status": status,
            "label": label or "",
            "tasks": TASKS,
            "page": page,
            "has_next": len(items) == size,
        },
    )


@router.post("/staff/flags/{flag_id}/review", dependencies=[CsrfChecked])
def review(
    flag_id: str,
    user: StaffUser,
    session: DbSession,
    decision: Annotated[str, Form()],
    labels: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/staff/flags",
) -> Response:
    flagging.review_flag(
        session,
        flag_id=flag_id,
        decision=decision,
        reviewer=user.username,
        labels=labels if decision == "confirmed" and labels else None,
        note=note,
    )
    target = back if back.startswith("/staff/flags") else "/staff/flags"
    return RedirectResponse(target, status_code=303)
