"""A report's files for staff, on the report's page and through the API.

Thin shells over :func:`marsad.reports.file_access.open_report_file`, which
authorises by role and case and writes the audit record. Nothing here is
public: an anonymous visitor is sent to sign in (the page) or answered 401
(the API). The bytes stream from the blob store in the thread pool.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from marsad.core.blobs import BlobStore
from marsad.reports.file_access import open_report_file, safe_headers
from marsad.web.deps import DbSession, StaffUser

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["staff"])


def _serve(
    request: Request,
    session: DbSession,
    user: StaffUser,
    report_id: str,
    file_id: str,
    *,
    original: bool,
    download: bool,
) -> StreamingResponse:
    opened = open_report_file(
        session,
        report_id=report_id,
        file_id=file_id,
        viewer=user,
        store=BlobStore.from_settings(request.app.state.settings),
        original=original,
        download=download,
    )
    # A plain iterator: Starlette reads it in the thread pool, never on the event loop.
    return StreamingResponse(
        opened.chunks(), media_type=opened.media_type, headers=safe_headers(opened)
    )


@router.get("/staff/reports/{report_id}/files/{file_id}")
def staff_file(
    request: Request,
    report_id: str,
    file_id: str,
    session: DbSession,
    user: StaffUser,
    download: int = 0,
) -> StreamingResponse:
    """The cleaned copy of a report's file: an image inline, anything else as a download."""
    return _serve(
        request, session, user, report_id, file_id, original=False, download=bool(download)
    )


@router.get("/staff/reports/{report_id}/files/{file_id}/original")
def staff_file_original(
    request: Request, report_id: str, file_id: str, session: DbSession, user: StaffUser
) -> StreamingResponse:
    """The bytes as the reporter sent them (may hold their location): a download only."""
    return _serve(request, session, user, report_id, file_id, original=True, download=True)


@api_router.get(
    "/reports/{report_id}/files/{file_id}",
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"},
        401: {"description": "no valid token"},
        403: {"description": "the role does not open files, or a case of other caseworkers"},
        404: {"description": "no such report or file"},
    },
)
def api_file(
    request: Request,
    report_id: str,
    file_id: str,
    session: DbSession,
    user: StaffUser,
    original: bool = False,
    download: bool = False,
) -> StreamingResponse:
    """Staff (reviewers, admins): a report's file, cleaned copy by default; audited.

    ``original=true`` gives the bytes as sent (always as a download).
    """
    return _serve(request, session, user, report_id, file_id, original=original, download=download)
