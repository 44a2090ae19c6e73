"""HTML pages of the reports capability.

Public pages (the report form, receipts, the list, the map, a report) work
without JavaScript and stay small for slow or filtered connections; the map
is the one page that needs JavaScript, and the list beside it does not.
Staff pages: the review queue and a report's page with its workflow forms.
Every state-changing form is CSRF-checked.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import UploadFile

from marsad.core import i18n
from marsad.core.audit_text import describe
from marsad.core.db import (
    BUSY_RETRY_SECONDS,
    UNAVAILABLE_RETRY_SECONDS,
    database_busy,
    database_fault,
    database_unavailable,
)
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.core.places import PlaceIndex
from marsad.reports import (
    basemap,
    cases,
    categories,
    export,
    labels,
    media_clean,
    public,
    receipts,
    service,
    workflow,
)
from marsad.reports import contact as contact_rules
from marsad.reports.api import status_label
from marsad.reports.case_views import ENTRY_LABELS, OUTCOME_LABELS
from marsad.reports.deps import check_rate, public_filter, release_rate, report_settings
from marsad.reports.file_access import may_open_files
from marsad.reports.files import Upload
from marsad.reports.intake import cached_places, choices_in_memory, store_submission
from marsad.web.deps import (
    MAX_PAGE,
    AdminUser,
    CsrfChecked,
    DbSession,
    PostedForm,
    ReadSession,
    StaffUser,
    read_sessions,
)
from marsad.web.downloads import Bom, csv_download
from marsad.web.templating import render

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
PublicFilterDep = Annotated[public.PublicFilter, Depends(public_filter)]

LOCATION_LABELS = {
    "exact": lambda: _("Exact point"),
    "district": lambda: _("District"),
    "governorate": lambda: _("Governorate"),
}
TIME_LABELS = {
    "exact": lambda: _("Exact time"),
    "day": lambda: _("Day"),
    "week": lambda: _("Week"),
    "month": lambda: _("Month"),
}


def _form_context(session: Any, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return _form_choices(
        PlaceIndex.load(session), categories.list_categories(session), values, errors
    )


def _form_choices(
    places: PlaceIndex,
    category_rows: list[Any],
    values: dict[str, Any],
    errors: dict[str, str],
) -> dict[str, Any]:
    lang = i18n.current_language.get()
    return {
        "title": _("Report a violation"),
        "categories": [(c.slug, c.name(lang)) for c in category_rows],
        "governorates": [(g.pcode, g.name(lang)) for g in places.governorates()],
        "districts": [
            (g.name(lang), [(d.pcode, d.name(lang)) for d in places.districts(g.pcode)])
            for g in places.governorates()
        ],
        # The report form's grouped list: each <optgroup> names its governorate's
        # P-code, so static/reports/districts.js can show only the chosen one's.
        "district_groups": [
            (g.pcode, g.name(lang), [(d.pcode, d.name(lang)) for d in places.districts(g.pcode)])
            for g in places.governorates()
        ],
        "basemap": basemap.map_context(),
        "values": values,
        "errors": errors,
        "max_files": None,
        # Said on the form before a file is attached: what this server can clean now.
        "cleaning": media_clean.available(),
    }


@router.get("/report")
def report_form(request: Request, session: ReadSession) -> Response:
    """The public report form (no JavaScript needed)."""
    context = _form_context(session, {}, {})
    context["limits"] = report_settings(request)
    return render(request, "reports/form.html", context)


@router.post("/report", dependencies=[CsrfChecked])
def report_submit(request: Request, form: PostedForm) -> Response:
    """Take a report from the form; on success show its receipt."""
    check_rate(request)
    try:
        response = _take_report(request, form)
    except Exception:
        release_rate(request)
        raise
    if response.status_code >= 400:
        # Refused (a field to correct, a busy or unavailable database): nothing was
        # stored, so sending it again must not use up the reporter's allowance.
        release_rate(request)
    return response


def _take_report(request: Request, form: Any) -> Response:
    """The form's submission stored and its receipt shown, or the form again saying why."""
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if fields.get("website"):
        # The honeypot field is invisible to people; a bot filled it. Answer exactly as
        # for an accepted report (a receipt code of the same form, whose page reads
        # "received"), so it learns nothing, and store nothing.
        code = receipts.decoy_receipt(_decoy_key(request))
        return RedirectResponse(f"/r/{quote(code)}?new=1", status_code=303)
    files = [
        Upload(filename=v.filename or "file", data=v.file.read(), content_type=v.content_type)
        for v in form.getlist("files")
        if isinstance(v, UploadFile) and v.filename
    ]
    submission = service.Submission(
        **{k: fields.get(k) or None for k in service.FORM_FIELDS},
        links=(fields.get("links") or "").splitlines(),
        confidential=fields.get("confidential") == "1",
        files=files,
    )
    try:
        done = store_submission(request, submission, channel="web")
    except InvalidInput as exc:
        problems = exc.details.get("fields") or [{"where": exc.where, "message": exc.message}]
        errors = {p["where"] or "form": p["message"] for p in reversed(problems)}
        return _form_again(request, fields, errors, dropped=len(files), status=422)
    except DBAPIError as exc:
        busy = database_busy(exc)
        if not busy and not database_unavailable(exc):
            raise
        # The writer gave up waiting for the database, or could not reach it, and the
        # report's transaction was rolled back whole. The form comes back filled in, so
        # what the reporter wrote is not lost to a page they cannot go back from (pages
        # are never cached).
        if busy:
            log.warning("database busy on POST /report: the form was shown again (503)")
        else:
            log.error(
                "database unavailable on POST /report: the form was shown again (503, %s)",
                database_fault(exc),
            )
        response = _form_again(
            request, fields, {}, dropped=len(files), status=503, busy=busy, unavailable=not busy
        )
        wait = BUSY_RETRY_SECONDS if busy else UNAVAILABLE_RETRY_SECONDS
        response.headers["Retry-After"] = str(wait)
        return response
    kept = f"&kept={len(done.kept_apart)}" if done.kept_apart else ""
    return RedirectResponse(f"/r/{quote(done.receipt)}?new=1{kept}", status_code=303)


