"""Sample data for ``marsad demo``: actors with official accounts, signatories, one public
violation, and a first pass of the suggestion rules over the demo posts."""

from __future__ import annotations

from typing import Any

from marsad.core.db import session_scope
from marsad.core.plugins import get_registry
from marsad.core.settings import Settings
from marsad.declaration import actors, service, violations
from marsad.declaration.settings import DeclarationSettings
from marsad.declaration.suggest import suggest

DEMO_ACTORS = (
    ("علي النجفي", "candidate", "تحالف المستقبل", "214", "IQG18", "najaf_daily"),
    ("صوت بغداد", "media", None, None, "IQG11", "baghdad_voice"),
)
SIGNERS = (
    ("Civic Watch Iraq", "civil-society", "civic@example.org"),
    ("أخبار البصرة", "media", "basra@example.org"),
)


def load(settings: Any, sessions: Any) -> list[str]:
    """Load the sample once (nothing when actors exist); lines saying what was loaded."""
    references = get_registry(settings).references()
    with session_scope(sessions) as session:
        if actors.list_profiles(session):
            return []
        ids = [
            actors.create_actor(
                session, name=name, kind=kind, party=party, list_number=number,
                governorate=place, accounts=[{"platform": "demo", "handle": handle}],
                actor="demo",
            ).actor_id
            for name, kind, party, number, place, handle in DEMO_ACTORS
        ]  # fmt: skip
        for name, group, address in SIGNERS:
            row = service.sign(
                session, settings=settings, slug="iraq-2021", name=name, organisation="",
                group=group, email=address,
            )  # fmt: skip
            row.status, row.confirmed_at = "confirmed", row.created_at
        row = violations.create_violation(
            session, references=references, actor_id=ids[0], commitment_id="candidates-3",
            description="Campaign material posted from an account the candidate did not register.",
            severity="medium", evidence=[], created_by="demo", period="campaign",
        )  # fmt: skip
        for coder in ("demo-analyst-1", "demo-analyst-2"):
            violations.code(
                session, violation_id=row.id, coder=coder, commitment_id="candidates-3",
                breach=True, severity="medium",
            )  # fmt: skip
        # The sample's right of reply has already run out, so the scorecards show it.
        lapsed = Settings(
            **settings.model_dump(exclude={"declaration"}),
            declaration=DeclarationSettings(declaration_reply_days=0),
        )
        for action in ("confirm", "notify", "no_response"):
            violations.move(
                session, violation_id=row.id, action=action, actor="demo", settings=lapsed
            )
        counts = suggest(session, settings=settings, references=references)
    return [
        f"declaration actors added: {len(ids)}, signatories: {len(SIGNERS)}, "
        f"violations suggested: {sum(counts.values())}"
    ]
