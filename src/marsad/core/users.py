"""Staff accounts: creation, sign-in with lockout, two-factor, API tokens.

Every function here that changes state writes an audit record in the same
transaction. Functions are keyword-only (STYLE rule 12) and take the caller's
session; they never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit, security
from marsad.core.db import utcnow
from marsad.core.errors import Forbidden, InvalidInput, NotFound
from marsad.core.models import ROLES, ApiToken, RecoveryCode, SystemSetting, User

MAX_LOCKOUT = timedelta(days=1)
REQUIRE_2FA_KEY = "require_2fa"


def _valid_username(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise InvalidInput(
            "err_username_invalid", "a username is 1 to 64 characters without spaces", "username"
        )
    return name


def get_user(session: Session, *, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound("err_user_not_found", f"no staff account named {username!r}", "username")
    return user


def create_user(
    session: Session, *, username: str, role: str, password: str, actor: str = audit.SYSTEM
) -> User:
    """Create a staff account with an argon2id password hash."""
    username = _valid_username(username)
    if role not in ROLES:
        raise InvalidInput(
            "err_role_invalid", f"role must be one of {', '.join(ROLES)}, not {role!r}", "role"
        )
    problem = security.password_problem(password)
    if problem:
        raise InvalidInput("err_password_weak", f"the password {problem}", "password")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput("err_user_exists", f"a staff account {username!r} exists", "username")
    user = User(username=username, role=role, password_hash=security.hash_password(password))
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        subject_type="user",
        subject_id=user.id,
        details={"username": username, "role": role},
    )
    return user


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def set_active(session: Session, *, username: str, active: bool, actor: str) -> User:
    user = get_user(session, username=username)
    user.is_active = active
    user.session_epoch += 1
    if not active:
        for token in session.execute(select(ApiToken).where(ApiToken.user_id == user.id)).scalars():
            token.revoked_at = token.revoked_at or utcnow()
    audit.record(
        session,
        actor=actor,
        action="user.enabled" if active else "user.disabled",
        subject_type="user",
        subject_id=user.id,
        details={"username": user.username},
    )
    return user


def set_password(session: Session, *, user: User, password: str, actor: str) -> None:
    problem = security.password_problem(password)
    if problem:
        raise InvalidInput("err_password_weak", f"the password {problem}", "password")
    user.password_hash = security.hash_password(password)
    user.session_epoch += 1
    user.failed_logins = 0
    user.locked_until = None
    audit.record(
        session,
        actor=actor,
        action="user.password_changed",
        subject_type="user",
        subject_id=user.id,
        details={"username": user.username},
    )


# --- sign-in ----------------------------------------------------------------


@dataclass
class SignIn:
    """The outcome of checking a password. ``user`` is set only on success."""

    user: User | None
    needs_2fa: bool = False
    must_enroll_2fa: bool = False
    locked_until: datetime | None = None


def _lockout_for(failures: int, *, max_failures: int, first: int) -> timedelta | None:
    if failures < max_failures:
        return None
    # Doubles with every failure past the limit: 1×, 2×, 4×… capped at a day.
    return min(timedelta(seconds=first * 2 ** (failures - max_failures)), MAX_LOCKOUT)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    max_failures: int,
    lockout_seconds: int,
    now: datetime | None = None,
) -> SignIn:
    """Check a password, applying the growing lockout. Audits failures and lockouts.

    A locked account answers "locked" even to the right password, so guessing
    goes no faster; an unknown username is indistinguishable from a wrong
    password to the caller.
    """
    now = now or utcnow()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        security.verify_password(_DUMMY_HASH, password)  # same time as a real check
        audit.record(
            session,
            actor="public",
            action="login.failed",
            subject_type="user",
            subject_id="-",
            details={"reason": "unknown user"},
        )
        return SignIn(None)
    if user.locked_until and user.locked_until > now:
        audit.record(
            session,
            actor=user.username,
            action="login.refused_locked",
            subject_type="user",
            subject_id=user.id,
        )
        return SignIn(None, locked_until=user.locked_until)
    if not user.is_active or not security.verify_password(user.password_hash, password):
        user.failed_logins += 1
        delay = _lockout_for(user.failed_logins, max_failures=max_failures, first=lockout_seconds)
        details: dict[str, object] = {"failures": user.failed_logins}
        if delay:
            user.locked_until = now + delay
            details["locked_seconds"] = int(delay.total_seconds())
        audit.record(
            session,
            actor=user.username,
            action="login.failed",
            subject_type="user",
            subject_id=user.id,
            details=details,
        )
        return SignIn(None, locked_until=user.locked_until if delay else None)
    user.failed_logins = 0
    user.locked_until = None
    if user.totp_enabled:
        return SignIn(user, needs_2fa=True)
    return SignIn(user, must_enroll_2fa=two_factor_required(session))


_DUMMY_HASH = security.hash_password("not-a-real-password-0000")


def complete_login(session: Session, *, user: User, method: str) -> None:
    user.last_login_at = utcnow()
    audit.record(
        session,
        actor=user.username,
        action="login.succeeded",
        subject_type="user",
        subject_id=user.id,
        details={"method": method},
    )


def check_second_factor(session: Session, *, user: User, code: str) -> bool:
    """Accept a TOTP code or an unused recovery code (which is then spent)."""
    if user.totp_secret and security.verify_totp(user.totp_secret, code):
        return True
    wanted = security.normalise_recovery_code(code)
    for rc in user.recovery_codes:
        if rc.used_at is None and security.verify_password(rc.code_hash, wanted):
            rc.used_at = utcnow()
            audit.record(
                session,
                actor=user.username,
                action="login.recovery_code_used",
                subject_type="user",
                subject_id=user.id,
            )
            return True
    user.failed_logins += 1
    audit.record(
        session,
        actor=user.username,
        action="login.2fa_failed",
        subject_type="user",
        subject_id=user.id,
    )
    return False


# --- two-factor enrolment ---------------------------------------------------


def enable_2fa(session: Session, *, user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP after checking a code from the new secret; return fresh recovery codes."""
    if not security.verify_totp(secret, code):
        raise InvalidInput("err_totp_invalid", "that code is not valid for this key", "code")
    user.totp_secret = secret
    user.totp_enabled = True
    user.session_epoch += 1
    codes = security.new_recovery_codes()
    user.recovery_codes.clear()
    user.recovery_codes.extend(
        RecoveryCode(code_hash=security.hash_password(security.normalise_recovery_code(c)))
        for c in codes
    )
    audit.record(
        session,
        actor=user.username,
        action="user.2fa_enabled",
        subject_type="user",
        subject_id=user.id,
    )
    return codes