def _form_again(
    request: Request,
    fields: dict[str, str],
    errors: dict[str, str],
    *,
    dropped: int,
    status: int,
    busy: bool = False,
    unavailable: bool = False,
) -> Response:
    """The report form again, filled in with what was sent, saying why it came back."""
    try:
        with read_sessions(request)() as session:
            context = _form_context(session, fields, errors)
    except DBAPIError as exc:
        if not unavailable or not database_unavailable(exc):
            raise
        # The database cannot be read either: the choices last read in memory, so the
        # form the reporter filled in can still be sent again as it is.
        context = _form_choices(*choices_in_memory(request), fields, errors)
    context["limits"] = report_settings(request)
    # A browser cannot refill a file field, and nothing unchecked is kept on the
    # server: the reporter is told the files must be chosen again.
    context["files_dropped"] = dropped
    context["busy"] = busy
    context["unavailable"] = unavailable
    return render(request, "reports/form.html", context, status=status)


@router.get("/r")
def receipt_lookup(request: Request, code: str = "") -> Response:
    """The form to look a receipt up (and its redirect to /r/{code})."""
    if code.strip():
        return RedirectResponse(f"/r/{quote(code.strip())}", status_code=303)
    return render(request, "reports/receipt.html", {"title": _("Check a report"), "code": None})


@router.get("/r/{code}")
def receipt_page(
    request: Request, code: str, session: ReadSession, new: int = 0, kept: int = 0
) -> Response:
    """A report's status by receipt code; never its content."""
    try:
        status = receipts.receipt_status(session, code=code)
    except NotFound:
        if not receipts.is_decoy_receipt(_decoy_key(request), code):
            return render(
                request,
                "reports/receipt.html",
                {"title": _("Check a report"), "code": None, "unknown": True},
                status=404,
            )
        status = "received"  # a honeypot's receipt reads like a report just received
    return render(
        request,
        "reports/receipt.html",
        {
            "title": _("Your report"),
            "code": code,
            "new": bool(new),
            "kept": max(0, min(kept, 100)) if new else 0,
            "status": status,
            "status_label": status_label(status),
        },
    )


