"""Tables of the evidence locker: items, their files, their custody log, timestamps, hashes.

An **item** is one piece of evidence as a case cites it (``evidence:<id>``): a
captured web page, a file a monitor added, a report's original attachment, a
raw post record. Its bytes live in the core's blob store; the item holds the
blob's ``sha256:<hex>`` and never changes it. An item has **parts** (the WARC
record of a capture, its screenshot, its PDF, a metadata JSON), each a blob too.

Captures of the same URL over time are **versions** of one series: every
capture is its own immutable item, ``series_id`` points at the first capture
of that URL and ``version`` counts from 1; ``changes`` says what differs from
the previous version. A redacted or cropped derivative is its own item whose
``derived_from_id`` names the original, which is never overwritten.

Every creation, view, export and transfer appends a **custody event** to the
item's hash chain (``marsad.evidence.custody``). **Timestamps** are RFC 3161
tokens over a blob's SHA-256; **perceptual hashes** find re-uploads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, UTCDateTime, utcnow

ITEM_KINDS = ("capture", "file", "attachment", "post_record", "derivative")
ITEM_STATUSES = ("pending", "captured", "failed")
PART_ROLES = ("warc", "screenshot", "pdf", "metadata", "original", "frame")
CUSTODY_ACTIONS = (
    "create",
    "capture",
    "view",
    "download",
    "export",
    "transfer",
    "verify",
    "timestamp",
)
TIMESTAMP_STATUSES = ("pending", "granted", "failed")


class EvidenceItem(Base):
    """One piece of evidence, content-addressed and immutable once stored."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="captured", index=True)
    # Why a capture failed or is still pending (an error code and a short English reason).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The primary blob (``sha256:<hex>``): the WARC of a capture, the file itself otherwise.
    # Empty only while a capture is pending or after it failed.
    sha256: Mapped[str | None] = mapped_column(
        ForeignKey("blobs.sha256"), nullable=True, index=True
    )
    media_type: Mapped[str] = mapped_column(String(128), default="application/octet-stream")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    title: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # What the item was captured from or stands for: a URL, a ``post:``/``report:`` reference.
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    # Capture metadata: method, tool and version, resolved addresses, TLS chain, HTTP status…
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id"), nullable=True, index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    derived_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id"), nullable=True, index=True
    )
    derivation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When the content was seen (capture time); for a file added by hand, when it was added.
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EvidencePart(Base):
    """One more file of an item (a capture's screenshot, PDF, metadata), by its blob."""

    __tablename__ = "evidence_parts"
    __table_args__ = (UniqueConstraint("item_id", "role", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)


class CustodyEvent(Base):
    """One link of an item's chain of custody: who did what, when and why.

    ``hash`` is the SHA-256 of the event's fields and ``prev_hash`` (the
    previous event's hash of the same item, 64 zeros for the first): anyone can
    re-check a chain exported in a case bundle without Marsad. ``mac`` is an
    HMAC of ``hash`` under a key derived from the secret key (not in the
    database), so someone who can edit the tables cannot rebuild a chain that
    still verifies inside Marsad.
    """

    __tablename__ = "evidence_custody"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class EvidenceTimestamp(Base):
    """An RFC 3161 time-stamp request for one blob, and the token once granted."""

    __tablename__ = "evidence_timestamps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    tsa_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The DER-encoded TimeStampResp token, itself a blob so a bundle carries it as a file.
    token_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"), nullable=True)
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PerceptualHash(Base):
    """A perceptual hash of an image blob or of one key frame of a video blob."""

    __tablename__ = "evidence_phashes"
    __table_args__ = (UniqueConstraint("sha256", "algorithm", "frame_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    algorithm: Mapped[str] = mapped_column(String(16))  # "pdq" | "phash"
    frame_ms: Mapped[int] = mapped_column(Integer, default=-1)  # -1: a still image
    value: Mapped[str] = mapped_column(String(64), index=True)  # hex
    quality: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