def reset_2fa(session: Session, *, username: str, actor: str) -> User:
    user = get_user(session, username=username)
    user.totp_secret = None
    user.totp_enabled = False
    user.recovery_codes.clear()
    user.session_epoch += 1
    audit.record(
        session,
        actor=actor,
        action="user.2fa_reset",
        subject_type="user",
        subject_id=user.id,
        details={"username": user.username},
    )
    return user


def two_factor_required(session: Session) -> bool:
    row = session.execute(
        select(SystemSetting).where(SystemSetting.key == REQUIRE_2FA_KEY)
    ).scalar_one_or_none()
    if row is None:
        settings = session.info.get("settings")
        return bool(settings and settings.require_2fa)
    return bool(json.loads(row.value))


def set_two_factor_required(session: Session, *, required: bool, actor: str) -> None:
    row = session.execute(
        select(SystemSetting).where(SystemSetting.key == REQUIRE_2FA_KEY)
    ).scalar_one_or_none()
    if row is None:
        row = SystemSetting(key=REQUIRE_2FA_KEY, value="false")
        session.add(row)
    row.value = json.dumps(required)
    row.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="settings.require_2fa",
        subject_type="setting",
        subject_id=REQUIRE_2FA_KEY,
        details={"value": required},
    )


# --- API tokens -------------------------------------------------------------


def create_token(session: Session, *, username: str, actor: str, label: str = "") -> str:
    """Issue an API token; only its hash is kept, so it is shown once."""
    user = get_user(session, username=username)
    if not user.is_active:
        raise Forbidden("err_user_disabled", f"the account {username!r} is disabled")
    token = security.new_api_token()
    row = ApiToken(user_id=user.id, token_hash=security.token_digest(token), label=label)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="token.created",
        subject_type="user",
        subject_id=user.id,
        details={"token_id": row.id, "label": label},
    )
    return token


def user_for_token(session: Session, *, token: str) -> User | None:
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == security.token_digest(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    row.last_used_at = utcnow()
    return row.user
