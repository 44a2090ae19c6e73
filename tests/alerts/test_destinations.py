"""A webhook cannot point at the server's own machine or network unless that is allowed."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from marsad.alerts.models import AlertRule
from marsad.alerts.settings import AlertSettings
from marsad.core.errors import InvalidInput
from marsad.core.settings import Settings
from tests.alerts.test_delivery import add, attempts, deliveries, run_queued_jobs

LOCAL = [
    "http://127.0.0.1:6379/",
    "http://localhost:8000/hook",
    "http://LOCALHOST./hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0:9200/",
    "https://100.64.0.1/",
]


def strict(settings: Settings) -> Settings:
    """The same settings with the default: private webhooks refused."""
    alerts = settings.section("alerts").model_copy(update={"alerts_allow_private_webhooks": False})
    return Settings(
        env=settings.env,
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key=settings.secret_key,
        mail=settings.section("mail"),
        alerts=alerts,
    )


def test_private_webhooks_are_refused_unless_allowed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS")
    assert AlertSettings(_env_file=None).alerts_allow_private_webhooks is False
    monkeypatch.setenv("MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS", "true")
    assert AlertSettings(_env_file=None).alerts_allow_private_webhooks is True


@pytest.mark.parametrize("url", LOCAL)
def test_a_rule_to_a_local_address_is_refused_and_nothing_stored(sessions, settings, url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        add(sessions, strict(settings), event="report.received", webhook=url)
    assert refused.value.code == "err_alert_webhook_private"
    assert refused.value.where == "webhook"
    with sessions() as session:
        assert session.execute(select(AlertRule)).first() is None


def test_public_addresses_and_allowed_private_ones_are_accepted(sessions, settings) -> None:  # type: ignore[no-untyped-def]
    add(sessions, strict(settings), event="report.received", webhook="https://hooks.example.org/T")
    add(sessions, settings, event="report.received", webhook="http://10.0.0.5/hook")  # allowed
    with sessions() as session:
        assert len(session.execute(select(AlertRule)).all()) == 2


def test_a_name_resolving_to_this_machine_is_refused_when_sending(
    sessions, settings, receiver, file_report
) -> None:  # type: ignore[no-untyped-def]
    name = socket.gethostname()
    found = {info[4][0] for info in socket.getaddrinfo(name, receiver.port)}
    assert found and all(a.startswith(("127.", "::1", "10.", "172.", "192.168.")) for a in found)
    # A name is not resolved when the rule is added (that could block or fail offline) ...
    add(
        sessions,
        strict(settings),
        event="report.received",
        webhook=f"http://{name}:{receiver.port}/hook",
    )
    file_report()
    run_queued_jobs(sessions, strict(settings))
    # ... but when an alert is sent: nothing reached the receiver on this machine.
    assert receiver.received == []
    (row,) = deliveries(sessions)
    (attempt,) = attempts(sessions, row.id)
    assert not attempt.ok and attempt.status_code is None
    assert attempt.error.startswith("refused: ") and "MARSAD_ALERTS_ALLOW_PRIVATE_WEBHOOKS" in (
        attempt.error
    )
    # Allowed (an internal receiver), the retry goes through.
    with sessions() as session:
        due = session.get(type(row), row.id)
        due.next_attempt_at = due.created_at
        session.commit()
    from marsad.alerts import delivery

    assert delivery.deliver_one(sessions, settings, row.id) is not None
    assert len(receiver.received) == 1
