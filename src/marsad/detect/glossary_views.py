"""The glossary of hate speech on the web: public browsing, staff curation, JSON twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import LANGUAGE_LABELS, N_
from marsad.detect import curation
from marsad.detect.glossary import CATEGORIES, NOTE_LANGUAGES, TARGET_GROUPS
from marsad.web.deps import CsrfChecked, DbSession, StaffUser
from marsad.web.templating import render

# The form's labels by field, to say which one is wrong in the reader's language.
FIELD_LABELS = {
    "id": N_("Identifier"),
    "term": N_("Term"),
    "variants": N_("Other spellings"),
    "language": N_("Language"),
    "target_group": N_("Targets"),
    "target_groups": N_("Targets"),
    "category": N_("Category"),
    "severity": N_("Severity"),
    "status": N_("Status"),
    "notes": N_("Notes"),
}

router = APIRouter()
LANGUAGES = ("ar", "ckb", "kmr", "en")
STATUSES = ("draft", "published", "retired")


def _filters(language: str | None, category: str | None, target: str | None) -> dict[str, Any]:
    return {
        "language": language if language in LANGUAGES else None,
        "category": category if category in CATEGORIES else None,
        "target_group": target if target in TARGET_GROUPS else None,
    }


def _choices() -> dict[str, Any]:
    return {
        "languages": LANGUAGES,
        "language_labels": LANGUAGE_LABELS,
        "note_languages": NOTE_LANGUAGES,
        "categories": CATEGORIES,
        "targets": TARGET_GROUPS,
        "statuses": STATUSES,
    }


@router.get("/api/v1/glossary", tags=["detect"])
def glossary_json(
    session: DbSession,
    q: str | None = Query(None, description="Matches a term, a variant or the notes"),
    language: str | None = None,
    category: str | None = None,
    target_group: str | None = None,
) -> dict[str, Any]:
    """Published glossary terms (public)."""
    terms = curation.list_terms(session, query=q, **_filters(language, category, target_group))
    return {
        "version": curation.glossary_version(session),
        "items": [t.model_dump(mode="json") for t in terms],
    }


@router.get("/glossary", include_in_schema=False)
def glossary_page(
    request: Request,
    session: DbSession,
    q: str | None = None,
    language: str | None = None,
    category: str | None = None,
    target_group: str | None = None,
) -> Response:
    terms = curation.list_terms(session, query=q, **_filters(language, category, target_group))
    return render(
        request,
        "detect/glossary.html",
        {
            "terms": terms,
            "q": q or "",
            "version": curation.glossary_version(session),
            "chosen": _filters(language, category, target_group),
            "staff": False,
            **_choices(),
        },
    )


@router.get("/staff/glossary", include_in_schema=False)
def staff_glossary(
    request: Request,
    user: StaffUser,
    session: DbSession,
    q: str | None = None,
    status: str | None = None,
) -> Response:
    statuses = (status,) if status in STATUSES else STATUSES
    terms = curation.list_terms(session, statuses=statuses, query=q)
    return render(
        request,
        "detect/glossary.html",
        {
            "terms": terms,
            "q": q or "",
            "version": curation.glossary_version(session),
            "chosen": {"status": status},
            "staff": True,
            **_choices(),
        },
    )


def _edit_page(
    request: Request,
    session: DbSession,
    term: dict[str, Any],
    *,
    new: bool,
    error: str | None = None,
    status: int = 200,
) -> Response:
    revisions = [] if new else curation.history(session, term_id=term["id"])
    return render(
        request,
        "detect/glossary_edit.html",
        {"term": term, "new": new, "error": error, "revisions": revisions, **_choices()},
        status=status,
    )


@router.get("/staff/glossary/new", include_in_schema=False)
def new_term(request: Request, user: StaffUser, session: DbSession) -> Response:
    blank = {
        "id": "",
        "term": "",
        "variants": [],
        "language": "ar",
        "dialect": "iraqi",
        "target_groups": [],
        "category": "slur",
        "severity": 2,
        "ambiguous": False,
        "reclaimed": False,
        "notes": {},
        "examples": [],
        "status": "draft",
    }
    return _edit_page(request, session, blank, new=True)


@router.get("/staff/glossary/{term_id}", include_in_schema=False)
def edit_term(term_id: str, request: Request, user: StaffUser, session: DbSession) -> Response:
    term = curation.get_term(session, term_id=term_id).model_dump(mode="json")
    return _edit_page(request, session, term, new=False)


def _lines(value: str) -> list[str]:
    parts = value.replace("،", "\n").replace(",", "\n").splitlines()
    return [p.strip() for p in parts if p.strip()]


@router.post("/staff/glossary", include_in_schema=False, dependencies=[CsrfChecked])
def save_term(
    request: Request,
    user: StaffUser,
    session: DbSession,
    id: Annotated[str, Form()] = "",  # noqa: A002 - the glossary's field name
    term: Annotated[str, Form()] = "",
    variants: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "ar",
    dialect: Annotated[str, Form()] = "",
    target_groups: Annotated[list[str] | None, Form()] = None,
    category: Annotated[str, Form()] = "",
    severity: Annotated[int, Form(ge=0, le=100)] = 2,
    ambiguous: Annotated[str, Form()] = "",
    reclaimed: Annotated[str, Form()] = "",
    notes_ar: Annotated[str, Form()] = "",
    notes_ckb: Annotated[str, Form()] = "",
    notes_en: Annotated[str, Form()] = "",
    examples: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "draft",
    note: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
) -> Response:
    data = {
        "id": id.strip(),
        "term": term.strip(),
        "variants": _lines(variants),
        "language": language,
        "dialect": dialect.strip() or None,
        "target_groups": target_groups or [],
        "category": category,
        "severity": severity,
        "ambiguous": ambiguous == "1",
        "reclaimed": reclaimed == "1",
        "notes": {
            code: text.strip()
            for code, text in (("ar", notes_ar), ("ckb", notes_ckb), ("en", notes_en))
            if text.strip()
        },
        "examples": [e.strip() for e in examples.splitlines() if e.strip()],
        "status": status,
    }
    try:
        if new and curation.term_exists(session, term_id=data["id"]):
            raise InvalidInput(
                "err_term_exists", N_("A term with this identifier exists already."), "id"
            )
        saved = curation.save_term(session, data=data, actor=user.username, note=note)
    except InvalidInput as exc:
        session.rollback()
        field = _(FIELD_LABELS.get((exc.where or "").split(".")[0], "Term"))
        return _edit_page(
            request, session, data, new=bool(new), error=f"{field}: {_(exc.message)}", status=422
        )
    return RedirectResponse(f"/staff/glossary/{saved.id}", status_code=303)
