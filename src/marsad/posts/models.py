"""Tables owned by posts: Post, Account, Actor, Watchlist (and its accounts and keywords),
and the zstd dictionaries raw records are compressed with (PostRawDict).

Posts are keyed by an integer id, not a UUID like the core's tables: SQLite's full-text
index (FTS5) keys rows by integer rowid, and only an ``INTEGER PRIMARY KEY`` is a rowid
that survives VACUUM; a UUID key would also add a second index to a table of millions.
Other capabilities refer to a post by this ``posts.id``.

A post names its author by ``(platform, account_id)`` — the platform's own id — rather
than by a foreign key, so ingest writes posts and accounts in one pass without lookups.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marsad.core.db import Base, IdColumn, UTCDateTime, utcnow

# JSON columns store SQL NULL for "nothing" (an empty list is not worth 2 bytes a row).
Json = JSON(none_as_null=True)


class Post(Base):
    """One post on one platform, as collected; unique by (platform, post_id)."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("platform", "post_id"),
        Index("ix_posts_account_time", "platform", "account_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[str] = mapped_column(String(128))
    account_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    # normalize()d tokens of the text (plus Arabic clitic-stripped forms): what search matches.
    search_text: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    links: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    hashtags: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    mentions: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    reply_to: Mapped[str | None] = mapped_column(String(128), nullable=True)
    quote_of: Mapped[str | None] = mapped_column(String(128), nullable=True)
    forward_from: Mapped[str | None] = mapped_column(String(128), nullable=True)
    retweet_of: Mapped[str | None] = mapped_column(String(128), nullable=True)
    likes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shares: Mapped[int | None] = mapped_column(Integer, nullable=True)
    replies: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quotes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    views: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reactions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    media: Mapped[list[dict[str, Any]] | None] = mapped_column(Json, nullable=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # The original record, compressed JSON (a zstd frame, with or without a dictionary
    # from post_raw_dicts; zlib in rows written before zstd): kept as evidence of what
    # was collected.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    # Indexed: the dashboards find the days whose posts arrived since they counted them.
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class PostRawDict(Base):
    """A zstd dictionary that raw records of one ingest format are compressed with.

    The id is the dictionary's own zstd id, which every frame compressed with it names
    (zstd derives it from the dictionary's content). Rows are never deleted: the posts
    whose records name one cannot be read without it.
    """

    __tablename__ = "post_raw_dicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The ingest format whose records trained it (x, telegram, …): new ingests of that
    # format reuse the newest one.
    source: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # ZstdCompressionDict.as_bytes()
    dictionary: Mapped[bytes] = mapped_column(LargeBinary)


class Actor(Base):
    """A person or body (candidate, party, media outlet…) owning accounts on several platforms."""

    __tablename__ = "actors"

    id: Mapped[str] = IdColumn()
    name: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="actor")


class Account(Base):
    """An account on one platform, unique by (platform, account_id)."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("platform", "account_id"),)

    id: Mapped[str] = IdColumn()
    platform: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str] = mapped_column(String(128))
    handle: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    display_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    actor_id: Mapped[str | None] = mapped_column(
        ForeignKey("actors.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # When the account was created on its platform (X exports carry it; Telegram and
    # YouTube do not): None when no source has said.
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[Actor | None] = relationship(back_populates="accounts")


class Watchlist(Base):
    """A named set of accounts and keywords that monitors follow."""

    __tablename__ = "watchlists"

    id: Mapped[str] = IdColumn()
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WatchlistAccount(Base):
    """An account on a watchlist."""

    __tablename__ = "watchlist_accounts"

    watchlist_id: Mapped[str] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True
    )
    account_pk: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WatchlistKeyword(Base):
    """A keyword on a watchlist, kept as typed and in its normalised search form."""

    __tablename__ = "watchlist_keywords"

    watchlist_id: Mapped[str] = mapped_column(
        ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True
    )
    keyword: Mapped[str] = mapped_column(String(255), primary_key=True)
    normalized: Mapped[str] = mapped_column(String(255))
