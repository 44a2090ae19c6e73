"""Opening a report's files for staff: who may, which copy, and the audit record.

A reporter's files are evidence and can hurt the reporter (a face, a house, a
blackmail photo). They are never public. Staff whose role reviews reports
(:data:`FILE_READERS`: reviewers and admins) open them; analysts triage
reports but do not open their files. A confidential case's files are for its
caseworkers only, as the rest of its content (:func:`cases.require_reader`).

The copy opened is the cleaned one (an image re-encoded from its pixels, a
video, audio file or PDF without its metadata). The bytes as they arrived, the
*original*, may hold the place a photo was taken: it is offered as a download
only, never shown inline, and its opening is recorded as such. Every opening
is an audit record naming the file and the copy, never its contents.

The web page and the API serve what :func:`open_report_file` returns with the
headers of :func:`safe_headers`.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.blobs import CHUNK, BlobStore, get_blob
from marsad.core.errors import Forbidden, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.reports import cases, service, workflow
from marsad.reports.models import ReportFile

# The roles that open a report's files (the roles that verify reports).
FILE_READERS = workflow.REVIEWERS
# What a browser may show inside the staff page: the cleaned images (every image is
# re-encoded to one of these). Anything else is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# No script may run in what is served, whatever it is; no page may frame it.
FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox; frame-ancestors 'none'"
ORIGINAL, CLEANED = "original", "cleaned"


@dataclass(frozen=True)
class OpenedFile:
    """A file ready to be sent: its bytes as a stream, and how to present them."""

    stream: BinaryIO
    filename: str
    media_type: str
    size: int
    inline: bool

    def chunks(self) -> Iterator[bytes]:
        """The bytes in 1 MiB pieces; the stream is closed at the end (or when dropped)."""
        with self.stream:
            while chunk := self.stream.read(CHUNK):
                yield chunk


def may_open_files(user: User | None) -> bool:
    """Whether this staff member's role opens report files at all."""
    return user is not None and user.is_active and user.role in FILE_READERS


def open_report_file(
    session: Session,
    *,
    report_id: str,
    file_id: str,
    viewer: User,
    store: BlobStore,
    original: bool = False,
    download: bool = False,
) -> OpenedFile:
    """Authorise, audit and open one file of a report.

    Raises Forbidden for a role that does not open files or a confidential
    case the viewer does not work on, NotFound for a file that is not this
    report's (or an original that was never kept). Images open inline unless
    ``download``; the original and every other type are downloads.
    """
    if not may_open_files(viewer):
        raise Forbidden(
            "err_files_forbidden", _("Only reviewers and admins open the files of a report.")
        )
    report = service.get_report(session, report_id=report_id)
    cases.require_reader(session, report=report, user=viewer)
    row = session.get(ReportFile, file_id)
    if row is None or row.report_id != report.id:
        raise NotFound("err_file_not_found", _("This report has no such file."), "file")
    if original and not row.original_sha256:
        raise NotFound(
            "err_file_not_found", _("This file was kept as sent: it has no other copy."), "file"
        )
    ref = row.original_sha256 if original and row.original_sha256 else row.sha256
    blob = get_blob(session, sha256=ref)
    media_type = blob.media_type if original else row.media_type
    inline = not (original or download or row.kept_apart) and media_type in INLINE_TYPES
    stream = store.open(ref)
    audit.record(
        session,
        actor=viewer.username,
        action="report.file_viewed" if inline else "report.file_downloaded",
        subject_type="report",
        subject_id=report.id,
        details={"file_id": row.id, "sha256": ref, "copy": ORIGINAL if original else CLEANED},
    )
    name = _original_name(row.filename, media_type) if original else row.filename
    return OpenedFile(
        stream=stream, filename=name, media_type=media_type, size=blob.size, inline=inline
    )


def _original_name(filename: str, media_type: str) -> str:
    # A cleaned image may have changed type (GIF → PNG): name the original for its own.
    stem, dot, ext = filename.rpartition(".")
    wanted = mimetypes.guess_extension(media_type) or (dot + ext if dot else "")
    return f"original-{stem or filename}{wanted}"


def safe_headers(opened: OpenedFile) -> dict[str, str]:
    """Headers that keep a served file inert and out of shared caches."""
    ascii_name = (
        "".join(
            ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_"
            for ch in opened.filename
        )
        or "file"
    )
    disposition = "inline" if opened.inline else "attachment"
    return {
        "Content-Disposition": (
            f'{disposition}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(opened.filename, safe='')}"
        ),
        "Content-Length": str(opened.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
