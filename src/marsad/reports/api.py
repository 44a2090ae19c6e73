"""HTTP API of the reports capability, under ``/api/v1``.

Public: categories, submitting a report, a receipt's status, published reports
(JSON, GeoJSON, counts, CSV) and the places layer. Staff (``Authorization:
Bearer TOKEN``): a report in full (audited) and its transitions.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from marsad.core import i18n
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.core.places import DISTRICT, GOVERNORATE, PlaceIndex, feature_collection
from marsad.reports import cases, export, public, receipts, service
from marsad.reports import contact as contact_rules
from marsad.reports.categories import list_categories
from marsad.reports.deps import check_rate, public_filter, release_rate, report_settings
from marsad.reports.files import Upload
from marsad.reports.intake import store_submission_async
from marsad.reports.models import Report
from marsad.web.deps import MAX_OFFSET, DbSession, ReadSession, StaffUser
from marsad.web.downloads import Bom, csv_download

router = APIRouter(prefix="/api/v1", tags=["reports"])
PublicFilterDep = Annotated[public.PublicFilter, Depends(public_filter)]


class CategoryOut(BaseModel):
    slug: str
    parent: str | None
    name: str = Field(description="in the requested language")
    name_ar: str
    name_ckb: str
    name_en: str
    confidential: bool


class ReportCreate(BaseModel):
    """A new report. Places are P-codes (IQG08, IQG08Q03) or names in any language."""

    title: str
    description: str = ""
    category: str = Field(description="category slug, see /api/v1/categories")
    occurred_at: str | None = Field(None, description="ISO date or date-time; local time if naive")
    governorate: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    contact: str | None = Field(None, description="encrypted at rest; never public")
    links: list[str] = Field(default_factory=list)
    language: str | None = Field(None, description="ar, ckb or en")
    confidential: bool = False


class ReportCreated(BaseModel):
    id: str
    receipt: str = Field(description="the code for /r/{code}; shown only now")
    files_not_cleaned: list[str] = Field(
        default_factory=list,
        description="present only when some file's hidden data (such as location) could "
        "not be removed: those files are kept apart, never shown as clean",
    )


class ReceiptStatus(BaseModel):
    status: str
    status_label: str


class FileOut(BaseModel):
    id: str
    # The copy that is shown (images re-encoded without metadata), as sha256:<hex>.
    sha256: str
    filename: str
    media_type: str
    size: int
    # The bytes as they arrived, when cleaning changed them: staff only.
    original: str | None = None
    # True: hidden data could not be removed (a tool was missing): not a clean copy.
    kept_apart: bool = False


class CommentOut(BaseModel):
    author: str
    body: str
    created_at: datetime
    # The status move the note was written with, when it was one (status codes).
    transition_from: str | None = None
    transition_to: str | None = None


class ReportStaffView(BaseModel):
    """Everything about a report, for staff.

    ``contact`` is filled only when asked for (``?include=contact``) under an
    approved, unexpired contact request. For a confidential case read by
    someone who is not one of its caseworkers, ``content_visible`` is false
    and the title, text, place, links, files and comments are left out.
    """

    id: str
    status: str
    confidential: bool
    verified: bool
    channel: str
    language: str
    title: str
    description: str
    category: str
    links: list[str]
    occurred_at: datetime | None
    occurred_precision: str | None = Field(
        None, description="`day`: the reporter gave a date alone (stored as noon); `exact`"
    )
    governorate: str | None
    district: str | None
    lat: float | None
    lon: float | None
    contact: str | None
    contact_visible: bool = Field(
        description="true while the viewer holds an approved, unexpired contact request"
    )
    content_visible: bool = True
    assigned_to: str | None
    duplicate_of: str | None
    location_precision: str | None
    time_precision: str | None
    published_at: datetime | None
    created_at: datetime
    version: int
    files: list[FileOut]
    comments: list[CommentOut]


class TransitionIn(BaseModel):
    to: str
    note: str | None = None
    location_precision: str | None = Field(None, description="exact, district or governorate")
    time_precision: str | None = Field(None, description="exact, day, week or month")
    duplicate_of: str | None = None
    confirm_more_precise: bool = Field(
        False,
        description="needed to publish again more precisely than an earlier publication",
    )


STATUS_LABELS = {
    "received": lambda: _("Received"),
    "triaged": lambda: _("Being reviewed"),
    "verified": lambda: _("Verified"),
    "unverified": lambda: _("Could not be verified"),
    "rejected": lambda: _("Not accepted"),
    "duplicate": lambda: _("Already reported"),
    "published": lambda: _("Published"),
    "archived": lambda: _("Closed"),
}


def status_label(status: str) -> str:
    """A status in the visitor's language."""
    return STATUS_LABELS.get(status, lambda: status)()


