"""Tables owned by detect: one Flag per post and model/glossary version.

A row is written for every post a detector has looked at, flagged or not, so
``marsad detect run`` finds the posts it has still to score by the rows that are
missing for the current versions. A new model or glossary version means every
post is scored again; the old rows stay as history. One row per post is its
``current`` one (its card in the review queue); only current rows with
``flagged`` set reach the queue. See docs/detect.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false, true

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow

REVIEW_STATES = ("pending", "confirmed", "rejected")


class Flag(Base):
    """What the detectors said about one post, why, and what a person decided."""

    __tablename__ = "flags"
    __table_args__ = (
        # Also the index that finds a post's row for given versions ("is it scored?").
        UniqueConstraint("post_pk", "model_version", "glossary_version"),
        Index("ix_flags_queue", "current", "flagged", "review_status", "top_score"),
        # How many posts the current versions have scored (detect status).
        Index("ix_flags_versions", "model_version", "glossary_version"),
    )

    id: Mapped[str] = IdColumn()
    post_pk: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    glossary_version: Mapped[str] = mapped_column(String(64))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    # The post's one current row. A newer scoring supersedes a pending row (kept,
    # with its version, out of the queue); a reviewed row stays current unless the
    # newer scoring flags the post again, which then shows the decision as history.
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # The highest score among the labels given: the review queue's order.
    top_score: Mapped[float] = mapped_column(Float, default=0.0)
    hate_type: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    spans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The post was labelled from the glossary alone and the model's scores are advisory,
    # as the model that scored it decided by its own advisory languages: kept here, not
    # worked out again from the language, because the list changes between models (1.3
    # added "other") and an old flag must show the verdict it was made with.
    scores_advisory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Indexed: the dashboards find the days whose posts were scored since they counted them.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    review_status: Mapped[str] = mapped_column(String(16), default="pending")
    # The labels the reviewer says are right (confirming keeps the detector's).
    reviewed_labels: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    review_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_count: Mapped[int] = mapped_column(Integer, default=0)


class GlossaryEntry(Base):
    """The current state of one curated glossary term (a GlossaryTerm as JSON)."""

    __tablename__ = "glossary_entries"

    term_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class GlossaryRevision(Base):
    """Every saved state of every term, and the glossary version it made."""

    __tablename__ = "glossary_revisions"
    __table_args__ = (UniqueConstraint("term_id", "revision"),)

    id: Mapped[str] = IdColumn()
    term_id: Mapped[str] = mapped_column(String(128), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    glossary_version: Mapped[int] = mapped_column(Integer, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