@router.get("/r/{code}/receipt.txt")
def receipt_text(request: Request, code: str, session: ReadSession) -> Response:
    """The receipt code as a text file to keep (no JavaScript needed); never the content."""
    try:
        status = receipts.receipt_status(session, code=code)
    except NotFound:
        if not receipts.is_decoy_receipt(_decoy_key(request), code):
            raise
        status = "received"
    lines = [
        _("Marsad: your report"),
        "",
        _("Receipt code: %(code)s") % {"code": code},
        _("Status when saved: %(status)s") % {"status": status_label(status)},
        "",
        _("To check its status, open this page and type the code: %(url)s")
        % {"url": f"{request.base_url}r"},
        _(
            "Keep this code private: whoever has it can see the status of your report, "
            "never its content."
        ),
        "",
    ]
    return PlainTextResponse(
        "\r\n".join(lines),
        headers={"Content-Disposition": 'attachment; filename="marsad-receipt.txt"'},
    )


def _decoy_key(request: Request) -> bytes:
    state = request.app.state
    if not hasattr(state, "decoy_key"):
        state.decoy_key = receipts.decoy_key(state.settings.secret())
    return state.decoy_key


def _public_context(request: Request, session: Any, filters: public.PublicFilter) -> dict[str, Any]:
    lang = i18n.current_language.get()
    places = cached_places(request)  # loading it anew cost more than the page
    rows = public.published_reports(
        session,
        filters=filters,
        lang=lang,
        zone=request.app.state.settings.timezone,
        k=report_settings(request).reports_min_public_count,
        places=places,
    )
    return {
        "rows": rows,
        "counts": public.public_counts(
            rows, k=report_settings(request).reports_min_public_count, places=places, lang=lang
        ),
        "filters": filters,
        "categories": [(c.slug, c.name(lang)) for c in categories.list_categories(session)],
        "governorates": [(g.pcode, g.name(lang)) for g in places.governorates()],
        "query": request.url.query,
    }


@router.get("/reports")
def public_list(request: Request, session: ReadSession, filters: PublicFilterDep) -> Response:
    """Published reports as a list, with filters and counts per governorate."""
    context = _public_context(request, session, filters)
    context["title"] = _("Published reports")
    return render(request, "reports/list.html", context)


@router.get("/reports/map")
def public_map(request: Request, session: ReadSession, filters: PublicFilterDep) -> Response:
    """The public map (Leaflet, vendored); it reads the GeoJSON API."""
    context = _public_context(request, session, filters)
    context.update(
        title=_("Map of published reports"),
        basemap=basemap.map_context(),
        limits=report_settings(request),
    )
    return render(request, "reports/map.html", context)


@router.get("/reports/{report_id}")
def public_report(request: Request, report_id: str, session: ReadSession) -> Response:
    """One published report at its public precision."""
    row = public.published_report(
        session,
        report_id=report_id,
        lang=i18n.current_language.get(),
        zone=request.app.state.settings.timezone,
        k=report_settings(request).reports_min_public_count,
    )
    if row is None:
        raise NotFound("err_report_not_found", _("This report does not exist."), "id")
    return render(request, "reports/public_report.html", {"title": row.title, "row": row})


# --- staff ------------------------------------------------------------------------------------


