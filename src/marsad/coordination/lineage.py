"""Re-created accounts over the store: rank successors, record decisions, follow lineage.

A banned account that comes back under a new name is linked to its successor
only when an analyst confirms it; rejections are kept too, so the same
candidate is not proposed again as if new. Confirmed links chain into an
account's lineage across bans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.coordination.models import AccountLink
from marsad.coordination.recreated_accounts import (
    AccountProfile,
    rank_successors_pruned,
    with_behaviour,
)
from marsad.coordination.runs import store_table
from marsad.coordination.signals import (
    COACTION_WINDOW,
    action_keys,
    behaviour_profiles,
    co_sharers,
    coactions,
)
from marsad.coordination.table import PostTable
from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput
from marsad.posts import read as posts_read

DECISIONS = ("confirmed", "rejected")
# Below this score a candidate shares too little with the suspended account to be put
# forward as its likely successor: the page lists it apart, the API marks it not likely.
LIKELY_SCORE = 0.5


def _profile(row: dict[str, Any]) -> AccountProfile:
    """An account's profile from its ``iter_account_profiles`` row (no behaviour yet)."""
    # The platform's registration time, or unknown. When Marsad first saw an account is
    # not when it was created: a whole collection "first seen" on one day would make
    # every account look freshly made after any suspension (unrelated accounts scored
    # 0.76). Unknown leaves the timing feature out of the score.
    created: datetime | None = row.get("registered_at")
    return AccountProfile(
        account_id=row["account_id"],
        # Without a handle, an export's author id is often the handle itself; a
        # numeric platform id reduces to nothing and is simply not compared.
        handle=row["handle"] or row["account_id"].split(":", 1)[1],
        display_name=row["display_name"],
        created_at=int(created.timestamp()) if created else None,
    )


def with_avatars(session: Session, profiles: list[AccountProfile]) -> list[AccountProfile]:
    """``profiles`` (changed in place) with the perceptual hash of each one's avatar.

    Platform exports carry no avatar bytes, so an avatar is known when a monitor
    stored it as evidence for the account (see
    :func:`marsad.evidence.similar.avatar_hashes`); the ranking then compares the
    real pictures' hashes, bit by bit.
    """
    from marsad.evidence.similar import avatar_hashes

    known = avatar_hashes(session)
    for profile in profiles:
        if profile.account_id in known:
            profile.avatar_hash = known[profile.account_id]
    return profiles


def store_profiles(session: Session) -> dict[str, AccountProfile]:
    """Profiles of every stored account: names from the accounts, behaviour from the posts.

    Reads the whole posts store: the reference :func:`propose_successors` equals,
    not what it runs.
    """
    profiles = behaviour_profiles(store_table(session))
    for row in posts_read.iter_account_profiles(session=session):
        profiles[row["account_id"]] = with_behaviour(_profile(row), profiles.get(row["account_id"]))
    with_avatars(session, list(profiles.values()))
    return profiles


def behaviour_of(
    session: Session, accounts: list[str], *, cosharers: bool = True
) -> dict[str, AccountProfile]:
    """Behaviour of those ``accounts`` that posted: their posts, and the posts around them.

    Vocabulary, hours, style and last post come from the accounts' own posts; their
    co-sharers (unless ``cosharers`` is false) from the posts within the coordination
    window of those that re-share or link (:func:`with_cosharers`).
    """
    rows = posts_read.iter_share_rows_of(session=session, accounts=accounts)
    table = PostTable.from_rows(rows, source="posts store")
    profiles = behaviour_profiles(table, cosharers=False)
    return with_cosharers(session, table, profiles) if cosharers else profiles


def with_cosharers(
    session: Session, table: PostTable, profiles: dict[str, AccountProfile]
) -> dict[str, AccountProfile]:
    """``profiles`` (of all of ``table``'s accounts) with their co-sharers over the store.

    Reads only the posts within the window of the table's re-shares and links.
    """
    own = coactions(table)
    if not own:
        return profiles
    # One second more either side: the table's times are whole seconds, rounded down.
    near = posts_read.iter_share_rows_near(
        session=session, times=[ts for _, _, ts, _ in own], window=COACTION_WINDOW + 1
    )
    keys = {key for _, key, _, _ in own}
    around = coactions(PostTable.from_rows(_sharing(near, keys), source="posts store"))
    for account, peers in co_sharers(own + around, profiles).items():
        profiles[account].cosharers = peers
    return profiles


def _sharing(rows: Any, keys: set[str]) -> Any:
    """Each of ``rows`` once, those that re-share or link one of ``keys`` (``o:``/``u:``)."""
    seen: set[str] = set()
    for row in rows:
        if row["post_id"] in seen:
            continue
        seen.add(row["post_id"])
        if keys.intersection(action_keys(row["object_id"], row["url"])):
            yield row


