"""Sending deliveries: webhook POSTs signed with the rule's secret, and e-mail.

1. **Claim** due deliveries one by one with a conditional UPDATE that sets a
   lease (``sending`` until ``lease_until``): of two runners, one sends each.
2. **Send** (network I/O, outside any transaction), a few at a time, so one
   slow receiver does not hold up the others.
3. **Record** the attempt (status code or error, duration) and what follows:
   delivered; pending again after ``alerts_retry_base × 2^(attempts-1)``
   seconds; or failed once ``alerts_max_attempts`` are spent.

A runner killed between 2 and 3 leaves the lease to run out; the delivery is
then sent again. Receivers see each delivery's id in ``X-Marsad-Delivery``
and can drop a repeat: nothing is lost, and a repeat can be recognised.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.alerts.destinations import Unsendable, checked_addresses
from marsad.alerts.models import AlertAttempt, AlertDelivery, AlertRule
from marsad.alerts.rules import rule_secret
from marsad.alerts.settings import alert_settings
from marsad.core.db import new_id, session_scope, utcnow
from marsad.core.i18n import gettext as _
from marsad.core.i18n import ngettext
from marsad.core.mail import MailError, send_mail

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Marsad-Signature"
PARALLEL = 4  # deliveries sent at once by one job
BATCH = 50


def body_bytes(document: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body under the secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Claimed:
    id: str
    token: str
    rule_id: str
    event: str
    channel: str
    target: str
    payload: dict[str, Any]
    attempts: int
    secret: str | None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0


def _due(now: datetime) -> Any:
    return or_(
        and_(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now),
        and_(AlertDelivery.status == "sending", AlertDelivery.lease_until < now),
    )


def _claim(
    sessions: sessionmaker[Session], settings: Any, delivery_id: str, now: datetime
) -> Claimed | None:
    conf = alert_settings(settings)
    token = new_id()
    lease = now + timedelta(seconds=conf.alerts_timeout * 3 + 30)
    with session_scope(sessions) as session:
        taken = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == delivery_id, _due(now))
            .values(status="sending", lease_token=token, lease_until=lease)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != 1:
            return None
        row = session.get(AlertDelivery, delivery_id)
        rule = session.get(AlertRule, row.rule_id) if row is not None else None
        if row is None or rule is None:
            return None
        secret = rule_secret(rule, settings) if row.channel == "webhook" else None
        return Claimed(
            id=row.id,
            token=token,
            rule_id=row.rule_id,
            event=row.event,
            channel=row.channel,
            target=row.target,
            payload=dict(row.payload or {}),
            attempts=row.attempts,
            secret=secret,
        )


def document_for(claim: Claimed) -> dict[str, Any]:
    """What a receiver gets: the delivery's id, its rule, and the alert (or the digest's alerts)."""
    document = {"delivery_id": claim.id, "rule_id": claim.rule_id, "event": claim.event}
    document.update(claim.payload)
    return document


def _post_pinned(
    url: httpx.URL, addresses: list[str], *, body: bytes, headers: dict[str, str], timeout: float
) -> httpx.Response:
    """POST to ``url`` over a connection to one of ``addresses``, tried in order.

    The name is not resolved again: the URL given to the client holds the
    address, while the Host header and TLS (the SNI and the certificate checked)
    keep the name, as if the client had resolved it to that address itself. An
    explicit transport leaves HTTP(S)_PROXY out, since a proxy would resolve the
    name again; SSL_CERT_FILE still counts.
    """
    host = url.raw_host.decode("ascii")
    headers = {**headers, "Host": url.netloc.decode("ascii")}
    with httpx.Client(
        transport=httpx.HTTPTransport(), timeout=timeout, follow_redirects=False
    ) as client:
        for number, address in enumerate(addresses, start=1):
            try:
                return client.post(
                    url.copy_with(host=address),
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": host},
                )
            except (httpx.ConnectError, httpx.ConnectTimeout):
                if number == len(addresses):  # as a client resolving the name would
                    raise
    raise httpx.ConnectError(f"{host!r} resolves to no address")


def _send_webhook(claim: Claimed, timeout: float, allow_private: bool = False) -> Outcome:
    try:
        url = httpx.URL(claim.target)
    except httpx.InvalidURL as exc:
        return Outcome(False, None, f"InvalidURL: {exc}"[:300], 0)
    try:
        # Resolved and checked now (a name may resolve elsewhere than when the rule was
        # added), and connected to at what was checked (not resolved again: DNS rebinding).
        addresses = checked_addresses(
            url.raw_host.decode("ascii"),
            url.port or (443 if url.scheme == "https" else 80),
            allow_private=allow_private,
        )
    except Unsendable as exc:
        return Outcome(False, None, str(exc)[:300], 0)
    body = body_bytes(document_for(claim))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Marsad-Alerts",
        SIGNATURE_HEADER: signature(claim.secret or "", body),
        "X-Marsad-Event": claim.event,
        "X-Marsad-Delivery": claim.id,
    }
    start = time.monotonic()
    try:
        response = _post_pinned(url, addresses, body=body, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return Outcome(False, None, f"no answer within {timeout:g} s (timeout)", _ms(start))
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:300], _ms(start))
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, None, _ms(start))
    return Outcome(
        False, response.status_code, f"the receiver answered {response.status_code}", _ms(start)
    )


def _lines(document: dict[str, Any]) -> list[str]:
    lines = [f"{document.get('event', '')}  {document.get('at', '')}"]
    for key, value in sorted((document.get("data") or {}).items()):
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        lines.append(f"  {key}: {shown}")
    return lines


def email_text(claim: Claimed) -> tuple[str, str]:
    """Subject and body of an alert e-mail (identifiers and labels only)."""
    events = claim.payload.get("events")
    if events is not None:
        subject = ngettext(
            "Marsad: %(count)s alert (%(event)s)",
            "Marsad: %(count)s alerts (%(event)s)",
            len(events),
        ) % {
            "count": len(events),
            "event": claim.event,
        }
        lines = [_("Daily digest of alert %(rule)s") % {"rule": claim.rule_id}, ""]
        for item in events:
            lines.extend([*_lines(item), ""])
    else:
        subject = _("Marsad alert: %(event)s") % {"event": claim.event}
        lines = [_("Alert %(rule)s") % {"rule": claim.rule_id}, "", *_lines(claim.payload)]
        if claim.payload.get("test"):
            lines.insert(0, _("This is a test of the alert."))
    lines += ["", _("Delivery %(id)s") % {"id": claim.id}]
    return subject, "\n".join(lines)


def _send_email(claim: Claimed, settings: Any) -> Outcome:
    subject, text = email_text(claim)
    start = time.monotonic()
    try:
        send_mail(settings, to=claim.target, subject=subject, text=text)
    except MailError as exc:
        return Outcome(False, None, exc.reason, _ms(start))
    except Exception as exc:  # noqa: BLE001 - recorded on the attempt, retried
        return Outcome(False, None, type(exc).__name__, _ms(start))
    return Outcome(True, None, None, _ms(start))


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def send(claim: Claimed, settings: Any) -> Outcome:
    """One attempt at one delivery (blocking network I/O)."""
    if claim.channel == "webhook":
        conf = alert_settings(settings)
        return _send_webhook(claim, conf.alerts_timeout, conf.alerts_allow_private_webhooks)
    return _send_email(claim, settings)


def backoff(settings: Any, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    return alert_settings(settings).alerts_retry_base * 2 ** max(0, attempts - 1)


def _record(
    sessions: sessionmaker[Session], settings: Any, claim: Claimed, outcome: Outcome
) -> str:
    conf = alert_settings(settings)
    attempts = claim.attempts + 1
    now = utcnow()
    if outcome.ok:
        status, next_at = "delivered", None
    elif attempts >= conf.alerts_max_attempts:
        status, next_at = "failed", None
    else:
        status, next_at = "pending", now + timedelta(seconds=backoff(settings, attempts))
    with session_scope(sessions) as session:
        written = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id == claim.id, AlertDelivery.lease_token == claim.token)
            .values(
                status=status,
                attempts=attempts,
                next_attempt_at=next_at,
                lease_token=None,
                lease_until=None,
                last_status_code=outcome.status_code,
                last_error=outcome.error,
                delivered_at=now if outcome.ok else None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if written != 1:
            return "lost"  # the lease ran out and another runner took it over
        session.add(
            AlertAttempt(
                delivery_id=claim.id,
                at=now,
                ok=outcome.ok,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
    if not outcome.ok:
        # The target is the staff's own receiver; the error names the failure only.
        log.warning("alert delivery %s failed (attempt %d): %s", claim.id, attempts, outcome.error)
    return status


def deliver_one(sessions: sessionmaker[Session], settings: Any, delivery_id: str) -> str | None:
    """Claim, send and record one delivery if it is due; its new status (None: not due)."""
    claim = _claim(sessions, settings, delivery_id, utcnow())
    if claim is None:
        return None
    return _record(sessions, settings, claim, send(claim, settings))


def due_ids(
    session: Session, *, now: datetime, ids: list[str] | None = None, limit: int = BATCH
) -> list[str]:
    query = (
        select(AlertDelivery.id)
        .where(_due(now))
        .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
        .limit(limit)
    )
    if ids:
        query = query.where(AlertDelivery.id.in_(ids))
    return list(session.execute(query).scalars())


def deliver_due(
    *,
    sessions: sessionmaker[Session],
    settings: Any,
    ids: list[str] | None = None,
    should_stop: Any = None,
) -> dict[str, int]:
    """Send every delivery due now (or those of ``ids``); count what became of them."""
    counts: dict[str, int] = {"delivered": 0, "pending": 0, "failed": 0}
    seen: set[str] = set()
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="marsad-alerts") as pool:
        while True:
            with sessions() as session:
                batch = [i for i in due_ids(session, now=utcnow(), ids=ids) if i not in seen]
            if not batch:
                break
            seen.update(batch)
            for status in pool.map(lambda i: deliver_one(sessions, settings, i), batch):
                if status in counts:
                    counts[status] += 1
            if should_stop is not None and should_stop():
                break
    return counts


def recent_deliveries(
    session: Session, *, limit: int = 50, rule_id: str | None = None
) -> list[Any]:
    """The newest deliveries (digest items waiting are included), with their attempts."""
    query = select(AlertDelivery).order_by(AlertDelivery.created_at.desc(), AlertDelivery.id)
    if rule_id:
        query = query.where(AlertDelivery.rule_id == rule_id)
    return list(session.execute(query.limit(limit)).scalars())


def attempts_of(session: Session, *, delivery_ids: list[str]) -> dict[str, list[AlertAttempt]]:
    found: dict[str, list[AlertAttempt]] = {i: [] for i in delivery_ids}
    if not delivery_ids:
        return found
    rows = session.execute(
        select(AlertAttempt)
        .where(AlertAttempt.delivery_id.in_(delivery_ids))
        .order_by(AlertAttempt.at, AlertAttempt.id)
    ).scalars()
    for row in rows:
        found[row.delivery_id].append(row)
    return found


def delivery_public(row: AlertDelivery, attempts: list[AlertAttempt]) -> dict[str, Any]:
    """What the CLI, API and page show of a delivery."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": row.id,
        "rule_id": row.rule_id,
        "event": row.event,
        "channel": row.channel,
        "target": row.target,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": iso(row.next_attempt_at),
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "created_at": iso(row.created_at),
        "delivered_at": iso(row.delivered_at),
        "tries": [
            {
                "at": iso(a.at),
                "ok": a.ok,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in attempts
        ],
    }
