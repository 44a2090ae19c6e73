"""Candidate violations that arrive by themselves, for a person to code and confirm.

Three rules, each an idempotent pass (a suggestion's ``suggestion_key`` is
unique, so a pass run twice, or a job delivered again, suggests nothing twice):

1. **flags**: a flag a reviewer confirmed as hate or incitement (``hate``,
   ``violence``) on a post by an actor's account → the commitment of the
   actor's group tagged ``hate``.
2. **coordination**: a coordinated group (a cluster of the newest runs)
   whose members amplify an actor's official accounts (repost, quote, reply,
   forward, mention) → the commitment tagged ``coordination`` (no fictitious
   accounts or electronic armies), for the amplified actor.
3. **images**: an image whose perceptual hash is within a few bits of a
   fabricated image's (one cited by a confirmed violation of a
   ``fabricated-image`` commitment), captured from a post of an actor's account
   → the commitment tagged ``fabricated-image`` of that actor's group.

Suggestions are drafts filed by ``system``; nothing is public until people
have coded, confirmed and notified it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core.plugins import get_registry
from marsad.declaration import texts
from marsad.declaration.actors import list_profiles, official_accounts
from marsad.declaration.models import Violation
from marsad.declaration.service import list_declarations, section, stored_declaration
from marsad.declaration.violations import PUBLIC_STATUSES, create_violation
from marsad.posts import actors as posts_actors

SUGGESTER = "system"
HATE_LABELS = ("hate", "violence")
RUNS_READ = 5


def _known(session: Session, key: str) -> bool:
    return (
        session.execute(select(Violation.id).where(Violation.suggestion_key == key)).first()
        is not None
    )


def _suggest(
    session: Session,
    *,
    references: Any,
    slug: str,
    actor_id: str,
    tag: str,
    key: str,
    evidence: list[str],
    description: str,
    source: str,
    when: Any = None,
) -> bool:
    profiles = {p.actor_id: p for p in list_profiles(session)}
    profile = profiles.get(actor_id)
    if profile is None or _known(session, key):
        return False
    declaration = stored_declaration(session, slug=slug)
    commitment = texts.commitment_for(declaration.content, profile.group_slug, tag)
    if commitment is None:
        return False
    known = {r for r in evidence if r.split(":", 1)[0] in _prefixes(references)}
    create_violation(
        session,
        references=references,
        actor_id=actor_id,
        commitment_id=commitment,
        declaration=slug,
        description=description,
        severity="medium",
        evidence=[r for r in evidence if r in known],
        created_by=SUGGESTER,
        source=source,
        suggestion_key=key,
        occurred_on=when.date() if when is not None else None,
    )
    return True


def _prefixes(references: Any) -> set[str]:
    return set(references) if isinstance(references, dict) else {r.prefix for r in references}


def from_flags(session: Session, *, slug: str, references: Any) -> int:
    """Rule 1: confirmed hate or incitement flags on actors' accounts."""
    from marsad.detect.flagging import list_flags

    added = 0
    offset = 0
    while True:
        page = list_flags(session, status="confirmed", limit=200, offset=offset)
        if not page:
            break
        offset += len(page)
        chosen = [
            f
            for f in page
            if set(f.get("reviewed_labels") or f.get("labels") or []) & set(HATE_LABELS)
        ]
        authors = posts_actors.post_authors(session=session, post_ids=[f["post"] for f in chosen])
        for flag in chosen:
            author = authors.get(flag["post"]) or {}
            owner = author.get("actor_id")
            if owner is None:
                continue
            labels = sorted(set(flag.get("reviewed_labels") or flag["labels"]) & set(HATE_LABELS))
            added += _suggest(
                session,
                references=references,
                slug=slug,
                actor_id=owner,
                tag="hate",
                key=f"flag:{flag['id']}",
                evidence=[f"flag:{flag['id']}", f"post:{flag['post']}"],
                description=f"A reviewer confirmed a {'/'.join(labels)} flag on a post "
                "of this actor's account.",
                source="flag",
                when=author.get("created_at"),
            )
    return added


def from_coordination(session: Session, *, slug: str, references: Any, settings: Any) -> int:
    """Rule 2: coordinated groups whose members amplify an actor."""
    from marsad.coordination.runs import list_runs

    need = section(settings).declaration_amplifiers
    accounts = posts_actors.actor_accounts(
        session=session, actor_ids={p.actor_id for p in list_profiles(session)}
    )
    owner = {f"{a['platform']}:{a['account_id']}": a["actor_id"] for a in accounts}
    if not owner:
        return 0
    added = 0
    for run in list_runs(session, limit=RUNS_READ):
        for cluster in run.result.get("clusters", []):
            members = [m for m in cluster.get("accounts", []) if m not in owner]
            amplified = posts_actors.amplified_accounts(
                session=session, members=members, targets=list(owner)
            )
            by_actor: dict[str, set[str]] = {}
            for target, who in amplified.items():
                by_actor.setdefault(owner[target], set()).update(who)
            for actor_id, who in sorted(by_actor.items()):
                if len(who) < need:
                    continue
                ref = f"cluster:{run.id}/{cluster['id']}"
                added += _suggest(
                    session,
                    references=references,
                    slug=slug,
                    actor_id=actor_id,
                    tag="coordination",
                    key=f"{ref}:{actor_id}"[:200],
                    evidence=[ref],
                    description=f"{len(who)} accounts of a coordinated group amplified "
                    "this actor's official accounts.",
                    source="coordination",
                )
    return added


