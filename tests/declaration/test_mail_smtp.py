"""The confirmation mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from marsad.core.mail import MailSettings
from marsad.core.settings import Settings

from .conftest import run_queued

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: ARG002, N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def settings(tmp_path, db_url, smtp):  # type: ignore[no-untyped-def]
    from tests.conftest import TEST_SECRET

    return Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key=TEST_SECRET,
        mail=MailSettings(
            mail_smtp_host="127.0.0.1", mail_smtp_port=smtp[0], mail_smtp_security="none"
        ),
    )


def test_the_confirmation_link_arrives_by_smtp_in_the_signers_language(
    client, settings, sessions, smtp
) -> None:
    _port, inbox = smtp
    body = {
        "name": "Karwan Aziz",
        "group": "media",
        "email": "karwan@example.org",
        "accounts": [],
    }
    response = client.post("/api/v1/declarations/iraq-2021/signatures?lang=ckb", json=body)
    assert response.status_code == 202
    [job] = run_queued(sessions, settings, "declaration.mail")
    assert job.status == "succeeded", job.error_message
    [(rcpt, raw)] = inbox.messages
    assert rcpt == ["karwan@example.org"]
    message = email.message_from_bytes(raw, policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "سوپاس" in text  # Kurdish: the language the form was read in
    [link] = [w for w in text.split() if "/confirm/" in w]
    assert link.startswith("http://testserver/declarations/iraq-2021/confirm/")
    assert client.get(urlsplit(link).path).status_code == 200
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 1


def test_a_server_that_is_down_fails_the_job_and_confirms_nothing(
    client, settings, sessions, smtp
) -> None:
    port, inbox = smtp
    down = Settings(
        **settings.model_dump(exclude={"mail"}),
        mail=MailSettings(mail_smtp_host="127.0.0.1", mail_smtp_port=1, mail_smtp_security="none"),
    )
    body = {"name": "Karwan Aziz", "group": "media", "email": "karwan@example.org"}
    assert client.post("/api/v1/declarations/iraq-2021/signatures", json=body).status_code == 202
    [job] = run_queued(sessions, down, "declaration.mail")
    assert job.status in ("queued", "failed")  # retried later, or failed after its attempts
    assert "SMTP 127.0.0.1:1" in (job.error_message or "")
    assert inbox.messages == [] and port != 1
    assert client.get("/api/v1/declarations/iraq-2021/signatories").json()["count"] == 0
