"""Alert rules: checking, adding, listing, removing, and staff subscriptions to them.

Everything a rule holds is checked before anything is stored: an unknown event,
a filter key the event does not carry, a webhook URL that is not http(s), an
address that cannot be one. Each change is audited (the secret never is).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.alerts.destinations import check_host
from marsad.alerts.models import MODES, AlertRule, AlertSubscription
from marsad.alerts.settings import alert_settings
from marsad.core import audit
from marsad.core.db import new_id
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.events import EVENT_NAMES
from marsad.core.models import User
from marsad.core.security import FieldCipher

# Filter key → the payload key it is matched against, per event. A payload key
# holding a list (watchlists, entities) matches when any of its items does.
FILTER_KEYS: dict[str, dict[str, str]] = {
    "report.received": {"category": "category", "governorate": "governorate"},
    "flag.created": {
        "label": "labels",
        "severity": "severity",
        "watchlist": "watchlists",
        "account": "account",
        "actor": "actor",
    },
    "coordination.group_found": {"method": "method"},
    "connectivity.outage": {"scope": "scope", "entity": "entities"},
    "job.failed": {"kind": "kind"},
}
EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


@dataclass(frozen=True)
class NewRule:
    """A rule just added: its id, and its webhook secret (shown this once)."""

    id: str
    secret: str


def check_event(event: str) -> str:
    """The event name, or InvalidInput listing the known ones."""
    if event not in EVENT_NAMES:
        raise InvalidInput(
            "err_alert_event_unknown",
            f"there is no event {event!r}; events: {', '.join(EVENT_NAMES)}",
            "on",
        )
    return event


def parse_filters(event: str, items: list[str] | dict[str, Any] | None) -> dict[str, list[str]]:
    """``["label=hate", "label=threat", "severity=high"]`` → ``{"label": [...], ...}``, checked."""
    pairs: list[tuple[str, str]] = []
    if isinstance(items, dict):
        for key, value in items.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((str(key), str(v)) for v in values)
    else:
        for item in items or []:
            key, sep, value = str(item).partition("=")
            if not sep or not key.strip() or not value.strip():
                raise InvalidInput(
                    "err_alert_filter_invalid",
                    f"filter {item!r} is not KEY=VALUE",
                    "filter",
                )
            pairs.append((key.strip(), value.strip()))
    allowed = FILTER_KEYS[event]
    filters: dict[str, list[str]] = {}
    for key, value in pairs:
        if key not in allowed:
            keys = ", ".join(sorted(allowed)) or "none"
            raise InvalidInput(
                "err_alert_filter_key",
                f"event {event!r} cannot be filtered on {key!r}; its filter keys: {keys}",
                f"filter.{key}",
            )
        if value and value not in filters.setdefault(key, []):
            filters[key].append(value[:200])
    return filters


def check_email(address: str | None, where: str = "email") -> str | None:
    """The address stripped, None when empty, or InvalidInput when it cannot be one."""
    if address is None or not address.strip():
        return None
    address = address.strip()
    if len(address) > 254 or not EMAIL_RE.match(address):
        raise InvalidInput("err_email_invalid", f"{address!r} is not an e-mail address", where)
    return address


def check_webhook(url: str | None, *, allow_private: bool = False) -> str | None:
    """The URL, None when empty, or InvalidInput unless it is an http(s) URL with a host.

    Without ``allow_private``, a host that is a loopback or private address, or
    ``localhost``, is refused too (:mod:`marsad.alerts.destinations`).
    """
    if url is None or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
        raise InvalidInput(
            "err_alert_webhook_invalid",
            f"{url!r} is not an http:// or https:// URL",
            "webhook",
        )
    if any(c in url for c in " \r\n\t"):
        raise InvalidInput(
            "err_alert_webhook_invalid",
            f"{url!r} is not an http(s) URL (it holds spaces)",
            "webhook",
        )
    if not allow_private:
        check_host(parts.hostname)
    return url


def mask_url(url: str | None) -> str | None:
    """``https://hooks.example.org/T0K3N?key=…`` → ``https://hooks.example.org/…``."""
    if not url:
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def _cipher(settings: Any) -> FieldCipher:
    return FieldCipher.from_settings(settings.field_key, settings.secret())


def rule_secret(rule: AlertRule, settings: Any) -> str:
    """The rule's webhook secret, unsealed (for signing)."""
    return _cipher(settings).decrypt(rule.secret_sealed, context=f"alert:{rule.id}")


