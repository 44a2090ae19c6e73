"""The weekly reports staff write and approve: draft → approved → published.

One row per (week, language). The figures are computed when the report is
published and frozen in the stored PDF and HTML (blobs named by SHA-256), so a
published report never changes when later data arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class Publication(Base):
    """A weekly monitoring report in one language, through its approval workflow."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("week", "lang"),)

    id: Mapped[str] = IdColumn()
    week: Mapped[str] = mapped_column(String(8))
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    narrative: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    html_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)


class StoredFigures(Base):
    """Figures a section computed once and may reuse: one day's counts, or one week's page.

    ``key`` is the section (``hate-speech``), ``scope`` what the figures cover
    (``day:2026-12-01@Asia/Baghdad``, ``week:2026-W49:ar:3@Asia/Baghdad``);
    ``stamp`` is the state of the source tables they were computed from (empty when
    the section checks what changed since ``computed_at`` instead). Written by the
    ``publish.refresh-figures`` job; read by the dashboards, which recompute
    whatever changed since (see :mod:`marsad.publish.stored`).
    """

    __tablename__ = "publish_figures"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(200), default="")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
