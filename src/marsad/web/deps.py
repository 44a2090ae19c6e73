"""Request dependencies: the database session, the signed-in staff member, CSRF.

Staff sign in with a signed session cookie (HttpOnly, SameSite=Strict, Secure
under HTTPS) or, for scripts, ``Authorization: Bearer TOKEN``. A session is
valid only while the account's ``session_epoch`` is unchanged, so disabling an
account, resetting its 2FA or changing its password ends every session at once.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from marsad.core import users
from marsad.core.db import reader, session_factory
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.core.models import User

SESSION_COOKIE = "marsad_session"
PENDING_COOKIE = "marsad_pending"
CSRF_COOKIE = "marsad_csrf"
LANG_COOKIE = "marsad_lang"


class RedirectToLogin(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, *, expired: bool = False) -> None:
        self.expired = expired


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request, committed when the handler succeeds."""
    session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session)]


def read_sessions(request: Request) -> sessionmaker[Session]:
    """Sessions of this app that only read (on SQLite they never wait for the write lock)."""
    state = request.app.state
    factory = getattr(state, "read_sessions", None)
    if factory is None:
        factory = state.read_sessions = session_factory(reader(state.engine), state.settings)
    return factory


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only database session for one request; never committed."""
    session = read_sessions(request)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


ReadSession = Annotated[Session, Depends(get_read_session)]


async def read_form(request: Request) -> FormData:
    """The request's form, read on the event loop so the handler itself can be a plain ``def``.

    Handlers that touch the database must not be ``async def``: their blocking
    work would stall every other request. Starlette keeps the parsed form, so
    the CSRF check and the handler share one read of the body.
    """
    return await request.form()


PostedForm = Annotated[FormData, Depends(read_form)]

# Bounds of paging parameters: larger numbers would overflow the database's integers.
MAX_OFFSET = 1_000_000_000
MAX_PAGE = 10_000_000


def load_session_user(request: Request) -> None:
    """Fill ``request.state.user`` from the session cookie, if it is valid."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return
    settings = request.app.state.settings
    data = request.app.state.session_signer.loads(raw, max_age=settings.session_max_age)
    if not isinstance(data, dict):
        request.state.session_expired = True
        return
    with read_sessions(request)() as session:
        user = session.get(User, data.get("uid"))
        if user is None or not user.is_active or user.session_epoch != data.get("epoch"):
            request.state.session_expired = True
            return
        session.expunge(user)
    request.state.user = user


def start_session(request: Request, response: Response, user: User) -> None:
    payload = {"uid": user.id, "epoch": user.session_epoch, "iat": int(time.time())}
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.session_signer.dumps(payload),
        max_age=request.app.state.settings.session_max_age,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookies_secure,
    )
    response.delete_cookie(PENDING_COOKIE)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(PENDING_COOKIE)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _sep, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _bearer_user(request: Request) -> User | None:
    """The user of a valid ``Authorization: Bearer`` token (401 for an invalid one).

    Looked up in a short transaction of its own (it records when the token was last
    used): the request's own session stays unopened, so a handler that queues work
    through another session never waits for a lock its own request holds (SQLite).
    """
    token = bearer_token(request)
    if token is None:
        return None
    with request.app.state.sessions() as session:
        user = users.user_for_token(session, token=token)
        if user is None:
            session.rollback()
            raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
        session.flush()
        session.refresh(user)
        session.expunge(user)
        session.commit()
    return user


def current_staff(request: Request, session: DbSession) -> User:
    """The signed-in staff member (cookie or bearer token); redirect or 401 otherwise."""
    if request.headers.get("authorization"):
        user = _bearer_user(request)
        if user is not None:
            request.state.user = user
            return session.merge(user, load=False)
    if request.state.user is not None:
        return session.merge(request.state.user, load=False)
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    raise RedirectToLogin(expired=request.state.session_expired)


StaffUser = Annotated[User, Depends(current_staff)]


def require_role(*roles: str) -> Callable[..., User]:
    """A dependency that lets only these roles through (admins always pass)."""

    def dependency(user: StaffUser) -> User:
        if user.role != "admin" and user.role not in roles:
            raise MarsadError("err_forbidden", _("You are not allowed to do this."), status=403)
        return user

    return dependency


AdminUser = Annotated[User, Depends(require_role("admin"))]


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing form whose CSRF token is missing or not this browser's."""
    form = await request.form()
    token = form.get("csrf_token")
    seed = request.cookies.get(CSRF_COOKIE)
    value: Any = request.app.state.csrf_signer.loads(str(token)) if token else None
    if not seed or not isinstance(value, str) or not hmac.compare_digest(value, seed):
        raise MarsadError(
            "err_csrf",
            _("This form has expired. Reload the page and try again."),
            status=403,
        )


CsrfChecked = Depends(check_csrf)