def add_rule(
    session: Session,
    *,
    settings: Any,
    event: str,
    filters: list[str] | dict[str, Any] | None = None,
    email: str | None = None,
    webhook: str | None = None,
    mode: str = "immediate",
    actor: str,
) -> NewRule:
    """Check and store one rule; return its id and secret. Nothing is stored on bad input."""
    event = check_event(event)
    parsed = parse_filters(event, filters)
    address = check_email(email)
    allow_private = alert_settings(settings).alerts_allow_private_webhooks
    url = check_webhook(webhook, allow_private=allow_private)
    if mode not in MODES:
        raise InvalidInput(
            "err_alert_mode_invalid", f"{mode!r} is not a mode; use {' or '.join(MODES)}", "mode"
        )
    rule_id = new_id()
    secret = secrets.token_hex(32)
    rule = AlertRule(
        id=rule_id,
        event=event,
        filters=parsed,
        email=address,
        webhook_url=url,
        secret_sealed=_cipher(settings).encrypt(secret, context=f"alert:{rule_id}"),
        mode=mode,
        created_by=actor,
    )
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="alert.rule_added",
        subject_type="alert_rule",
        subject_id=rule_id,
        details={"event": event, "mode": mode, "email": bool(address), "webhook": bool(url)},
    )
    from marsad.alerts.matching import forget_rules

    forget_rules()
    return NewRule(rule_id, secret)


def get_rule(session: Session, *, rule_id: str) -> AlertRule:
    """The rule with this id, or NotFound."""
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound("err_alert_not_found", f"there is no alert rule {rule_id!r}", "id")
    return rule


def list_rules(session: Session) -> list[AlertRule]:
    """Every rule, newest first."""
    return list(
        session.execute(
            select(AlertRule).order_by(AlertRule.created_at.desc(), AlertRule.id)
        ).scalars()
    )


def subscriptions(session: Session, *, rule_id: str) -> list[AlertSubscription]:
    return list(
        session.execute(
            select(AlertSubscription)
            .where(AlertSubscription.rule_id == rule_id)
            .order_by(AlertSubscription.created_at)
        ).scalars()
    )


def remove_rule(session: Session, *, rule_id: str, actor: str) -> None:
    """Delete a rule with its subscriptions and deliveries (audited)."""
    rule = get_rule(session, rule_id=rule_id)
    event = rule.event
    session.delete(rule)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="alert.rule_removed",
        subject_type="alert_rule",
        subject_id=rule_id,
        details={"event": event},
    )
    from marsad.alerts.matching import forget_rules

    forget_rules()


def subscribe(session: Session, *, rule_id: str, user: User, email: str) -> AlertSubscription:
    """Send this rule's alerts to ``user`` at ``email`` too (replaces their earlier address)."""
    rule = get_rule(session, rule_id=rule_id)
    address = check_email(email)
    if address is None:
        raise InvalidInput("err_email_invalid", "an e-mail address is needed", "email")
    current = session.execute(
        select(AlertSubscription).where(
            AlertSubscription.rule_id == rule.id, AlertSubscription.user_id == user.id
        )
    ).scalar_one_or_none()
    if current is None:
        current = AlertSubscription(rule_id=rule.id, user_id=user.id, email=address)
        session.add(current)
    else:
        current.email = address
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="alert.subscribed",
        subject_type="alert_rule",
        subject_id=rule.id,
    )
    from marsad.alerts.matching import forget_rules

    forget_rules()
    return current


def unsubscribe(session: Session, *, rule_id: str, user: User) -> None:
    """Stop sending this rule's alerts to ``user``."""
    current = session.execute(
        select(AlertSubscription).where(
            AlertSubscription.rule_id == rule_id, AlertSubscription.user_id == user.id
        )
    ).scalar_one_or_none()
    if current is None:
        return
    session.delete(current)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="alert.unsubscribed",
        subject_type="alert_rule",
        subject_id=rule_id,
    )
    from marsad.alerts.matching import forget_rules

    forget_rules()


def rule_public(rule: AlertRule, subs: list[AlertSubscription] | None = None) -> dict[str, Any]:
    """What the CLI, API and page show of a rule (never its secret)."""
    return {
        "id": rule.id,
        "on": rule.event,
        "filters": rule.filters or {},
        "email": rule.email,
        "webhook": rule.webhook_url,
        "mode": rule.mode,
        "created_by": rule.created_by,
        "created_at": rule.created_at.isoformat() if rule.created_at else None,
        "subscribers": [{"user_id": s.user_id, "email": s.email} for s in (subs or [])],
    }