@router.get("/categories", response_model=list[CategoryOut])
def categories(session: ReadSession) -> list[CategoryOut]:
    """Report categories (nested through ``parent``), names in ar/ckb/en."""
    lang = i18n.current_language.get()
    rows = list_categories(session)
    slugs = {c.id: c.slug for c in rows}
    return [
        CategoryOut(
            slug=c.slug,
            parent=slugs.get(c.parent_id) if c.parent_id else None,
            name=c.name(lang),
            name_ar=c.name_ar,
            name_ckb=c.name_ckb,
            name_en=c.name_en,
            confidential=c.confidential,
        )
        for c in rows
    ]


async def _read_submission(request: Request) -> service.Submission:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        files = [
            Upload(filename=v.filename or "file", data=await v.read(), content_type=v.content_type)
            for v in form.getlist("files")
            if isinstance(v, UploadFile) and v.filename
        ]
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        links = [str(v) for v in form.getlist("links") if isinstance(v, str)]
        if len(links) == 1 and "\n" in links[0]:
            links = links[0].splitlines()
        return service.Submission(
            **{k: fields.get(k) for k in service.FORM_FIELDS},
            links=links,
            confidential=fields.get("confidential", "") in ("1", "true", "on", "yes"),
            files=files,
        )
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            "err_invalid_json", _("The request body is not valid JSON."), "body"
        ) from None
    try:
        data = ReportCreate.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(
            "err_required" if first["type"] == "missing" else "err_invalid_input",
            _("This field is missing or not valid: {field}").format(field=where),
            where,
        ) from None
    return service.Submission(**data.model_dump())


SUBMIT_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            # Inline: the handler reads the body itself, so FastAPI does not add the model
            # to the components and a $ref to it would dangle.
            "application/json": {"schema": ReportCreate.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **{k: {"type": "string"} for k in ReportCreate.model_fields},
                        "links": {"type": "array", "items": {"type": "string"}},
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                    "required": ["title", "category"],
                }
            },
        },
    }
}


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportCreated,
    openapi_extra=SUBMIT_DOC,
    responses={422: {"description": "a field is missing or wrong; `where` names it"}, 429: {}},
)
async def submit(request: Request) -> JSONResponse:
    """Submit a report (JSON, or multipart with ``files``); returns its id and receipt."""
    check_rate(request)
    # Only reading the body happens on the event loop; checking blocks (database,
    # image decoding), so it runs in the thread pool, and the report is stored by
    # the intake's group-commit writer, which answers once it is committed.
    try:
        submission = await _read_submission(request)
        done = await store_submission_async(request, submission, channel="api")
    except Exception:
        # Refused (422, 413, 503) or failed: nothing was stored, so it does not count
        # against the sender. (A cancelled request is no Exception: its report may be
        # stored after all, and it stays counted.)
        release_rate(request)
        raise
    body: dict[str, Any] = {"id": done.id, "receipt": done.receipt}
    if done.kept_apart:  # only then: the usual answer stays {id, receipt}
        body["files_not_cleaned"] = done.kept_apart
    return JSONResponse(body, status_code=201)


@router.get("/receipts/{code}", response_model=ReceiptStatus)
def receipt(code: str, session: ReadSession) -> ReceiptStatus:
    """The status of a report by its receipt code (never its content)."""
    status = receipts.receipt_status(session, code=code)
    return ReceiptStatus(status=status, status_label=status_label(status))


def _public_rows(request: Request, session: Any, filters: public.PublicFilter) -> list[Any]:
    return public.published_reports(
        session,
        filters=filters,
        lang=i18n.current_language.get(),
        zone=request.app.state.settings.timezone,
        k=report_settings(request).reports_min_public_count,
    )


