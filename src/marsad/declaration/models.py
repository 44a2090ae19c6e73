"""Tables owned by the declaration capability.

A **declaration** keeps its whole text (preamble, purpose, principles, periods,
groups and their commitments, in ar/ckb/en) as one JSON document: commitments
are cited by their stable ids (``candidates-1``), never by row. A
**signature** is a public pledge, pending until its e-mailed link is opened;
the e-mail is stored encrypted, with a keyed digest to refuse a second
signature, and never shown. An **actor profile** adds what an election needs
(governorate, party, list number, signatory group) to a posts Actor; its
**official accounts** are the register the "only official accounts"
commitment is checked against. A **violation** ties an actor to a commitment
with evidence (typed references); each analyst's **coding** of it is kept
apart so the second coder codes blind and agreement can be measured.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow


class Declaration(Base):
    """One declaration (its text as a JSON document), by slug; ``version`` counts its edits."""

    __tablename__ = "declarations"

    id: Mapped[str] = IdColumn()
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The declaration this one was made from (the next elections' copy of the last).
    based_on: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Signature(Base):
    """A pledge to keep a declaration, by a person or body in one signatory group."""

    __tablename__ = "declaration_signatures"
    __table_args__ = (UniqueConstraint("declaration_id", "email_digest"),)

    id: Mapped[str] = IdColumn()
    declaration_id: Mapped[str] = mapped_column(
        ForeignKey("declarations.id", ondelete="CASCADE"), index=True
    )
    group_slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    organisation: Mapped[str] = mapped_column(String(255), default="")
    # HMAC of the lower-cased address under a key derived from the secret key: finds a
    # second signature without keeping the address in the clear.
    email_digest: Mapped[str] = mapped_column(String(64))
    email_encrypted: Mapped[str] = mapped_column(Text)
    accounts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # The confirmation link's token is an HMAC of (id, nonce): only the nonce is stored,
    # so the table alone cannot confirm anyone.
    nonce: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(8), default="ar")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), nullable=True
    )
    mail_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ActorProfile(Base):
    """What an election adds to a posts Actor: kind, group, governorate, party, list."""

    __tablename__ = "declaration_actors"

    actor_id: Mapped[str] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    group_slug: Mapped[str] = mapped_column(String(64))
    governorate: Mapped[str | None] = mapped_column(String(64), nullable=True)
    party: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    list_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OfficialAccount(Base):
    """One account an actor declared official, by platform and handle (lower case)."""

    __tablename__ = "declaration_official_accounts"
    __table_args__ = (UniqueConstraint("platform", "handle"),)

    id: Mapped[str] = IdColumn()
    actor_id: Mapped[str] = mapped_column(
        ForeignKey("declaration_actors.actor_id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Violation(Base):
    """An actor's breach of one commitment, with its evidence and where it stands."""

    __tablename__ = "declaration_violations"

    id: Mapped[str] = IdColumn()
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("declaration_actors.actor_id"), index=True)
    commitment_id: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16))
    period: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # Typed references (post:…, flag:…, cluster:…, report:…, evidence:…), each resolved
    # when stored.
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "staff", or the rule that suggested it (flag, coordination, image).
    source: Mapped[str] = mapped_column(String(16), default="staff")
    # What a suggestion came from, so a rule run twice suggests it once.
    suggestion_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The end of the actor's right of reply: until then the violation is not public.
    reply_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Coding(Base):
    """One analyst's independent coding of a violation (one per analyst)."""

    __tablename__ = "declaration_codings"
    __table_args__ = (UniqueConstraint("violation_id", "coder"),)

    id: Mapped[str] = IdColumn()
    violation_id: Mapped[str] = mapped_column(
        ForeignKey("declaration_violations.id", ondelete="CASCADE"), index=True
    )
    coder: Mapped[str] = mapped_column(String(64))
    commitment_id: Mapped[str] = mapped_column(String(64))
    breach: Mapped[bool] = mapped_column(Boolean)
    severity: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
