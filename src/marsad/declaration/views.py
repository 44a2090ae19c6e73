"""HTML pages of the declaration capability.

Public pages (the declaration, signing, confirming, signatories, the league
table, actor pages) work without JavaScript and load nothing from another
host; each has a JSON twin in ``api.py`` built from the same service call.
Staff pages: violations (filing, blind coding, the status machine) and actors
(the register, look-alike accounts). Admin pages: Kurdish texts, signatures.
Every state-changing form is CSRF-checked; handlers are plain ``def`` (the
database work runs in the thread pool).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core import i18n
from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.i18n import gettext as _
from marsad.declaration import scorecards, service, texts
from marsad.declaration.api import check_rate, queue_mail
from marsad.declaration.models import Declaration
from marsad.web.deps import (
    CsrfChecked,
    DbSession,
    PostedForm,
    ReadSession,
    read_sessions,
)
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = {
    "draft": lambda: _("Draft"),
    "coded": lambda: _("Coded once"),
    "double-coded": lambda: _("Double-coded"),
    "confirmed": lambda: _("Confirmed"),
    "notified": lambda: _("Actor notified"),
    "responded": lambda: _("Actor replied"),
    "removed": lambda: _("Content removed"),
    "corrected": lambda: _("Corrected"),
    "no_response": lambda: _("No response"),
    "dismissed": lambda: _("Dismissed"),
}
SEVERITY_LABELS = {
    "low": lambda: _("Low"),
    "medium": lambda: _("Medium"),
    "high": lambda: _("High"),
}
KIND_LABELS = {
    "candidate": lambda: _("Candidate"),
    "party": lambda: _("Party"),
    "campaign-team": lambda: _("Campaign team"),
    "media": lambda: _("Media"),
    "platform": lambda: _("Platform"),
    "government": lambda: _("Government body"),
    "electoral-commission": lambda: _("Electoral commission"),
    "influencer": lambda: _("Influencer"),
    "civil-society": lambda: _("Civil society"),
    "individual": lambda: _("Individual"),
}
MOVE_LABELS = {
    "confirm": lambda: _("Confirm"),
    "dismiss": lambda: _("Dismiss"),
    "notify": lambda: _("Actor notified"),
    "reply": lambda: _("Record the actor's reply"),
    "removed": lambda: _("Content removed"),
    "corrected": lambda: _("Corrected"),
    "no_response": lambda: _("No response"),
}
BY_LABELS = {
    "actor": lambda: _("Actor"),
    "party": lambda: _("Party"),
    "list": lambda: _("List"),
    "group": lambda: _("Group"),
}


def _labels() -> dict[str, Any]:
    return {
        "status_label": lambda s: STATUS_LABELS.get(s, lambda: s)(),
        "severity_label": lambda s: SEVERITY_LABELS.get(s, lambda: s)(),
        "kind_label": lambda s: KIND_LABELS.get(s, lambda: s)(),
        "move_label": lambda s: MOVE_LABELS.get(s, lambda: s)(),
    }


def _doc(row: Declaration) -> dict[str, Any]:
    return texts.localized(row.slug, row.version, row.content, i18n.current_language.get())


# --- public ------------------------------------------------------------------------------


@router.get("/declarations")
def declarations(request: Request, session: ReadSession) -> Response:
    """Every declaration."""
    rows = [_doc(d) for d in service.list_declarations(session)]
    return render(request, "declaration/index.html", {"title": _("Declarations"), "rows": rows})


@router.get("/declarations/{slug}")
def declaration(request: Request, slug: str, session: ReadSession) -> Response:
    """The declaration's text, its commitments by group, and how many signed."""
    doc = _doc(service.get_declaration(session, slug=slug))
    counts = service.signatories(session, slug=slug, lang=i18n.current_language.get())
    return render(
        request,
        "declaration/declaration.html",
        {"title": doc["title"], "doc": doc, "counts": counts},
    )


