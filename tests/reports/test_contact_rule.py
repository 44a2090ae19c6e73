"""The two-person rule: a reporter's contact needs a reason, a second person and a clock."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from marsad.core.db import session_scope, utcnow
from marsad.core.models import AuditRecord
from marsad.reports.models import ContactRequest

from .helpers import CONTACT_EMAIL
from .test_api import submit, token_for


def _people(staff, sessions):  # type: ignore[no-untyped-def]
    staff("rev", "reviewer")
    staff("rev2", "reviewer")
    staff("boss", "admin")
    staff("boss2", "admin")
    staff("ana", "analyst")
    return {name: token_for(sessions, name) for name in ("rev", "rev2", "boss", "boss2", "ana")}


def _ask(client, rid, headers, reason="Follow-up: the reporter asked for legal help"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/reports/{rid}/contact-requests", json={"reason": reason}, headers=headers
    )


def test_request_approve_reveal_is_audited_and_in_the_case_history(
    client, sessions, staff, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    t = _people(staff, sessions)
    rid = submit(client, contact=CONTACT_EMAIL).json()["id"]
    # Without an approved request, asking for the contact is refused and nothing is decrypted.
    refused = client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"])
    assert refused.status_code == 403 and refused.json()["error"] == "err_contact_forbidden"
    no_reason = _ask(client, rid, t["rev"], reason="  ")
    assert no_reason.status_code == 422 and no_reason.json()["where"] == "reason"
    asked = _ask(client, rid, t["rev"])
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    req_id = asked.json()["id"]
    pending = client.get("/api/v1/contact-requests", headers=t["boss"]).json()
    assert [p["id"] for p in pending] == [req_id]
    approved = client.post(f"/api/v1/contact-requests/{req_id}/approve", headers=t["boss"])
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["decided_by"] == "boss" and body["active"]
    # Without ?include=contact the API still does not decrypt it.
    plain = client.get(f"/api/v1/reports/{rid}", headers=t["rev"]).json()
    assert plain["contact"] is None and plain["contact_visible"] is True
    seen = client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"]).json()
    assert seen["contact"] == CONTACT_EMAIL
    # The approval is the requester's alone: the approving admin and others do not get it.
    for other in ("boss", "rev2"):
        other_view = client.get(f"/api/v1/reports/{rid}?include=contact", headers=t[other])
        assert other_view.status_code == 403
    history = client.get(f"/api/v1/reports/{rid}/case", headers=t["ana"]).json()["history"]
    steps = [(h["actor"], h["action"]) for h in history]
    assert ("rev", "report.contact_requested") in steps
    assert ("boss", "report.contact_approved") in steps
    assert ("rev", "report.contact_viewed") in steps
    assert steps.index(("boss", "report.contact_approved")) < steps.index(
        ("rev", "report.contact_viewed")
    )
    with session_scope(sessions) as session:
        details = session.execute(select(AuditRecord.details)).scalars().all()
    assert not any(CONTACT_EMAIL in d for d in details)
    assert CONTACT_EMAIL not in caplog.text


def test_an_admin_cannot_approve_their_own_request(client, sessions, staff) -> None:
    t = _people(staff, sessions)
    rid = submit(client, contact=CONTACT_EMAIL).json()["id"]
    req_id = _ask(client, rid, t["boss"]).json()["id"]
    own = client.post(f"/api/v1/contact-requests/{req_id}/approve", headers=t["boss"])
    assert own.status_code == 403 and own.json()["error"] == "err_contact_self_approval"
    assert (
        client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["boss"]).status_code == 403
    )
    # A second admin can; then the requesting admin reads it.
    assert client.post(f"/api/v1/contact-requests/{req_id}/approve", headers=t["boss2"]).is_success
    seen = client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["boss"]).json()
    assert seen["contact"] == CONTACT_EMAIL


def test_a_reviewer_cannot_approve_and_an_analyst_cannot_ask(client, sessions, staff) -> None:
    t = _people(staff, sessions)
    rid = submit(client, contact=CONTACT_EMAIL).json()["id"]
    req_id = _ask(client, rid, t["rev"]).json()["id"]
    for who in ("rev2", "ana", "rev"):
        tried = client.post(f"/api/v1/contact-requests/{req_id}/approve", headers=t[who])
        assert tried.status_code == 403, who
    assert client.get("/api/v1/contact-requests", headers=t["rev2"]).status_code == 403
    assert _ask(client, rid, t["ana"]).status_code == 403
    assert client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"]).status_code == 403
    # A cookie cannot approve through the API (bearer only: no CSRF path).
    assert client.post(f"/api/v1/contact-requests/{req_id}/approve").status_code == 401


def test_a_denied_or_expired_request_reveals_nothing(client, sessions, staff) -> None:
    t = _people(staff, sessions)
    rid = submit(client, contact=CONTACT_EMAIL).json()["id"]
    denied_id = _ask(client, rid, t["rev"]).json()["id"]
    denied = client.post(f"/api/v1/contact-requests/{denied_id}/deny", headers=t["boss"])
    assert denied.json()["status"] == "denied" and not denied.json()["active"]
    again = client.post(f"/api/v1/contact-requests/{denied_id}/approve", headers=t["boss2"])
    assert again.status_code == 422 and again.json()["error"] == "err_contact_request_decided"
    assert client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"]).status_code == 403
    req_id = _ask(client, rid, t["rev"]).json()["id"]
    approved = client.post(f"/api/v1/contact-requests/{req_id}/approve", headers=t["boss"]).json()
    expires = approved["expires_at"]
    assert expires is not None
    assert client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"]).is_success
    # The clock runs out (the default is 60 minutes): move the expiry into the past.
    with session_scope(sessions) as session:
        session.execute(
            update(ContactRequest)
            .where(ContactRequest.id == req_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    late = client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"])
    assert late.status_code == 403 and CONTACT_EMAIL not in late.text
    listed = client.get(f"/api/v1/reports/{rid}/contact-requests", headers=t["rev"]).json()
    assert {r["id"]: r["active"] for r in listed} == {req_id: False, denied_id: False}


def test_an_anonymous_report_has_no_contact_to_ask_for(client, sessions, staff) -> None:
    t = _people(staff, sessions)
    rid = submit(client).json()["id"]
    asked = _ask(client, rid, t["rev"])
    assert asked.status_code == 422 and asked.json()["error"] == "err_no_contact"


def test_a_refused_read_is_audited_as_refused_without_the_contact(
    client, sessions, staff, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    t = _people(staff, sessions)
    rid = submit(client, contact=CONTACT_EMAIL).json()["id"]
    # Wrong role: an analyst may never read a contact.
    assert client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["ana"]).status_code == 403
    # Missing second person: the reviewer asked, no admin approved yet.
    _ask(client, rid, t["rev"])
    assert client.get(f"/api/v1/reports/{rid}?include=contact", headers=t["rev"]).status_code == 403
    with session_scope(sessions) as session:
        refused = session.execute(
            select(AuditRecord.actor, AuditRecord.details)
            .where(AuditRecord.action == "report.contact_refused", AuditRecord.subject_id == rid)
            .order_by(AuditRecord.seq)
        ).all()
        viewed = session.execute(
            select(AuditRecord.actor).where(AuditRecord.action == "report.contact_viewed")
        ).all()
    assert [actor for actor, _details in refused] == ["ana", "rev"]
    assert "role" in refused[0].details and "no second person" in refused[1].details
    assert viewed == []
    assert not any(CONTACT_EMAIL in details for _actor, details in refused)
    assert CONTACT_EMAIL not in caplog.text
    # The case history shows the attempts to whoever may see it.
    history = client.get(f"/api/v1/reports/{rid}/case", headers=t["boss"]).json()["history"]
    assert ("rev", "report.contact_refused") in [(h["actor"], h["action"]) for h in history]
