"""What the shells call besides rules: test a rule, fold held alerts into digests, list.

CLI, web pages and jobs are thin shells over these functions and those of
:mod:`marsad.alerts.rules` and :mod:`marsad.alerts.delivery`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.alerts import delivery, rules
from marsad.alerts.matching import CachedRule, Target, delivery_rows, queue_delivery_job
from marsad.alerts.models import AlertDelivery
from marsad.core import audit
from marsad.core.db import new_id, session_scope, utcnow
from marsad.core.events import Event

# A made-up event of each kind for ``alerts test``: identifiers that name nothing real.
SAMPLES: dict[str, dict[str, Any]] = {
    "report.received": {"report_id": "test", "category": "test", "governorate": "IQG10"},
    "flag.created": {
        "flag_id": "test",
        "post_id": "test",
        "label": "hate",
        "labels": ["hate"],
        "severity": "3",
        "account": "test:account",
        "actor": None,
        "watchlists": [],
    },
    "coordination.group_found": {
        "run_id": "test",
        "group": "cluster:test",
        "method": "link_sharing",
        "size": 3,
    },
    "connectivity.outage": {
        "event_id": "test",
        "scope": "governorate",
        "entities": ["IQG10"],
        "start": None,
        "end": None,
    },
    "job.failed": {"job_id": "test", "kind": "test", "error": "err_test"},
}


def record_test(session: Session, *, rule_id: str, actor: str) -> list[str]:
    """Store one test delivery per receiver of the rule (sent at once, never as a digest)."""
    rule = rules.get_rule(session, rule_id=rule_id)
    targets: list[Target] = []
    if rule.webhook_url:
        targets.append(Target("webhook", rule.webhook_url))
    if rule.email:
        targets.append(Target("email", rule.email))
    targets += [
        Target("email", s.email, s.id) for s in rules.subscriptions(session, rule_id=rule.id)
    ]
    cached = CachedRule(rule.id, rule.event, {}, "immediate", tuple(targets))
    rows = delivery_rows({rule.event: [cached]}, [Event(rule.event, SAMPLES[rule.event])], utcnow())
    for row in rows:
        row["payload"] = {**row["payload"], "test": True}
        session.add(AlertDelivery(**row))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="alert.tested",
        subject_type="alert_rule",
        subject_id=rule.id,
        details={"deliveries": len(rows)},
    )
    return [row["id"] for row in rows]


def send_test(
    *, sessions: sessionmaker[Session], settings: Any, rule_id: str, actor: str
) -> list[dict[str, Any]]:
    """Send a test alert to each receiver of the rule now; what became of each delivery."""
    with session_scope(sessions) as session:
        ids = record_test(session, rule_id=rule_id, actor=actor)
    for delivery_id in ids:
        delivery.deliver_one(sessions, settings, delivery_id)
    return deliveries_by_id(sessions, ids)


def queue_test(session: Session, *, rule_id: str, actor: str) -> list[str]:
    """Store the test deliveries and queue their job (the web page does not wait for them)."""
    ids = record_test(session, rule_id=rule_id, actor=actor)
    if ids:
        queue_delivery_job(session)
    return ids


def deliveries_by_id(sessions: sessionmaker[Session], ids: list[str]) -> list[dict[str, Any]]:
    with sessions() as session:
        rows = {
            row.id: row
            for row in session.execute(
                select(AlertDelivery).where(AlertDelivery.id.in_(ids))
            ).scalars()
        }
        tries = delivery.attempts_of(session, delivery_ids=ids)
        return [delivery.delivery_public(rows[i], tries[i]) for i in ids if i in rows]


def make_digests(session: Session) -> list[str]:
    """Fold every held alert into one digest delivery per rule and receiver; their ids.

    One transaction: the held rows become ``digested`` (naming their digest)
    as the digest row is written, so a digest run killed mid-way folds nothing
    twice and loses nothing.
    """
    held = list(
        session.execute(
            select(AlertDelivery)
            .where(AlertDelivery.status == "held")
            .order_by(AlertDelivery.created_at, AlertDelivery.id)
        ).scalars()
    )
    groups: dict[tuple[str, str, str, str | None], list[AlertDelivery]] = {}
    for row in held:
        groups.setdefault((row.rule_id, row.channel, row.target, row.subscription_id), []).append(
            row
        )
    now = utcnow()
    made = []
    for (rule_id, channel, target, subscription_id), rows in groups.items():
        digest_id = new_id()
        session.add(
            AlertDelivery(
                id=digest_id,
                rule_id=rule_id,
                subscription_id=subscription_id,
                event=rows[0].event,
                payload={"digest": True, "events": [dict(r.payload) for r in rows]},
                channel=channel,
                target=target,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        session.flush()
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_([r.id for r in rows]), AlertDelivery.status == "held")
            .values(status="digested", digest_id=digest_id, next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        made.append(digest_id)
    return made


def recent(
    session: Session, *, limit: int = 50, rule_id: str | None = None
) -> list[dict[str, Any]]:
    """The newest deliveries with their attempts, as the CLI, API and page show them."""
    rows = delivery.recent_deliveries(session, limit=limit, rule_id=rule_id)
    tries = delivery.attempts_of(session, delivery_ids=[r.id for r in rows])
    return [delivery.delivery_public(r, tries[r.id]) for r in rows]


def rules_overview(session: Session) -> list[dict[str, Any]]:
    """Every rule as shown, with its subscribers."""
    return [
        rules.rule_public(rule, rules.subscriptions(session, rule_id=rule.id))
        for rule in rules.list_rules(session)
    ]