def _sign_context(
    session: Any, slug: str, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    doc = _doc(service.get_declaration(session, slug=slug))
    return {
        "title": _("Sign the declaration"),
        "doc": doc,
        "platforms": service.PLATFORMS,
        "values": values,
        "errors": errors,
    }


@router.get("/declarations/{slug}/sign")
def sign_form(request: Request, slug: str, session: ReadSession) -> Response:
    """The public signing form (no JavaScript needed)."""
    return render(request, "declaration/sign.html", _sign_context(session, slug, {}, {}))


@router.post("/declarations/{slug}/sign", dependencies=[CsrfChecked])
def sign(request: Request, slug: str, form: PostedForm) -> Response:
    """Take a signature from the form; the confirmation link is e-mailed."""
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if fields.get("website"):
        # The honeypot: a bot filled it. Answer as if accepted; store nothing.
        return RedirectResponse(f"/declarations/{quote(slug)}/signed", status_code=303)
    check_rate(request)
    accounts = [
        {"platform": fields.get(f"platform{n}", ""), "handle": fields.get(f"handle{n}", "")}
        for n in range(3)
        if fields.get(f"handle{n}", "").strip()
    ]
    try:
        with request.app.state.sessions() as session:
            row = service.sign(
                session,
                settings=request.app.state.settings,
                slug=slug,
                name=fields.get("name", ""),
                organisation=fields.get("organisation", ""),
                group=fields.get("group", ""),
                email=fields.get("email", ""),
                accounts=accounts,
                language=i18n.current_language.get(),
            )
            queue_mail(request, session, row.id)
    except (InvalidInput, MarsadError) as exc:
        if exc.status >= 500 or exc.code == "err_declaration_not_found":
            raise
        where = (exc.where or "form").split(".")[0].split("[")[0]
        with read_sessions(request)() as session:
            context = _sign_context(session, slug, fields, {where: _field_error(exc)})
        return render(request, "declaration/sign.html", context, status=exc.status)
    return RedirectResponse(f"/declarations/{quote(slug)}/signed", status_code=303)


def _field_error(exc: MarsadError) -> str:
    messages = {
        "err_signature_exists": _("This e-mail address has already signed."),
        "err_email_invalid": _("This is not an e-mail address."),
        "err_group_unknown": _("Choose your group."),
        "err_required": _("This field is required."),
        "err_platform_unknown": _("Choose the platform of each account."),
        "err_handle_invalid": _("An account name has no spaces."),
    }
    return messages.get(
        exc.code, _("This field is missing or not valid: {field}").format(field=exc.where)
    )


@router.get("/declarations/{slug}/signed")
def signed(request: Request, slug: str) -> Response:
    """What a signer sees next: check your e-mail."""
    return render(
        request, "declaration/message.html",
        {
            "title": _("Check your e-mail"),
            "message": _("We sent you a link. Your signature counts once you open it."),
            "slug": slug,
        },
    )  # fmt: skip


@router.get("/declarations/{slug}/confirm/{token}")
def confirm(request: Request, slug: str, token: str, session: DbSession) -> Response:
    """The e-mailed link: the signature is confirmed."""
    service.confirm(session, settings=request.app.state.settings, slug=slug, token=token)
    return render(
        request, "declaration/message.html",
        {
            "title": _("Thank you"),
            "message": _("Your signature is confirmed and listed among the signatories."),
            "slug": slug,
        },
    )  # fmt: skip


@router.get("/declarations/{slug}/withdraw/{token}")
def withdraw_form(request: Request, slug: str, token: str) -> Response:
    """Ask before withdrawing (a link opened by a mail scanner changes nothing)."""
    return render(
        request, "declaration/withdraw.html",
        {"title": _("Withdraw your signature"), "slug": slug, "token": token},
    )  # fmt: skip


@router.post("/declarations/{slug}/withdraw/{token}", dependencies=[CsrfChecked])
def withdraw(request: Request, slug: str, token: str, session: DbSession) -> Response:
    service.withdraw(session, settings=request.app.state.settings, slug=slug, token=token)
    return render(
        request, "declaration/message.html",
        {
            "title": _("Signature withdrawn"),
            "message": _("Your signature was withdrawn."),
            "slug": slug,
        },
    )  # fmt: skip


@router.get("/declarations/{slug}/signatories")
def signatories(request: Request, slug: str, session: ReadSession) -> Response:
    """Confirmed signatories with counts per group."""
    doc = _doc(service.get_declaration(session, slug=slug))
    data = service.signatories(session, slug=slug, lang=i18n.current_language.get())
    return render(
        request, "declaration/signatories.html",
        {"title": _("Signatories"), "doc": doc, "data": data},
    )  # fmt: skip


@router.get("/declarations/{slug}/scorecards")
def league(
    request: Request, slug: str, session: ReadSession, by: str = "actor", period: str = ""
) -> Response:
    """The public league table (JSON and CSV twins linked)."""
    doc = _doc(service.get_declaration(session, slug=slug))
    table = scorecards.league(
        session, slug=slug, lang=i18n.current_language.get(), by=by, period=period or None
    )
    query = f"by={quote(by)}" + (f"&period={quote(period)}" if period else "")
    return render(
        request, "declaration/league.html",
        {
            "title": _("Scorecards"), "doc": doc, "table": table, "query": query,
            "by_labels": {k: v() for k, v in BY_LABELS.items()},
        },
    )  # fmt: skip


@router.get("/actors/{actor_id}")
def actor_page(
    request: Request, actor_id: str, session: ReadSession, declaration: str = ""
) -> Response:
    """An actor's public page: official accounts and scorecard."""
    slug = declaration or service.list_declarations(session)[0].slug
    card = scorecards.scorecard(
        session,
        slug=slug,
        actor_id=actor_id,
        lang=i18n.current_language.get(),
        references=request.app.state.registry.references(),
    )
    doc = _doc(service.get_declaration(session, slug=slug))
    return render(
        request, "declaration/actor.html",
        {"title": card["actor"]["name"], "card": card, "doc": doc, **_labels()},
    )  # fmt: skip
