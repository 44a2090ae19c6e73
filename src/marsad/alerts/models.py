"""The alerts tables: rules, who subscribed to them, deliveries and each delivery attempt.

A rule says "when EVENT happens (and its payload matches these filters), tell
these receivers". Each receiver of each matching event gets one delivery row,
written in the emitter's transaction; the ``alerts.deliver`` job sends it and
records every attempt. The rule's webhook secret is sealed with the field key:
a copy of the database alone cannot sign webhooks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow

MODES = ("immediate", "digest")
CHANNELS = ("webhook", "email")
# pending: due at next_attempt_at · sending: a runner holds it until lease_until ·
# delivered / failed (no attempt left) · held: waits for the daily digest ·
# digested: folded into the digest delivery named by digest_id.
DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "held", "digested")


class AlertRule(Base):
    """When an event matches, who hears of it and how."""

    __tablename__ = "alert_rules"

    id: Mapped[str] = IdColumn()
    event: Mapped[str] = mapped_column(String(64), index=True)
    # {"key": ["value", …]}: every key must match, any of its values.
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16), default="immediate")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlertSubscription(Base):
    """A staff user who receives a rule's alerts by e-mail at their own address."""

    __tablename__ = "alert_subscriptions"
    __table_args__ = (UniqueConstraint("rule_id", "user_id"),)

    id: Mapped[str] = IdColumn()
    rule_id: Mapped[str] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlertDelivery(Base):
    """One alert (or one digest of alerts) for one receiver, and where its sending stands."""

    __tablename__ = "alert_deliveries"

    id: Mapped[str] = IdColumn()
    rule_id: Mapped[str] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[str | None] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), nullable=True, index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    # {"event", "at", "data"} for one alert; {"events": [...]} for a digest.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    lease_token: Mapped[str | None] = mapped_column(String(36), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    digest_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AlertAttempt(Base):
    """One try at sending a delivery: when, how long, the receiver's answer or the error."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
