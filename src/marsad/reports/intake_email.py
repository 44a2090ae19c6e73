"""Reports by e-mail: .eml files and an IMAP mailbox, through the one intake function.

Each message becomes one report (subject → title, text → description, Date →
when it happened, sender → the reporter's contact, sealed like any other;
attachments → evidence files, checked by content and cleaned like uploads) or
is rejected with a stable code and a reason. Real mail is messy: broken
encodings, unknown charsets, missing headers. Each header and part is read
on its own and falls back to a lenient decoding, so one bad part never
loses the rest, and one bad message never stops a batch.

Nothing about a message's sender is logged.
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import html
import imaplib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope, utcnow
from marsad.core.errors import InvalidInput
from marsad.core.security import FieldCipher
from marsad.core.text import interface_language as guess_language
from marsad.reports import categories, service
from marsad.reports.files import CleanFile, Upload, check_upload
from marsad.reports.settings import ReportSettings

log = logging.getLogger(__name__)
SLUG_IN_SUBJECT = re.compile(r"\[([a-z_]{3,40})\]")


@dataclass
class ParsedEmail:
    """What a message says, decoded as well as it can be."""

    subject: str = ""
    sender: str | None = None
    date: datetime | None = None
    text: str = ""
    attachments: list[Upload] = field(default_factory=list)
    automatic: bool = False


@dataclass
class EmailOutcome:
    """One message's fate: accepted as a report, or rejected with a reason."""

    source: str
    status: str
    report_id: str | None = None
    receipt: str | None = None
    code: str | None = None
    reason: str | None = None
    files: int = 0
    skipped_files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"source": self.source, "status": self.status}
        if self.status == "accepted":
            body.update(id=self.report_id, receipt=self.receipt, files=self.files)
        else:
            body.update(error=self.code, reason=self.reason)
        if self.skipped_files:
            body["skipped_files"] = self.skipped_files
        return body


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:  # noqa: ARG002
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body."""
    parser = _TextOnly()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001 - malformed HTML: fall back to stripping tags
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return "".join(parser.parts)


def _header(msg: Message, name: str) -> str:
    """A header as text, whatever its encoding problems."""
    try:
        value = msg.get(name)
        if value is None:
            return ""
        return str(value)
    except Exception:  # noqa: BLE001 - a broken header must not lose the message
        raw = msg.get_all(name, failobj=[""])  # type: ignore[arg-type]
        try:
            return str(make_header(decode_header(str(raw[0]))))
        except Exception:  # noqa: BLE001
            return str(raw[0]).encode("ascii", "replace").decode()


def _decode(payload: bytes, charset: str | None) -> str:
    for name in (charset, "utf-8", "cp1256", "latin-1"):
        if not name:
            continue
        try:
            return payload.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - an undecodable transfer encoding
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return _decode(payload, charset)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name:
        try:
            return str(make_header(decode_header(name)))
        except Exception:  # noqa: BLE001
            return name
    return None


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:  # noqa: BLE001
        return ""


def parse_email(raw: bytes) -> ParsedEmail:
    """Read a message leniently: subject, sender, date, text and attachments."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    parsed = ParsedEmail()
    parsed.subject = " ".join(_header(msg, "subject").split())
    addresses = getaddresses([_header(msg, "from")])
    sender = next((addr for _name, addr in addresses if "@" in addr), None)
    parsed.sender = sender or (_header(msg, "from").strip()[:300] or None)
    try:
        parsed.date = parsedate_to_datetime(_header(msg, "date"))
        if parsed.date.tzinfo is None:
            parsed.date = None
    except (TypeError, ValueError, IndexError):
        parsed.date = None
    content_type = msg.get_content_type()
    auto = _header(msg, "auto-submitted").strip().lower()
    parsed.automatic = content_type == "multipart/report" or (auto not in ("", "no"))
    plain: list[str] = []
    markup: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = _filename(part)
        if name or _disposition(part) == "attachment" or not kind.startswith("text/"):
            if kind == "message/rfc822":
                continue
            try:
                data = part.get_payload(decode=True) or b""
            except Exception:  # noqa: BLE001
                data = b""
            if data:
                parsed.attachments.append(
                    Upload(filename=name or "attachment", data=data, content_type=kind)
                )
            continue
        text = _part_text(part)
        (markup if kind == "text/html" else plain).append(text)
    body = "\n\n".join(t.strip() for t in plain if t.strip())
    if not body and markup:
        body = "\n\n".join(html_to_text(t).strip() for t in markup)
    parsed.text = re.sub(r"\n{3,}", "\n\n", body).strip()
    return parsed


def source_ref(raw: bytes) -> str:
    """The digest that makes one message one report, however often it is ingested."""
    return "email:" + hashlib.sha256(raw).hexdigest()


