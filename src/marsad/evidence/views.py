"""Evidence's staff pages: the list, an item, its files, capture and preserve forms, bundles.

Files are only ever served here, to signed-in staff, each hand-out recorded in
the item's custody log; no public route serves an evidence blob.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import NotFound
from marsad.core.models import User
from marsad.evidence import service
from marsad.evidence.capture import start_capture
from marsad.evidence.labels import failure, label
from marsad.evidence.models import ITEM_KINDS, ITEM_STATUSES
from marsad.web.deps import CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE = 50
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


def _store(request: Request) -> BlobStore:
    return BlobStore.from_settings(request.app.state.settings)


def queue_capture(
    request: Request, user: User, *, url: str, note: str = "", ref: str | None = None
) -> dict[str, Any]:
    """A pending capture item and the ``evidence.capture`` job that fetches it."""
    from marsad.core.jobs.service import submit_job

    sessions = request.app.state.sessions
    with session_scope(sessions) as session:
        item_id = start_capture(
            session, url=url, actor=user.username, note=note, source_ref=ref or None
        ).id
    job_id = submit_job(
        sessions=sessions,
        settings=request.app.state.settings,
        kind="evidence.capture",
        params={"item_id": item_id},
        requested_by=user.username,
    )
    return {"id": item_id, "sha256": None, "status": "pending", "reason": None, "job_id": job_id}


@router.get("/staff/evidence")
def list_page(
    request: Request,
    user: StaffUser,
    session: DbSession,
    kind: str = "",
    status: str = "",
    q: str = "",
    offset: int = 0,
) -> Response:
    page = service.list_items(
        session, kind=kind or None, status=status or None, text=q, limit=PAGE, offset=offset
    )
    more = None
    if page.next_offset is not None:
        more = "?" + urlencode({"kind": kind, "status": status, "q": q, "offset": page.next_offset})
    return render(
        request,
        "evidence/list.html",
        {
            "page": page,
            "items": [service.item_public(i) for i in page.items],
            "filters": {"kind": kind, "status": status, "q": q},
            "kinds": ITEM_KINDS,
            "statuses": ITEM_STATUSES,
            "more": more,
            "bundles": _bundle_writer() is not None,
            "label": label,
            "failure": failure,
        },
    )


@router.get("/staff/evidence/{item_id}")
def item_page(item_id: int, request: Request, user: StaffUser, session: DbSession) -> Response:
    detail = service.item_detail(session, item_id, actor=user.username)
    roles = {p["role"] for p in detail["parts"]}
    preview = None
    if "screenshot" in roles:
        preview = f"/staff/evidence/{item_id}/file?part=screenshot&inline=1"
    elif detail["media_type"] in INLINE_TYPES and detail["sha256"]:
        preview = f"/staff/evidence/{item_id}/file?inline=1"
    return render(
        request,
        "evidence/item.html",
        {"item": detail, "preview": preview, "label": label, "failure": failure},
    )


@router.get("/staff/evidence/{item_id}/file")
def download(
    item_id: int,
    request: Request,
    user: StaffUser,
    session: DbSession,
    part: str | None = None,
    inline: int = 0,
) -> Response:
    """An item's bytes (or a part's) for staff; each hand-out goes into the custody log."""
    got = service.open_download(
        session,
        _store(request),
        item_id,
        actor=user.username,
        part=part or None,
        reason="preview" if inline else "",
    )
    show_inline = bool(inline) and got.media_type in INLINE_TYPES

    def chunks() -> Iterator[bytes]:
        with got.stream as stream:
            while chunk := stream.read(1024 * 1024):
                yield chunk

    disposition = "inline" if show_inline else "attachment"
    return StreamingResponse(
        chunks(),
        media_type=got.media_type if show_inline else "application/octet-stream",
        headers={
            "Content-Disposition": f'{disposition}; filename="{got.filename}"',
            "Content-Length": str(got.size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Digest": f"sha-256={got.sha256}",
        },
    )


@router.post("/staff/evidence/capture", dependencies=[CsrfChecked])
def capture(
    request: Request,
    user: StaffUser,
    url: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    ref: Annotated[str, Form()] = "",
) -> Response:
    queued = queue_capture(request, user, url=url, note=note, ref=ref or None)
    return RedirectResponse(f"/staff/evidence/{queued['id']}", status_code=303)


@router.post("/staff/evidence/preserve", dependencies=[CsrfChecked])
def preserve(
    request: Request,
    user: StaffUser,
    session: DbSession,
    ref: Annotated[str, Form()],
) -> Response:
    """Keep what Marsad holds for a report (its original attachments) or a post (its record)."""
    items = service.add_ref(
        session, _store(request), ref=ref.strip(), actor=user.username, user=user
    )
    if len(items) == 1:
        return RedirectResponse(f"/staff/evidence/{items[0].id}", status_code=303)
    return RedirectResponse("/staff/evidence?" + urlencode({"q": ref.strip()}), status_code=303)


def _bundle_writer() -> Any:
    try:
        module = importlib.import_module("marsad.evidence.bundle")
    except ImportError:
        return None
    return getattr(module, "write_bundle", None)


@router.post("/staff/evidence/bundle", dependencies=[CsrfChecked])
def bundle(
    request: Request,
    user: StaffUser,
    session: DbSession,
    items: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """A case bundle of the selected items, when the bundle writer is installed (else 404).

    The writer records an ``export`` custody event per item; they are committed
    before the file is handed over, and the temporary file is removed after.
    """
    writer = _bundle_writer()
    if writer is None:
        raise NotFound("err_evidence_bundles_missing", "case bundles are not available here")
    handle, name = tempfile.mkstemp(prefix="marsad-bundle-", suffix=".zip")
    os.close(handle)
    out = Path(name)
    try:
        writer(
            session,
            _store(request),
            list(items or []),
            out,
            user.username,
            reason="staff bundle",
            timezone=request.app.state.settings.timezone,
        )
        session.commit()
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return FileResponse(
        out,
        media_type="application/zip",
        filename="case-bundle.zip",
        background=BackgroundTask(out.unlink, missing_ok=True),
    )
