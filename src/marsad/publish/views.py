"""Pages: the public dashboard (inline SVG, no script), the weekly reports and their workflow."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core import i18n
from marsad.core.blobs import BlobStore
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.places import PlaceIndex
from marsad.publish import publications, service
from marsad.publish.charts import ChartHelper
from marsad.publish.models import Publication
from marsad.web.deps import CsrfChecked, DbSession, PostedForm, ReadSession, StaffUser
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard(request: Request, session: ReadSession, week: str | None = None) -> Response:
    """The public figures of one week (default: this week), twin of ``/api/v1/stats``."""
    settings = request.app.state.settings
    lang = i18n.current_language.get()
    period = service.parse_period(settings, week)
    doc = service.dashboard(session, settings=settings, period=period)
    names = {p.pcode: p.name(lang) for p in PlaceIndex.load(session).governorates()}
    return render(
        request,
        "publish/dashboard.html",
        {
            "title": _("Dashboard"),
            "doc": doc,
            "charts": ChartHelper(lang, names),
            "previous": period.previous().label,
            "week": period.label,
        },
    )


# --- weekly reports: the public list, the files, and the staff workflow ----------------------

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@router.get("/publications")
def publications_page(request: Request, session: ReadSession) -> Response:
    """Published weekly reports with their PDF and HTML; twin of ``/api/v1/publications``."""
    rows = [publications.to_json(p) for p in publications.published(session)]
    return render(
        request, "publish/publications.html", {"title": _("Weekly reports"), "rows": rows}
    )


@router.get("/publications/{publication_id}.{fmt}")
def publication_file(
    request: Request, publication_id: str, fmt: str, session: ReadSession
) -> Response:
    """The stored PDF or HTML of a published report (never a draft)."""
    pub = session.get(Publication, publication_id)
    ref = None
    if pub is not None and pub.status == publications.PUBLISHED:
        ref = {"pdf": pub.pdf_sha256, "html": pub.html_sha256}.get(fmt)
    if ref is None:
        raise NotFound("err_publication_not_found", _("This report does not exist."), "id")
    store = BlobStore.from_settings(request.app.state.settings)
    with store.open(ref) as handle:
        body = handle.read()
    name = f"marsad-{pub.week}-{pub.lang}.{fmt}"
    if fmt == "pdf":
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        return Response(body, media_type="application/pdf", headers=headers)
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_CSP},
    )


@router.get("/staff/publications")
def staff_publications(request: Request, session: DbSession, user: StaffUser) -> Response:
    """Every weekly report and its state; a form to start one."""
    rows = [publications.to_json(p) for p in publications.all_publications(session)]
    settings = request.app.state.settings
    return render(
        request,
        "publish/staff_publications.html",
        {
            "title": _("Weekly reports"),
            "rows": rows,
            "me": user,
            "suggested": service.current_period(settings).previous().label,
            "languages": i18n.LANGUAGE_NAMES,
        },
    )


@router.post("/staff/publications", dependencies=[CsrfChecked])
def staff_publication_new(session: DbSession, user: StaffUser, form: PostedForm) -> Response:
    pub = publications.create_draft(
        session,
        week=str(form.get("week") or ""),
        lang=str(form.get("lang") or ""),
        actor=user.username,
    )
    return RedirectResponse(f"/staff/publications/{pub.id}", status_code=303)


@router.get("/staff/publications/{publication_id}")
def staff_publication(
    request: Request, publication_id: str, session: DbSession, user: StaffUser
) -> Response:
    pub = publications.get(session, publication_id=publication_id)
    return render(
        request,
        "publish/staff_publication.html",
        {
            "title": _("Weekly report {week}").format(week=pub.week),
            "pub": publications.to_json(pub),
            "can_approve": user.role in publications.APPROVERS,
        },
    )


@router.post("/staff/publications/{publication_id}", dependencies=[CsrfChecked])
def staff_publication_act(
    request: Request, publication_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Save the narrative, approve, or publish (the button pressed says which)."""
    action = str(form.get("action") or "")
    if action == "save":
        version = str(form.get("version") or "")
        publications.edit_narrative(
            session,
            publication_id=publication_id,
            narrative=str(form.get("narrative") or ""),
            actor=user.username,
            version=int(version) if version.isdigit() else None,
        )
    elif action == "approve":
        publications.approve(
            session, publication_id=publication_id, actor=user.username, role=user.role
        )
    elif action == "publish":
        publications.publish(
            session,
            publication_id=publication_id,
            actor=user.username,
            role=user.role,
            settings=request.app.state.settings,
        )
    else:
        raise InvalidInput(
            "err_invalid_input",
            _("This field is missing or not valid: {field}").format(field="action"),
            "action",
        )
    return RedirectResponse(f"/staff/publications/{publication_id}", status_code=303)
