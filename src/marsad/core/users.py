"""Staff accounts: creation, sign-in with lockout, two-factor, API tokens.

Every function here that changes state writes an audit record in the same
transaction. Functions are keyword-only (STYLE rule 12) and take the caller's
session; they never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit, security
from marsad.core.db import utcnow
from marsad.core.errors import Forbidden, InvalidInput, MarsadError, NotFound
from marsad.core.i18n.markers import N_
from marsad.core.models import ROLES, ApiToken, RecoveryCode, SystemSetting, User

MAX_LOCKOUT = timedelta(days=1)
# The longest the password step is held back for a name under attack.
MAX_DELAY_SECONDS = 8.0
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


def _keep_an_admin(session: Session, *, leaving: User) -> None:
    """Refuse a change that would leave no active admin.

    The active admins' rows are locked (FOR UPDATE on PostgreSQL; SQLite writes one
    at a time), so two admins disabling each other at once cannot both succeed.
    """
    others = session.execute(
        select(User.id)
        .where(User.role == "admin", User.is_active.is_(True), User.id != leaving.id)
        .with_for_update()
    ).all()
    if not others:
        raise MarsadError(
            code="err_last_admin",
            message=N_(
                "This is the last active admin: make another account admin before "
                "disabling this one."
            ),
            where="username",
            status=409,
        )


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars())


def set_active(session: Session, *, username: str, active: bool, actor: str) -> User:
    """Enable or disable a staff account (its sessions and tokens end). Audited.

    The last active admin cannot be disabled: nobody could then manage the staff.
    """
    user = get_user(session, username=username)
    if not active and user.is_active and user.role == "admin":
        _keep_an_admin(session, leaving=user)
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
    """The outcome of checking a password. ``user`` is set only on success.

    ``locked_until`` is set when this address may not try this name for a
    while; ``delay`` is how many seconds to hold the answer back because the
    name is under attack from somewhere (the web layer waits without a thread).
    """

    user: User | None
    needs_2fa: bool = False
    must_enroll_2fa: bool = False
    locked_until: datetime | None = None
    delay: float = 0.0


def _lockout_for(failures: int, *, max_failures: int, first: int) -> timedelta | None:
    if failures < max_failures:
        return None
    # Doubles with every failure past the limit: 1×, 2×, 4×… capped at a day.
    return min(timedelta(seconds=first * 2 ** (failures - max_failures)), MAX_LOCKOUT)


class LoginThrottle:
    """Failed sign-ins counted in memory, for names that exist and names that do not alike.

    - Per name *and* address: after ``max_failures`` failures in a row this
      address is refused for that name, for ``first_seconds`` doubling with
      every further failure (capped at a day). Other addresses are unaffected,
      so nobody can lock a staff member out by failing on purpose.
    - Per name, from anywhere: after ``max_failures`` failures the password
      step is *delayed* (1, 2, 4… up to ``MAX_DELAY_SECONDS``), never refused.

    Names and addresses are kept only as HMACs under a key made at start-up and
    never written, and entries are forgotten a day after their last failure.
    Counts live in one process: run one server process, or accept that each
    process counts on its own.
    """

    def __init__(self, *, max_failures: int, first_seconds: int) -> None:
        self.max_failures = max_failures
        self.first_seconds = first_seconds
        self._key = secrets.token_bytes(32)
        self._pairs: dict[str, tuple[int, float]] = {}  # failures, refused until
        self._names: dict[str, tuple[int, float]] = {}  # failures, last failure
        self._lock = threading.Lock()

    def _digest(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def refused_until(self, name: str, address: str | None, now: float | None = None) -> float:
        """Monotonic time until which this address may not try this name (0: it may)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            _failures, until = self._pairs.get(self._digest(name, address or ""), (0, 0.0))
        return until if until > now else 0.0

    def delay(self, name: str) -> float:
        """Seconds to hold back the answer for this name (0 below the limit)."""
        with self._lock:
            failures, _last = self._names.get(self._digest(name), (0, 0.0))
        if failures < self.max_failures:
            return 0.0
        return min(2.0 ** (failures - self.max_failures), MAX_DELAY_SECONDS)

    def failed(self, name: str, address: str | None, now: float | None = None) -> int:
        """Count a failure; return how many in a row this address has had for this name."""
        now = time.monotonic() if now is None else now
        pair, who = self._digest(name, address or ""), self._digest(name)
        with self._lock:
            self._forget(now)
            failures = self._pairs.get(pair, (0, 0.0))[0] + 1
            wait = _lockout_for(failures, max_failures=self.max_failures, first=self.first_seconds)
            self._pairs[pair] = (failures, now + wait.total_seconds() if wait else 0.0)
            self._names[who] = (self._names.get(who, (0, 0.0))[0] + 1, now)
        return failures

    def succeeded(self, name: str, address: str | None) -> None:
        """Forget this address's failures for this name (the name's own count stays)."""
        with self._lock:
            self._pairs.pop(self._digest(name, address or ""), None)

    def _forget(self, now: float) -> None:
        horizon = MAX_LOCKOUT.total_seconds()
        if len(self._pairs) + len(self._names) < 1000:
            return
        self._pairs = {k: v for k, v in self._pairs.items() if v[1] > now - horizon}
        self._names = {k: v for k, v in self._names.items() if v[1] > now - horizon}


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    throttle: LoginThrottle,
    address: str | None = None,
    now: datetime | None = None,
) -> SignIn:
    """Check a password under the sign-in throttle. Audits failures and refusals.

    A known and an unknown name are treated alike: both are counted, both are
    refused from an address that failed too often, and both cost one argon2
    check, so the answers do not tell which names exist. An address refused
    for a name is refused even the right password, so guessing from it goes no
    faster; other addresses only wait (``SignIn.delay``).
    """
    now = now or utcnow()
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    subject = (user.username, user.id) if user is not None else ("public", "-")
    delay = throttle.delay(username)
    if throttle.refused_until(username, address):
        audit.record(
            session,
            actor=subject[0],
            action="login.refused_locked",
            subject_type="user",
            subject_id=subject[1],
        )
        wait = throttle.refused_until(username, address) - time.monotonic()
        return SignIn(None, locked_until=now + timedelta(seconds=max(wait, 0)), delay=delay)
    hash_ = user.password_hash if user is not None else _DUMMY_HASH
    checked = security.verify_password(hash_, password)  # same cost whether the name exists
    if user is None or not user.is_active or not checked:
        failures = throttle.failed(username, address)
        details: dict[str, object] = {"failures": failures}
        if user is None:
            details["reason"] = "unknown user"
        audit.record(
            session,
            actor=subject[0],
            action="login.failed",
            subject_type="user",
            subject_id=subject[1],
            details=details,
        )
        return SignIn(None, delay=delay)
    throttle.succeeded(username, address)
    # failed_logins and locked_until belong to the second step: a right password
    # must not reset them, or each sign-in would buy five more guesses at the code.
    if user.totp_enabled:
        return SignIn(user, needs_2fa=True, delay=delay)
    return SignIn(user, must_enroll_2fa=two_factor_required(session), delay=delay)


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


