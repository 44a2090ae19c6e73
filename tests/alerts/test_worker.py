"""``alerts.deliver`` on a real ``marsad worker`` (Celery on Redis, PostgreSQL).

A report filed in this process queues the delivery job in its own
transaction; the job reaches the worker through the broker after commit, and
the worker POSTs the signed alert to a receiver on loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from marsad.alerts import rules
from marsad.alerts.models import AlertAttempt, AlertDelivery
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.security import FieldCipher
from marsad.reports import service as reports
from marsad.reports.settings import ReportSettings
from tests.core.jobs.test_jobs_workers import (  # noqa: F401 - fixtures
    broker_url,
    pg_url,
    setup,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("broker_url", ["redis"], indirect=True),
]


def test_a_worker_sends_the_alert_of_a_report_filed_here(setup, receiver) -> None:  # noqa: F811
    settings, _engine, sessions, workers = setup
    workers.env["MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS"] = "true"  # the receiver is on loopback
    with session_scope(sessions) as session:
        new = rules.add_rule(
            session,
            settings=settings,
            event="report.received",
            webhook=receiver.url,
            actor="tester",
        )
    workers.start()
    wait_until(lambda: " ready." in workers.logs(), 60, "a ready worker", workers)

    cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
    with session_scope(sessions) as session:
        done = reports.submit_report(
            session,
            submission=reports.Submission(
                title="Threats", category="threat", contact="me@example.org"
            ),
            channel="web",
            cipher=cipher,
            settings=ReportSettings(),
            blobs=BlobStore.from_settings(settings),
        )
    wait_until(lambda: len(receiver.received) == 1, 60, "the webhook to be called", workers)
    hit = receiver.received[0]
    assert json.loads(hit["body"])["data"]["report_id"] == done.id
    signed = hmac.new(new.secret.encode(), hit["body"], hashlib.sha256).hexdigest()
    assert hit["headers"]["X-Marsad-Signature"] == f"sha256={signed}"
    assert b"me@example.org" not in hit["body"]

    def recorded() -> bool:
        with sessions() as session:
            row = session.execute(select(AlertDelivery)).scalar_one()
            tries = session.execute(select(AlertAttempt)).scalars().all()
            return row.status == "delivered" and len(tries) == 1 and tries[0].status_code == 200

    wait_until(recorded, 30, "the attempt to be recorded", workers)
