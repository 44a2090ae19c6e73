"""Staff pages of the web shell: sign-in with 2FA, the staff home, users, settings, audit."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from marsad.core import audit, audit_text, i18n, security, users
from marsad.core.db import session_scope
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.models import ROLES, User
from marsad.core.plugins import get_registry
from marsad.web.deps import (
    PENDING_COOKIE,
    AdminUser,
    CsrfChecked,
    DbSession,
    StaffUser,
    end_session,
    start_session,
)
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
PENDING_MAX_AGE = 300


def _safe_next(target: str | None) -> str:
    # Only local paths: an attacker's link must not bounce a reviewer elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/staff"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "home.html", {})


@router.get("/login")
def login_form(request: Request, next: str = "/staff", expired: int = 0) -> Response:  # noqa: A002
    error = _("Your session has expired. Please sign in again.") if expired else None
    return render(request, "login.html", {"next": _safe_next(next), "error": error})


def _throttle(request: Request) -> users.LoginThrottle:
    state = request.app.state
    throttle = getattr(state, "login_throttle", None)
    if throttle is None:
        settings = state.settings
        throttle = state.login_throttle = users.LoginThrottle(
            max_failures=settings.login_max_failures,
            first_seconds=settings.login_lockout_seconds,
        )
    return throttle


def _password_step(request: Request, username: str, password: str) -> users.SignIn:
    """Check the password in one short transaction (blocking: runs in the thread pool)."""
    with session_scope(request.app.state.sessions) as session:
        outcome = users.authenticate(
            session,
            username=username,
            password=password,
            throttle=_throttle(request),
            address=request.client.host if request.client else None,
        )
        user = outcome.user
        if user is not None and not (outcome.needs_2fa or outcome.must_enroll_2fa):
            users.complete_login(session, user=user, method="password")
    return outcome


@router.post("/login", dependencies=[CsrfChecked])
async def login(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/staff",  # noqa: A002
) -> Response:
    settings = request.app.state.settings
    outcome = await run_in_threadpool(_password_step, request, username.strip(), password)
    if outcome.delay:
        # A name under attack answers slowly, to everyone and whatever the outcome:
        # guessing slows down, and the real person still gets in. The wait holds
        # no thread and no database connection.
        await asyncio.sleep(outcome.delay)
    if outcome.user is None:
        if outcome.locked_until is not None:
            error = _("Too many failed attempts. Try again later.")
        else:
            error = _("Wrong username or password.")
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": error, "username": username},
            status=401,
        )
    user = outcome.user
    if outcome.needs_2fa or outcome.must_enroll_2fa:
        pending = {"uid": user.id, "epoch": user.session_epoch, "next": _safe_next(next)}
        if outcome.must_enroll_2fa:
            pending["secret"] = security.new_totp_secret()
        response = _redirect("/login/2fa")
        response.set_cookie(
            PENDING_COOKIE,
            request.app.state.pending_signer.dumps(pending),
            max_age=PENDING_MAX_AGE,
            httponly=True,
            samesite="strict",
            secure=settings.cookies_secure,
        )
        return response
    response = _redirect(_safe_next(next))
    start_session(request, response, user)
    return response


def _pending(request: Request, session: DbSession) -> tuple[User, dict] | None:
    raw = request.cookies.get(PENDING_COOKIE)
    data = request.app.state.pending_signer.loads(raw, max_age=PENDING_MAX_AGE) if raw else None
    if not isinstance(data, dict):
        return None
    user = session.get(User, data.get("uid"))
    if user is None or not user.is_active or user.session_epoch != data.get("epoch"):
        return None
    return user, data


def _second_step_page(request: Request, user: User, data: dict, error: str | None) -> Response:
    if "secret" in data:
        return render(
            request,
            "login_enroll.html",
            {
                "secret": data["secret"],
                "uri": security.totp_uri(data["secret"], user.username),
                "qr": security.qr_svg(security.totp_uri(data["secret"], user.username)),
                "error": error,
            },
            status=400 if error else 200,
        )
    return render(request, "login_2fa.html", {"error": error}, status=401 if error else 200)


@router.get("/login/2fa")
def second_step_form(request: Request, session: DbSession) -> Response:
    found = _pending(request, session)
    if found is None:
        return _redirect("/login?expired=1")
    return _second_step_page(request, *found, error=None)


@router.post("/login/2fa", dependencies=[CsrfChecked])
def second_step(
    request: Request, session: DbSession, code: Annotated[str, Form()] = ""
) -> Response:
    found = _pending(request, session)
    if found is None:
        return _redirect("/login?expired=1")
    user, data = found
    if "secret" in data:
        try:
            codes = users.enable_2fa(session, user=user, secret=data["secret"], code=code)
        except users.InvalidInput:
            session.commit()
            return _second_step_page(
                request, user, data, _("That code is not right. Check your phone's clock.")
            )
        users.complete_login(session, user=user, method="password+totp-enrolled")
        response = render(request, "recovery_codes.html", {"codes": codes, "next": data["next"]})
        start_session(request, response, user)
        return response
    settings = request.app.state.settings
    check = users.check_second_factor(
        session,
        user=user,
        code=code,
        max_failures=settings.login_max_failures,
        lockout_seconds=settings.login_lockout_seconds,
    )
    if not check.ok:
        session.commit()  # keep the failure count and the audit record
        if check.locked_until is not None:
            return _second_step_page(
                request, user, data, _("Too many failed attempts. Try again later.")
            )
        return _second_step_page(request, user, data, _("That code is not right."))
    users.complete_login(session, user=user, method="password+totp")
    response = _redirect(data["next"])
    start_session(request, response, user)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: DbSession) -> Response:
    user = request.state.user
    if user is not None:
        # Ends the session on the server too: a copy of the cookie stops working.
        account = session.get(User, user.id)
        if account is not None:
            users.end_sessions(session, user=account, actor=account.username)
    response = _redirect("/")
    end_session(response)
    return response


@router.get("/staff")
def staff_home(request: Request, user: StaffUser, session: DbSession) -> Response:
    required = users.two_factor_required(session)
    context: dict[str, Any] = {"me": user, "two_factor_required": required}
    settings = request.app.state.settings
    if "publish" in get_registry(settings).names:
        # The staff dashboard (queues, this week against last) when publish is switched on.
        from marsad.publish import service as publish_service
        from marsad.publish.charts import ChartHelper

        period = publish_service.current_period(settings)
        context["dashboard"] = publish_service.staff_dashboard(
            session, settings=settings, period=period
        )
        context["charts"] = ChartHelper(i18n.current_language.get())
    return render(request, "staff.html", context)


@router.get("/account/security")
def security_page(request: Request, user: StaffUser) -> Response:
    secret = security.new_totp_secret()
    signed = request.app.state.pending_signer.dumps({"uid": user.id, "secret": secret})
    return render(
        request,
        "account_security.html",
        {
            "me": user,
            "secret": secret,
            "signed": signed,
            "uri": security.totp_uri(secret, user.username),
            "qr": security.qr_svg(security.totp_uri(secret, user.username)),
        },
    )


@router.post("/account/security/2fa", dependencies=[CsrfChecked])
def enable_own_2fa(
    request: Request,
    user: StaffUser,
    session: DbSession,
    signed: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    data = request.app.state.pending_signer.loads(signed, max_age=900)
    if not isinstance(data, dict) or data.get("uid") != user.id:
        return _redirect("/account/security")
    try:
        codes = users.enable_2fa(session, user=user, secret=data["secret"], code=code)
    except users.InvalidInput:
        return render(
            request,
            "account_security.html",
            {
                "me": user,
                "secret": data["secret"],
                "signed": signed,
                "uri": security.totp_uri(data["secret"], user.username),
                "qr": security.qr_svg(security.totp_uri(data["secret"], user.username)),
                "error": _("That code is not right. Check your phone's clock."),
            },
            status=400,
        )
    response = render(request, "recovery_codes.html", {"codes": codes, "next": "/staff"})
    start_session(request, response, user)  # the epoch changed: keep this browser signed in
    return response


# --- administration ---------------------------------------------------------


@router.get("/admin/users")
def users_page(request: Request, admin: AdminUser, session: DbSession) -> Response:
    return render(
        request,
        "admin/users.html",
        {
            "people": users.list_users(session),
            "roles": ROLES,
            "two_factor_required": users.two_factor_required(session),
        },
    )


@router.post("/admin/users", dependencies=[CsrfChecked])
def add_user(
    request: Request,
    admin: AdminUser,
    session: DbSession,
    username: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "analyst",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        users.create_user(
            session, username=username, role=role, password=password, actor=admin.username
        )
    except users.InvalidInput as exc:
        session.rollback()
        return render(
            request,
            "admin/users.html",
            {
                "people": users.list_users(session),
                "roles": ROLES,
                "error": _(exc.message),
                "two_factor_required": users.two_factor_required(session),
            },
            status=422,
        )
    return _redirect("/admin/users")


@router.post("/admin/users/{username}/{action}", dependencies=[CsrfChecked])
def change_user(
    username: str,
    action: str,
    admin: AdminUser,
    session: DbSession,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    if action == "disable":
        if username == admin.username and confirm != "yes":
            # One click must not lock an admin out: disabling oneself is confirmed.
            raise users.InvalidInput(
                "err_confirm_self_disable",
                N_("Tick the box to confirm that you are disabling your own account."),
                "confirm",
            )
        users.set_active(session, username=username, active=False, actor=admin.username)
    elif action == "enable":
        users.set_active(session, username=username, active=True, actor=admin.username)
    elif action == "reset-2fa":
        users.reset_2fa(session, username=username, actor=admin.username)
    else:
        raise users.NotFound("err_action_unknown", "unknown action", "action")
    return _redirect("/admin/users")


@router.post("/admin/settings/2fa", dependencies=[CsrfChecked])
def require_2fa(
    admin: AdminUser, session: DbSession, required: Annotated[str, Form()] = "off"
) -> Response:
    users.set_two_factor_required(session, required=required == "on", actor=admin.username)
    return _redirect("/admin/users")


@router.get("/admin/audit")
def audit_page(
    request: Request,
    admin: AdminUser,
    session: DbSession,
    actor: str = "",
    action: str = "",
    before: int | None = None,
) -> Response:
    size = 50
    rows = audit.list_records(
        session, actor=actor or None, action=action or None, before=before, limit=size
    )
    result = audit.verify(session)
    kept = {k: v for k, v in {"actor": actor, "action": action}.items() if v}
    more = (
        f"/admin/audit?{urlencode({**kept, 'before': rows[-1].seq})}" if len(rows) == size else None
    )
    return render(
        request,
        "admin/audit.html",
        {
            "rows": [
                {
                    "row": r,
                    "sentence": audit_text.describe(
                        action=r.action, actor=r.actor, subject_id=r.subject_id, details=r.details
                    ),
                }
                for r in rows
            ],
            "check": result,
            "actor": actor,
            "action": action,
            "families": audit_text.FAMILIES,
            "more": more,
            "first": f"/admin/audit?{urlencode(kept)}" if before is not None else None,
        },
    )
