"""Watchlists of accounts and keywords, and actors who own accounts across platforms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import InvalidInput, NotFound
from marsad.posts.models import Account, Actor, Watchlist, WatchlistAccount, WatchlistKeyword
from marsad.posts.schema import AccountOut
from marsad.posts.search import search_text


def _watchlist(session: Session, name: str) -> Watchlist:
    found = session.execute(select(Watchlist).where(Watchlist.name == name)).scalar_one_or_none()
    if found is None:
        raise NotFound(
            "err_posts_watchlist_not_found", f"no watchlist named {name!r}", where="watchlist"
        )
    return found


def create_watchlist(
    *,
    session: Session,
    name: str,
    description: str | None = None,
    accounts: Sequence[str] = (),
    keywords: Sequence[str] = (),
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Create a watchlist, with these accounts and keywords; refuse a name already taken.

    An unknown account raises NotFound: the caller's transaction then stores nothing.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("err_posts_watchlist_name", "a watchlist needs a name", where="NAME")
    if session.execute(select(Watchlist.id).where(Watchlist.name == name)).first():
        raise InvalidInput(
            "err_posts_watchlist_exists", f"a watchlist named {name!r} exists", where="NAME"
        )
    watchlist = Watchlist(name=name, description=description)
    session.add(watchlist)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.watchlist_created",
        subject_type="watchlist",
        subject_id=watchlist.id,
        details={"name": name},
    )
    if accounts or keywords:
        return add_to_watchlist(
            session=session, name=name, accounts=accounts, keywords=keywords, actor=actor
        )
    return describe_watchlist(session=session, name=name)


def resolve_account(*, session: Session, ref: str) -> Account:
    """Find an account from ``platform:handle_or_id`` (or a handle or id on one platform only)."""
    platform, sep, who = ref.partition(":")
    if not sep:
        platform, who = "", ref
    who = who.lstrip("@")
    stmt = select(Account).where(
        (Account.account_id == who) | (func.lower(Account.handle) == who.lower())
    )
    if platform:
        stmt = stmt.where(Account.platform == platform)
    found = session.execute(stmt.limit(2)).scalars().all()
    if not found:
        raise NotFound(
            "err_posts_account_not_found", f"no account {ref!r} has been ingested", where="ACCOUNT"
        )
    if len(found) > 1:
        raise InvalidInput(
            "err_posts_account_ambiguous",
            f"{ref!r} names several accounts; write platform:{who}",
            where="ACCOUNT",
        )
    return found[0]


def add_to_watchlist(
    *,
    session: Session,
    name: str,
    accounts: Sequence[str] = (),
    keywords: Sequence[str] = (),
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Add accounts (``platform:handle_or_id``) and keywords to a watchlist."""
    watchlist = _watchlist(session, name)
    for ref in accounts:
        account = resolve_account(session=session, ref=ref)
        if session.get(WatchlistAccount, (watchlist.id, account.id)) is None:
            session.add(WatchlistAccount(watchlist_id=watchlist.id, account_pk=account.id))
    for keyword in keywords:
        keyword = keyword.strip()
        if keyword and session.get(WatchlistKeyword, (watchlist.id, keyword)) is None:
            session.add(
                WatchlistKeyword(
                    watchlist_id=watchlist.id, keyword=keyword, normalized=search_text(keyword)
                )
            )
    session.flush()
    _audit_change(session, actor, "posts.watchlist_added", watchlist, accounts, keywords)
    return describe_watchlist(session=session, name=name)


