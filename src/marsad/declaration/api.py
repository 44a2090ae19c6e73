"""HTTP API of the declaration capability, under ``/api/v1``.

Public: declarations, signing (rate-limited, no address stored), confirming,
signatories, the league table and scorecards (JSON and CSV). Staff (``Authorization:
Bearer TOKEN``): actors and their official accounts, look-alike accounts, violations,
coding, the status machine, agreement. Admins: declarations, translations, periods,
signatures (verify, withdraw).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from marsad.core import i18n
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.core.jobs.catalog import registered_kinds
from marsad.core.jobs.runners import dispatch
from marsad.core.jobs.service import create_job
from marsad.core.models import User
from marsad.declaration import actors, scorecards, service, texts, violations
from marsad.reports.ratelimit import RateLimiter
from marsad.web.deps import AdminUser, DbSession, ReadSession, StaffUser, require_role
from marsad.web.downloads import Bom, csv_download

router = APIRouter(prefix="/api/v1", tags=["declaration"])
ReviewerUser = Annotated[User, Depends(require_role("reviewer"))]


def _bearer_only(request: Request) -> None:
    # State changes through the API take a bearer token, never a cookie: no CSRF.
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})


Bearer = [Depends(_bearer_only)]


def check_rate(request: Request) -> None:
    """Refuse with 429 when this address signed too often lately (memory only, hashed)."""
    state = request.app.state
    settings = service.section(state.settings)
    if not hasattr(state, "declaration_limiter"):
        state.declaration_limiter = RateLimiter(
            settings.declaration_rate_limit, settings.declaration_rate_window
        )
    address = request.client.host if request.client else None
    if not state.declaration_limiter.hit(address):
        raise MarsadError(
            "err_rate_limited",
            _("Too many signatures from this connection. Please try again later."),
            status=429,
        )


def _lang() -> str:
    return i18n.current_language.get()


class AccountIn(BaseModel):
    platform: str
    handle: str


class SignatureIn(BaseModel):
    name: str
    organisation: str = ""
    group: str = Field(description="the group's slug, see the declaration's groups")
    email: str
    accounts: list[AccountIn] = Field(default_factory=list)


class ActorIn(BaseModel):
    name: str
    kind: str = Field(description=", ".join(actors.KINDS))
    governorate: str | None = None
    party: str | None = None
    list_number: str | None = None
    group: str | None = Field(None, description="signatory group; by default from the kind")
    accounts: list[AccountIn] = Field(default_factory=list)


class ViolationIn(BaseModel):
    actor_id: str
    commitment_id: str = Field(description="candidates-1, or iraq-2021/candidates-1")
    description: str = ""
    severity: str = Field(description="low, medium or high")
    evidence: list[str] = Field(
        default_factory=list, description="typed references: post:1, flag:…"
    )
    declaration: str | None = Field(None, description="slug; default the newest declaration")
    period: str | None = None


class CodingIn(BaseModel):
    commitment_id: str
    breach: bool
    severity: str
    note: str = ""


class MoveIn(BaseModel):
    action: str = Field(description=", ".join(violations.MOVES))
    reply_text: str | None = None
    reply_at: datetime | None = None


class RefsIn(BaseModel):
    refs: list[str]


class DeclarationIn(BaseModel):
    slug: str
    based_on: str | None = None
    doc: dict[str, Any] | None = None


class VerifyIn(BaseModel):
    actor_id: str | None = None


# --- public ------------------------------------------------------------------------------


@router.get("/declarations")
def list_declarations(session: ReadSession) -> list[dict[str, Any]]:
    """Every declaration in the reader's language."""
    lang = _lang()
    return [
        texts.localized(d.slug, d.version, d.content, lang)
        for d in service.list_declarations(session)
    ]


@router.get("/declarations/{slug}")
def get_declaration(slug: str, session: ReadSession) -> dict[str, Any]:
    """A declaration: purpose, principles, periods, groups and their commitments (stable ids)."""
    row = service.get_declaration(session, slug=slug)
    return texts.localized(row.slug, row.version, row.content, _lang())


