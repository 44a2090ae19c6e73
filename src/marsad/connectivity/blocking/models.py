"""Tables owned by the blocking half of connectivity: OONI measurements, aggregates, fingerprints.

No table holds an IP address: a measurement keeps its probe's network (ASN and
operator name), never the probe's or its resolver's address.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class OoniMeasurement(Base):
    """One OONI measurement: a target on a network at a time, its verdict and evidence."""

    __tablename__ = "connectivity_measurements"
    __table_args__ = (Index("ix_connectivity_measurements_target_asn_day", "target", "asn", "day"),)

    id: Mapped[str] = IdColumn()
    uid: Mapped[str] = mapped_column(String(200), unique=True)
    test_name: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(1000))
    asn: Mapped[int] = mapped_column(Integer, index=True)
    network: Mapped[str] = mapped_column(String(200), default="")
    cc: Mapped[str] = mapped_column(String(2), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    blocking: Mapped[str | None] = mapped_column(String(32), nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    report_id: Mapped[str] = mapped_column(String(200), default="")
    input: Mapped[str | None] = mapped_column(Text, nullable=True)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OoniAggregate(Base):
    """One row of the OONI aggregation API: counts for a test, target, network and day."""

    __tablename__ = "connectivity_ooni_aggregates"
    __table_args__ = (UniqueConstraint("test_name", "target", "asn", "cc", "day"),)

    id: Mapped[str] = IdColumn()
    test_name: Mapped[str] = mapped_column(String(64))
    # "" when the row covers every target of the test; 0 when it covers every network.
    target: Mapped[str] = mapped_column(String(1000), default="")
    asn: Mapped[int] = mapped_column(Integer, default=0)
    cc: Mapped[str] = mapped_column(String(2), default="")
    day: Mapped[date] = mapped_column(Date, index=True)
    measurement_count: Mapped[int] = mapped_column(Integer)
    anomaly_count: Mapped[int] = mapped_column(Integer)
    confirmed_count: Mapped[int] = mapped_column(Integer)
    failure_count: Mapped[int] = mapped_column(Integer)
    ok_count: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlockpageFingerprint(Base):
    """A fingerprint staff added (or a shipped one they turned off, ``enabled`` false)."""

    __tablename__ = "connectivity_fingerprints"

    id: Mapped[str] = IdColumn()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    location: Mapped[str] = mapped_column(String(80))
    pattern_type: Mapped[str] = mapped_column(String(16))
    pattern: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(16), default="")
    countries: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
