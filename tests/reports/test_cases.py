"""Confidential cases: only assigned caseworkers read them; everyone else sees that they exist."""

from __future__ import annotations

import re

from sqlalchemy import select

from marsad.core.db import session_scope
from marsad.reports.models import CaseEntry

from .helpers import csrf_from, login
from .test_api import submit, token_for

SECRET_TITLE = "Blackmail with private photos by a known officer"
SECRET_TEXT = "He sent the photos from +964 771 000 1234 and asks for money"
ENTRY_TEXT = "Referred to the legal aid lawyer in Erbil; safe-house contact given"


def _case(client, sessions, staff):  # type: ignore[no-untyped-def]
    for name, role in (("worker", "reviewer"), ("rev", "reviewer"), ("ana", "analyst")):
        staff(name, role)
    staff("boss", "admin")
    tokens = {n: token_for(sessions, n) for n in ("worker", "rev", "ana", "boss")}
    rid = submit(
        client,
        title=SECRET_TITLE,
        description=SECRET_TEXT,
        category="blackmail",
        governorate="IQG08",
    ).json()["id"]
    added = client.post(
        f"/api/v1/reports/{rid}/case/caseworkers",
        json={"username": "worker"},
        headers=tokens["boss"],
    )
    assert added.status_code == 200 and added.json()["caseworkers"] == ["worker"]
    return rid, tokens


def test_only_caseworkers_read_a_case_and_others_see_it_exists(client, sessions, staff) -> None:
    rid, t = _case(client, sessions, staff)
    entry = client.post(
        f"/api/v1/reports/{rid}/case/entries",
        json={"kind": "referral", "body": ENTRY_TEXT},
        headers=t["worker"],
    )
    assert entry.status_code == 201 and entry.json()["body"] == ENTRY_TEXT
    updated = client.post(
        f"/api/v1/reports/{rid}/case",
        json={"outcome": "referred", "next_contact_at": "2030-01-05T10:00:00+03:00"},
        headers=t["worker"],
    )
    assert updated.status_code == 200 and updated.json()["outcome"] == "referred"
    mine = client.get(f"/api/v1/reports/{rid}", headers=t["worker"]).json()
    assert mine["title"] == SECRET_TITLE and mine["content_visible"] is True
    case = client.get(f"/api/v1/reports/{rid}/case", headers=t["worker"]).json()
    assert case["readable"] and case["entries"][0]["body"] == ENTRY_TEXT
    assert case["next_contact_at"].startswith("2030-01-05T07:00")
    # Analysts, other reviewers and admins who are not caseworkers: existence and status only.
    for other in ("ana", "rev", "boss"):
        seen = client.get(f"/api/v1/reports/{rid}", headers=t[other])
        assert seen.status_code == 200, other
        body = seen.json()
        assert body["confidential"] is True and body["status"] == "received"
        assert body["content_visible"] is False and body["governorate"] is None
        outside = client.get(f"/api/v1/reports/{rid}/case", headers=t[other]).json()
        assert outside["readable"] is False and outside["entries"] == []
        assert outside["caseworkers"] == ["worker"] and outside["outcome"] is None
        for text in (SECRET_TITLE, SECRET_TEXT, ENTRY_TEXT):
            assert text not in seen.text and text not in str(outside)
        wrote = client.post(
            f"/api/v1/reports/{rid}/case/entries",
            json={"kind": "note", "body": "x"},
            headers=t[other],
        )
        assert wrote.status_code == 403 and wrote.json()["error"] == "err_case_forbidden"
    # Case text is sealed at rest, like the contact.
    with session_scope(sessions) as session:
        sealed = session.execute(select(CaseEntry.body_sealed)).scalars().all()
    assert sealed and all(ENTRY_TEXT not in s for s in sealed)


