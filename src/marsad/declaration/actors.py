"""Actors under a declaration: their profile, their register of official accounts, the watchlist.

The actor itself is posts' (``marsad.posts.actors``); this adds the election's
fields and the register. The register is kept in step with posts' accounts
and with one watchlist per declaration (``declaration:<slug>``) by
:func:`sync_accounts`, which every change calls and the periodic job repeats
(an ingest may bring an official account's platform id after it was registered).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.declaration import texts
from marsad.declaration.impersonation import look_alikes
from marsad.declaration.models import ActorProfile, OfficialAccount, Signature
from marsad.declaration.service import _accounts, list_declarations
from marsad.posts import actors as posts_actors

KIND_GROUPS = {
    "candidate": "candidates",
    "party": "candidates",
    "campaign-team": "candidates",
    "media": "media",
    "platform": "platforms",
    "government": "cmc",
    "electoral-commission": "ihec",
    "influencer": "civil-society",
    "civil-society": "civil-society",
    "individual": "individuals",
}
KINDS = tuple(KIND_GROUPS)


def create_actor(
    session: Session,
    *,
    name: str,
    kind: str,
    governorate: str | None = None,
    party: str | None = None,
    list_number: str | int | None = None,
    group: str | None = None,
    accounts: Any = (),
    actor: str,
) -> ActorProfile:
    """A new actor with its profile and official accounts; InvalidInput naming the field."""
    name = (name or "").strip()
    if not name or len(name) > 255:
        raise InvalidInput("err_required", "an actor needs a name (at most 255 characters)", "name")
    if kind not in KIND_GROUPS:
        raise InvalidInput("err_actor_kind", f"{kind!r} is not one of {', '.join(KINDS)}", "kind")
    group = group or KIND_GROUPS[kind]
    texts.check_slug(group, "group")
    checked = _accounts(accounts)
    for i, account in enumerate(checked):
        taken = _registered(session, account["platform"], account["handle"])
        if taken is not None:
            raise MarsadError(
                "err_account_registered",
                f"{account['platform']}:{account['handle']} is already an official account "
                "of another actor",
                f"accounts[{i}]",
                status=409,
            )
    actor_id = posts_actors.create_actor(session=session, name=name, kind=kind, actor=actor)
    profile = ActorProfile(
        actor_id=actor_id,
        kind=kind,
        group_slug=group,
        governorate=(governorate or "").strip() or None,
        party=(party or "").strip() or None,
        list_number=str(list_number).strip() if list_number not in (None, "") else None,
    )
    session.add(profile)
    session.flush()
    for account in checked:
        session.add(
            OfficialAccount(
                actor_id=actor_id, platform=account["platform"], handle=account["handle"].lower()
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.actor_created",
        subject_type="actor",
        subject_id=actor_id,
        details={"kind": kind, "accounts": len(checked)},
    )
    sync_accounts(session, actor=actor)
    return profile


def _registered(session: Session, platform: str, handle: str) -> OfficialAccount | None:
    return session.execute(
        select(OfficialAccount).where(
            OfficialAccount.platform == platform, OfficialAccount.handle == handle.lower()
        )
    ).scalar_one_or_none()


def add_account(session: Session, *, actor_id: str, platform: str, handle: str, actor: str) -> None:
    """Register one more official account of an actor."""
    get_profile(session, actor_id=actor_id)
    [account] = _accounts([{"platform": platform, "handle": handle}])
    if _registered(session, account["platform"], account["handle"]) is not None:
        raise MarsadError(
            "err_account_registered", "this account is already registered", "handle", status=409
        )
    session.add(
        OfficialAccount(
            actor_id=actor_id, platform=account["platform"], handle=account["handle"].lower()
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.account_registered",
        subject_type="actor",
        subject_id=actor_id,
        details=account,
    )
    sync_accounts(session, actor=actor)


def remove_account(
    session: Session, *, actor_id: str, platform: str, handle: str, actor: str
) -> None:
    """Strike an account off an actor's register; it leaves the actor and the watchlists."""
    get_profile(session, actor_id=actor_id)
    row = _registered(session, platform.strip().lower(), handle.strip().lstrip("@"))
    if row is None or row.actor_id != actor_id:
        raise NotFound("err_account_not_registered", "this account is not registered", "handle")
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="declaration.account_removed",
        subject_type="actor",
        subject_id=actor_id,
        details={"platform": row.platform, "handle": row.handle},
    )
    keep = [
        account_id
        for other in official_accounts(session, [actor_id])
        for account_id in posts_actors.attach_handle(
            session=session, actor_id=actor_id, platform=other.platform, handle=other.handle
        )
    ]
    posts_actors.detach_accounts(session=session, actor_id=actor_id, keep=keep)
    sync_accounts(session, actor=actor)


