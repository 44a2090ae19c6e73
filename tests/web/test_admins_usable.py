"""Administrators cannot lock everyone out, and the safe choice is the default."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marsad.core import users
from marsad.core.db import session_scope
from marsad.core.models import User
from tests.conftest import csrf_from


def _active(sessions, name: str) -> bool:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return session.execute(select(User.is_active).where(User.username == name)).scalar_one()


def test_the_last_active_admin_cannot_be_disabled(admin_client, sessions, make_user) -> None:
    page = admin_client.get("/admin/users?lang=en")
    token = csrf_from(page.text)
    # Disabling oneself needs the confirmation box, and then still a second admin.
    unconfirmed = admin_client.post("/admin/users/boss/disable", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and _active(sessions, "boss")
    alone = admin_client.post(
        "/admin/users/boss/disable?lang=en", data={"csrf_token": token, "confirm": "yes"}
    )
    assert alone.status_code == 409 and "last active admin" in alone.text
    assert _active(sessions, "boss")
    with session_scope(sessions) as session, pytest.raises(users.MarsadError):
        users.set_active(session, username="boss", active=False, actor="cli")
    make_user("second", "admin")
    done = admin_client.post(
        "/admin/users/second/disable", data={"csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and not _active(sessions, "second")
    again = admin_client.post(
        "/admin/users/boss/disable", data={"csrf_token": token, "confirm": "yes"}
    )
    assert again.status_code == 409 and _active(sessions, "boss")


def test_add_staff_form_defaults_to_the_least_privileged_role(admin_client) -> None:
    page = admin_client.get("/admin/users?lang=en").text
    options = re.findall(r'<option value="(\w+)"( selected)?>', page.split('name="role"')[1])
    chosen = [value for value, selected in options if selected]
    assert chosen == ["analyst"], options
    own = page.split('action="/admin/users/boss/disable"')[1].split("</form>")[0]
    assert 'name="confirm"' in own and "required" in own


def test_two_step_enrolment_shows_a_qr_code_drawn_here(admin_client) -> None:
    import html

    import segno

    page = admin_client.get("/account/security?lang=en")
    assert page.status_code == 200
    uri = html.unescape(page.text.split('<code class="uri" dir="ltr">')[1].split("</code>")[0])
    assert uri.startswith("otpauth://totp/Marsad:boss?secret=")
    figure = page.text.split('<figure class="qr"')[1].split("</figure>")[0]
    assert (
        "<svg" in figure
        and "<path" in figure
        and "http" not in figure.replace("http://www.w3.org/2000/svg", "")
    ), "an inline SVG, no image from elsewhere"
    expected = segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=False)
    assert expected in figure, "the code encodes the key the page shows"


def test_audit_page_reads_as_sentences_with_filters_and_pages(
    admin_client, make_user, sessions
) -> None:
    from marsad.core import audit

    with session_scope(sessions) as session:
        for n in range(60):
            audit.record(
                session,
                actor="mona",
                action="report.viewed",
                subject_type="report",
                subject_id=f"r{n:04d}-0000",
                details={},
            )
    page = admin_client.get("/admin/audit?lang=en")
    assert page.status_code == 200
    assert (
        "mona opened report r0059-00." in page.text
        and "report.viewed" not in page.text.split("<details>")[0]
    )
    assert "No record matches." not in page.text
    older = page.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = admin_client.get(older.replace("&amp;", "&") + "&lang=en").text
    assert "mona opened report r0009-00." in second and "r0059-00" not in second
    assert "boss signed in." in second
    logins = admin_client.get("/admin/audit?lang=en&action=login").text
    assert "boss signed in." in logins and "opened report" not in logins
    by_mona = admin_client.get("/admin/audit?lang=en&actor=nobody").text
    assert "No record matches." in by_mona
    api = admin_client.get("/api/v1/audit?action=login&limit=5").json()
    assert api["items"] and all(i["action"].startswith("login.") for i in api["items"])
