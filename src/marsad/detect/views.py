"""Detect's staff pages: the queue of flagged posts to confirm or reject.

Every action is a plain form post that redirects back to the queue, so the page
works without JavaScript; ``flags.js`` only adds keyboard shortcuts. After a
decision the queue offers to undo it (the ``undo`` query names the flags).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core.errors import MarsadError
from marsad.detect import flagging
from marsad.detect.glossary_views import router as glossary_router
from marsad.detect.model import TASKS
from marsad.web.deps import MAX_PAGE, CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(glossary_router)

QUEUE = "/staff/flags"


def _back_to(back: str, undo: list[str]) -> str:
    """The queue page to return to (never another site), offering to undo ``undo``."""
    target = back if back.startswith(QUEUE + "?") or back == QUEUE else QUEUE
    if undo:
        joiner = "&" if "?" in target else "?"
        target += joiner + urlencode([("undo", flag_id) for flag_id in undo])
    return target


@router.get("/staff/flags")
def queue(
    request: Request,
    user: StaffUser,
    session: DbSession,
    status: str = "pending",
    label: str | None = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    undo: Annotated[list[str] | None, Query()] = None,
) -> Response:
    size = 50
    page = max(page, 1)
    items = flagging.list_flags(
        session, status=status, label=label or None, limit=size, offset=(page - 1) * size
    )
    # The decisions just made, that this reviewer may still take back.
    undoable = []
    for flag_id in undo or []:
        try:
            flag = flagging.get_flag(session, flag_id=flag_id)
        except MarsadError:
            continue
        if flag.current and flag.reviewed_by == user.username:
            undoable.append(flag)
    query = urlencode({"status": status, "label": label or "", "page": page})
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
            "back": f"{QUEUE}?{query}",
            "undoable": undoable,
        },
    )


@router.post("/staff/flags/bulk", dependencies=[CsrfChecked])
def review_many(
    user: StaffUser,
    session: DbSession,
    decision: Annotated[str, Form()],
    flag_ids: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = QUEUE,
) -> Response:
    result = flagging.review_flags(
        session,
        flag_ids=flag_ids or [],
        decision=decision,
        reviewer=user.username,
        note=note,
    )
    return RedirectResponse(_back_to(back, result["done"]), status_code=303)


@router.post("/staff/flags/undo", dependencies=[CsrfChecked])
def undo(
    user: StaffUser,
    session: DbSession,
    flag_ids: Annotated[list[str], Form()],
    back: Annotated[str, Form()] = QUEUE,
) -> Response:
    for flag_id in flag_ids:
        flagging.undo_review(session, flag_id=flag_id, reviewer=user.username)
    return RedirectResponse(_back_to(back, []), status_code=303)


@router.post("/staff/flags/{flag_id}/review", dependencies=[CsrfChecked])
def review(
    flag_id: str,
    user: StaffUser,
    session: DbSession,
    decision: Annotated[str, Form()],
    labels: Annotated[list[str] | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = QUEUE,
) -> Response:
    flagging.review_flag(
        session,
        flag_id=flag_id,
        decision=decision,
        reviewer=user.username,
        labels=labels if decision == "confirmed" and labels else None,
        note=note,
    )
    return RedirectResponse(_back_to(back, [flag_id]), status_code=303)