@router.get("/staff/reports")
def staff_queue(
    request: Request,
    session: DbSession,
    user: StaffUser,
    status: str = "",
    category: str = "",
    assigned: str = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """The review queue: open reports first, filters by status, category and assignee."""
    lang = i18n.current_language.get()
    page = max(page, 1)
    filters = service.QueueFilter(
        status=status or None,
        category=category or None,
        assigned_to=user.username if assigned == "me" else None,
        limit=50,
        offset=(page - 1) * 50,
    )
    rows, total = service.review_queue(session, filters=filters)
    places = PlaceIndex.load(session)
    return render(
        request,
        "reports/staff_queue.html",
        {
            "title": _("Review queue"),
            "rows": rows,
            "total": total,
            "page": page,
            "places": places,
            "lang": lang,
            "status": status,
            "category": category,
            "assigned": assigned,
            "statuses": [(s, status_label(s)) for s in workflow.STATUSES],
            "categories": [(c.slug, c.name(lang)) for c in categories.list_categories(session)],
            "status_label": status_label,
            "readable_cases": cases.readable_cases(session, user=user),
        },
    )


def _staff_report_context(
    request: Request, session: Any, user: User, report_id: str, reveal: bool, done: str = ""
) -> dict[str, Any]:
    lang = i18n.current_language.get()
    zone = request.app.state.settings.timezone
    report = service.get_report(session, report_id=report_id)
    contact = None
    if reveal:
        try:
            contact = contact_rules.reveal_contact(
                session, report=report, viewer=user, cipher=request.app.state.cipher
            )
        except contact_rules.ContactRefused:
            session.commit()  # the refusal stays in the audit trail after the 403
            raise
    readable = cases.may_read(session, report=report, user=user)
    if readable:
        service.record_view(session, report=report, viewer=user)
    cipher = request.app.state.cipher
    places = PlaceIndex.load(session)
    assignee = session.get(User, report.assigned_to_id) if report.assigned_to_id else None
    locker = session.get(User, report.locked_by_id) if report.locked_by_id else None
    return {
        "title": report.title if readable else _("Confidential case"),
        "readable": readable,
        "case": cases.case_view(session, report=report, viewer=user, cipher=cipher)
        if report.confidential
        else None,
        "zone": ZoneInfo(request.app.state.settings.timezone),
        "entry_kinds": [(k, ENTRY_LABELS[k]()) for k in cases.ENTRY_KINDS],
        "outcomes": [(k, OUTCOME_LABELS[k]()) for k in cases.OUTCOMES],
        "requests": contact_rules.report_requests(session, report_id=report.id),
        "history": [
            (h, describe(action=h.action, actor=h.actor, subject_id=report.id, details=None))
            for h in cases.case_history(session, report_id=report.id)
        ],
        "user": user,
        "report": report,
        "links": service.report_links(report),
        "category_name": report.category.name(lang),
        "governorate": places.get(report.governorate_pcode),
        "district": places.get(report.district_pcode),
        "assignee": assignee,
        "locker": locker,
        "contact": contact,
        "revealed": reveal,
        "may_see_contact": contact_rules.can_see_contact(session, report=report, viewer=user),
        "may_request": user.role in contact_rules.REQUESTERS,
        "has_contact": bool(report.contact_sealed),
        "next_statuses": [
            (s, status_label(s))
            for s in workflow.next_statuses(
                report.status, user.role, confidential=report.confidential
            )
        ],
        "status_label": status_label(report.status),
        "reviewers": service.staff_users(session) if user.role in workflow.REVIEWERS else [],
        "location_precisions": [(p, LOCATION_LABELS[p]()) for p in workflow.LOCATION_PRECISIONS],
        "time_precisions": [(p, TIME_LABELS[p]()) for p in workflow.TIME_PRECISIONS],
        # The form shows what is stored: a report published before keeps its precision
        # unless someone deliberately changes it.
        "chosen_location": report.location_precision or workflow.DEFAULT_LOCATION_PRECISION,
        "chosen_time": report.time_precision or workflow.DEFAULT_TIME_PRECISION,
        "published_before": report.location_precision is not None,
        "precision_sentences": (
            labels.label(labels.LOCATION_SENTENCES, report.location_precision),
            labels.label(labels.TIME_SENTENCES, report.time_precision),
        ),
        "channel": labels.label(labels.CHANNEL_LABELS, report.channel),
        "occurred": labels.occurred_text(report.occurred_at, report.occurred_precision, zone),
        "comment_moves": {
            c.id: labels.transition_sentence(c.transition_from, c.transition_to, status_label)
            for c in report.comments
            if c.transition_from and c.transition_to
        },
        "file_kind": labels.file_kind,
        "may_open_files": may_open_files(user),
        "done": labels.label(labels.DONE_MESSAGES, done) if done in labels.DONE_MESSAGES else "",
        "transition_error": None,
        "lang": lang,
    }


@router.get("/staff/reports/export")
def staff_export(
    request: Request,
    session: DbSession,
    user: StaffUser,
    format: str = "csv",  # noqa: A002 - the query parameter's public name
    status: str = "",
    category: str = "",
    governorate: str = "",
    bom: Bom = False,
) -> Response:
    """Staff export of any filter: CSV, HXL CSV or GeoJSON (never contacts); ``?bom=1``: Excel."""
    rows = export.staff_rows(
        session,
        status=status or None,
        category=category or None,
        governorate=governorate or None,
        readable=cases.readable_cases(session, user=user),
        zone=request.app.state.settings.timezone,
    )
    if format == "geojson":
        body = json.dumps(export.staff_geojson(rows, PlaceIndex.load(session)), ensure_ascii=False)
        return Response(
            body,
            media_type="application/geo+json",
            headers={"Content-Disposition": 'attachment; filename="marsad-reports-staff.geojson"'},
        )
    hxl = format == "hxl"
    body = export.write_csv(rows, export.STAFF_COLUMNS, hxl=hxl)
    return csv_download(body, filename="marsad-reports-staff.csv", bom=bom)


@router.get("/staff/reports/{report_id}")
def staff_report(
    request: Request,
    report_id: str,
    session: DbSession,
    user: StaffUser,
    contact: int = 0,
    done: str = "",
) -> Response:
    """A report in full for staff; viewing it (and its contact) is audited."""
    context = _staff_report_context(request, session, user, report_id, bool(contact), done)
    return render(request, "reports/staff_report.html", context)


def _back(report_id: str, done: str = "") -> RedirectResponse:
    # ``done`` names the message the page shows (labels.DONE_MESSAGES), never free text.
    query = f"?done={done}" if done else ""
    return RedirectResponse(f"/staff/reports/{report_id}{query}", status_code=303)


@router.post("/staff/reports/{report_id}/transition", dependencies=[CsrfChecked])
def staff_transition(
    request: Request, report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Move a report along the workflow from its page.

    A refusal the reviewer can fix (publishing more precisely than before without
    the confirmation, a missing original for a duplicate) shows the page again
    with the message beside the form and the choices kept.
    """
    chosen = {k: str(form.get(k, "")) for k in ("to", "location_precision", "time_precision")}
    try:
        service.transition_report(
            session,
            report_id=report_id,
            to=chosen["to"],
            actor=user,
            note=str(form.get("note", "")),
            location_precision=chosen["location_precision"] or None,
            time_precision=chosen["time_precision"] or None,
            duplicate_of=str(form.get("duplicate_of", "")) or None,
            confirm_more_precise=form.get("confirm_more_precise") == "1",
        )
    except InvalidInput as exc:
        session.rollback()
        context = _staff_report_context(request, session, user, report_id, False)
        context.update(
            transition_error=exc.message,
            transition_where=exc.where,
            chosen_to=chosen["to"],
            note=str(form.get("note", "")),
        )
        for key, name in (
            ("location_precision", "chosen_location"),
            ("time_precision", "chosen_time"),
        ):
            if chosen[key]:
                context[name] = chosen[key]
        return render(request, "reports/staff_report.html", context, status=422)
    return _back(report_id, "transition")


@router.post("/staff/reports/{report_id}/assign", dependencies=[CsrfChecked])
def staff_assign(report_id: str, session: DbSession, user: StaffUser, form: PostedForm) -> Response:
    """Assign a report to a reviewer (or nobody)."""
    service.assign_report(
        session, report_id=report_id, assignee=str(form.get("assignee", "")) or None, actor=user
    )
    return _back(report_id, "assigned")


@router.post("/staff/reports/{report_id}/comment", dependencies=[CsrfChecked])
def staff_comment(
    report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Add a staff comment."""
    service.add_comment(session, report_id=report_id, body=str(form.get("body", "")), actor=user)
    return _back(report_id, "commented")


@router.post("/staff/reports/{report_id}/lock", dependencies=[CsrfChecked])
def staff_lock(request: Request, report_id: str, session: DbSession, user: StaffUser) -> Response:
    """Take the edit lock and open the edit form."""
    minutes = report_settings(request).reports_lock_minutes
    service.lock_report(session, report_id=report_id, actor=user, minutes=minutes)
    return RedirectResponse(f"/staff/reports/{report_id}/edit", status_code=303)


@router.get("/staff/reports/{report_id}/edit")
def staff_edit_form(
    request: Request, report_id: str, session: DbSession, user: StaffUser
) -> Response:
    """The edit form; only for the holder of the edit lock."""
    report = service.get_report(session, report_id=report_id)
    cases.require_reader(session, report=report, user=user)
    if report.locked_by_id != user.id:
        return _back(report_id)
    values = {
        "title": report.title,
        "description": report.description,
        "category": report.category.slug,
        "governorate": report.governorate_pcode or "",
        "district": report.district_pcode or "",
        "lat": "" if report.lat is None else report.lat,
        "lon": "" if report.lon is None else report.lon,
    }
    # A date alone stays a date: the time field is left empty rather than filled with
    # the noon it is stored as.
    local = (
        report.occurred_at.astimezone(ZoneInfo(request.app.state.settings.timezone))
        if report.occurred_at
        else None
    )
    values["occurred_date"] = local.strftime("%Y-%m-%d") if local else ""
    values["occurred_time"] = (
        local.strftime("%H:%M") if local and report.occurred_precision != "day" else ""
    )
    context = _form_context(session, values, {})
    context.update(title=_("Edit report"), report=report)
    return render(request, "reports/staff_edit.html", context)


@router.post("/staff/reports/{report_id}/edit", dependencies=[CsrfChecked])
def staff_edit(
    request: Request, report_id: str, session: DbSession, user: StaffUser, form: PostedForm
) -> Response:
    """Save an edit made under the lock."""
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    if "unlock" in fields:
        service.unlock_report(session, report_id=report_id, actor=user)
        return _back(report_id, "unlocked")
    report = service.get_report(session, report_id=report_id)
    day, time = fields.get("occurred_date", "").strip(), fields.get("occurred_time", "").strip()
    fields["occurred_at"] = f"{day}T{time}" if day and time else day
    service.edit_report(
        session,
        report_id=report_id,
        actor=user,
        version=_whole_number(fields.get("version"), "version"),
        changes=service.Submission(
            **{k: fields.get(k) or None for k in service.FORM_FIELDS if k != "contact"},
            links=service.report_links(report),
        ),
        confidential=fields.get("confidential") == "1",
        settings=report_settings(request),
        zone=request.app.state.settings.timezone,
    )
    return _back(report_id, "edited")


def _whole_number(value: str | None, where: str) -> int:
    try:
        return int(value or 0)
    except ValueError:
        raise InvalidInput(
            "err_invalid_input",
            _("This field is missing or not valid: {field}").format(field=where),
            where,
        ) from None


# --- admin: categories ----------------------------------------------------------------------


@router.get("/admin/categories")
def admin_categories(request: Request, session: DbSession, user: AdminUser) -> Response:  # noqa: ARG001
    """Admins: the report categories, with a form to add or rename one."""
    rows = categories.list_categories(session, include_inactive=True)
    slugs = {c.id: c.slug for c in rows}
    return render(
        request,
        "reports/admin_categories.html",
        {"title": _("Report categories"), "rows": rows, "parents": slugs},
    )


@router.post("/admin/categories", dependencies=[CsrfChecked])
def admin_category_save(session: DbSession, user: AdminUser, form: PostedForm) -> Response:
    """Admins: add or rename a category (names in three languages, optional parent)."""
    field = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    words = {"slug": _("Identifier"), "name_ar": "العربية", "name_ckb": "کوردی"}
    for name in ("slug", "name_ar", "name_ckb", "name_en"):
        if not field.get(name):
            raise InvalidInput(
                "err_required",
                _("This field is missing or not valid: {field}").format(
                    field=words.get(name, "English")
                ),
                name,
            )
    categories.save_category(
        session,
        slug=field["slug"],
        name_ar=field["name_ar"],
        name_ckb=field["name_ckb"],
        name_en=field["name_en"],
        parent=field.get("parent") or None,
        confidential=field.get("confidential") == "1",
        actor=user.username,
    )
    return RedirectResponse("/admin/categories", status_code=303)