def get_profile(session: Session, *, actor_id: str) -> ActorProfile:
    """The profile of a declaration actor, or NotFound."""
    row = session.get(ActorProfile, actor_id)
    if row is None:
        raise NotFound("err_actor_not_found", f"no actor {actor_id!r}", "actor_id")
    return row


def list_profiles(session: Session) -> list[ActorProfile]:
    return list(session.execute(select(ActorProfile)).scalars())


def official_accounts(
    session: Session, actor_ids: list[str] | None = None
) -> list[OfficialAccount]:
    query = select(OfficialAccount).order_by(OfficialAccount.platform, OfficialAccount.handle)
    if actor_ids is not None:
        query = query.where(OfficialAccount.actor_id.in_(actor_ids))
    return list(session.execute(query).scalars())


def describe(session: Session, profiles: list[ActorProfile]) -> list[dict[str, Any]]:
    """Public fields of these actors: name, kind, group, governorate, party, list, accounts."""
    ids = [p.actor_id for p in profiles]
    names = posts_actors.actor_names(session=session, actor_ids=ids)
    accounts: dict[str, list[dict[str, str]]] = {}
    for row in official_accounts(session, ids):
        accounts.setdefault(row.actor_id, []).append(
            {"platform": row.platform, "handle": row.handle}
        )
    signed = (
        set(
            session.execute(
                select(Signature.actor_id).where(
                    Signature.actor_id.in_(ids), Signature.status == "confirmed"
                )
            ).scalars()
        )
        if ids
        else set()
    )
    return [
        {
            "id": p.actor_id,
            "name": names.get(p.actor_id, ""),
            "kind": p.kind,
            "group": p.group_slug,
            "governorate": p.governorate,
            "party": p.party,
            "list_number": p.list_number,
            "accounts": accounts.get(p.actor_id, []),
            "signatory": p.actor_id in signed,
        }
        for p in profiles
    ]


def sync_accounts(session: Session, *, actor: str = audit.SYSTEM) -> dict[str, int]:
    """Attach each registered handle's accounts to its actor; every declaration's watchlist
    then holds exactly its actors' accounts. Idempotent."""
    register = official_accounts(session)
    by_actor: dict[str, list[str]] = {}
    for row in register:
        ids = posts_actors.attach_handle(
            session=session, actor_id=row.actor_id, platform=row.platform, handle=row.handle
        )
        by_actor.setdefault(row.actor_id, []).extend(ids)
    all_ids = [i for ids in by_actor.values() for i in ids]
    changed = {"added": 0, "removed": 0}
    for declaration in list_declarations(session):
        done = posts_actors.set_watchlist_accounts(
            session=session,
            name=f"declaration:{declaration.slug}",
            account_ids=all_ids,
            description=texts.pick(declaration.content["title"], "en"),
            actor=actor,
        )
        changed["added"] += done["added"]
        changed["removed"] += done["removed"]
    return changed


def impersonation(session: Session, *, threshold: float = 0.85) -> list[dict[str, Any]]:
    """Accounts resembling a registered official account that are not registered (for review)."""
    register = official_accounts(session)
    owned = posts_actors.actor_accounts(session=session, actor_ids={r.actor_id for r in register})
    names = {
        (a["platform"], (a["handle"] or a["account_id"]).lower()): a["display_name"] for a in owned
    }
    official = [
        {
            "platform": r.platform,
            "handle": r.handle,
            "display_name": names.get((r.platform, r.handle)),
            "actor_id": r.actor_id,
        }
        for r in register
    ]
    owned_ids = {a["id"] for a in owned}
    others = [
        a
        for a in posts_actors.accounts_on(session=session, platforms={r.platform for r in register})
        if a["id"] not in owned_ids
    ]
    actor_names = posts_actors.actor_names(
        session=session, actor_ids={r.actor_id for r in register}
    )
    return [
        {**m.to_json(), "actor": actor_names.get(m.actor_id, "")}
        for m in look_alikes(official, others, threshold=threshold)
    ]
