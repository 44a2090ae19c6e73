"""Staff pages of the blocking half: the blockpage fingerprints, listed, added, turned off.

Analysts and admins may change them (they decide what the public list calls
"confirmed"); every change is audited by the service. The JSON twin is
``GET /api/v1/connectivity/fingerprints``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from marsad.connectivity.blocking import service
from marsad.connectivity.blocking.fingerprints import PATTERN_TYPES, make_fingerprint
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.web.deps import CsrfChecked, DbSession, require_role
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/connectivity", tags=["connectivity"])
Editor = Annotated[User, Depends(require_role("analyst"))]
PAGE = "/staff/connectivity/fingerprints"


def _page(
    request: Request, session: Any, *, error: InvalidInput | None = None, form: dict | None = None
) -> Response:
    return render(
        request,
        "connectivity/fingerprints.html",
        {
            "title": _("Blockpage fingerprints"),
            "rows": service.fingerprint_rows(session),
            "pattern_types": PATTERN_TYPES,
            "error": error,
            "form": form or {},
        },
        status=422 if error else 200,
    )


@router.get(PAGE)
def fingerprints_page(request: Request, user: Editor, session: DbSession) -> Response:
    return _page(request, session)


@router.post(PAGE, dependencies=[CsrfChecked])
def add_fingerprint(
    request: Request,
    user: Editor,
    name: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    pattern_type: Annotated[str, Form()] = "",
    pattern: Annotated[str, Form()] = "",
    countries: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Add (or replace) one fingerprint; a bad field is shown on the form, nothing saved."""
    form = {
        "name": name,
        "location": location,
        "pattern_type": pattern_type,
        "pattern": pattern,
        "countries": countries,
        "notes": notes,
        "source": f"added by {user.username}",
    }
    sessions = request.app.state.sessions
    try:
        fingerprint = make_fingerprint(form, where="form")
    except InvalidInput as exc:
        with session_scope(sessions) as session:
            return _page(request, session, error=exc, form=form)
    with session_scope(sessions) as session:
        service.save_fingerprints(session, fingerprints=[fingerprint], actor=user.username)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{name}/disable", dependencies=[CsrfChecked])
def disable_fingerprint(name: str, request: Request, user: Editor) -> Response:
    with session_scope(request.app.state.sessions) as session:
        service.disable_fingerprint(session, name=name, actor=user.username)
    return RedirectResponse(PAGE, status_code=303)


@api_router.get("/fingerprints")
def list_fingerprints(user: Editor, session: DbSession) -> dict[str, Any]:
    """Every fingerprint, where it comes from, and whether it is in force (staff only)."""
    return {"fingerprints": service.fingerprint_rows(session)}