def test_only_admins_assign_caseworkers_and_reviewers_cannot_self_assign(
    client, sessions, staff
) -> None:
    rid, t = _case(client, sessions, staff)
    for who in ("rev", "ana", "worker"):
        tried = client.post(
            f"/api/v1/reports/{rid}/case/caseworkers", json={"username": who}, headers=t[who]
        )
        assert tried.status_code == 403, who
    bad = client.post(
        f"/api/v1/reports/{rid}/case/caseworkers", json={"username": "ana"}, headers=t["boss"]
    )
    assert bad.status_code == 422 and bad.json()["where"] == "username"
    # Assigning the report in the workflow does not open the case either.
    token = t["rev"]
    with session_scope(sessions) as session:
        from marsad.core import users
        from marsad.reports import service

        rev = users.get_user(session, username="rev")
        service.assign_report(session, report_id=rid, assignee="rev", actor=rev)
    assert client.get(f"/api/v1/reports/{rid}", headers=token).json()["content_visible"] is False
    removed = client.post(
        f"/api/v1/reports/{rid}/case/caseworkers",
        json={"username": "worker", "remove": True},
        headers=t["boss"],
    )
    assert removed.json()["caseworkers"] == []
    after = client.get(f"/api/v1/reports/{rid}", headers=t["worker"]).json()
    assert after["content_visible"] is False


def test_bad_case_input_names_the_field(client, sessions, staff) -> None:
    rid, t = _case(client, sessions, staff)
    kind = client.post(
        f"/api/v1/reports/{rid}/case/entries",
        json={"kind": "gossip", "body": "x"},
        headers=t["worker"],
    )
    assert kind.status_code == 422 and kind.json()["where"] == "kind"
    outcome = client.post(
        f"/api/v1/reports/{rid}/case", json={"outcome": "won"}, headers=t["worker"]
    )
    assert outcome.status_code == 422 and outcome.json()["where"] == "outcome"
    naive = client.post(
        f"/api/v1/reports/{rid}/case",
        json={"next_contact_at": "2030-01-05T10:00:00"},
        headers=t["worker"],
    )
    assert naive.status_code == 422 and naive.json()["where"] == "next_contact_at"
    plain = submit(client).json()["id"]
    not_case = client.post(
        f"/api/v1/reports/{plain}/case/entries",
        json={"kind": "note", "body": "x"},
        headers=t["boss"],
    )
    assert not_case.status_code == 422 and not_case.json()["error"] == "err_not_a_case"