@router.get("/reports", response_model=dict[str, Any])
def list_public(
    request: Request,
    session: ReadSession,
    filters: PublicFilterDep,
    limit: int = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Published reports only, public fields only, at their public precision."""
    limit = max(1, min(limit, 500))
    rows = _public_rows(request, session, filters)
    page = rows[offset : offset + limit]
    nxt = None
    if offset + limit < len(rows):
        params = dict(request.query_params)
        params.update(offset=str(offset + limit), limit=str(limit))
        nxt = str(request.url.include_query_params(**params))
    return {
        "count": len(rows),
        "next": nxt,
        "results": [r.model_dump() for r in page],
    }


@router.get("/reports.geojson")
def list_geojson(request: Request, session: ReadSession, filters: PublicFilterDep) -> JSONResponse:
    """Published reports as GeoJSON points at public precision."""
    rows = _public_rows(request, session, filters)
    return JSONResponse(public.geojson(rows), media_type="application/geo+json")


@router.get("/reports.csv")
def list_csv(
    request: Request,
    session: ReadSession,
    filters: PublicFilterDep,
    hxl: bool = False,
    bom: Bom = False,
) -> Response:
    """Published reports as CSV (``?hxl=1`` adds the HXL hashtag row, ``?bom=1`` for Excel)."""
    rows = _public_rows(request, session, filters)
    body = export.public_csv(rows, hxl=hxl)
    name = "marsad-reports-hxl.csv" if hxl else "marsad-reports.csv"
    return csv_download(body, filename=name, bom=bom)


@router.get("/reports/counts")
def counts(request: Request, session: ReadSession, filters: PublicFilterDep) -> dict[str, Any]:
    """Published reports counted per governorate (and district where at least k)."""
    lang = i18n.current_language.get()
    rows = _public_rows(request, session, filters)
    return public.public_counts(
        rows,
        k=report_settings(request).reports_min_public_count,
        places=PlaceIndex.load(session),
        lang=lang,
    )


@router.get("/places.geojson")
def places_geojson(session: ReadSession, level: int = 1) -> JSONResponse:
    """Governorates (level 1) or districts (2): polygons if imported, else points."""
    if level not in (GOVERNORATE, DISTRICT):
        raise InvalidInput(
            "err_invalid_input",
            _("This field is missing or not valid: {field}").format(field="level"),
            "level",
        )
    return JSONResponse(
        feature_collection(PlaceIndex.load(session), level),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _bearer_only(request: Request) -> None:
    # State changes through the API take a bearer token, never a cookie: no CSRF.
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})


def staff_view(
    session: Any, *, report: Report, viewer: User, cipher: Any, include_contact: bool = False
) -> ReportStaffView:
    """The staff view of a report; audited. The contact only when asked for and approved."""
    contact = None
    if include_contact:
        # Refused (403) without an approved, unexpired request: asking is not enough.
        # The refusal is audited and committed before the 403 rolls the request back.
        try:
            contact = contact_rules.reveal_contact(
                session, report=report, viewer=viewer, cipher=cipher
            )
        except contact_rules.ContactRefused:
            session.commit()
            raise
    readable = cases.may_read(session, report=report, user=viewer)
    if readable:
        service.record_view(session, report=report, viewer=viewer)
    visible = contact_rules.can_see_contact(session, report=report, viewer=viewer)
    assignee = session.get(User, report.assigned_to_id) if report.assigned_to_id else None
    return ReportStaffView(
        id=report.id,
        status=report.status,
        confidential=report.confidential,
        verified=report.verified,
        channel=report.channel,
        language=report.language,
        title=report.title if readable else _("Confidential case"),
        description=report.description if readable else "",
        category=report.category.slug,
        links=service.report_links(report) if readable else [],
        occurred_at=report.occurred_at if readable else None,
        occurred_precision=report.occurred_precision if readable else None,
        governorate=report.governorate_pcode if readable else None,
        district=report.district_pcode if readable else None,
        lat=report.lat if readable else None,
        lon=report.lon if readable else None,
        contact=contact,
        contact_visible=visible,
        content_visible=readable,
        assigned_to=assignee.username if assignee else None,
        duplicate_of=report.duplicate_of_id,
        location_precision=report.location_precision,
        time_precision=report.time_precision,
        published_at=report.published_at,
        created_at=report.created_at,
        version=report.version,
        files=[
            FileOut(
                id=f.id,
                sha256=f.sha256,
                filename=f.filename,
                media_type=f.media_type,
                size=f.size,
                original=f.original_sha256,
                kept_apart=f.kept_apart,
            )
            for f in (report.files if readable else [])
        ],
        comments=[
            CommentOut(
                author=c.author,
                body=c.body,
                created_at=c.created_at,
                transition_from=c.transition_from,
                transition_to=c.transition_to,
            )
            for c in (report.comments if readable else [])
        ],
    )


@router.get("/reports/{report_id}", response_model=ReportStaffView, tags=["staff"])
def get_report(
    report_id: str,
    request: Request,
    session: DbSession,
    user: StaffUser,
    include: Annotated[
        str, Query(description="`contact` to decrypt the reporter's contact (needs approval)")
    ] = "",
) -> ReportStaffView:
    """Staff: a report in full; audited. The contact only with ``?include=contact``, and only
    under a contact request a second person approved that has not expired (else 403)."""
    report = service.get_report(session, report_id=report_id)
    return staff_view(
        session,
        report=report,
        viewer=user,
        cipher=request.app.state.cipher,
        include_contact="contact" in include.split(","),
    )


@router.post(
    "/reports/{report_id}/transition",
    response_model=ReportStaffView,
    tags=["staff"],
    dependencies=[Depends(_bearer_only)],
)
def transition(
    report_id: str, body: TransitionIn, request: Request, session: DbSession, user: StaffUser
) -> ReportStaffView:
    """Staff: move a report along the workflow (role-checked, audited)."""
    report = service.transition_report(
        session,
        report_id=report_id,
        to=body.to,
        actor=user,
        note=body.note,
        location_precision=body.location_precision,
        time_precision=body.time_precision,
        duplicate_of=body.duplicate_of,
        confirm_more_precise=body.confirm_more_precise,
    )
    return staff_view(session, report=report, viewer=user, cipher=request.app.state.cipher)
