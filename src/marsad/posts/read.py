"""What other capabilities read of the posts store, and the account page's figures.

detect and coordination read posts only through these functions (never the posts
tables): texts by id for the detectors, coordination rows (who shared what, when) and
account profiles for the coordination detectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import String, and_, func, or_, select
from sqlalchemy.orm import Session

from marsad.core.errors import NotFound
from marsad.posts.models import Account, Post
from marsad.posts.rows import LOOKUP_CHUNK
from marsad.posts.schema import AccountOut


def account_activity(*, session: Session, platform: str, account_id: str) -> dict[str, Any]:
    """An account and its number of posts per day (for the account page)."""
    account = session.execute(
        select(Account).where(Account.platform == platform, Account.account_id == account_id)
    ).scalar_one_or_none()
    if account is None:
        raise NotFound("err_posts_account_not_found", f"no account {platform}:{account_id}")
    day = func.substr(func.cast(Post.created_at, String()), 1, 10)
    rows = session.execute(
        select(day.label("day"), func.count().label("posts"))
        .where(Post.platform == platform, Post.account_id == account_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return {
        "account": AccountOut(
            platform=platform,
            account_id=account_id,
            handle=account.handle,
            display_name=account.display_name,
        ).model_dump(),
        "actor_id": account.actor_id,
        "registered_at": account.registered_at,
        "first_seen": account.first_seen,
        "last_seen": account.last_seen,
        "per_day": [{"day": r.day, "posts": r.posts} for r in rows if r.day],
    }


def post_texts_after(
    *,
    session: Session,
    after_id: int,
    limit: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> list[tuple[int, str]]:
    """``(id, text)`` of the next ``limit`` posts above ``after_id``, in id order.

    ``up_to`` bounds the ids (inclusive). ``unless`` is given the posts' id
    column and returns a condition (e.g. a correlated ``EXISTS`` over another
    capability's table) that leaves a post out: a caller finds the posts it has
    not handled yet by what is missing, not by the highest id it has seen, since
    ids are not committed in order when two ingests run at once.
    """
    query = select(Post.id, Post.text).where(*_id_window(after_id, up_to, unless))
    rows = session.execute(query.order_by(Post.id).limit(limit))
    return [(int(pk), text_ or "") for pk, text_ in rows]


def post_ids_after(
    *,
    session: Session,
    after_id: int,
    limit: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> list[int]:
    """The ids :func:`post_texts_after` would return, without the texts (to plan work)."""
    query = select(Post.id).where(*_id_window(after_id, up_to, unless))
    return [int(pk) for pk in session.execute(query.order_by(Post.id).limit(limit)).scalars()]


def count_posts_after(
    *,
    session: Session,
    after_id: int,
    up_to: int | None = None,
    unless: Callable[[Any], Any] | None = None,
) -> int:
    """How many posts :func:`post_texts_after` has left (same ``up_to`` and ``unless``)."""
    query = select(func.count()).select_from(Post).where(*_id_window(after_id, up_to, unless))
    return int(session.execute(query).scalar_one())


def _id_window(after_id: int, up_to: int | None, unless: Callable[[Any], Any] | None) -> list[Any]:
    conditions: list[Any] = [Post.id > after_id]
    if up_to is not None:
        conditions.append(Post.id <= up_to)
    if unless is not None:
        conditions.append(~unless(Post.id))
    return conditions


def post_texts(*, session: Session, ids: Sequence[int]) -> dict[int, str]:
    """The text of each of these posts (ids that do not exist are left out)."""
    found: dict[int, str] = {}
    wanted = list(dict.fromkeys(int(i) for i in ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for pk, text_ in session.execute(select(Post.id, Post.text).where(Post.id.in_(chunk))):
            found[int(pk)] = text_ or ""
    return found


def post_cards(*, session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """What a review card shows of each post: text, author, platform, time, links.

    ``post_page`` and ``account_page`` are the staff pages of the post and its
    author; ``author`` is the display name, else the handle, else the account id.
    Ids that do not exist are left out.
    """
    found: dict[int, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(int(i) for i in ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        rows = session.execute(
            select(Post, Account.handle, Account.display_name)
            .outerjoin(
                Account,
                and_(Account.platform == Post.platform, Account.account_id == Post.account_id),
            )
            .where(Post.id.in_(chunk))
        ).all()
        for post, handle, display_name in rows:
            account = post.account_id
            found[int(post.id)] = {
                "text": post.text or "",
                "platform": post.platform,
                "post_id": post.post_id,
                "created_at": post.created_at,
                "url": post.url,
                "account_id": account,
                "handle": handle,
                "author": display_name or handle or account,
                "post_page": f"/posts/{post.id}",
                "account_page": (
                    f"/accounts/{quote(post.platform)}/{quote(account)}" if account else None
                ),
            }
    return found


# What a coordination row needs of a post.
_SHARE_COLUMNS = (
    Post.platform,
    Post.post_id,
    Post.account_id,
    Post.created_at,
    Post.text,
    Post.links,
    Post.hashtags,
    Post.retweet_of,
    Post.forward_from,
    Post.quote_of,
)


def _share_row(row: Any) -> dict[str, Any]:
    shared = row.retweet_of or row.forward_from or row.quote_of
    return {
        "account_id": f"{row.platform}:{row.account_id}",
        "post_id": f"{row.platform}:{row.post_id}",
        "timestamp": row.created_at,
        "object_id": f"{row.platform}:{shared}" if shared else None,
        "url": " ".join(row.links or []) or None,
        "text": row.text or None,
        "hashtags": list(row.hashtags or []),
    }


def iter_share_rows(
    *, session: Session, account: str | None = None, batch: int = 10_000
) -> Iterable[dict[str, Any]]:
    """Every dated post (or one ``platform:account_id``'s) as a coordination row.

    Accounts and posts are prefixed with their platform, so the same id on two
    platforms never merges; ``object_id`` is what the post re-shares (a retweet,
    forward or quote), ``url`` its links separated by spaces.
    """
    query = (
        select(*_SHARE_COLUMNS)
        .where(Post.created_at.is_not(None), Post.account_id.is_not(None))
        .order_by(Post.id)
        .execution_options(yield_per=batch)
    )
    if account is not None:
        platform, _sep, account_id = account.partition(":")
        query = query.where(Post.platform == platform, Post.account_id == account_id)
    for row in session.execute(query):
        yield _share_row(row)


def iter_account_profiles(*, session: Session) -> Iterable[dict[str, Any]]:
    """Every stored account as ``{account_id (platform-prefixed), handle, display_name,
    created_at, registered_at}``.

    ``created_at`` is when Marsad first saw the account; ``registered_at`` is when it
    was created on its platform, None where no ingested export said (X exports do;
    Telegram and YouTube exports never do).
    """
    query = select(
        Account.platform,
        Account.account_id,
        Account.handle,
        Account.display_name,
        Account.first_seen,
        Account.registered_at,
    ).execution_options(yield_per=10_000)
    for row in session.execute(query):
        yield {
            "account_id": f"{row.platform}:{row.account_id}",
            "handle": row.handle,
            "display_name": row.display_name,
            "created_at": row.first_seen,
            "registered_at": row.registered_at,
        }


def find_accounts(*, session: Session, text: str, limit: int = 10) -> list[str]:
    """Accounts (``platform:account_id``) whose id, handle or display name contains ``text``.

    ``text`` may carry a platform prefix (``x:ali``) or an @; matching ignores case.
    """
    wanted = text.strip().lstrip("@")
    platform = None
    if ":" in wanted:
        platform, _sep, wanted = wanted.partition(":")
        wanted = wanted.lstrip("@")
    if not wanted:
        return []
    pattern = "%" + wanted.lower().replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
    query = select(Account.platform, Account.account_id).where(
        or_(
            func.lower(Account.account_id).like(pattern, escape="\\"),
            func.lower(Account.handle).like(pattern, escape="\\"),
            func.lower(Account.display_name).like(pattern, escape="\\"),
        )
    )
    if platform:
        query = query.where(Account.platform == platform)
    rows = session.execute(query.order_by(Account.platform, Account.account_id).limit(limit))
    return [f"{p}:{a}" for p, a in rows]


def account_labels(*, session: Session, accounts: Sequence[str]) -> dict[str, str]:
    """``platform:account_id`` -> the account's display name, else its handle.

    Accounts the store does not know, or knows by id only, are left out.
    """
    by_platform: dict[str, list[str]] = {}
    for account in accounts:
        platform, sep, account_id = account.partition(":")
        if sep:
            by_platform.setdefault(platform, []).append(account_id)
    found: dict[str, str] = {}
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            rows = session.execute(
                select(Account.account_id, Account.handle, Account.display_name).where(
                    Account.platform == platform, Account.account_id.in_(chunk)
                )
            )
            for account_id, handle, display_name in rows:
                label = display_name or (f"@{handle}" if handle else None)
                if label:
                    found[f"{platform}:{account_id}"] = label
    return found


def iter_share_rows_of(*, session: Session, accounts: Sequence[str]) -> Iterable[dict[str, Any]]:
    """The rows of :func:`iter_share_rows` by these ``platform:account_id`` accounts only.

    One query (by the ``platform, account_id`` index), in the same order as
    :func:`iter_share_rows`; keep ``accounts`` to a few hundred per call.
    """
    by_platform: dict[str, list[str]] = {}
    for account in dict.fromkeys(accounts):
        platform, _sep, account_id = account.partition(":")
        by_platform.setdefault(platform, []).append(account_id)
    if not by_platform:
        return
    query = (
        select(*_SHARE_COLUMNS)
        .where(
            Post.created_at.is_not(None),
            or_(
                *(
                    and_(Post.platform == platform, Post.account_id.in_(ids))
                    for platform, ids in by_platform.items()
                )
            ),
        )
        .order_by(Post.id)
    )
    for row in session.execute(query):
        yield _share_row(row)


def iter_share_rows_near(
    *, session: Session, times: Sequence[int], window: int, gap: int = 600
) -> Iterable[dict[str, Any]]:
    """The rows of :func:`iter_share_rows`, without their text, posted within ``window``
    seconds of any of ``times`` that re-share or link something.

    ``times`` are epoch seconds (UTC). Spans closer than ``gap`` seconds are merged
    and each is read by the ``created_at`` index, one query a span (SQLite scans the
    table for an ``OR`` of ranges), so what is read is the posts around those
    moments, never the whole store. Rows come once each, by span in time order.
    """
    spans: list[list[int]] = []
    for t in sorted(set(times)):
        if spans and t - window <= spans[-1][1] + gap:
            spans[-1][1] = t + window
        else:
            spans.append([t - window, t + window])
    columns = (
        Post.platform,
        Post.post_id,
        Post.account_id,
        Post.created_at,
        Post.links,
        Post.retweet_of,
        Post.forward_from,
        Post.quote_of,
    )
    for lo, hi in spans:
        query = select(*columns).where(
            Post.account_id.is_not(None),
            Post.created_at.between(
                datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)
            ),
        )
        for row in session.execute(query):
            shared = row.retweet_of or row.forward_from or row.quote_of
            if not shared and not row.links:
                continue
            yield {
                "account_id": f"{row.platform}:{row.account_id}",
                "post_id": f"{row.platform}:{row.post_id}",
                "timestamp": row.created_at,
                "object_id": f"{row.platform}:{shared}" if shared else None,
                "url": " ".join(row.links) if row.links else None,
                "text": None,
                "hashtags": [],
            }