def test_pages_hide_a_case_from_the_queue_export_and_report_page(
    client, sessions, staff, make_user
) -> None:
    rid, _t = _case(client, sessions, staff)
    make_user("ana2", "analyst")
    assert login(client, "ana2", "a-long-password-1").status_code == 303
    queue = client.get("/staff/reports")
    assert rid in queue.text and SECRET_TITLE not in queue.text
    page = client.get(f"/staff/reports/{rid}")
    assert page.status_code == 200 and 'id="case-closed"' in page.text
    assert SECRET_TITLE not in page.text and SECRET_TEXT not in page.text
    assert client.get(f"/staff/reports/{rid}/edit").status_code == 403
    export = client.get("/staff/reports/export?format=csv")
    assert rid in export.text and SECRET_TITLE not in export.text and SECRET_TEXT not in export.text
    client.cookies.clear()
    assert login(client, "worker", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{rid}")
    assert SECRET_TITLE in page.text and SECRET_TEXT in page.text
    token = csrf_from(page.text)
    posted = client.post(
        f"/staff/reports/{rid}/case/entry",
        data={
            "csrf_token": token,
            "kind": "follow_up",
            "body": ENTRY_TEXT,
            "due_at": "2030-02-01T09:00",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    page = client.get(f"/staff/reports/{rid}")
    assert ENTRY_TEXT in page.text
    # The case history lists the step, as a sentence rather than its code.
    assert "أضاف worker قيدًا إلى الحالة" in page.text
    assert "case.entry_added" not in page.text


def test_contact_rule_through_the_pages(client, sessions, staff, make_user) -> None:
    rid = submit(client, contact="reach.me@example.net").json()["id"]
    make_user("rev", "reviewer")
    make_user("boss", "admin")
    assert login(client, "rev", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{rid}")
    token = csrf_from(page.text)
    client.post(
        f"/staff/reports/{rid}/contact-request",
        data={"csrf_token": token, "reason": "Reporter asked for a lawyer"},
    )
    page = client.get(f"/staff/reports/{rid}")
    assert "Reporter asked for a lawyer" in page.text and "reach.me@example.net" not in page.text
    assert 'name="decision"' not in page.text  # a reviewer cannot decide
    client.cookies.clear()
    assert login(client, "boss", "a-long-password-1").status_code == 303
    queue = client.get("/admin/contact-requests")
    assert "Reporter asked for a lawyer" in queue.text
    req_id = re.search(r"/staff/contact-requests/([0-9a-f-]{36})/decide", queue.text).group(1)
    decided = client.post(
        f"/staff/contact-requests/{req_id}/decide",
        data={"csrf_token": csrf_from(queue.text), "decision": "approve", "next": "admin"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    assert client.get(f"/staff/reports/{rid}?contact=1").status_code == 403  # approver: no
    client.cookies.clear()
    assert login(client, "rev", "a-long-password-1").status_code == 303
    shown = client.get(f"/staff/reports/{rid}?contact=1")
    assert shown.status_code == 200 and "reach.me@example.net" in shown.text
    history = shown.text.split('id="history"')[1]
    assert "على طلب الاطلاع على وسيلة التواصل" in history  # approved, as a sentence
    assert "report.contact_approved" not in history and "report.contact_viewed" not in history


def test_saving_the_outcome_on_the_page_keeps_the_next_contact_date(
    client, sessions, staff, make_user
) -> None:
    rid, _t = _case(client, sessions, staff)
    assert login(client, "worker", "a-long-password-1").status_code == 303
    page = client.get(f"/staff/reports/{rid}")
    token = csrf_from(page.text)
    form = {"csrf_token": token, "outcome": "", "next_contact_at": "2030-03-01T10:30"}
    client.post(f"/staff/reports/{rid}/case", data=form)
    page = client.get(f"/staff/reports/{rid}")
    assert 'value="2030-03-01T10:30"' in page.text  # shown in Baghdad time, ready to resubmit
    case = client.get(f"/api/v1/reports/{rid}/case", headers=_t["worker"]).json()
    assert case["next_contact_at"].startswith("2030-03-01T07:30")


def test_a_citation_of_a_case_does_not_carry_its_title(client, sessions, staff) -> None:
    from marsad.reports.refs import resolve_report

    rid, _t = _case(client, sessions, staff)
    with session_scope(sessions) as session:
        cited = resolve_report(session, rid)
    assert SECRET_TITLE not in cited.title and cited.extra["governorate"] is None
    assert cited.title.startswith("confidential case") and not cited.public


def test_only_caseworkers_can_preserve_a_cases_files_as_evidence(
    client, sessions, staff, settings
) -> None:
    from marsad.core.blobs import BlobStore
    from marsad.core.errors import Forbidden
    from marsad.core.users import get_user
    from marsad.evidence import service as evidence

    rid, _t = _case(client, sessions, staff)
    store = BlobStore.from_settings(settings)
    with session_scope(sessions) as session:
        try:
            evidence.add_ref(
                session,
                store,
                ref=f"report:{rid}",
                actor="rev",
                user=get_user(session, username="rev"),
            )
        except Forbidden:
            refused = True
        else:
            refused = False
    assert refused
    with session_scope(sessions) as session:
        worker = get_user(session, username="worker")
        assert (
            evidence.add_ref(session, store, ref=f"report:{rid}", actor="worker", user=worker) == []
        )