@router.post(
    "/declarations/{slug}/signatures", status_code=202, responses={409: {}, 422: {}, 429: {}}
)
def sign(slug: str, body: SignatureIn, request: Request, session: DbSession) -> JSONResponse:
    """Sign: stored pending, and the confirmation link is e-mailed (it contains ``confirm``)."""
    check_rate(request)
    row = service.sign(
        session,
        settings=request.app.state.settings,
        slug=slug,
        name=body.name,
        organisation=body.organisation,
        group=body.group,
        email=body.email,
        accounts=[a.model_dump() for a in body.accounts],
        language=_lang(),
    )
    job_id = queue_mail(request, session, row.id)
    return JSONResponse({"id": row.id, "status": row.status, "job": job_id}, status_code=202)


def queue_mail(request: Request, session: Any, signature_id: str) -> str:
    """Queue the confirmation mail in the signature's transaction; dispatched after commit."""
    settings = request.app.state.settings
    job = create_job(
        session,
        kinds=registered_kinds(settings),
        kind="declaration.mail",
        params={"signature_id": signature_id, "base_url": str(request.base_url)},
        requested_by="public",
    )
    session.commit()
    dispatch(settings=settings, sessions=request.app.state.sessions, job_ids=[job.id])
    return job.id


@router.get("/declarations/{slug}/confirm/{token}")
def confirm(slug: str, token: str, request: Request, session: DbSession) -> dict[str, Any]:
    """Open the e-mailed link: the signature is confirmed (404 bad link, 410 expired)."""
    row = service.confirm(session, settings=request.app.state.settings, slug=slug, token=token)
    return {"id": row.id, "status": row.status}


@router.post("/declarations/{slug}/withdraw/{token}")
def withdraw(slug: str, token: str, request: Request, session: DbSession) -> dict[str, Any]:
    """Withdraw a signature with the link its signer was mailed."""
    row = service.withdraw(session, settings=request.app.state.settings, slug=slug, token=token)
    return {"id": row.id, "status": row.status}


@router.get("/declarations/{slug}/signatories")
def signatories(slug: str, session: ReadSession) -> dict[str, Any]:
    """Confirmed signatories (name, organisation, group, verified badge) and counts per group."""
    return service.signatories(session, slug=slug, lang=_lang())


@router.get("/declarations/{slug}/scorecards")
def league(
    slug: str, session: ReadSession, by: str = "actor", period: str | None = None
) -> dict[str, Any]:
    """The public league table by actor, party, list or group (public violations only)."""
    return scorecards.league(session, slug=slug, lang=_lang(), by=by, period=period or None)


@router.get("/declarations/{slug}/scorecards.csv")
def league_csv(
    slug: str,
    session: ReadSession,
    by: str = "actor",
    period: str | None = None,
    bom: Bom = False,
) -> Response:
    """The league table as CSV (``?bom=1`` for Excel)."""
    table = scorecards.league(session, slug=slug, lang=_lang(), by=by, period=period or None)
    return csv_download(scorecards.league_csv(table), filename=f"marsad-{slug}-{by}.csv", bom=bom)


@router.get("/actors")
def list_actors(session: ReadSession) -> list[dict[str, Any]]:
    """Actors under the declaration with their official accounts (public record)."""
    return actors.describe(session, actors.list_profiles(session))


@router.get("/actors/{actor_id}/scorecard")
def actor_scorecard(
    actor_id: str, request: Request, session: ReadSession, declaration: str | None = None
) -> dict[str, Any]:
    """One actor's scorecard: per period, commitments honoured and breached, public violations."""
    slug = declaration or service.list_declarations(session)[0].slug
    return scorecards.scorecard(
        session,
        slug=slug,
        actor_id=actor_id,
        lang=_lang(),
        references=request.app.state.registry.references(),
    )


@router.get("/actors/{actor_id}/scorecard.csv")
def actor_scorecard_csv(
    actor_id: str,
    request: Request,
    session: ReadSession,
    declaration: str | None = None,
    bom: Bom = False,
) -> Response:
    """One actor's scorecard as CSV, a row per period (``?bom=1`` for Excel)."""
    card = actor_scorecard(actor_id, request, session, declaration)
    return csv_download(scorecards.scorecard_csv(card), filename="marsad-scorecard.csv", bom=bom)


