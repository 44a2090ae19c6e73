"""Staff sign-in as a person experiences it: messages, lockout, two-factor, CSRF, sessions."""

from __future__ import annotations

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from marsad.core import users
from marsad.core.db import session_scope
from marsad.core.models import AuditRecord, User
from tests.conftest import csrf_from, login


def test_sign_in_and_out(client, make_user) -> None:
    password = make_user("mona", "reviewer")
    response = login(client, "mona", password, next="/staff")
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = client.get("/staff")
    assert page.status_code == 200 and "mona" in page.text
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_wrong_password_is_told_in_arabic_without_detail(client, make_user) -> None:
    make_user("mona")
    response = login(client, "mona", "not-the-password")
    assert response.status_code == 401
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in response.text
    unknown = login(client, "nobody-here", "whatever-password")
    # The same message for an unknown account: nothing tells an attacker which names exist.
    assert "اسم المستخدم أو كلمة المرور غير صحيحة" in unknown.text


def test_lockout_refuses_that_address_alike_for_known_and_unknown_names(
    client, make_user, app, sessions
) -> None:
    password = make_user("sami")
    for _ in range(5):
        login(client, "sami", "wrong-password-x")
        login(client, "nobody-here", "wrong-password-x")
    locked = login(client, "sami", password)
    unknown = login(client, "nobody-here", "wrong-password-x")
    # From this address both names are refused, with the same answer: a real
    # account is not told apart from a made-up one, and the right password is refused.
    assert locked.status_code == unknown.status_code == 401
    assert "محاولات فاشلة كثيرة" in locked.text and "محاولات فاشلة كثيرة" in unknown.text
    assert client.get("/staff", follow_redirects=False).status_code == 303
    # From another address the real person still gets in (the answer is only delayed).
    with TestClient(app, client=("198.51.100.7", 40000)) as elsewhere:
        assert login(elsewhere, "sami", password).status_code == 303
        assert elsewhere.get("/staff").status_code == 200
    with session_scope(sessions) as session:
        actions = [r.action for r in session.execute(select(AuditRecord)).scalars()]
    assert actions.count("login.failed") == 10 and actions.count("login.refused_locked") == 2


def test_refusal_for_an_address_grows_and_ends() -> None:
    throttle = users.LoginThrottle(max_failures=5, first_seconds=60)
    for _ in range(4):
        throttle.failed("sami", "203.0.113.9", now=1000.0)
    assert throttle.refused_until("sami", "203.0.113.9", now=1000.0) == 0
    throttle.failed("sami", "203.0.113.9", now=1000.0)  # the fifth: refused for 60 s
    assert throttle.refused_until("sami", "203.0.113.9", now=1059.0) == 1060.0
    assert throttle.refused_until("sami", "203.0.113.9", now=1061.0) == 0
    assert throttle.refused_until("sami", "198.51.100.7", now=1001.0) == 0  # only that address
    throttle.failed("sami", "203.0.113.9", now=1061.0)  # the sixth: 120 s
    assert throttle.refused_until("sami", "203.0.113.9", now=1180.0) == 1181.0
    # The name is under attack: its password step is delayed, doubling, never refused.
    assert throttle.delay("sami") == 2.0
    assert throttle.delay("someone-else") == 0.0
    throttle.succeeded("sami", "203.0.113.9")
    assert throttle.refused_until("sami", "203.0.113.9", now=1062.0) == 0


def test_mandatory_2fa_forces_enrolment_then_asks_for_codes(client, make_user, sessions) -> None:
    password = make_user("layla", "analyst")
    with session_scope(sessions) as session:
        users.set_two_factor_required(session, required=True, actor="boss")
    response = login(client, "layla", password)
    assert response.headers["location"] == "/login/2fa"
    # No session yet: staff pages stay closed until the second factor is set up.
    assert client.get("/staff", follow_redirects=False).status_code == 303
    page = client.get("/login/2fa")
    secret = page.text.split('class="secret" dir="ltr">')[1].split("<")[0]
    bad = client.post("/login/2fa", data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 400 and "هذا الرمز غير صحيح" in bad.text
    done = client.post(
        "/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)}
    )
    assert done.status_code == 200
    codes = [c.split("</code>")[0] for c in done.text.split("<li><code>")[1:]]
    assert len(codes) == 10
    assert client.get("/staff").status_code == 200

    client.cookies.clear()
    again = login(client, "layla", password)
    assert again.headers["location"] == "/login/2fa"
    form = client.get("/login/2fa").text
    assert "رموز الاسترداد" in form or "recovery" in form.lower() or "الاسترداد" in form
    wrong = client.post("/login/2fa", data={"code": "123456", "csrf_token": csrf_from(form)})
    assert wrong.status_code == 401
    ok = client.post(
        "/login/2fa",
        data={"code": codes[0], "csrf_token": csrf_from(form)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    # A recovery code works once only.
    client.cookies.clear()
    login(client, "layla", password)
    form = client.get("/login/2fa").text
    reuse = client.post("/login/2fa", data={"code": codes[0], "csrf_token": csrf_from(form)})
    assert reuse.status_code == 401


def test_state_changing_forms_need_the_csrf_token(admin_client) -> None:
    page = admin_client.get("/admin/users")
    data = {"username": "newbie", "role": "analyst", "password": "long-enough-pass"}
    refused = admin_client.post("/admin/users", data=data)
    assert refused.status_code == 403 and "انتهت صلاحية هذا النموذج" in refused.text
    forged = admin_client.post("/admin/users", data={**data, "csrf_token": "forged.token"})
    assert forged.status_code == 403
    accepted = admin_client.post("/admin/users", data={**data, "csrf_token": csrf_from(page.text)})
    assert accepted.status_code == 200 and "newbie" in accepted.text


def test_disabling_a_user_ends_their_session(client, admin_client, make_user, app) -> None:
    from fastapi.testclient import TestClient

    password = make_user("omar", "reviewer")
    with TestClient(app) as other:
        assert login(other, "omar", password).status_code == 303
        assert other.get("/staff").status_code == 200
        page = admin_client.get("/admin/users")
        admin_client.post("/admin/users/omar/disable", data={"csrf_token": csrf_from(page.text)})
        expired = other.get("/staff", follow_redirects=False)
        assert expired.status_code == 303 and "expired=1" in expired.headers["location"]
        assert "انتهت جلستك" in other.get(expired.headers["location"]).text


def test_expired_or_forged_session_cookie_is_not_accepted(client, make_user) -> None:
    client.cookies.set("marsad_session", "eyJ1aWQiOiJ4In0.forged.signature")
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and "expired=1" in response.headers["location"]


def test_only_admins_manage_users(client, make_user) -> None:
    password = make_user("rana", "analyst")
    login(client, "rana", password)
    assert client.get("/admin/users").status_code == 403


def test_api_token_authenticates_scripts(client, make_user, sessions) -> None:
    make_user("bot", "analyst")
    with session_scope(sessions) as session:
        token = users.create_token(session, username="bot", actor="test")
        stored = session.execute(select(User).where(User.username == "bot")).scalar_one()
        assert token not in repr(stored.__dict__)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "bot", "role": "analyst", "two_factor": False}
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert (
        client.get("/api/v1/audit", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    )
    with session_scope(sessions) as session:
        users.set_active(session, username="bot", active=False, actor="test")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