def ingest_email(
    session: Session,
    *,
    raw: bytes,
    source: str,
    cipher: FieldCipher,
    settings: ReportSettings,
    blobs: BlobStore,
    zone: str = "Asia/Baghdad",
) -> EmailOutcome:
    """Turn one message into a report, or say why not. Raises nothing for bad mail."""
    try:
        parsed = parse_email(raw)
    except Exception as exc:  # noqa: BLE001 - mail from strangers: record, never crash
        log.warning("unreadable e-mail %s: %s", source, type(exc).__name__)
        return EmailOutcome(source, "rejected", code="err_email_unreadable", reason="unreadable")
    if parsed.automatic:
        return EmailOutcome(
            source,
            "rejected",
            code="err_email_automatic",
            reason="an automatic message (delivery report or auto-reply), not a report",
        )
    outcome = EmailOutcome(source, "accepted")
    files: list[CleanFile] = []
    for upload in parsed.attachments:
        if len(files) >= settings.reports_max_files:
            outcome.skipped_files.append(f"{upload.filename}: too many files")
            continue
        try:
            files.append(
                check_upload(
                    upload,
                    max_bytes=settings.max_file_bytes,
                    max_pixels=settings.reports_max_image_pixels,
                )
            )
        except InvalidInput as exc:
            outcome.skipped_files.append(f"{upload.filename}: {exc.code}")
    if not parsed.subject and not parsed.text and not files:
        return EmailOutcome(
            source, "rejected", code="err_email_empty", reason="no subject, text or usable file"
        )
    first_line = next((line.strip() for line in parsed.text.splitlines() if line.strip()), "")
    title = (parsed.subject or first_line[:120] or "(e-mail)")[: service.MAX_TITLE]
    match = SLUG_IN_SUBJECT.search(parsed.subject.lower())
    category = "other"
    if match:
        try:
            category = categories.get_category(session, slug=match.group(1)).slug
        except InvalidInput:
            category = "other"
    when = (
        parsed.date
        if parsed.date and parsed.date <= utcnow() and parsed.date.year >= 1990
        else None
    )
    submission = service.Submission(
        title=title,
        description=parsed.text[: service.MAX_DESCRIPTION],
        category=category,
        occurred_at=when,
        contact=(parsed.sender or "")[: service.MAX_CONTACT] or None,
        language=guess_language(parsed.subject + " " + parsed.text),
    )
    try:
        done = service.submit_report(
            session,
            submission=submission,
            channel="email",
            cipher=cipher,
            settings=settings,
            blobs=blobs,
            zone=zone,
            source_ref=source_ref(raw),
            extra_files=files,
        )
    except InvalidInput as exc:
        return EmailOutcome(source, "rejected", code=exc.code, reason=exc.message)
    outcome.report_id, outcome.receipt, outcome.files = done.id, done.receipt, len(files)
    return outcome


def ingest_many(
    sessions: sessionmaker[Session],
    items: Iterable[tuple[str, bytes]],
    *,
    cipher: FieldCipher,
    settings: ReportSettings,
    blobs: BlobStore,
    zone: str = "Asia/Baghdad",
    on_done: Callable[[EmailOutcome], None] | None = None,
) -> list[EmailOutcome]:
    """Ingest messages one transaction each; a failure is recorded and the batch goes on."""
    outcomes = []
    for source, raw in items:
        try:
            with session_scope(sessions) as session:
                outcome = ingest_email(
                    session,
                    raw=raw,
                    source=source,
                    cipher=cipher,
                    settings=settings,
                    blobs=blobs,
                    zone=zone,
                )
                if outcome.status != "accepted":
                    session.rollback()
        except Exception as exc:  # noqa: BLE001 - isolate each message (STYLE rule 9)
            log.exception("e-mail %s failed", source)
            outcome = EmailOutcome(
                source, "rejected", code="err_internal", reason=type(exc).__name__
            )
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes


def poll_imap(
    sessions: sessionmaker[Session],
    *,
    settings: ReportSettings,
    cipher: FieldCipher,
    blobs: BlobStore,
    zone: str = "Asia/Baghdad",
    connect: Callable[[str, int], Any] = imaplib.IMAP4_SSL,
) -> list[EmailOutcome]:
    """Read unseen messages from the reports mailbox, ingest each, mark it seen.

    A message is marked seen only after its outcome is stored (accepted, or
    rejected for a reason): a crash in between leaves it unseen for the next run.
    """
    if not settings.imap_host:
        raise InvalidInput(
            "err_imap_off", "set MARSAD_IMAP_HOST to poll a mailbox", "MARSAD_IMAP_HOST"
        )
    box = connect(settings.imap_host, settings.imap_port)
    try:
        box.login(settings.imap_user, settings.imap_password)
        box.select(settings.imap_folder)
        _typ, data = box.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()
        outcomes = []
        for uid in uids:
            _typ, fetched = box.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), b"")
            name = f"imap:{settings.imap_folder}/{uid.decode()}"
            [outcome] = ingest_many(
                sessions,
                [(name, raw)],
                cipher=cipher,
                settings=settings,
                blobs=blobs,
                zone=zone,
            )
            outcomes.append(outcome)
            if outcome.code != "err_internal":
                box.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        return outcomes
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            box.logout()