def propose_successors(
    session: Session, *, suspended: str, limit: int = 10
) -> list[dict[str, Any]]:
    """Ranked candidates for one suspended account, each with its decision if any.

    The ranking of :func:`rank_successors` over :func:`store_profiles`, without
    reading the store: the accounts' profiles, the suspended account's posts and
    the posts of the candidates that can still reach the top ``limit`` (see
    :func:`rank_successors_pruned`).
    """
    own: AccountProfile | None = None
    pool: dict[str, AccountProfile] = {}
    for row in posts_read.iter_account_profiles(session=session):
        profile = _profile(row)
        if profile.account_id == suspended:
            own = profile
        else:
            pool[profile.account_id] = profile
    table = store_table(session, account=suspended)
    posted = with_cosharers(session, table, behaviour_profiles(table, cosharers=False)).get(
        suspended
    )
    if own is None and posted is None:
        raise InvalidInput(
            "err_coordination_input", f"unknown account {suspended!r}", where="suspended"
        )
    own = with_behaviour(own or AccountProfile(account_id=suspended), posted)
    with_avatars(session, [own, *pool.values()])
    decided = {
        link.successor: link.status
        for link in session.execute(
            select(AccountLink).where(AccountLink.predecessor == suspended)
        ).scalars()
    }
    # Without co-sharers of its own the feature is absent for every candidate: not read.
    wanted = bool(own.cosharers)
    ranked = rank_successors_pruned(
        own,
        list(pool.values()),
        lambda ids: behaviour_of(session, ids, cosharers=wanted),
        limit=limit,
    )
    out = []
    for candidate in ranked:
        item = candidate.to_json()
        prof = pool[candidate.account_id]
        item.update(
            handle=prof.handle,
            display_name=prof.display_name,
            decision=decided.get(candidate.account_id),
            likely=candidate.score >= LIKELY_SCORE,
        )
        out.append(item)
    return out


def similar_accounts(session: Session, *, text: str, limit: int = 10) -> list[str]:
    """Stored accounts whose id, handle or name contains ``text``: suggestions for a typo."""
    return posts_read.find_accounts(session=session, text=text, limit=limit)


def decide(
    session: Session,
    *,
    predecessor: str,
    successor: str,
    decision: str,
    actor: str,
    score: float | None = None,
    contributions: dict[str, float] | None = None,
    note: str | None = None,
) -> AccountLink:
    """Confirm or reject that ``successor`` re-creates ``predecessor``. Audited."""
    if decision not in DECISIONS:
        raise InvalidInput("err_link_decision", f"use {' or '.join(DECISIONS)}", "decision")
    if predecessor == successor:
        raise InvalidInput("err_link_self", "an account cannot succeed itself", "successor")
    link = session.execute(
        select(AccountLink).where(
            AccountLink.predecessor == predecessor, AccountLink.successor == successor
        )
    ).scalar_one_or_none()
    if link is None:
        link = AccountLink(
            predecessor=predecessor, successor=successor, decided_by=actor, status=decision
        )
        session.add(link)
    link.status, link.decided_by, link.decided_at = decision, actor, utcnow()
    link.score, link.contributions, link.note = score, contributions, note or None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"account_link.{decision}",
        subject_type="account_link",
        subject_id=link.id,
        details={"predecessor": predecessor, "successor": successor},
    )
    return link


def lineage(session: Session, *, account: str) -> list[str]:
    """The account's confirmed chain across bans, oldest first (the account included)."""
    confirmed = list(
        session.execute(select(AccountLink).where(AccountLink.status == "confirmed")).scalars()
    )
    before = {link.successor: link.predecessor for link in confirmed}
    after = {link.predecessor: link.successor for link in confirmed}
    chain = [account]
    seen = {account}
    while chain[0] in before and before[chain[0]] not in seen:
        chain.insert(0, before[chain[0]])
        seen.add(chain[0])
    while chain[-1] in after and after[chain[-1]] not in seen:
        chain.append(after[chain[-1]])
        seen.add(chain[-1])
    return chain


def account_signals_for(session: Session, *, account: str) -> dict[str, float] | None:
    """How one stored account posts (see :mod:`marsad.coordination.signals`), or None.

    Read from the account's own posts only. Its copy-paste share compares it with
    every other account, so it is not computed here but read from the latest run
    over texts (:func:`marsad.coordination.runs.copy_paste_of`).
    """
    from marsad.coordination.signals import account_signals

    table = store_table(session, account=account)
    if len(table) == 0:
        return None
    return {
        name: float(values[0]) for name, values in account_signals(table, copy_paste=False).items()
    }
