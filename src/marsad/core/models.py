"""Tables owned by the core: staff accounts, tokens, the audit chain, system settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow

ROLES = ("admin", "reviewer", "analyst")


class User(Base):
    """A staff account. The public never has one: reporters stay anonymous."""

    __tablename__ = "users"

    id: Mapped[str] = IdColumn()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Time step of the last accepted TOTP code: a code is accepted once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Bumped on sign-out, password change, 2FA reset or disable: invalidates every session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class RecoveryCode(Base):
    """A one-time code that stands in for a TOTP code; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[str] = IdColumn()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    # HMAC of the code under a key derived from the secret key (not in the database):
    # finds the one row to check with argon2. Empty for codes made before it existed.
    lookup: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class ApiToken(Base):
    """A staff API token for scripts. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = IdColumn()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()


class AuditRecord(Base):
    """One link of the hash chain: who did what to which thing, and when.

    ``hash`` is an HMAC over the record's fields and the previous record's
    hash, keyed by a key derived from the secret key, which is not in the
    database: someone who can edit the tables still cannot rewrite history
    without ``marsad audit verify`` noticing.
    """

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(128))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's last link, so a record cut off the end is noticed too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC over (seq, hash): moving the head back to hide a cut tail is noticed.
    mac: Mapped[str] = mapped_column(String(64))


class SystemSetting(Base):
    """A setting admins change at run time (e.g. mandatory 2FA)."""

    __tablename__ = "system_settings"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[str] = IdColumn()
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
