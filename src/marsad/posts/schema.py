"""Typed records every source adapter produces: one schema for all platforms.

These are plain dataclasses (no ORM, no pydantic validation on the hot path) so an
adapter can yield a million of them a minute; the storage layer maps them to rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

PLATFORMS = ("telegram", "x", "facebook", "instagram", "youtube", "other")


@dataclass(slots=True)
class AccountRef:
    """Who posted: the platform's stable id, the handle and name seen at the time, and
    when the account was created on the platform (None where the export does not say).
    """

    account_id: str
    handle: str | None = None
    display_name: str | None = None
    registered_at: datetime | None = None


@dataclass(slots=True)
class Media:
    """One attachment. ``sha256`` is set only when the file lies beside the export."""

    type: str
    url: str | None = None
    path: str | None = None
    sha256: str | None = None

    def to_json(self) -> dict[str, str]:
        """Render as a compact JSON object (empty fields left out)."""
        return {
            k: v
            for k, v in (
                ("type", self.type),
                ("url", self.url),
                ("path", self.path),
                ("sha256", self.sha256),
            )
            if v
        }


@dataclass(slots=True)
class Relations:
    """Platform post ids this post points at (same platform).

    ``forward_from`` is where a forward came from. Telegram exports do not give the
    original message, so on Telegram it is the source's peer id (``channel123``, as an
    account id) or, in older exports, the source's display name.
    """

    reply_to: str | None = None
    quote_of: str | None = None
    forward_from: str | None = None
    retweet_of: str | None = None


@dataclass(slots=True)
class Engagement:
    """Counts as the platform reported them when the data was collected (None = unknown)."""

    likes: int | None = None
    shares: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None
    reactions: int | None = None


@dataclass(slots=True)
class PostRecord:
    """One post in Marsad's schema, whatever platform or tool it came from."""

    platform: str
    post_id: str
    account: AccountRef | None
    text: str
    created_at: datetime | None
    lang: str | None = None
    url: str | None = None
    links: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    relations: Relations = field(default_factory=Relations)
    engagement: Engagement = field(default_factory=Engagement)
    media: list[Media] = field(default_factory=list)
    raw: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class Rejection:
    """A record that could not be read: which file, where in it, and why."""

    file: str
    position: str
    reason: str

    def to_json(self) -> dict[str, str]:
        """Render as the ``errors`` entry of an ingest result."""
        return {"file": self.file, "position": self.position, "reason": self.reason}


class Repeat:
    """An adapter's note that it read, again, a record identical to one it already
    yielded in this run (a referenced tweet in many pages' includes, say).

    Only adapters asked to (``Source.skip_repeats``) yield it. It counts as read and
    as a duplicate; nothing is rebuilt or written for it, because merging an identical
    copy into the stored post changes nothing.
    """

    __slots__ = ()


REPEAT = Repeat()


# ---------------------------------------------------------------- what leaves the service
# Pydantic schema family (STYLE rule 11): rows never leave the service layer raw.


class AccountOut(BaseModel):
    """An account as shown with a post."""

    model_config = ConfigDict(frozen=True)

    platform: str
    account_id: str
    handle: str | None = None
    display_name: str | None = None


class PostFlag(BaseModel):
    """A detector's flag on a post that no reviewer rejected: waiting or confirmed."""

    status: str
    labels: list[str]


class PostSummary(BaseModel):
    """A post in a list of results."""

    id: int
    platform: str
    post_id: str
    account: AccountOut | None
    text: str
    lang: str | None
    created_at: datetime | None
    url: str | None
    hashtags: list[str]
    likes: int | None = None
    shares: int | None = None
    replies: int | None = None
    views: int | None = None
    reactions: int | None = None
    # The post's standing flag from detect (pending or confirmed), if any, in lists.
    flag: PostFlag | None = None


class PostDetail(PostSummary):
    """One post with everything collected about it, the original record included."""

    links: list[str]
    mentions: list[str]
    reply_to: str | None
    quote_of: str | None
    forward_from: str | None
    retweet_of: str | None
    quotes: int | None = None
    media: list[dict[str, Any]]
    extra: dict[str, Any]
    source: str
    ingested_at: datetime
    raw: Any = None


class SearchPage(BaseModel):
    """One page of search results; ``next_offset`` is None on the last page.

    ``total`` is exact when ``total_exact``; otherwise it is a lower bound (counting
    stops at 1,000, and is skipped for filtered searches over very common words).
    """

    query: str
    total: int
    total_exact: bool
    offset: int
    limit: int
    next_offset: int | None
    items: list[PostSummary]
