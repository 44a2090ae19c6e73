"""Job kinds of the declaration: the confirmation e-mail and the suggestion rules.

``declaration.mail`` sends one signature's confirmation link (mail is blocking
I/O, never done on the event loop); it sends at most once per signature.
``declaration.suggest`` re-syncs the register of official accounts with posts'
accounts and the declarations' watchlists, then runs the three rules
(``marsad.declaration.suggest``); it commits once, and a suggestion is keyed,
so a job killed mid-way and delivered again loses and doubles nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from marsad.core.db import session_scope
from marsad.core.jobs.kinds import JobContext, JobKind, PeriodicJob
from marsad.core.plugins import get_registry


class MailParams(BaseModel):
    signature_id: str = Field(description="The pending signature to e-mail.")
    base_url: str = Field("", description="Where the confirmation link points (the site).")


class SuggestParams(BaseModel):
    declaration: str | None = Field(None, description="Slug; empty: the newest declaration.")


def _params(model: type[BaseModel], value: Any) -> Any:
    return value if isinstance(value, model) else model.model_validate(value)


def run_mail(context: JobContext, params: Any) -> dict[str, Any]:
    from marsad.declaration.service import send_confirmation

    p = _params(MailParams, params)
    return send_confirmation(
        context.sessions,
        settings=context.settings,
        signature_id=p.signature_id,
        base_url=p.base_url,
    )


def run_suggest(context: JobContext, params: Any) -> dict[str, Any]:
    from marsad.declaration.actors import sync_accounts
    from marsad.declaration.suggest import suggest

    p = _params(SuggestParams, params)
    references = get_registry(context.settings).references()
    context.progress(0.1, "sync")
    with session_scope(context.sessions) as session:
        synced = sync_accounts(session, actor="jobs")
        counts = suggest(
            session, settings=context.settings, references=references, slug=p.declaration
        )
    context.progress(1.0, "done")
    return {"suggested": counts, "watchlist": synced}


JOB_KINDS = [
    JobKind(
        "declaration.mail",
        MailParams,
        run_mail,
        "E-mail a new signature its confirmation link (sent once).",
    ),
    JobKind(
        "declaration.suggest",
        SuggestParams,
        run_suggest,
        "Sync official accounts and watchlists, then suggest candidate violations "
        "(confirmed hate flags, coordinated amplification, re-uploaded fabricated images).",
    ),
]
PERIODIC_JOBS = [PeriodicJob("declaration-suggest", "declaration.suggest", 900)]
