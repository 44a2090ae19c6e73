"""A webhook cannot point at the server's own machine or network unless that is allowed."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from marsad.alerts.models import AlertRule
from marsad.alerts.settings import AlertSettings
from marsad.core.errors import InvalidInput
from marsad.core.settings import Settings
from tests.alerts.receiver import Receiver, tls_for
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


def _resolve(monkeypatch, name: str, answers: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Make ``name`` resolve to each of ``answers`` in turn (the last one from then on), for
    every resolver in this process (the HTTP client's too); return the list of lookups."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != name:
            return real(host, port, *args, **kwargs)
        address = answers[min(len(asked), len(answers) - 1)]
        asked.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_dns_rebinding_after_the_check_reaches_nothing(
    sessions, settings, file_report, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The POST goes to the address that was checked: a second lookup is never made."""
    from marsad.alerts import destinations

    checked = Receiver().up()
    rebound = Receiver("127.0.0.2", checked.port).up()  # where a second lookup would lead
    try:
        name = "hooks.rebind.test"
        asked = _resolve(monkeypatch, name, ["127.0.0.1", "127.0.0.2"])
        # Here 127.0.0.1 stands for a public address (no test can listen on one) and every
        # other address is on the server's own network, as 127.0.0.2 really is.
        monkeypatch.setattr(destinations, "_blocked", lambda address: str(address) != "127.0.0.1")
        add(
            sessions,
            strict(settings),
            event="report.received",
            webhook=f"http://{name}:{checked.port}/hook",
        )
        file_report()
        run_queued_jobs(sessions, strict(settings))
    finally:
        checked.down()
        rebound.down()
    assert asked == ["127.0.0.1"]  # resolved once, to check; connected to what was checked
    assert rebound.received == []
    (request,) = checked.received
    assert request["headers"]["Host"] == f"{name}:{checked.port}"  # the name, not the address
    (row,) = deliveries(sessions)
    assert row.status == "delivered"


def test_tls_checks_the_certificate_for_the_name_while_connecting_to_the_address(
    sessions, settings, file_report, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    name = "hooks.pinned.test"
    context, ca_file = tls_for(name, tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # the client trusts the test CA
    receiver = Receiver(tls=context).up()
    try:
        asked = _resolve(monkeypatch, name, ["127.0.0.1"])
        add(
            sessions, settings, event="report.received", webhook=f"https://{name}:{receiver.port}/h"
        )
        file_report()
        run_queued_jobs(sessions, settings)
    finally:
        receiver.down()
    assert asked == ["127.0.0.1"]
    (row,) = deliveries(sessions)
    (attempt,) = attempts(sessions, row.id)
    # The certificate names the host, not 127.0.0.1: it was accepted, so it was checked
    # against the name, which the client also sent as the TLS server name.
    assert (attempt.ok, attempt.status_code, attempt.error) == (True, 200, None)
    assert receiver.server_names == [name]
    assert receiver.received[0]["headers"]["Host"] == f"{name}:{receiver.port}"


def test_a_name_that_does_not_resolve_is_not_left_to_the_client(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from marsad.alerts.destinations import Unsendable, checked_addresses

    def nowhere(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nowhere)
    for allowed in (False, True):
        with pytest.raises(Unsendable, match="'gone.example' does not resolve"):
            checked_addresses("gone.example", 443, allow_private=allowed)
