"""Tables of the reports capability: categories, reports, comments, files.

The reporter's contact is stored only sealed (``contact_sealed``, AES-GCM under
a key outside the database). No column holds an IP address or user agent. The
receipt code is stored as a SHA-256 digest: the code alone opens the status
page, so a copy of the database cannot be used to look reports up by receipt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class Category(Base):
    """A kind of violation; nested through ``parent_id``; names in three languages."""

    __tablename__ = "report_categories"

    id: Mapped[str] = IdColumn()
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("report_categories.id", ondelete="SET NULL"), nullable=True
    )
    name_ar: Mapped[str] = mapped_column(String(128))
    name_ckb: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, lang: str) -> str:
        """The category's name in ``lang``, falling back to English."""
        return getattr(self, f"name_{lang}", None) or self.name_en


class Report(Base):
    """One citizen report, from any channel, through the review workflow."""

    __tablename__ = "reports"
    __table_args__ = (
        # Public statistics (marsad.reports.stats) read only this index, never the rows.
        Index(
            "ix_reports_public_stats",
            "status",
            "confidential",
            "published_at",
            "governorate_pcode",
            "category_id",
        ),
    )

    id: Mapped[str] = IdColumn()
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set once a reviewer verified it: a report published as "unverified" says so.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    # A digest of the source item (e.g. an e-mail), so one item becomes one report.
    source_ref: Mapped[str | None] = mapped_column(String(80), unique=True, nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[str] = mapped_column(Text, default="[]")
    category_id: Mapped[str] = mapped_column(ForeignKey("report_categories.id"), index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What the reporter gave: "day" (a date alone, stored as noon local time) or "exact".
    occurred_precision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    governorate_pcode: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    district_pcode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    contact_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    assigned_to_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    duplicate_of_id: Mapped[str | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), nullable=True
    )
    location_precision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    time_precision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    locked_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Indexed: the public statistics reuse their figures until a report changes.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    category: Mapped[Category] = relationship(lazy="joined")
    files: Mapped[list[ReportFile]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportFile.created_at"
    )
    comments: Mapped[list[ReportComment]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportComment.created_at"
    )


class ReportComment(Base):
    """A staff note on a report; never public."""

    __tablename__ = "report_comments"

    id: Mapped[str] = IdColumn()
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    # The status move this note was written with (a code each), shown as a sentence.
    transition_from: Mapped[str | None] = mapped_column(String(16), nullable=True)
    transition_to: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="comments")


class ReportFile(Base):
    """A file attached to a report, kept in the core's blob store.

    ``sha256`` names the copy that is shown (an image re-encoded without its
    metadata); ``original_sha256`` the bytes as they arrived when cleaning
    changed them, for staff only. Both in the ``sha256:<hex>`` form.
    """

    __tablename__ = "report_files"

    id: Mapped[str] = IdColumn()
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    original_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    # A video, audio file or PDF whose metadata could not be removed (tool missing or
    # failed): kept as sent, shown to staff as NOT cleaned.
    kept_apart: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="files")


class ContactRequest(Base):
    """One staff member's request to read a reporter's contact (the two-person rule).

    A second person, an admin who is not the requester, approves or denies it.
    An approved request lets only its requester read the contact, and only
    until ``expires_at``. The reason is kept; the contact itself never is.
    """

    __tablename__ = "report_contact_requests"

    id: Mapped[str] = IdColumn()
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    decided_by_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseFile(Base):
    """The case-management side of a confidential report: outcome and next contact date."""

    __tablename__ = "report_cases"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Sealed like the contact: only caseworkers read the outcome's note.
    outcome_note_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseWorker(Base):
    """A staff member assigned (by an admin) to a confidential case; only they read its text."""

    __tablename__ = "report_case_workers"

    report_id: Mapped[str] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEntry(Base):
    """A support action, referral or follow-up on a case; its text is sealed at rest."""

    __tablename__ = "report_case_entries"

    id: Mapped[str] = IdColumn()
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    body_sealed: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