# --- staff -------------------------------------------------------------------------------


@router.post("/actors", status_code=201, dependencies=Bearer, tags=["staff"])
def create_actor(body: ActorIn, session: DbSession, user: StaffUser) -> dict[str, Any]:
    """Register an actor with its official accounts; its id."""
    profile = actors.create_actor(
        session,
        name=body.name,
        kind=body.kind,
        governorate=body.governorate,
        party=body.party,
        list_number=body.list_number,
        group=body.group,
        accounts=[a.model_dump() for a in body.accounts],
        actor=user.username,
    )
    return {"id": profile.actor_id}


@router.post("/actors/{actor_id}/accounts", status_code=201, dependencies=Bearer, tags=["staff"])
def add_account(
    actor_id: str, body: AccountIn, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Register one more official account of an actor."""
    actors.add_account(
        session, actor_id=actor_id, platform=body.platform, handle=body.handle, actor=user.username
    )
    return actors.describe(session, [actors.get_profile(session, actor_id=actor_id)])[0]


@router.delete(
    "/actors/{actor_id}/accounts/{platform}/{handle}", dependencies=Bearer, tags=["staff"]
)
def remove_account(
    actor_id: str, platform: str, handle: str, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Strike an account off an actor's register (and so off the declaration's watchlist)."""
    actors.remove_account(
        session, actor_id=actor_id, platform=platform, handle=handle, actor=user.username
    )
    return actors.describe(session, [actors.get_profile(session, actor_id=actor_id)])[0]


@router.get("/impersonation", tags=["staff"])
def impersonation(session: ReadSession, user: StaffUser) -> list[dict[str, Any]]:  # noqa: ARG001
    """Accounts that resemble a registered official account but are not registered."""
    return actors.impersonation(session)


@router.post("/violations", status_code=201, dependencies=Bearer, tags=["staff"])
def create_violation(
    body: ViolationIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """File a violation (a draft): actor, commitment, description, severity, evidence."""
    row = violations.create_violation(
        session,
        references=request.app.state.registry.references(),
        actor_id=body.actor_id,
        commitment_id=body.commitment_id,
        description=body.description,
        severity=body.severity,
        evidence=body.evidence,
        declaration=body.declaration,
        period=body.period,
        created_by=user.username,
    )
    return violations.to_json(session, row, codings=[])


@router.get("/violations", tags=["staff"])
def list_violations(
    session: ReadSession,
    user: StaffUser,
    status: str | None = None,  # noqa: ARG001
) -> list[dict[str, Any]]:
    """Violations, newest first (codings left out: see one violation)."""
    return [
        violations.to_json(session, v, codings=None)
        for v in violations.list_violations(session, status=status or None)
    ]


def _view(session: Any, row: Any, user: User) -> dict[str, Any]:
    codings = violations.codings_for(
        session, violation=row, viewer=user.username, admin=user.role == "admin"
    )
    return violations.to_json(session, row, codings=codings)


@router.get("/violations/{violation_id}", tags=["staff"])
def get_violation(violation_id: str, session: ReadSession, user: StaffUser) -> dict[str, Any]:
    """A violation; others' codings stay hidden from a coder until it is double-coded."""
    return _view(session, violations.get_violation(session, violation_id=violation_id), user)


@router.post(
    "/violations/{violation_id}/codings", status_code=201, dependencies=Bearer, tags=["staff"]
)
def code(violation_id: str, body: CodingIn, session: DbSession, user: StaffUser) -> dict[str, Any]:
    """Code a violation independently (one coding per analyst)."""
    violations.code(
        session,
        violation_id=violation_id,
        coder=user.username,
        commitment_id=body.commitment_id,
        breach=body.breach,
        severity=body.severity,
        note=body.note,
    )
    return _view(session, violations.get_violation(session, violation_id=violation_id), user)


@router.post("/violations/{violation_id}/transition", dependencies=Bearer, tags=["staff"])
def transition(
    violation_id: str, body: MoveIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Move a violation (confirm and notify need a reviewer); a reply is kept with its date."""
    if body.action in ("confirm", "notify") and user.role not in ("admin", "reviewer"):
        raise MarsadError("err_forbidden", _("You are not allowed to do this."), status=403)
    row = violations.move(
        session,
        violation_id=violation_id,
        action=body.action,
        actor=user.username,
        settings=request.app.state.settings,
        reply_text=body.reply_text,
        reply_at=body.reply_at,
    )
    return _view(session, row, user)


@router.post("/violations/{violation_id}/evidence", dependencies=Bearer, tags=["staff"])
def add_evidence(
    violation_id: str, body: RefsIn, request: Request, session: DbSession, user: StaffUser
) -> dict[str, Any]:
    """Cite more records (a citizen report: ``report:<id>``; the reporter stays private)."""
    row = violations.add_evidence(
        session,
        violation_id=violation_id,
        refs=body.refs,
        references=request.app.state.registry.references(),
        actor=user.username,
    )
    return _view(session, row, user)


@router.get("/declarations/{slug}/agreement", tags=["staff"])
def agreement(slug: str, session: ReadSession, user: StaffUser) -> list[dict[str, Any]]:  # noqa: ARG001
    """Cohen's kappa between the two coders, per period and commitment."""
    return violations.agreement(session, slug=slug)


# --- admin -------------------------------------------------------------------------------


@router.post("/declarations", status_code=201, dependencies=Bearer, tags=["admin"])
def create_declaration(body: DeclarationIn, session: DbSession, user: AdminUser) -> dict[str, Any]:
    """A new declaration (the next elections'), from a document or based on another."""
    row = service.create_declaration(
        session, slug=body.slug, doc=body.doc, based_on=body.based_on, actor=user.username
    )
    return texts.localized(row.slug, row.version, row.content, _lang())


@router.put("/declarations/{slug}/translations/{lang}", dependencies=Bearer, tags=["admin"])
def translate(
    slug: str, lang: str, body: dict[str, str], session: DbSession, user: AdminUser
) -> dict[str, Any]:
    """Fill one language's texts by key (``title``, ``group:media``, ``commitment:media-1``…)."""
    row = service.set_translations(session, slug=slug, lang=lang, values=body, actor=user.username)
    return texts.localized(row.slug, row.version, row.content, lang)


@router.put("/declarations/{slug}/periods", dependencies=Bearer, tags=["admin"])
def set_periods(
    slug: str, body: list[dict[str, Any]], session: DbSession, user: AdminUser
) -> dict[str, Any]:
    """Replace the monitoring periods: ``[{slug, name: {ar, en}, starts, ends}]``."""
    row = service.set_periods(session, slug=slug, periods=body, actor=user.username)
    return texts.localized(row.slug, row.version, row.content, _lang())


@router.get("/declarations/{slug}/signatures", tags=["admin"])
def all_signatures(slug: str, session: ReadSession, user: AdminUser) -> list[dict[str, Any]]:  # noqa: ARG001
    """Every signature with its status (the e-mail address is never shown)."""
    return [
        {
            "id": s.id,
            "name": s.name,
            "organisation": s.organisation,
            "group": s.group_slug,
            "status": s.status,
            "verified": s.verified,
            "accounts": s.accounts,
            "created_at": s.created_at.isoformat(),
        }
        for s in service.pending_signatures(session, slug=slug)
    ]


@router.post(
    "/declarations/{slug}/signatures/{signature_id}/verify", dependencies=Bearer, tags=["admin"]
)
def verify(
    slug: str, signature_id: str, body: VerifyIn, session: DbSession, user: AdminUser
) -> dict[str, Any]:
    """Mark a confirmed signature's identity as checked (the verified badge)."""
    row = service.verify(
        session, slug=slug, signature_id=signature_id, actor=user.username, actor_id=body.actor_id
    )
    return {"id": row.id, "verified": row.verified}


@router.post(
    "/declarations/{slug}/signatures/{signature_id}/withdraw", dependencies=Bearer, tags=["admin"]
)
def admin_withdraw(
    slug: str, signature_id: str, request: Request, session: DbSession, user: AdminUser
) -> dict[str, Any]:
    """Withdraw a signature on its signer's request."""
    row = service.withdraw(
        session,
        settings=request.app.state.settings,
        slug=slug,
        signature_id=signature_id,
        actor=user.username,
    )
    return {"id": row.id, "status": row.status}
