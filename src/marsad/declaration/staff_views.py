"""Staff and admin pages of the declaration: violations, actors, texts and signatures.

Thin shells over the same service calls as the API; every form is CSRF-checked
and a refused input comes back on the page, naming the field, with a 4xx status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core import i18n
from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _
from marsad.declaration import actors, service, texts, violations
from marsad.declaration.views import STATUS_LABELS, _labels
from marsad.web.deps import AdminUser, CsrfChecked, DbSession, PostedForm, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)


def _fields(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _queue_context(session: Any, status: str) -> dict[str, Any]:
    lang = i18n.current_language.get()
    newest = service.list_declarations(session)[0]
    doc = texts.localized(newest.slug, newest.version, newest.content, lang)
    profiles = actors.describe(session, actors.list_profiles(session))
    names = {a["id"]: a["name"] for a in profiles}
    rows = [
        {**violations.to_json(session, v, codings=None), "actor": names.get(v.actor_id, "")}
        for v in violations.list_violations(session, status=status or None)
    ]
    return {
        "title": _("Violations"),
        "rows": rows,
        "actors": profiles,
        "doc": doc,
        "status": status,
        "statuses": [(s, STATUS_LABELS[s]()) for s in violations.STATUSES],
        "severities": violations.SEVERITIES,
        "agreement": violations.agreement(session, slug=newest.slug),
        **_labels(),
    }


@router.get("/staff/violations")
def queue(request: Request, session: DbSession, user: StaffUser, status: str = "") -> Response:  # noqa: ARG001
    """Violations by status (suggested ones arrive as drafts), and the form to file one."""
    context = _queue_context(session, status)
    context.update(values={}, errors={})
    return render(request, "declaration/staff_violations.html", context)


@router.post("/staff/violations", dependencies=[CsrfChecked])
def file_violation(
    request: Request, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    fields = _fields(form)
    try:
        row = violations.create_violation(
            session,
            references=request.app.state.registry.references(),
            actor_id=fields.get("actor_id", ""),
            commitment_id=fields.get("commitment_id", ""),
            description=fields.get("description", ""),
            severity=fields.get("severity", ""),
            evidence=_lines(fields.get("evidence", "")),
            period=fields.get("period") or None,
            declaration=fields.get("declaration") or None,
            created_by=user.username,
        )
    except MarsadError as exc:
        session.rollback()
        context = _queue_context(session, "")
        context.update(values=fields, errors={(exc.where or "form").split("[")[0]: exc.message})
        return render(request, "declaration/staff_violations.html", context, status=exc.status)
    return RedirectResponse(f"/staff/violations/{quote(row.id)}", status_code=303)


@router.get("/staff/violations/{violation_id}")
def violation_page(
    request: Request, violation_id: str, session: DbSession, user: StaffUser
) -> Response:
    """A violation: its evidence, codings (hidden from a second coder until they code), moves."""
    row = violations.get_violation(session, violation_id=violation_id)
    codings = violations.codings_for(
        session, violation=row, viewer=user.username, admin=user.role == "admin"
    )
    data = violations.to_json(session, row, codings=codings)
    declaration = service.get_declaration(session, slug=data["declaration"])
    doc = texts.localized(
        declaration.slug, declaration.version, declaration.content, i18n.current_language.get()
    )
    [actor] = actors.describe(session, [actors.get_profile(session, actor_id=row.actor_id)])
    coded = codings is not None and any(c["coder"] == user.username for c in data["codings"])
    moves = [m for m, (sources, _t) in violations.MOVES.items() if row.status in sources]
    return render(
        request,
        "declaration/staff_violation.html",
        {
            "title": _("Violation"),
            "v": data,
            "doc": doc,
            "actor": actor,
            "can_code": row.status in ("draft", "coded") and not coded,
            "moves": moves,
            "severities": violations.SEVERITIES,
            "error": request.query_params.get("error"),
            **_labels(),
        },
    )


def _back(violation_id: str, error: str | None = None) -> RedirectResponse:
    url = f"/staff/violations/{quote(violation_id)}"
    if error:
        url += f"?error={quote(error)}"
    return RedirectResponse(url, status_code=303)


@router.post("/staff/violations/{violation_id}/code", dependencies=[CsrfChecked])
def code(violation_id: str, session: DbSession, user: StaffUser, form: PostedForm) -> Response:
    fields = _fields(form)
    try:
        violations.code(
            session,
            violation_id=violation_id,
            coder=user.username,
            commitment_id=fields.get("commitment_id", ""),
            breach=fields.get("breach") == "1",
            severity=fields.get("severity", ""),
            note=fields.get("note", ""),
        )
    except MarsadError as exc:
        session.rollback()
        return _back(violation_id, exc.message)
    return _back(violation_id)


@router.post("/staff/violations/{violation_id}/move", dependencies=[CsrfChecked])
def move(
    request: Request, violation_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    fields = _fields(form)
    action = fields.get("action", "")
    try:
        if action in ("confirm", "notify") and user.role not in ("admin", "reviewer"):
            raise MarsadError("err_forbidden", _("You are not allowed to do this."), status=403)
        violations.move(
            session,
            violation_id=violation_id,
            action=action,
            actor=user.username,
            settings=request.app.state.settings,
            reply_text=fields.get("reply_text"),
        )
    except MarsadError as exc:
        session.rollback()
        return _back(violation_id, exc.message)
    return _back(violation_id)


@router.post("/staff/violations/{violation_id}/evidence", dependencies=[CsrfChecked])
def add_evidence(
    request: Request, violation_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    try:
        violations.add_evidence(
            session,
            violation_id=violation_id,
            refs=_lines(_fields(form).get("refs", "")),
            references=request.app.state.registry.references(),
            actor=user.username,
        )
    except MarsadError as exc:
        session.rollback()
        return _back(violation_id, exc.message)
    return _back(violation_id)


# --- actors ------------------------------------------------------------------------------


def _actors_context(session: Any) -> dict[str, Any]:
    return {
        "title": _("Actors and official accounts"),
        "actors": actors.describe(session, actors.list_profiles(session)),
        "look_alikes": actors.impersonation(session),
        "kinds": actors.KINDS,
        "platforms": service.PLATFORMS,
        **_labels(),
    }


@router.get("/staff/actors")
def actors_page(request: Request, session: DbSession, user: StaffUser) -> Response:  # noqa: ARG001
    """The register of actors and official accounts, and look-alike accounts to review."""
    context = _actors_context(session)
    context.update(values={}, errors={})
    return render(request, "declaration/staff_actors.html", context)


@router.post("/staff/actors", dependencies=[CsrfChecked])
def add_actor(request: Request, session: DbSession, user: StaffUser, form: PostedForm) -> Response:
    fields = _fields(form)
    accounts = []
    for line in _lines(fields.get("accounts", "")):
        platform, _sep, handle = line.partition(":")
        accounts.append({"platform": platform.strip(), "handle": handle.strip()})
    try:
        actors.create_actor(
            session,
            name=fields.get("name", ""),
            kind=fields.get("kind", ""),
            governorate=fields.get("governorate"),
            party=fields.get("party"),
            list_number=fields.get("list_number"),
            accounts=accounts,
            actor=user.username,
        )
    except MarsadError as exc:
        session.rollback()
        context = _actors_context(session)
        context.update(values=fields, errors={(exc.where or "form").split("[")[0]: exc.message})
        return render(request, "declaration/staff_actors.html", context, status=exc.status)
    return RedirectResponse("/staff/actors", status_code=303)


# --- admin -------------------------------------------------------------------------------


@router.get("/admin/declarations/{slug}")
def admin_page(
    request: Request,
    slug: str,
    session: DbSession,
    user: AdminUser,
    lang: str = "ckb",  # noqa: ARG001
) -> Response:
    """Fill a language's texts (Kurdish by default) and verify or withdraw signatures."""
    row = service.get_declaration(session, slug=slug)
    return render(
        request,
        "declaration/admin.html",
        {
            "title": _("Manage the declaration"),
            "slug": slug,
            "version": row.version,
            "target": lang if lang in texts.LANGS else "ckb",
            "rows": service.translation_keys(row.content),
            "signatures": service.pending_signatures(session, slug=slug),
        },
    )


@router.post("/admin/declarations/{slug}/texts", dependencies=[CsrfChecked])
def admin_texts(slug: str, session: DbSession, user: AdminUser, form: PostedForm) -> Response:
    fields = _fields(form)
    target = fields.pop("target", "ckb")
    fields.pop("csrf_token", None)
    service.set_translations(session, slug=slug, lang=target, values=fields, actor=user.username)
    return RedirectResponse(
        f"/admin/declarations/{quote(slug)}?lang={quote(target)}", status_code=303
    )


@router.post("/admin/declarations/{slug}/signatures/{signature_id}", dependencies=[CsrfChecked])
def admin_signature(
    request: Request,
    slug: str,
    signature_id: str,
    session: DbSession,
    user: AdminUser,
    form: PostedForm,
) -> Response:
    if _fields(form).get("action") == "withdraw":
        service.withdraw(
            session, settings=request.app.state.settings, slug=slug,
            signature_id=signature_id, actor=user.username,
        )  # fmt: skip
    else:
        service.verify(session, slug=slug, signature_id=signature_id, actor=user.username)
    return RedirectResponse(f"/admin/declarations/{quote(slug)}", status_code=303)
