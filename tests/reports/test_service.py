"""The service: one intake for every channel, review steps with audit, the edit lock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marsad.core import users
from marsad.core.db import session_scope
from marsad.core.errors import Forbidden, InvalidInput
from marsad.core.models import AuditRecord
from marsad.reports import contact, receipts, service
from marsad.reports.models import Report

from .helpers import CONTACT_EMAIL, move, publish


def test_a_report_gets_a_receipt_that_shows_only_its_status(file_report, sessions) -> None:
    report_id, receipt = file_report(description="Details", contact=CONTACT_EMAIL)
    with sessions() as session:
        assert receipts.receipt_status(session, code=receipt) == "received"
        assert receipts.receipt_status(session, code=receipt.lower().replace("-", "")) == "received"
        with pytest.raises(Exception) as exc:
            receipts.receipt_status(session, code="AAAA-AAAA-AAAA")
        assert getattr(exc.value, "code", "") == "err_receipt_not_found"
        report = session.get(Report, report_id)
        assert report.contact_sealed and CONTACT_EMAIL not in report.contact_sealed
        actions = [r.action for r in session.execute(select(AuditRecord)).scalars()]
        assert "report.received" in actions
        assert CONTACT_EMAIL not in str(
            [r.details for r in session.execute(select(AuditRecord)).scalars()]
        )


def test_places_are_found_by_pcode_or_name_in_any_language(file_report, sessions) -> None:
    by_name, _r = file_report(governorate="Baghdad", district="الكرخ")
    by_kurdish, _r = file_report(district="هەولێر")
    with sessions() as session:
        first = session.get(Report, by_name)
        assert (first.governorate_pcode, first.district_pcode) == ("IQG08", "IQG08Q03")
        second = session.get(Report, by_kurdish)
        assert (second.governorate_pcode, second.district_pcode) == ("IQG11", "IQG11Q02")


@pytest.mark.parametrize(
    ("fields", "where", "code"),
    [
        ({"title": ""}, "title", "err_required"),
        ({"category": "nonsense"}, "category", "err_category_unknown"),
        ({"governorate": "IQG99"}, "governorate", "err_place_unknown"),
        ({"governorate": "IQG08", "district": "IQG11Q02"}, "district", "err_place_mismatch"),
        ({"lat": "48.85", "lon": "2.35"}, "lat", "err_point_outside"),
        ({"occurred_at": "yesterday"}, "occurred_at", "err_date_invalid"),
        ({"links": ["javascript:alert(1)"]}, "links", "err_link_invalid"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    file_report, sessions, fields, where, code
) -> None:
    with pytest.raises(InvalidInput) as exc:
        file_report(**fields)
    assert (exc.value.where, exc.value.code) == (where, code)
    with sessions() as session:
        assert session.execute(select(Report)).first() is None


def test_transitions_are_checked_audited_and_role_gated(file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    staff("ana", "analyst")
    report_id, receipt = file_report()
    with pytest.raises(InvalidInput):
        move(sessions, report_id, "rev", "published")
    move(sessions, report_id, "ana", "triaged")
    with pytest.raises(Forbidden):
        move(sessions, report_id, "ana", "verified")
    move(sessions, report_id, "rev", "verified", note="Two sources confirm")
    move(
        sessions,
        report_id,
        "rev",
        "published",
        location_precision="governorate",
        time_precision="month",
    )
    with sessions() as session:
        report = session.get(Report, report_id)
        assert report.status == "published" and report.verified
        assert (report.location_precision, report.time_precision) == ("governorate", "month")
        assert receipts.receipt_status(session, code=receipt) == "published"
        assert any("Two sources confirm" in c.body for c in report.comments)
        moves = [
            r.details
            for r in session.execute(
                select(AuditRecord).where(AuditRecord.action == "report.transition")
            ).scalars()
        ]
        assert len(moves) == 3 and '"to": "published"' in moves[-1]


def test_confidential_cases_are_handled_but_never_published(file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    report_id, _receipt = file_report(category="blackmail")
    move(sessions, report_id, "rev", "triaged")
    move(sessions, report_id, "rev", "verified")
    with pytest.raises(InvalidInput) as exc:
        move(sessions, report_id, "rev", "published")
    assert exc.value.code == "err_confidential_unpublishable"


def test_duplicate_needs_the_original(file_report, sessions, staff) -> None:
    staff("rev", "reviewer")
    original, _r = file_report()
    copy, _r = file_report()
    with pytest.raises(InvalidInput):
        move(sessions, copy, "rev", "duplicate")
    move(sessions, copy, "rev", "duplicate", duplicate_of=original)
    with sessions() as session:
        assert session.get(Report, copy).duplicate_of_id == original


def test_assignment_alone_never_reveals_the_contact(file_report, sessions, staff, cipher) -> None:
    staff("rev", "reviewer")
    staff("other", "reviewer")
    staff("boss", "admin")
    report_id, _r = file_report(contact=CONTACT_EMAIL)
    with session_scope(sessions) as session:
        rev = users.get_user(session, username="rev")
        service.assign_report(session, report_id=report_id, assignee="rev", actor=rev)
    with session_scope(sessions) as session:
        report = service.get_report(session, report_id=report_id)
        for name in ("rev", "boss", "other"):
            viewer = users.get_user(session, username=name)
            with pytest.raises(Forbidden):
                contact.reveal_contact(session, report=report, viewer=viewer, cipher=cipher)
    with session_scope(sessions) as session:
        rev = users.get_user(session, username="rev")
        asked = contact.request_contact(session, report_id=report_id, actor=rev, reason="help")
    with session_scope(sessions) as session:
        boss = users.get_user(session, username="boss")
        contact.decide_request(session, request_id=asked.id, actor=boss, approve=True, minutes=5)
    with session_scope(sessions) as session:
        report = service.get_report(session, report_id=report_id)
        rev = users.get_user(session, username="rev")
        shown = contact.reveal_contact(session, report=report, viewer=rev, cipher=cipher)
        assert shown == CONTACT_EMAIL
    with sessions() as session:
        views = session.execute(
            select(AuditRecord.actor).where(AuditRecord.action == "report.contact_viewed")
        ).scalars()
        assert sorted(views) == ["rev"]


def test_the_edit_lock_keeps_two_reviewers_apart(
    file_report, sessions, staff, report_settings
) -> None:
    staff("rev", "reviewer")
    staff("other", "reviewer")
    report_id, _r = file_report()
    with session_scope(sessions) as session:
        rev = users.get_user(session, username="rev")
        version = service.lock_report(session, report_id=report_id, actor=rev).version
    with session_scope(sessions) as session, pytest.raises(InvalidInput) as exc:
        other = users.get_user(session, username="other")
        service.transition_report(session, report_id=report_id, to="triaged", actor=other)
    assert exc.value.code == "err_report_locked"
    with session_scope(sessions) as session:
        rev = users.get_user(session, username="rev")
        service.edit_report(
            session,
            report_id=report_id,
            actor=rev,
            version=version,
            changes=service.Submission(title="Edited title", category="threat"),
            confidential=False,
            settings=report_settings,
        )
    move(sessions, report_id, "other", "triaged")  # the lock was released by saving
    with sessions() as session:
        assert session.get(Report, report_id).title == "Edited title"


def test_making_a_published_report_confidential_withdraws_it(
    file_report, sessions, staff, report_settings
) -> None:
    staff("rev", "reviewer")
    report_id, _r = file_report()
    publish(sessions, report_id)
    with session_scope(sessions) as session:
        rev = users.get_user(session, username="rev")
        version = service.lock_report(session, report_id=report_id, actor=rev).version
        service.edit_report(
            session,
            report_id=report_id,
            actor=rev,
            version=version,
            changes=service.Submission(title="Account taken over", category="threat"),
            confidential=True,
            settings=report_settings,
        )
    with sessions() as session:
        report = session.get(Report, report_id)
        assert report.status == "verified" and report.published_at is None