def remove_from_watchlist(
    *,
    session: Session,
    name: str,
    accounts: Sequence[str] = (),
    keywords: Sequence[str] = (),
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Remove accounts and keywords from a watchlist."""
    watchlist = _watchlist(session, name)
    for ref in accounts:
        account = resolve_account(session=session, ref=ref)
        link = session.get(WatchlistAccount, (watchlist.id, account.id))
        if link is not None:
            session.delete(link)
    for keyword in keywords:
        link = session.get(WatchlistKeyword, (watchlist.id, keyword.strip()))
        if link is not None:
            session.delete(link)
    session.flush()
    _audit_change(session, actor, "posts.watchlist_removed", watchlist, accounts, keywords)
    return describe_watchlist(session=session, name=name)


def _audit_change(
    session: Session,
    actor: str,
    action: str,
    watchlist: Watchlist,
    accounts: Sequence[str],
    keywords: Sequence[str],
) -> None:
    if accounts or keywords:
        audit.record(
            session,
            actor=actor,
            action=action,
            subject_type="watchlist",
            subject_id=watchlist.id,
            details={
                "name": watchlist.name,
                "accounts": list(accounts),
                "keywords": list(keywords),
            },
        )


def delete_watchlist(*, session: Session, name: str, actor: str = audit.SYSTEM) -> None:
    """Delete a watchlist (its accounts and posts stay)."""
    watchlist = _watchlist(session, name)
    session.execute(
        WatchlistAccount.__table__.delete().where(WatchlistAccount.watchlist_id == watchlist.id)
    )
    session.execute(
        WatchlistKeyword.__table__.delete().where(WatchlistKeyword.watchlist_id == watchlist.id)
    )
    session.delete(watchlist)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.watchlist_deleted",
        subject_type="watchlist",
        subject_id=watchlist.id,
        details={"name": name},
    )


def describe_watchlist(*, session: Session, name: str) -> dict[str, Any]:
    """A watchlist with its accounts and keywords."""
    watchlist = _watchlist(session, name)
    accounts = (
        session.execute(
            select(Account)
            .join(WatchlistAccount, WatchlistAccount.account_pk == Account.id)
            .where(WatchlistAccount.watchlist_id == watchlist.id)
            .order_by(Account.platform, Account.handle, Account.account_id)
        )
        .scalars()
        .all()
    )
    keywords = (
        session.execute(
            select(WatchlistKeyword.keyword)
            .where(WatchlistKeyword.watchlist_id == watchlist.id)
            .order_by(WatchlistKeyword.keyword)
        )
        .scalars()
        .all()
    )
    return {
        "name": watchlist.name,
        "description": watchlist.description,
        "accounts": [
            AccountOut(
                platform=a.platform,
                account_id=a.account_id,
                handle=a.handle,
                display_name=a.display_name,
            ).model_dump()
            for a in accounts
        ],
        "keywords": list(keywords),
    }


def list_watchlists(*, session: Session) -> list[dict[str, Any]]:
    """Every watchlist with how many accounts and keywords it holds."""
    rows = session.execute(
        select(
            Watchlist.name,
            Watchlist.description,
            select(func.count())
            .where(WatchlistAccount.watchlist_id == Watchlist.id)
            .correlate(Watchlist)
            .scalar_subquery()
            .label("accounts"),
            select(func.count())
            .where(WatchlistKeyword.watchlist_id == Watchlist.id)
            .correlate(Watchlist)
            .scalar_subquery()
            .label("keywords"),
        ).order_by(Watchlist.name)
    ).all()
    return [dict(r._mapping) for r in rows]


# ------------------------------------------------------------------------------ actors


def assign_actor(
    *,
    session: Session,
    actor_name: str,
    accounts: Sequence[str],
    kind: str | None = None,
    actor: str = audit.SYSTEM,
) -> dict[str, Any]:
    """Attach accounts (on any platforms) to an actor, creating the actor when new.

    An account owned by another actor moves to this one; ``kind``, when given, is
    set on the actor, new or not. Every account is found before anything changes, so
    an unknown one changes nothing.
    """
    found = [resolve_account(session=session, ref=ref) for ref in accounts]
    owner = session.execute(select(Actor).where(Actor.name == actor_name)).scalars().first()
    if owner is None:
        owner = Actor(name=actor_name, kind=kind)
        session.add(owner)
        session.flush()
    elif kind is not None:
        owner.kind = kind
    for account in found:
        account.actor_id = owner.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="posts.actor_accounts_assigned",
        subject_type="actor",
        subject_id=owner.id,
        details={"name": actor_name, "kind": owner.kind, "accounts": list(accounts)},
    )
    owned = session.execute(select(Account).where(Account.actor_id == owner.id)).scalars().all()
    return {
        "id": owner.id,
        "name": owner.name,
        "kind": owner.kind,
        "accounts": [
            AccountOut(
                platform=a.platform,
                account_id=a.account_id,
                handle=a.handle,
                display_name=a.display_name,
            ).model_dump()
            for a in owned
        ],
    }
