"""Alerts end to end: an event in another capability's transaction, a real receiver, the outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from marsad.alerts import delivery, rules, service
from marsad.alerts.models import AlertAttempt, AlertDelivery
from marsad.core.db import session_scope
from marsad.core.jobs.models import Job
from marsad.core.jobs.runners import run_in_foreground

CONTACT = "reporter-secret@example.org"
PHONE = "+964 770 123 4567"


def add(sessions, settings, **kwargs):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return rules.add_rule(session, settings=settings, actor="tester", **kwargs)


def deliveries(sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.execute(select(AlertDelivery).order_by(AlertDelivery.created_at)).scalars()
        )


def attempts(sessions, delivery_id):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.execute(
                select(AlertAttempt)
                .where(AlertAttempt.delivery_id == delivery_id)
                .order_by(AlertAttempt.id)
            ).scalars()
        )


def run_queued_jobs(sessions, settings):  # type: ignore[no-untyped-def]
    """Run every queued alerts job as a runner would; return their ids."""
    with sessions() as session:
        ids = list(
            session.execute(
                select(Job.id).where(Job.kind.like("alerts.%"), Job.status == "queued")
            ).scalars()
        )
    for job_id in ids:
        assert run_in_foreground(settings=settings, sessions=sessions, job_id=job_id) == "succeeded"
    return ids


def test_a_report_reaches_a_signed_webhook_and_an_email_without_its_contact(
    sessions, settings, receiver, outbox, file_report
):  # type: ignore[no-untyped-def]
    new = add(
        sessions,
        settings,
        event="report.received",
        filters=["category=threat"],
        webhook=receiver.url,
        email="desk@example.org",
    )
    report_id = file_report(
        contact=f"{CONTACT} {PHONE}",
        description=f"write to me at {CONTACT}",
        governorate="IQG10",
    )
    file_report(category="other")  # filtered out: no alert

    # The report's own transaction queued the job; a runner sends it.
    assert len(run_queued_jobs(sessions, settings)) == 1

    assert len(receiver.received) == 1
    hit = receiver.received[0]
    expected = "sha256=" + hmac.new(new.secret.encode(), hit["body"], hashlib.sha256).hexdigest()
    assert hit["headers"]["X-Marsad-Signature"] == expected
    document = json.loads(hit["body"])
    assert document["event"] == "report.received"
    assert document["rule_id"] == new.id
    assert document["data"] == {
        "report_id": report_id,
        "category": "threat",
        "governorate": "IQG10",
    }
    assert hit["headers"]["X-Marsad-Delivery"] == document["delivery_id"]

    mails = sorted(outbox.glob("*.eml"))
    assert len(mails) == 1
    message = message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert message["To"] == "desk@example.org"
    assert report_id in message.get_body().get_content()

    # Neither what was sent nor what is stored carries the reporter's contact or words.
    raw = hit["body"] + mails[0].read_bytes()
    for secret in (CONTACT, PHONE, "write to me"):
        assert secret.encode() not in raw
    for row in deliveries(sessions):
        assert CONTACT not in json.dumps(row.payload)
        assert row.status == "delivered"


def test_a_receiver_down_then_up_gets_the_alert_on_a_retry(
    sessions, settings, receiver, file_report
):  # type: ignore[no-untyped-def]
    add(sessions, settings, event="report.received", webhook=receiver.url)
    receiver.down()
    report_id = file_report()  # the report is stored although nobody can be told yet
    run_queued_jobs(sessions, settings)
    (row,) = deliveries(sessions)
    assert row.status == "pending"
    assert row.attempts == 1
    assert "ConnectError" in (row.last_error or "")
    assert row.next_attempt_at is not None

    receiver.up()
    time.sleep(0.06)  # the first backoff (alerts_retry_base = 0.05 s) has passed
    counts = delivery.deliver_due(sessions=sessions, settings=settings)
    assert counts["delivered"] == 1
    (row,) = deliveries(sessions)
    assert row.status == "delivered"
    tries = attempts(sessions, row.id)
    assert [(t.ok, t.status_code) for t in tries] == [(False, None), (True, 200)]
    assert json.loads(receiver.received[0]["body"])["data"]["report_id"] == report_id


def test_backoff_doubles_and_a_delivery_fails_after_its_last_attempt(
    sessions, settings, receiver, file_report
):  # type: ignore[no-untyped-def]
    receiver.status = 503
    add(sessions, settings, event="report.received", webhook=receiver.url)
    file_report()
    gaps = []
    for _ in range(3):
        (row,) = deliveries(sessions)
        if row.next_attempt_at is not None:
            time.sleep(max(0.0, (row.next_attempt_at.timestamp() - time.time())) + 0.01)
        delivery.deliver_due(sessions=sessions, settings=settings)
        (row,) = deliveries(sessions)
        if row.next_attempt_at is not None:
            last = attempts(sessions, row.id)[-1]
            gaps.append((row.next_attempt_at - last.at).total_seconds())
    assert gaps == [0.05, 0.1]
    assert row.status == "failed"
    assert row.last_status_code == 503
    assert [t.status_code for t in attempts(sessions, row.id)] == [503, 503, 503]
    # A failed delivery is not sent again.
    assert delivery.deliver_due(sessions=sessions, settings=settings)["delivered"] == 0
    assert len(receiver.received) == 3


def test_a_slow_receiver_times_out_and_the_timeout_is_recorded(
    sessions, settings, receiver, file_report
):  # type: ignore[no-untyped-def]
    receiver.delay = 1.5  # alerts_timeout is 1 s
    add(sessions, settings, event="report.received", webhook=receiver.url)
    started = time.monotonic()
    file_report()
    assert time.monotonic() - started < 1.0  # storing the report never waits for the receiver
    delivery.deliver_due(sessions=sessions, settings=settings)
    (row,) = deliveries(sessions)
    assert row.status == "pending"
    (attempt,) = attempts(sessions, row.id)
    assert not attempt.ok
    assert "timeout" in attempt.error
    assert 900 <= attempt.duration_ms < 1500


def test_a_broken_alert_never_blocks_the_report(sessions, settings, file_report):  # type: ignore[no-untyped-def]
    add(sessions, settings, event="report.received", webhook="http://127.0.0.1:9/nothing")
    from marsad.alerts import matching

    original = matching.delivery_rows
    matching.delivery_rows = lambda *a, **k: [{"id": None}]  # an insert that must fail
    try:
        report_id = file_report()
    finally:
        matching.delivery_rows = original
    from marsad.reports.models import Report

    with sessions() as session:
        assert session.get(Report, report_id) is not None
    assert deliveries(sessions) == []


def test_digest_rules_hold_alerts_and_send_one_message_a_day(
    sessions, settings, outbox, receiver, file_report
):  # type: ignore[no-untyped-def]
    new = add(
        sessions,
        settings,
        event="report.received",
        email="daily@example.org",
        webhook=receiver.url,
        mode="digest",
    )
    ids = [file_report(), file_report(), file_report()]
    assert run_queued_jobs(sessions, settings) == []  # nothing is sent at once
    assert {row.status for row in deliveries(sessions)} == {"held"}

    with session_scope(sessions) as session:
        from marsad.core.jobs.catalog import registered_kinds
        from marsad.core.jobs.service import create_job

        job = create_job(
            session,
            kinds=registered_kinds(settings),
            kind="alerts.digest",
            params={},
            requested_by="t",
        )
    assert run_in_foreground(settings=settings, sessions=sessions, job_id=job.id) == "succeeded"

    (mail,) = outbox.glob("*.eml")
    text = message_from_bytes(mail.read_bytes(), policy=policy.default).get_body().get_content()
    assert all(report_id in text for report_id in ids)
    (hit,) = receiver.received
    document = json.loads(hit["body"])
    assert document["digest"] is True
    assert [e["data"]["report_id"] for e in document["events"]] == ids
    assert (
        hit["headers"]["X-Marsad-Signature"]
        == "sha256=" + hmac.new(new.secret.encode(), hit["body"], hashlib.sha256).hexdigest()
    )
    # A second digest run finds nothing left to fold.
    with session_scope(sessions) as session:
        assert service.make_digests(session) == []


def test_subscribers_receive_the_alert_at_their_own_address(
    sessions, settings, outbox, file_report, make_user
):  # type: ignore[no-untyped-def]
    from marsad.core import users

    make_user("mona", "analyst")
    new = add(sessions, settings, event="report.received")
    with session_scope(sessions) as session:
        rules.subscribe(
            session,
            rule_id=new.id,
            user=users.get_user(session, username="mona"),
            email="mona@example.org",
        )
    file_report()
    run_queued_jobs(sessions, settings)
    (mail,) = outbox.glob("*.eml")
    assert message_from_bytes(mail.read_bytes(), policy=policy.default)["To"] == "mona@example.org"


def test_two_runners_at_once_send_each_alert_once(sessions, settings, receiver, file_report):  # type: ignore[no-untyped-def]
    import threading

    add(sessions, settings, event="report.received", webhook=receiver.url)
    ids = {file_report() for _ in range(12)}
    runners = [
        threading.Thread(
            target=delivery.deliver_due, kwargs={"sessions": sessions, "settings": settings}
        )
        for _ in range(2)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    sent = [json.loads(hit["body"])["data"]["report_id"] for hit in receiver.received]
    assert sorted(sent) == sorted(ids)
    assert {row.status for row in deliveries(sessions)} == {"delivered"}


def test_a_failing_alerts_job_raises_no_alert_about_itself(sessions, settings):  # type: ignore[no-untyped-def]
    from marsad.core.events import emit

    add(sessions, settings, event="job.failed", email="ops@example.org")
    with session_scope(sessions) as session:
        emit(session, "job.failed", {"job_id": "j1", "kind": "alerts.deliver", "error": "x"})
        emit(session, "job.failed", {"job_id": "j2", "kind": "detect.run", "error": "x"})
    assert [row.payload["data"]["job_id"] for row in deliveries(sessions)] == ["j2"]


def test_a_delivery_left_sending_by_a_killed_runner_is_sent_once_its_lease_ends(
    sessions, settings, receiver, file_report
):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import update

    from marsad.core.db import utcnow

    add(sessions, settings, event="report.received", webhook=receiver.url)
    file_report()
    # What a runner killed while sending leaves behind: a claimed row, no attempt recorded.
    with session_scope(sessions) as session:
        session.execute(
            update(AlertDelivery).values(
                status="sending", lease_token="dead-runner", lease_until=utcnow() + timedelta(1)
            )
        )
    assert delivery.deliver_due(sessions=sessions, settings=settings)["delivered"] == 0
    assert receiver.received == []  # the lease still holds: nobody sends it twice at once
    with session_scope(sessions) as session:
        session.execute(update(AlertDelivery).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert delivery.deliver_due(sessions=sessions, settings=settings)["delivered"] == 1
    assert len(receiver.received) == 1
    (row,) = deliveries(sessions)
    assert (row.status, row.attempts, row.lease_token) == ("delivered", 1, None)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_demo_rules_turn_a_new_report_into_an_email_in_the_outbox(
    engine, sessions, settings, file_report
):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from marsad.alerts.delivery import deliver_due
    from marsad.alerts.plugin import marsad_demo_data
    from marsad.core.plugins import DemoContext

    context = DemoContext(settings=settings, engine=engine, sessions=sessions)
    assert marsad_demo_data(context) == ["alert rules added: 2 (e-mails go to the outbox folder)"]
    assert marsad_demo_data(context) == []  # loading again adds nothing
    file_report()
    deliver_due(sessions=sessions, settings=settings)
    (mail,) = Path(settings.mail.mail_outbox).glob("*.eml")
    assert b"desk@marsad.example" in mail.read_bytes()


def test_a_report_stored_in_a_savepoint_hands_its_alert_over_after_the_real_commit(
    sessions, settings, monkeypatch
):  # type: ignore[no-untyped-def]
    # The group-commit writer stores each report in a SAVEPOINT of one batch transaction.
    # Its delivery job must reach a runner only once committed, or the runner finds nothing.
    import marsad.core.jobs.runners as runners
    from tests.alerts.conftest import file_report_with

    add(sessions, settings, event="report.received", email="desk@example.org")
    seen: list[tuple[str, bool]] = []

    def visible_dispatch(*, settings, sessions, job_ids):  # type: ignore[no-untyped-def]
        with sessions() as other:  # another connection: sees only what is committed
            for job_id in job_ids:
                seen.append((job_id, other.get(Job, job_id) is not None))

    monkeypatch.setattr(runners, "dispatch", visible_dispatch)
    real_scope = session_scope

    def in_savepoint(factory):  # type: ignore[no-untyped-def]
        from contextlib import contextmanager

        @contextmanager
        def scope():  # type: ignore[no-untyped-def]
            with real_scope(factory) as session, session.begin_nested():
                yield session

        return scope()

    monkeypatch.setattr("tests.alerts.conftest.session_scope", in_savepoint)
    file_report_with(sessions, settings)
    assert seen and all(committed for _, committed in seen)
