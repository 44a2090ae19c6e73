"""Sessions end on the server; the second step counts failures, takes a code once, and is cheap."""

from __future__ import annotations

import time

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from marsad.core import security, users
from marsad.core.db import session_scope
from marsad.core.models import AuditRecord, RecoveryCode
from tests.conftest import csrf_from, login

SECRET = pyotp.random_base32()


def _with_2fa(make_user, sessions, username: str = "huda") -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """A staff account with TOTP on (enrolled with the previous step's code); its recovery codes."""
    password = make_user(username, "reviewer")
    with session_scope(sessions) as session:
        user = users.get_user(session, username=username)
        earlier = pyotp.TOTP(SECRET).at(time.time() - 30)
        codes = users.enable_2fa(session, user=user, secret=SECRET, code=earlier)
    return password, codes


def _second_step(client, code: str):  # type: ignore[no-untyped-def]
    form = client.get("/login/2fa?lang=en").text
    return client.post(
        "/login/2fa", data={"code": code, "csrf_token": csrf_from(form)}, follow_redirects=False
    )


def _actions(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return [r.action for r in session.execute(select(AuditRecord)).scalars()]


def test_logout_ends_the_session_on_the_server(client, app, make_user) -> None:  # type: ignore[no-untyped-def]
    password = make_user("mona", "admin")
    assert login(client, "mona", password).status_code == 303
    copied = client.cookies.get("marsad_session")
    page = client.get("/staff")
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    with TestClient(app) as thief:
        thief.cookies.set("marsad_session", copied)
        # The copied cookie is still validly signed, but the server ended its session.
        response = thief.get("/admin/users", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def test_wrong_codes_lock_the_second_step(client, make_user, sessions) -> None:  # type: ignore[no-untyped-def]
    password, _codes = _with_2fa(make_user, sessions)
    assert login(client, "huda", password).headers["location"] == "/login/2fa"
    for _ in range(5):
        assert _second_step(client, "000000").status_code == 401
    right = _second_step(client, pyotp.TOTP(SECRET).now())
    assert right.status_code == 401
    assert "Too many failed attempts" in right.text
    # Signing in again with the password does not buy more guesses.
    client.cookies.clear()
    assert login(client, "huda", password).headers["location"] == "/login/2fa"
    again = _second_step(client, pyotp.TOTP(SECRET).now())
    assert again.status_code == 401 and "Too many failed attempts" in again.text
    assert client.get("/staff", follow_redirects=False).status_code == 303
    actions = _actions(sessions)
    assert actions.count("login.2fa_failed") == 5
    assert actions.count("login.2fa_refused_locked") == 2


def test_a_totp_code_is_accepted_once(client, app, make_user, sessions) -> None:  # type: ignore[no-untyped-def]
    password, _codes = _with_2fa(make_user, sessions)
    code = pyotp.TOTP(SECRET).now()
    assert login(client, "huda", password).status_code == 303
    assert _second_step(client, code).status_code == 303
    assert client.get("/staff").status_code == 200
    with TestClient(app) as second:
        assert login(second, "huda", password).status_code == 303
        reused = _second_step(second, code)
        assert reused.status_code == 401
        assert second.get("/staff", follow_redirects=False).status_code == 303


def test_recovery_codes_take_one_argon2_check(client, make_user, sessions, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    password, codes = _with_2fa(make_user, sessions)
    with session_scope(sessions) as session:
        lookups = session.execute(select(RecoveryCode.lookup)).scalars().all()
    assert len(lookups) == 10 and all(lookups)
    assert not any(code.replace("-", "") in str(lookups) for code in codes)  # keyed, not plain

    checks: list[str] = []
    real = security.verify_password

    def counted(hash_: str, value: str) -> bool:
        checks.append(value)
        return real(hash_, value)

    monkeypatch.setattr(security, "verify_password", counted)
    assert login(client, "huda", password).status_code == 303
    checks.clear()  # the password itself took one
    assert _second_step(client, "123456").status_code == 401  # a wrong TOTP code
    assert _second_step(client, "0000aaaa-1111bbbb").status_code == 401  # a wrong recovery code
    assert checks == []  # neither cost an argon2 verification
    assert _second_step(client, codes[3]).status_code == 303
    assert len(checks) == 1