@dataclass
class FactorCheck:
    """The outcome of a second-factor code: accepted, or refused (and until when, if locked)."""

    ok: bool
    locked_until: datetime | None = None


def _recovery_key(session: Session) -> bytes | None:
    settings = session.info.get("settings")
    return security.derive_key(settings.secret(), "recovery-code-lookup") if settings else None


def _spend_recovery_code(session: Session, *, user: User, code: str) -> bool:
    """Find the recovery code by its keyed hash and check it with one argon2 verification."""
    wanted = security.normalise_recovery_code(code)
    key = _recovery_key(session)
    lookup = security.recovery_lookup(key, wanted) if key else None
    unused = [rc for rc in user.recovery_codes if rc.used_at is None]
    # Codes made before lookups existed have none and are checked one by one.
    candidates = [rc for rc in unused if rc.lookup is None or rc.lookup == lookup]
    for rc in candidates:
        if security.verify_password(rc.code_hash, wanted):
            rc.used_at = utcnow()
            return True
    return False


def check_second_factor(
    session: Session,
    *,
    user: User,
    code: str,
    max_failures: int = 5,
    lockout_seconds: int = 60,
    now: datetime | None = None,
) -> FactorCheck:
    """Accept a TOTP code once, or an unused recovery code (then spent); count failures.

    Only someone who passed the password step gets here, so wrong codes lock
    the second step (growing, capped at a day) rather than merely delay it.
    """
    now = now or utcnow()
    if user.locked_until and user.locked_until > now:
        audit.record(
            session,
            actor=user.username,
            action="login.2fa_refused_locked",
            subject_type="user",
            subject_id=user.id,
        )
        return FactorCheck(False, user.locked_until)
    if user.totp_secret and security.totp_digits(code):
        step = security.totp_step(user.totp_secret, code, after=user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            user.failed_logins = 0
            return FactorCheck(True)
    elif security.looks_like_recovery_code(code) and _spend_recovery_code(
        session, user=user, code=code
    ):
        user.failed_logins = 0
        audit.record(
            session,
            actor=user.username,
            action="login.recovery_code_used",
            subject_type="user",
            subject_id=user.id,
        )
        return FactorCheck(True)
    user.failed_logins += 1
    wait = _lockout_for(user.failed_logins, max_failures=max_failures, first=lockout_seconds)
    details: dict[str, object] = {"failures": user.failed_logins}
    if wait:
        user.locked_until = now + wait
        details["locked_seconds"] = int(wait.total_seconds())
    audit.record(
        session,
        actor=user.username,
        action="login.2fa_failed",
        subject_type="user",
        subject_id=user.id,
        details=details,
    )
    return FactorCheck(False, user.locked_until if wait else None)


def end_sessions(session: Session, *, user: User, actor: str, action: str = "logout") -> None:
    """End every session of this account on the server (a copied cookie stops working too)."""
    user.session_epoch += 1
    audit.record(session, actor=actor, action=action, subject_type="user", subject_id=user.id)


# --- two-factor enrolment ---------------------------------------------------


def enable_2fa(session: Session, *, user: User, secret: str, code: str) -> list[str]:
    """Turn on TOTP after checking a code from the new secret; return fresh recovery codes."""
    step = security.totp_step(secret, code)
    if step is None:
        raise InvalidInput("err_totp_invalid", "that code is not valid for this key", "code")
    user.totp_secret = secret
    user.totp_enabled = True
    user.totp_last_step = step  # the enrolment code cannot sign in again
    user.session_epoch += 1
    codes = security.new_recovery_codes()
    key = _recovery_key(session)
    user.recovery_codes.clear()
    user.recovery_codes.extend(
        RecoveryCode(
            code_hash=security.hash_password(security.normalise_recovery_code(c)),
            lookup=security.recovery_lookup(key, c) if key else None,
        )
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
    user.totp_last_step = None
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
