"""The web application: ``create_app(settings)`` builds everything from settings.

Nothing is created at import time (STYLE anti-pattern): tests build an app
on their own database, production builds one per process.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import marsad
from marsad.core import i18n
from marsad.core.db import (
    BUSY_RETRY_SECONDS,
    UNAVAILABLE_RETRY_SECONDS,
    database_busy,
    database_fault,
    database_status,
    database_unavailable,
    make_engine,
    reader,
    session_factory,
)
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.core.plugins import get_registry
from marsad.core.security import FieldCipher, Signer
from marsad.core.settings import Settings
from marsad.web.assets import STATIC, CachedStaticFiles, Compression, StaticAssets
from marsad.web.deps import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    RedirectToLogin,
    bearer_token,
    load_session_user,
    read_sessions,
)
from marsad.web.limits import BodyLimitMiddleware
from marsad.web.proxies import TrustedProxyMiddleware
from marsad.web.templating import make_environment, render

log = logging.getLogger(__name__)
__all__ = ["STATIC", "create_app"]

# Only our own origin, no inline script, no framing (DESIGN: no third-party requests).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _cookie(name: str, value: str, **options: Any) -> bytes:
    """A ``Set-Cookie`` header value, written the way Starlette's responses write it."""
    carrier = Response()
    carrier.set_cookie(name, value, **options)
    return carrier.raw_headers[-1][1]


class ShellMiddleware:
    """Per request: choose the language, load the staff session, set security headers.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` runs every request
    in a task of its own, with streams between the two, which cost more than
    storing a report does.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings: Settings = request.app.state.settings
        path = request.url.path
        asked = request.query_params.get("lang")
        if path.startswith("/api/"):
            # A program states its language in the header; a page remembers a choice.
            lang = i18n.pick_language(
                asked,
                i18n.accept_language(request.headers.get("accept-language")),
                default=settings.default_language,
            )
        else:
            lang = i18n.pick_language(
                asked, request.cookies.get(LANG_COOKIE), default=settings.default_language
            )
        csrf = request.cookies.get(CSRF_COOKIE)
        new_csrf = None
        if not csrf or len(csrf) < 20:
            csrf = new_csrf = secrets.token_urlsafe(24)
        request.state.csrf_seed = csrf
        request.state.csrf_token = request.app.state.csrf_signer.dumps(csrf)
        request.state.user = None
        request.state.session_expired = False
        secure = settings.cookies_secure
        cookies: list[bytes] = []
        # ?lang= on a page is the reader's choice and is remembered; on the API it is
        # the language of that one answer (and /api/v1/posts filters by it), so a
        # JSON link followed in the browser does not switch the interface.
        if asked in i18n.LANGUAGES and not path.startswith("/api/"):
            cookies.append(
                _cookie(
                    LANG_COOKIE,
                    asked,
                    max_age=365 * 86400,
                    httponly=True,
                    samesite="lax",
                    secure=secure,
                )
            )
        if new_csrf:
            cookies.append(
                _cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="strict", secure=secure)
            )
        static = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for cookie in cookies:
                    headers.append("set-cookie", cookie.decode("latin-1"))
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if secure:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        token = i18n.current_language.set(lang)
        try:
            if SESSION_COOKIE in request.cookies and not static:
                # In the thread pool, never on the event loop: it reads the database.
                # Without a session cookie there is nothing to load (a reporter, a
                # visitor): no thread is taken at all.
                try:
                    await run_in_threadpool(load_session_user, request)
                except DBAPIError as exc:
                    # Answered here: past this middleware Starlette would log a traceback.
                    trouble = database_trouble(request, exc)
                    if trouble is None:
                        raise
                    await trouble(scope, receive, send_with_headers)
                    return
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.current_language.reset(token)


def create_app(settings: Settings, *, engine: Any = None) -> FastAPI:
    """Build the observatory's web application for these settings."""
    settings.validate_for_use()
    registry = get_registry(settings)
    engine = engine or make_engine(settings)
    app = FastAPI(
        title="Marsad",
        version=marsad.__version__,
        description="Observatory of digital rights and online harms. "
        "Staff endpoints take `Authorization: Bearer TOKEN`.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    secret = settings.secret()
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine, settings)
    app.state.registry = registry
    assets = StaticAssets.for_registry(registry)
    app.state.templates = make_environment(settings.timezone, registry, assets)
    app.state.session_signer = Signer(secret, "session")
    app.state.pending_signer = Signer(secret, "pending-2fa")
    app.state.csrf_signer = Signer(secret, "csrf")
    app.state.cipher = FieldCipher.from_settings(settings.field_key, secret)

    # Inside the shell, so a body past the limit raises where the handler reads it
    # and is answered 413 like any other error.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(ShellMiddleware)
    # Outside the shell, so the security headers it sets travel with the compressed body.
    app.add_middleware(Compression)
    app.add_middleware(TrustedProxyMiddleware)  # outermost: the real client address first
    # A plugin's own folder first: /static/<name>/ would otherwise be looked up in ours.
    for name, folder in registry.static():
        app.mount(
            f"/static/{name}",
            CachedStaticFiles(directory=folder, assets=assets),
            name=f"static-{name}",
        )
    app.mount("/static", CachedStaticFiles(directory=STATIC, assets=assets), name="static")
    for router in registry.routers():
        app.include_router(router)

    @app.get("/health", tags=["core"])
    def health(request: Request) -> JSONResponse:
        """Whether the observatory answers. Staff (a session or a token) also see the
        version, the database's state and revisions, and whether the settings are safe."""
        db = database_status(reader(engine))  # never waits for the write lock
        status_code = 200 if db["ok"] else 503
        if not _is_staff(request):
            # The public learns only that it works: no version, backend or environment.
            return JSONResponse({"status": "ok" if db["ok"] else "unavailable"}, status_code)
        body = {
            "status": "ok" if db["ok"] else "degraded",
            "version": marsad.__version__,
            "env": settings.env,
            "database": db,
            "secure_cookies": settings.cookies_secure,
        }
        return JSONResponse(body, status_code=status_code)

    _install_error_handlers(app)
    return app