def _distance(a: str, b: str) -> int | None:
    if len(a) != len(b):
        return None
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return None


def from_images(session: Session, *, slug: str, references: Any, settings: Any) -> int:
    """Rule 3: re-uploads (by perceptual hash) of images cited as fabricated."""
    from marsad.evidence.models import EvidenceItem, PerceptualHash

    limit = section(settings).declaration_image_distance
    fabricated_refs: set[str] = set()
    declarations = {d.id: d for d in list_declarations(session) if d.id}
    rows = session.execute(
        select(Violation).where(Violation.status.in_(("confirmed", *PUBLIC_STATUSES)))
    ).scalars()
    for v in rows:
        declaration = declarations.get(v.declaration_id)
        commitment = (
            texts.commitments(declaration.content).get(v.commitment_id) if declaration else None
        )
        if commitment and "fabricated-image" in commitment.get("tags", []):
            fabricated_refs.update(v.evidence)
    item_ids = [
        int(r.split(":", 1)[1])
        for r in fabricated_refs
        if r.startswith("evidence:") and r.split(":", 1)[1].isdigit()
    ]
    query = select(EvidenceItem.id, EvidenceItem.sha256, EvidenceItem.source_ref)
    sources = session.execute(
        query.where(
            (EvidenceItem.source_ref.in_([r for r in fabricated_refs if r.startswith("post:")]))
            | (EvidenceItem.id.in_(item_ids))
        )
    ).all()
    fabricated_blobs = {row.sha256: row.id for row in sources if row.sha256}
    if not fabricated_blobs:
        return 0
    known_hashes = session.execute(
        select(PerceptualHash.sha256, PerceptualHash.algorithm, PerceptualHash.value).where(
            PerceptualHash.sha256.in_(list(fabricated_blobs))
        )
    ).all()
    captured = session.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.source_ref,
            PerceptualHash.algorithm,
            PerceptualHash.value,
            PerceptualHash.sha256,
        )
        .join(PerceptualHash, PerceptualHash.sha256 == EvidenceItem.sha256)
        .where(EvidenceItem.source_ref.like("post:%"))
    ).all()
    post_ids = {
        int(c.source_ref.split(":", 1)[1])
        for c in captured
        if c.source_ref.split(":", 1)[1].isdigit()
    }
    authors = posts_actors.post_authors(session=session, post_ids=post_ids)
    added = 0
    for item in captured:
        if item.sha256 in fabricated_blobs:
            continue
        ident = item.source_ref.split(":", 1)[1]
        author = (authors.get(int(ident)) or {}) if ident.isdigit() else {}
        owner = author.get("actor_id")
        if owner is None:
            continue
        for original in known_hashes:
            if original.algorithm != item.algorithm:
                continue
            distance = _distance(original.value, item.value)
            bound = limit * 4 if item.algorithm == "pdq" else limit
            if distance is None or distance > bound:
                continue
            added += _suggest(
                session,
                references=references,
                slug=slug,
                actor_id=owner,
                tag="fabricated-image",
                key=f"image:{item.sha256}:{owner}"[:200],
                evidence=[
                    item.source_ref,
                    f"evidence:{item.id}",
                    f"evidence:{fabricated_blobs[original.sha256]}",
                ],
                description=f"An image posted by this actor's account is {distance} bits "
                "from an image already confirmed as fabricated.",
                source="image",
                when=author.get("created_at"),
            )
            break
    return added


def suggest(
    session: Session, *, settings: Any, references: Any, slug: str | None = None
) -> dict[str, int]:
    """Run the three rules for a declaration (default: the newest); how many each suggested."""
    declarations = list_declarations(session)
    slug = slug or (declarations[0].slug if declarations else texts.SHIPPED[0])
    if not official_accounts(session):
        return {"flag": 0, "coordination": 0, "image": 0}
    enabled = set(get_registry(settings).names)
    counts = {"flag": 0, "coordination": 0, "image": 0}
    if "detect" in enabled:
        counts["flag"] = from_flags(session, slug=slug, references=references)
    if "coordination" in enabled:
        counts["coordination"] = from_coordination(
            session, slug=slug, references=references, settings=settings
        )
    if "evidence" in enabled:
        counts["image"] = from_images(session, slug=slug, references=references, settings=settings)
    return counts
