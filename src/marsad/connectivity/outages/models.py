"""Tables owned by the outages half of connectivity: signals, events, links, the exam calendar.

Signals are stored as compact chunks, one row per series and week, holding the
week's timestamps (int32 seconds from the chunk's start, zlib-compressed) and
values (float64, little-endian). Detection always reads whole series, never a
single point, and a year of 40 networks × 3 sources is 12.6 M points: a row per
point would be 12.6 M inserts (and an index as large as the data), while the
chunks are about 6,300 rows that SQLite and PostgreSQL write in seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class SignalChunk(Base):
    """One week of one signal series (entity, source)."""

    __tablename__ = "connectivity_signal_chunks"
    __table_args__ = (UniqueConstraint("entity_type", "entity_code", "source", "chunk_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(16))
    entity_code: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    # Epoch seconds of the chunk's first second (a multiple of CHUNK seconds).
    chunk_start: Mapped[int] = mapped_column(BigInteger)
    points: Mapped[int] = mapped_column(Integer)
    offsets: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConnectivityEvent(Base):
    """A shutdown or blocking event with the fields of Access Now's STOP dataset."""

    __tablename__ = "connectivity_events"

    id: Mapped[str] = IdColumn()
    start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # national | regional | network (STOP's geo_scope; "network" is STOP's local).
    scope: Mapped[str] = mapped_column(String(16))
    # full | throttling | service-based
    shutdown_type: Mapped[str] = mapped_column(String(16))
    governorates: Mapped[list[str]] = mapped_column(JSON, default=list)
    networks: Mapped[list[str]] = mapped_column(JSON, default=list)
    entities: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    ordered_by: Mapped[str] = mapped_column(String(200), default="")
    justification: Mapped[str] = mapped_column(Text, default="")
    cause: Mapped[str] = mapped_column(String(200), default="")
    # Where the facts come from: [{"name": ..., "url": ...}].
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signal_sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    depth: Mapped[float | None] = mapped_column(Float, nullable=True)
    # detected (from signals) | manual (staff) | imported (a curated list)
    origin: Mapped[str] = mapped_column(String(16))
    # detected | confirmed | rejected: rejected events never appear publicly.
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    # Makes re-detection and re-import idempotent: the same outage is one event.
    fingerprint: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConnectivityEventLink(Base):
    """A typed reference from an event to a report, evidence item or OONI measurement."""

    __tablename__ = "connectivity_event_links"
    __table_args__ = (UniqueConstraint("event_id", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("connectivity_events.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(240))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduledShutdown(Base):
    """An announced shutdown (an exam session's cut), entered before it happens."""

    __tablename__ = "connectivity_schedule"
    __table_args__ = (UniqueConstraint("start", "region"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    # national | federal | kurdistan: who is cut.
    region: Mapped[str] = mapped_column(String(16))
    authority: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    source_url: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
