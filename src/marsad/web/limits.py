"""A limit on request bodies, applied while they stream in.

Without it a client can send a body of any size and the server reads it all
before a handler decides it is wrong (300 MB took +877 MB of memory). The
middleware counts bytes as they arrive, whether the client declared a
``Content-Length`` or sends chunks, and the first read past the limit raises
:class:`BodyTooLarge`, which the app answers with 413 in the usual error
format (JSON under ``/api``, a page elsewhere). A declared length over the
limit is refused before a single byte of the body is read. The server then
closes the connection rather than drain the rest.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024


class BodyTooLarge(HTTPException):
    """The request body is larger than ``MARSAD_MAX_REQUEST_MB`` allows (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.limit = limit


def body_limit(app: Any) -> int:
    """The largest body this app accepts, in bytes.

    ``MARSAD_MAX_REQUEST_MB`` when set; otherwise room for the most files one
    report may carry at their largest, plus 1 MB for the form's text fields.
    """
    state = app.state
    cached = getattr(state, "body_limit", None)
    if cached is not None:
        return cached
    settings = state.settings
    if settings.max_request_mb:
        limit = int(settings.max_request_mb * MB)
    else:
        # Room for the most files one report may carry; the reports capability's
        # own limits decide (a deployment without it has only forms and JSON).
        reports = getattr(settings, "reports", None)
        if reports is None:
            limit = NO_UPLOADS_LIMIT
        else:
            limit = reports.reports_max_files * reports.max_file_bytes + MB
    state.body_limit = limit
    return limit


NO_UPLOADS_LIMIT = 2 * MB


class BodyLimitMiddleware:
    """Refuse (413) any request whose body grows past the app's :func:`body_limit`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["app"])
        declared = _content_length(scope)
        received = 0

        async def counted() -> Message:
            nonlocal received
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)  # before reading any of it
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
