"""Actors and their accounts, as other capabilities need them (declaration, alerts…).

Small service functions over posts' tables so that no other capability reads or
writes them directly: create an actor, attach accounts to it by handle (an
official account may be registered before any of its posts were ingested),
keep a watchlist's accounts equal to a given set, and the few reads the
declaration's rules need (who owns an account, who amplified whom).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import NotFound
from marsad.posts.models import Account, Actor, Post, Watchlist, WatchlistAccount


def create_actor(
    *, session: Session, name: str, kind: str | None, actor: str = audit.SYSTEM
) -> str:
    """A new actor (two candidates may share a name, so none is merged); its id."""
    row = Actor(name=name.strip(), kind=kind)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.actor_created",
        subject_type="actor",
        subject_id=row.id,
        details={"kind": kind},
    )
    return row.id


def get_actor(*, session: Session, actor_id: str) -> Actor:
    """The actor with this id, or NotFound."""
    row = session.get(Actor, actor_id)
    if row is None:
        raise NotFound("err_actor_not_found", f"no actor {actor_id!r}", "actor_id")
    return row


def actor_names(*, session: Session, actor_ids: Iterable[str]) -> dict[str, str]:
    """``{actor id: name}`` for these ids (unknown ids left out)."""
    ids = list(set(actor_ids))
    if not ids:
        return {}
    rows = session.execute(select(Actor.id, Actor.name).where(Actor.id.in_(ids))).all()
    return {row.id: row.name for row in rows}


def attach_handle(*, session: Session, actor_id: str, platform: str, handle: str) -> list[str]:
    """Give the actor every account with this handle on this platform; ids of those accounts.

    When no such account has been ingested yet, one is created with the handle as its
    id, so watchlists and rules see it at once; an ingest that later brings the
    platform's own id is attached by the next call (the declaration's sync does it).
    """
    handle = handle.strip().lstrip("@")
    found = list(
        session.execute(
            select(Account).where(
                Account.platform == platform,
                or_(
                    func.lower(Account.handle) == handle.lower(),
                    func.lower(Account.account_id) == handle.lower(),
                ),
            )
        ).scalars()
    )
    if not found:
        account = Account(platform=platform, account_id=handle, handle=handle)
        session.add(account)
        found = [account]
    for account in found:
        account.actor_id = actor_id
    session.flush()
    return [account.id for account in found]


def detach_accounts(*, session: Session, actor_id: str, keep: Sequence[str]) -> None:
    """Release the actor's accounts that are not in ``keep`` (account ids)."""
    for account in session.execute(select(Account).where(Account.actor_id == actor_id)).scalars():
        if account.id not in keep:
            account.actor_id = None
    session.flush()


def actor_accounts(*, session: Session, actor_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The accounts of these actors: id, actor, platform, account id, handle, display name."""
    ids = list(set(actor_ids))
    if not ids:
        return []
    rows = session.execute(select(Account).where(Account.actor_id.in_(ids))).scalars()
    return [
        {
            "id": a.id,
            "actor_id": a.actor_id,
            "platform": a.platform,
            "account_id": a.account_id,
            "handle": a.handle,
            "display_name": a.display_name,
        }
        for a in rows
    ]


def accounts_on(*, session: Session, platforms: Iterable[str]) -> list[dict[str, Any]]:
    """Every account on these platforms (for name comparisons), with its owner if any."""
    rows = session.execute(
        select(
            Account.id,
            Account.platform,
            Account.account_id,
            Account.handle,
            Account.display_name,
            Account.actor_id,
        ).where(Account.platform.in_(list(set(platforms))))
    ).all()
    return [dict(row._mapping) for row in rows]


def set_watchlist_accounts(
    *,
    session: Session,
    name: str,
    account_ids: Iterable[str],
    description: str | None = None,
    actor: str = audit.SYSTEM,
) -> dict[str, int]:
    """Make the watchlist hold exactly these accounts (created when missing); what changed."""
    watchlist = session.execute(
        select(Watchlist).where(Watchlist.name == name)
    ).scalar_one_or_none()
    if watchlist is None:
        watchlist = Watchlist(name=name, description=description)
        session.add(watchlist)
        session.flush()
    wanted = set(account_ids)
    present = set(
        session.execute(
            select(WatchlistAccount.account_pk).where(WatchlistAccount.watchlist_id == watchlist.id)
        ).scalars()
    )
    for account_pk in wanted - present:
        session.add(WatchlistAccount(watchlist_id=watchlist.id, account_pk=account_pk))
    for account_pk in present - wanted:
        link = session.get(WatchlistAccount, (watchlist.id, account_pk))
        if link is not None:
            session.delete(link)
    session.flush()
    added, removed = len(wanted - present), len(present - wanted)
    if added or removed:
        audit.record(
            session,
            actor=actor,
            action="posts.watchlist_synced",
            subject_type="watchlist",
            subject_id=watchlist.id,
            details={"name": name, "added": added, "removed": removed},
        )
    return {"added": added, "removed": removed}


def post_authors(*, session: Session, post_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``{post id: {platform, account_id, actor_id, created_at}}`` (the author's owner)."""
    ids = list(set(post_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Post.id, Post.platform, Post.account_id, Post.created_at, Account.actor_id)
        .join(
            Account,
            (Account.platform == Post.platform) & (Account.account_id == Post.account_id),
            isouter=True,
        )
        .where(Post.id.in_(ids))
    ).all()
    return {
        row.id: {
            "platform": row.platform,
            "account_id": row.account_id,
            "actor_id": row.actor_id,
            "created_at": row.created_at,
        }
        for row in rows
    }


def amplified_accounts(
    *, session: Session, members: Iterable[str], targets: Iterable[str]
) -> dict[str, set[str]]:
    """Which of ``targets`` each member account amplified: ``{target: {member, …}}``.

    Accounts are ``platform:account_id``. A member amplifies a target when one of
    its posts reposts, quotes, forwards or replies to a post of the target, or
    mentions the target's handle.
    """
    member_keys = [tuple(m.split(":", 1)) for m in members if ":" in m]
    target_keys = {tuple(t.split(":", 1)) for t in targets if ":" in t}
    if not member_keys or not target_keys:
        return {}
    handles: dict[tuple[str, str], str] = {}
    for platform, account_id in target_keys:
        row = session.execute(
            select(Account.handle).where(
                Account.platform == platform, Account.account_id == account_id
            )
        ).first()
        handles[(platform, account_id)] = ((row.handle if row else None) or account_id).lower()
    found: dict[str, set[str]] = {}
    for platform, account_id in member_keys:
        posts = session.execute(
            select(
                Post.retweet_of, Post.quote_of, Post.forward_from, Post.reply_to, Post.mentions
            ).where(Post.platform == platform, Post.account_id == account_id)
        ).all()
        pointed = {p for row in posts for p in row[:4] if p}
        mentioned = {str(m).lstrip("@").lower() for row in posts for m in (row.mentions or []) if m}
        for target in target_keys:
            if target[0] != platform or target[1] == account_id:
                continue
            authored = (
                set(
                    session.execute(
                        select(Post.post_id).where(
                            Post.platform == platform,
                            Post.account_id == target[1],
                            Post.post_id.in_(pointed),
                        )
                    ).scalars()
                )
                if pointed
                else set()
            )
            # A Telegram forward names the source channel, not the post.
            if authored or target[1] in pointed or handles[target] in mentioned:
                found.setdefault(f"{target[0]}:{target[1]}", set()).add(f"{platform}:{account_id}")
    return found