def _is_staff(request: Request) -> bool:
    """Whether the request comes from a signed-in staff member or carries a valid token."""
    if getattr(request.state, "user", None) is not None:
        return True
    token = bearer_token(request)
    if token is None:
        return False
    from marsad.core import users

    with read_sessions(request)() as session:
        return users.user_for_token(session, token=token) is not None


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/health",)


def busy_response(request: Request) -> Response:
    """503 with ``Retry-After``: the database was too busy to take this request's write.

    The transaction that waited was rolled back whole; the same request sent
    again later does what it would have done.
    """
    headers = {"Retry-After": str(BUSY_RETRY_SECONDS)}
    if _wants_json(request):
        body = {
            "error": "err_database_busy",
            "message": _(
                "The server is busy and could not finish this request. Try again in a few seconds."
            ),
        }
        return JSONResponse(body, status_code=503, headers=headers)
    response = render(
        request,
        "error.html",
        {
            "title": _("The server is busy"),
            "message": _("It could not finish this request. Please try again in a few seconds."),
        },
        status=503,
    )
    response.headers.update(headers)
    return response


def unavailable_response(request: Request) -> Response:
    """503 with ``Retry-After``: the database could not be reached (down, unreachable, full).

    Nothing of the request was stored; the same request sent again once the
    database is back does what it would have done.
    """
    headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
    message = _("The database is unavailable. Please try again shortly.")
    if _wants_json(request):
        body = {"error": "err_database_unavailable", "message": message}
        return JSONResponse(body, status_code=503, headers=headers)
    response = render(
        request,
        "error.html",
        {"title": _("The database is unavailable"), "message": message},
        status=503,
    )
    response.headers.update(headers)
    return response


def database_trouble(request: Request, exc: BaseException) -> Response | None:
    """The 503 for a database that is busy or unavailable, logged in one line; else None.

    Neither is a fault of the request. The line names the route's pattern, not the
    path (a path may hold a receipt code), and never the statement or its values.
    """
    route = getattr(request.scope.get("route"), "path", "?")
    if database_busy(exc):  # expected under load
        log.warning("database busy on %s %s: answered 503", request.method, route)
        return busy_response(request)
    if database_unavailable(exc):  # someone has to bring it back: an error
        log.error(
            "database unavailable on %s %s: answered 503 (%s)",
            request.method,
            route,
            database_fault(exc),
        )
        return unavailable_response(request)
    return None


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        response = database_trouble(request, exc)
        if response is None:
            raise exc  # a real fault: the handler of unexpected errors logs it (500)
        return response

    @app.exception_handler(MarsadError)
    async def marsad_error(request: Request, exc: MarsadError) -> Response:
        if _wants_json(request):
            body = exc.to_json()
            body["message"] = _(exc.message)  # in the language the request asked for
            return JSONResponse(body, status_code=exc.status)
        return render(
            request,
            "error.html",
            {"title": _("Something is not right"), "message": _(exc.message)},
            status=exc.status,
        )

    @app.exception_handler(RedirectToLogin)
    async def to_login(request: Request, exc: RedirectToLogin) -> Response:
        target = "/login?next=" + request.url.path
        if exc.expired:
            target += "&expired=1"
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"where": ".".join(str(p) for p in err["loc"] if p != "body"), "message": err["msg"]}
            for err in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse(
                {
                    "error": "err_invalid_input",
                    "message": _("The request is not valid."),
                    "details": errors,
                },
                status_code=422,
            )
        return render(
            request,
            "error.html",
            {
                "title": _("The form is not complete"),
                "message": "; ".join(f"{e['where']}: {e['message']}" for e in errors),
            },
            status=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            401: _("Sign in to continue."),
            403: _("You are not allowed to do this."),
            404: _("This page does not exist."),
            405: _("This action is not allowed here."),
            413: _("The request is too large."),
        }
        message = messages.get(exc.status_code, _("Something went wrong."))
        if _wants_json(request):
            return JSONResponse(
                {"error": f"err_http_{exc.status_code}", "message": message},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return render(
            request, "error.html", {"title": message, "message": ""}, status=exc.status_code
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        trouble = database_trouble(request, exc)  # raised outside the routes (a middleware)
        if trouble is not None:
            return trouble
        # Logged without the request body or client address: they may identify a reporter.
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = _("Something went wrong. It has been logged.")
        if _wants_json(request):
            return JSONResponse({"error": "err_internal", "message": message}, status_code=500)
        return render(request, "error.html", {"title": message, "message": ""}, status=500)
