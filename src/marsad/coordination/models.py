"""Tables owned by coordination: saved detection runs with their clusters and evidence.

A run keeps the parameters it was asked for and the whole result document (the
same JSON ``marsad coordination detect --json`` prints), so a cluster an
analyst cites keeps its accounts and evidence even after more posts arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class CoordinationRun(Base):
    """One detection over the posts store."""

    __tablename__ = "coordination_runs"

    id: Mapped[str] = IdColumn()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    clusters: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class AccountLink(Base):
    """An analyst's decision that one account is (or is not) another's re-creation."""

    __tablename__ = "account_links"
    __table_args__ = (UniqueConstraint("predecessor", "successor"),)

    id: Mapped[str] = IdColumn()
    predecessor: Mapped[str] = mapped_column(String(200), index=True)
    successor: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    contributions: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccountStatus(Base):
    """One observation of an account's status on its platform; never updated, only appended.

    The account's current status is its latest record by ``observed_at`` (when the
    platform or the data says it happened), not by when Marsad recorded it.
    """

    __tablename__ = "account_statuses"
    # The same observation imported twice is one record (imports are idempotent).
    __table_args__ = (UniqueConstraint("account", "status", "source", "observed_at"),)

    id: Mapped[str] = IdColumn()
    account: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
