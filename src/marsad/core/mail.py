"""The one mailer: every e-mail Marsad sends goes through :func:`send_mail`.

Two transports, chosen by settings (the ``mail`` section, ``MARSAD_MAIL_*``):

- **outbox** (demo, tests, a deployment that hands mail to another program):
  each message is written whole, as an RFC 5322 ``.eml`` file, into the folder
  ``MARSAD_MAIL_OUTBOX``. The file appears at once or not at all (written to a
  temporary name, then renamed), one file per message.
- **SMTP** (production): ``MARSAD_MAIL_SMTP_HOST`` and port, with STARTTLS or
  implicit TLS and an optional login.

With neither set, development and test installs fall back to ``DATA_DIR/outbox``;
production refuses to send (a ConfigError naming the settings), so mail is never
silently dropped.

Sending is blocking I/O: call it from a job or a worker thread, never on the
event loop. Messages are plain text with an optional HTML alternative; nothing
in them may be a reporter's contact, and the body is never logged.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from marsad.core.errors import ConfigError, InvalidInput

log = logging.getLogger(__name__)


class MailSettings(BaseSettings):
    """Where e-mail goes: an outbox folder or an SMTP server."""

    model_config = SettingsConfigDict(
        env_prefix="MARSAD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mail_outbox: Path | None = Field(
        None,
        description="Folder that receives every outgoing e-mail as one `.eml` file instead of "
        "sending it (demo, tests, or another program that delivers them). Empty with no SMTP "
        "host: `DATA_DIR/outbox` outside production.",
    )
    mail_from: str = Field(
        "Marsad <marsad@localhost>", description="Sender address of every e-mail Marsad sends."
    )
    mail_smtp_host: str = Field("", description="SMTP server that sends e-mail in production.")
    mail_smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    mail_smtp_username: str = Field("", description="SMTP login name; empty: no login.")
    mail_smtp_password: str = Field("", description="SMTP password (keep it out of files).")
    mail_smtp_security: str = Field(
        "starttls",
        pattern="^(starttls|tls|none)$",
        description="`starttls` (port 587), `tls` (implicit TLS, port 465) or `none` "
        "(only for a relay on the same machine).",
    )
    mail_smtp_timeout: float = Field(
        20, gt=0, description="Seconds to wait for the SMTP server before the send fails."
    )


@dataclass(frozen=True)
class Sent:
    """What :func:`send_mail` did: the Message-ID, and the outbox file if one was written."""

    message_id: str
    path: Path | None = None


class MailError(Exception):
    """The message could not be handed over (SMTP refused it, the server is down…).

    Jobs catch it, record ``reason`` and retry; the message is not half-sent.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _mail_settings(settings: Any) -> MailSettings:
    section = settings.section("mail") if hasattr(settings, "section") else None
    return section if isinstance(section, MailSettings) else MailSettings()


def outbox_folder(settings: Any) -> Path | None:
    """The outbox folder these settings write to, or None when mail goes out by SMTP."""
    mail = _mail_settings(settings)
    if mail.mail_outbox is not None:
        return Path(mail.mail_outbox)
    if mail.mail_smtp_host:
        return None
    if getattr(settings, "env", "dev") == "production":
        raise ConfigError(
            "MARSAD_MAIL_SMTP_HOST",
            "no way to send e-mail: set MARSAD_MAIL_SMTP_HOST (or MARSAD_MAIL_OUTBOX)",
        )
    return Path(settings.data_dir) / "outbox"


def build_message(
    settings: Any, *, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """The message as it will be sent; InvalidInput when the address cannot be one."""
    address = to.strip()
    if not address or "@" not in address or any(c in address for c in "\r\n,;<>"):
        raise InvalidInput("err_email_invalid", f"{to!r} is not an e-mail address", "email")
    mail = _mail_settings(settings)
    message = EmailMessage()
    message["From"] = mail.mail_from
    message["To"] = address
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="marsad.local")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _write_outbox(folder: Path, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = message.as_bytes()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".sending-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        name = message["Message-ID"].strip("<>").split("@", 1)[0] + ".eml"
        final = folder / name
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def _send_smtp(mail: MailSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    try:
        if mail.mail_smtp_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                mail.mail_smtp_host,
                mail.mail_smtp_port,
                timeout=mail.mail_smtp_timeout,
                context=context,
            )
        else:
            client = smtplib.SMTP(
                mail.mail_smtp_host, mail.mail_smtp_port, timeout=mail.mail_smtp_timeout
            )
        with client:
            if mail.mail_smtp_security == "starttls":
                client.starttls(context=context)
            if mail.mail_smtp_username:
                client.login(mail.mail_smtp_username, mail.mail_smtp_password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The reason names the server and the failure, never the message.
        raise MailError(
            f"SMTP {mail.mail_smtp_host}:{mail.mail_smtp_port}: {type(exc).__name__}: {exc}"[:300]
        ) from None


def send_mail(settings: Any, *, to: str, subject: str, text: str, html: str | None = None) -> Sent:
    """Send one message (blocking). MailError when the server refuses or cannot be reached."""
    message = build_message(settings, to=to, subject=subject, text=text, html=html)
    folder = outbox_folder(settings)
    if folder is not None:
        path = _write_outbox(folder, message)
        log.info("mail written to the outbox", extra={"message_id": message["Message-ID"]})
        return Sent(message["Message-ID"], path)
    _send_smtp(_mail_settings(settings), message)
    log.info("mail sent by SMTP", extra={"message_id": message["Message-ID"]})
    return Sent(message["Message-ID"])
