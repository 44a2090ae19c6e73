"""The events hook: which rules an event batch matches, and the delivery rows it leaves.

Called inside the emitter's transaction (a SAVEPOINT of it), so it must be
quick: the rules are read once per database every few seconds, not once per
event, and a batch no rule listens to costs one dictionary lookup per event.
The rows are written in one INSERT; sending happens later, in the
``alerts.deliver`` job, which is queued in the same transaction and handed to
the runner only after the emitter commits.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from marsad.alerts.models import AlertDelivery, AlertRule, AlertSubscription
from marsad.alerts.rules import FILTER_KEYS
from marsad.core.db import new_id, utcnow
from marsad.core.events import Event, public_payload

log = logging.getLogger(__name__)

RULES_TTL = 5.0  # seconds a process trusts its copy of the rules (changes here clear it)
DELIVER_KIND = "alerts.deliver"


@dataclass(frozen=True)
class Target:
    channel: str
    address: str
    subscription_id: str | None = None


@dataclass(frozen=True)
class CachedRule:
    id: str
    event: str
    filters: dict[str, list[str]]
    mode: str
    targets: tuple[Target, ...]


_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, list[CachedRule]]]] = {}


def forget_rules() -> None:
    """Drop this process's copy of the rules (after a rule or subscription changed)."""
    with _lock:
        _cache.clear()


def _load(session: Session) -> dict[str, list[CachedRule]]:
    subs: dict[str, list[Target]] = {}
    for sub in session.execute(select(AlertSubscription)).scalars():
        subs.setdefault(sub.rule_id, []).append(Target("email", sub.email, sub.id))
    by_event: dict[str, list[CachedRule]] = {}
    for rule in session.execute(select(AlertRule)).scalars():
        targets = []
        if rule.webhook_url:
            targets.append(Target("webhook", rule.webhook_url))
        if rule.email:
            targets.append(Target("email", rule.email))
        targets.extend(subs.get(rule.id, []))
        by_event.setdefault(rule.event, []).append(
            CachedRule(rule.id, rule.event, dict(rule.filters or {}), rule.mode, tuple(targets))
        )
    return by_event


def rules_by_event(session: Session) -> dict[str, list[CachedRule]]:
    """The rules of this session's database by event name, at most RULES_TTL seconds old."""
    key = session.get_bind().url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and now - cached[0] < RULES_TTL:
        return cached[1]
    rules = _load(session)
    with _lock:
        _cache[key] = (now, rules)
    return rules


def matches(rule: CachedRule, payload: dict[str, Any]) -> bool:
    """True when every filter key of the rule matches one of its values in the payload."""
    keys = FILTER_KEYS.get(rule.event, {})
    for key, wanted in rule.filters.items():
        value = payload.get(keys.get(key, key))
        values = value if isinstance(value, list | tuple) else [value]
        if not {str(v) for v in values if v is not None} & set(wanted):
            return False
    return True


def alert_document(event: Event) -> dict[str, Any]:
    """What is stored and sent for one event: its name, time and declared payload keys only."""
    return {"event": event.name, "at": event.at.isoformat(), "data": public_payload(event)}


def _loops(event: Event) -> bool:
    # A failed alerts job must not raise an alert that queues another alerts job.
    return event.name == "job.failed" and str(event.payload.get("kind", "")).startswith("alerts.")


def delivery_rows(
    rules: dict[str, list[CachedRule]], events: list[Event], now: datetime
) -> list[dict[str, Any]]:
    """One row per (event, matching rule, receiver)."""
    rows: list[dict[str, Any]] = []
    for event in events:
        candidates = rules.get(event.name)
        if not candidates or _loops(event):
            continue
        document = None
        for rule in candidates:
            if not rule.targets or not matches(rule, event.payload):
                continue
            document = document or alert_document(event)
            for target in rule.targets:
                rows.append(
                    {
                        "id": new_id(),
                        "rule_id": rule.id,
                        "subscription_id": target.subscription_id,
                        "event": event.name,
                        "payload": document,
                        "channel": target.channel,
                        "target": target.address,
                        "status": "held" if rule.mode == "digest" else "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
    return rows


def record_deliveries(session: Session, events: list[Event]) -> int:
    """Store the deliveries a batch of events calls for; queue the job that sends them."""
    rules = rules_by_event(session)
    if not rules or not any(event.name in rules for event in events):
        return 0
    rows = delivery_rows(rules, events, utcnow())
    if not rows:
        return 0
    session.execute(insert(AlertDelivery), rows)
    if any(row["status"] == "pending" for row in rows):
        queue_delivery_job(session)
    return len(rows)


def queue_delivery_job(session: Session) -> str | None:
    """Queue one ``alerts.deliver`` job in this transaction; it is dispatched after commit.

    Without settings on the session (a bare session), nothing is queued: the
    periodic ``alerts.deliver`` run sends the deliveries instead.
    """
    settings = session.info.get("settings")
    if settings is None:
        return None
    from marsad.core.jobs.catalog import registered_kinds
    from marsad.core.jobs.service import create_job

    kinds = registered_kinds(settings)
    if DELIVER_KIND not in kinds:
        return None
    job = create_job(session, kinds=kinds, kind=DELIVER_KIND, params={}, requested_by="alerts")
    pending: list[str] = session.info.setdefault("alerts_jobs", [])
    pending.append(job.id)
    if not session.info.get("alerts_listening"):
        session.info["alerts_listening"] = True
        sa_event.listen(session, "after_commit", _dispatch_after_commit)
        sa_event.listen(session, "after_rollback", _forget_after_rollback)
    return job.id


def _forget_after_rollback(session: Session) -> None:
    session.info.pop("alerts_jobs", None)


def _dispatch_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # A SAVEPOINT released (the group-commit writer stores each report in one): the
        # delivery jobs are not committed yet. Hand them over after the real commit.
        return
    job_ids = session.info.pop("alerts_jobs", None)
    settings = session.info.get("settings")
    if not job_ids or settings is None:
        return
    from marsad.core.db import session_factory
    from marsad.core.jobs.runners import dispatch

    try:
        dispatch(
            settings=settings,
            sessions=session_factory(session.get_bind(), settings),
            job_ids=job_ids,
        )
    except Exception as exc:  # noqa: BLE001 - the periodic run sends what this one could not
        log.warning("alerts: the delivery job was not handed over (%s)", type(exc).__name__)
