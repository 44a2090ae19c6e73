"""Posts service: ingest files (audited), search posts, show one post.

The CLI, the web app and job workers call these keyword-only functions, so an ingest
leaves the same audit record whichever of them started it. The rest of the posts
capability is in its own modules: the ingest engine (:mod:`marsad.posts.ingest`), the
writer (:mod:`marsad.posts.writer`), the raw-record codec (:mod:`marsad.posts.codec`),
watchlists and actors (:mod:`marsad.posts.watchlists`), and what other capabilities
read (:mod:`marsad.posts.read`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.i18n import gettext as _
from marsad.posts.codec import DICT_ID_MAX, decompress_raw
from marsad.posts.ingest import IngestCursor, IngestResult, OnCommit, Progress, ingest_files
from marsad.posts.models import Account, Post, PostRawDict
from marsad.posts.schema import AccountOut, PostDetail, PostFlag, PostSummary, SearchPage
from marsad.posts.search import search_posts

_posts = Post.__table__
# Paths named in an ingest's audit record (the counts are always complete).
_AUDITED_PATHS = 50


def ingest(
    *,
    sessions: sessionmaker[Session],
    fmt: str,
    paths: Sequence[Path | str],
    mapping: str | Mapping[str, str] | None = None,
    platform: str = "other",
    watchlist: str | None = None,
    actor: str = audit.SYSTEM,
    progress: Progress | None = None,
    resume: IngestCursor | None = None,
    on_commit: OnCommit | None = None,
) -> IngestResult:
    """Ingest ``paths`` (see :func:`marsad.posts.ingest.ingest_files`) and audit it.

    Parameters
    ----------
    sessions : a session factory bound to the store, able to write the audit trail.
    fmt, paths, mapping, platform, watchlist : what ``marsad ingest`` takes.
    actor : who asked (a username, or ``system``).
    progress, resume, on_commit : passed to the engine (a job resumes with them).

    Returns
    -------
    IngestResult; its counts (not its rejections, which quote file contents) are the
    audit record's details, with the paths and the watchlist.
    """
    result = ingest_files(
        session_factory=sessions,
        fmt=fmt,
        paths=paths,
        mapping=mapping,
        platform=platform,
        watchlist=watchlist,
        progress=progress,
        resume=resume,
        on_commit=on_commit,
    )
    with session_scope(sessions) as session:
        audit.record(
            session,
            actor=actor,
            action="posts.ingested",
            subject_type="files",
            subject_id=fmt,
            details={
                "paths": [str(p) for p in paths][:_AUDITED_PATHS],
                "watchlist": watchlist,
                **{k: v for k, v in result.to_json().items() if k != "errors"},
            },
        )
    return result


def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
    account = None
    if row.get("account_id"):
        account = AccountOut(
            platform=row["platform"],
            account_id=row["account_id"],
            handle=row.get("handle"),
            display_name=row.get("display_name"),
        )
    created = row.get("created_at")
    if isinstance(created, str):  # text() queries on SQLite bypass the UTC column type
        created = datetime.fromisoformat(created).replace(tzinfo=UTC)
    elif isinstance(created, datetime) and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    hashtags = row.get("hashtags")
    if isinstance(hashtags, str):
        hashtags = json.loads(hashtags)
    return {
        "id": row["id"],
        "platform": row["platform"],
        "post_id": row["post_id"],
        "account": account,
        "text": row["text"],
        "lang": row.get("lang"),
        "created_at": created,
        "url": row.get("url"),
        "hashtags": hashtags or [],
        **{k: row.get(k) for k in ("likes", "shares", "replies", "views", "reactions")},
    }


def parse_time(value: str | None, where: str) -> datetime | None:
    """A date or date-time a user typed, as aware UTC (no zone means UTC); None if empty.

    The CLI's ``--since``/``--until`` and the web's ``since``/``until`` read it alike.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "err_posts_time",
            _("{value} is not a date (write 2024-05-01 or 2024-05-01T10:00).").format(
                value=repr(value)
            ),
            where=where,
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def search(
    *,
    session: Session,
    query: str = "",
    platform: str | None = None,
    account: str | None = None,
    watchlist: str | None = None,
    lang: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    flagged: bool = False,
    label: str | None = None,
    sort: str = "newest",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Search posts (Arabic-aware, see :mod:`marsad.posts.search`), newest first, paginated.

    ``flagged`` keeps the posts a detector flagged and no reviewer rejected; ``label``
    (offensive, hate, violence, extremism) those flagged with that label. Each post
    of the page carries its standing flag (``flag``), so lists can mark it.
    """
    among = None
    if flagged or label:
        # Imported here: detect's service loads scikit-learn (over a second), which
        # ingest, and its worker processes, never need.
        from marsad.detect import service as detect_service

        among = detect_service.flagged_post_ids(label=label or None)
    found = search_posts(
        session=session,
        query=query,
        platform=platform,
        account=account,
        watchlist=watchlist,
        lang=lang,
        since=since,
        until=until,
        among=among,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    items = [PostSummary(**_summary(r)) for r in found.rows]
    if items:
        # Imported here, as above; detect reads its own table.
        from marsad.detect.flagging import post_flags

        marks = post_flags(session, post_ids=[item.id for item in items])
        for item in items:
            if item.id in marks:
                item.flag = PostFlag(**marks[item.id])
    return SearchPage(
        query=query,
        total=found.total,
        total_exact=found.total_exact,
        offset=offset,
        limit=limit,
        next_offset=offset + limit if found.more else None,
        items=items,
    )


def get_post(*, session: Session, post_ref: int | str, include_raw: bool = True) -> PostDetail:
    """One post by its Marsad id, or by ``platform:post_id`` (e.g. ``x:1394735776701816833``)."""
    stmt = select(Post)
    if isinstance(post_ref, int) or str(post_ref).isdigit():
        stmt = stmt.where(Post.id == int(post_ref))
    elif ":" in str(post_ref):
        platform, _sep, post_id = str(post_ref).partition(":")
        stmt = stmt.where(Post.platform == platform, Post.post_id == post_id)
    else:
        raise InvalidInput("err_posts_ref", "give a post's id or platform:post_id", where="ID")
    post = session.execute(stmt).scalar_one_or_none()
    if post is None:
        raise NotFound("err_post_not_found", f"no post {post_ref}", where="ID")
    account = (
        session.execute(
            select(Account).where(
                Account.platform == post.platform, Account.account_id == post.account_id
            )
        ).scalar_one_or_none()
        if post.account_id
        else None
    )
    base = {c.name: getattr(post, c.name) for c in _posts.c if c.name != "raw"}
    if account is not None:
        base.update(handle=account.handle, display_name=account.display_name)
    summary = _summary(base)
    return PostDetail(
        **summary,
        links=post.links or [],
        mentions=post.mentions or [],
        reply_to=post.reply_to,
        quote_of=post.quote_of,
        forward_from=post.forward_from,
        retweet_of=post.retweet_of,
        quotes=post.quotes,
        media=post.media or [],
        extra=post.extra or {},
        source=post.source,
        ingested_at=post.ingested_at,
        raw=_read_raw(session, post) if include_raw else None,
    )


def _read_raw(session: Session, post: Post) -> Any:
    """A post's original record, its dictionary (if it has one) read from post_raw_dicts."""

    def dictionary(dict_id: int) -> bytes | None:
        if not 0 < dict_id <= DICT_ID_MAX:  # no such id is ever stored (nor fits INTEGER)
            return None
        data = session.execute(
            select(PostRawDict.dictionary).where(PostRawDict.id == dict_id)
        ).scalar_one_or_none()
        return bytes(data) if data is not None else None

    return decompress_raw(post.raw, dictionary, post=f"{post.id} ({post.platform}:{post.post_id})")
