"""Public pages of the blocking half: what is blocked now, and one measurement.

Both work without JavaScript and build on the same service calls as their JSON
twins in :mod:`marsad.connectivity.blocking.api`. Handlers are plain ``def``:
FastAPI runs them in its thread pool, so database reads never block the loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marsad.connectivity.blocking import service
from marsad.connectivity.blocking.api import BlockedQuery
from marsad.core.i18n import gettext as _
from marsad.web.deps import ReadSession
from marsad.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/connectivity/blocked")
def blocked_page(request: Request, session: ReadSession, query: BlockedQuery) -> Response:
    """What is blocked now, per network, with links to the measurements."""
    doc = service.blocked_now(
        session,
        country=query.country,
        since=query.since,
        confirmed_only=query.confirmed_only,
    )
    return render(
        request,
        "connectivity/blocked.html",
        {"title": _("Blocked websites and apps"), "doc": doc, "query": query},
    )


@router.get("/connectivity/measurements/{ident}")
def measurement_page(request: Request, ident: str, session: ReadSession) -> Response:
    """One OONI measurement: verdict and the evidence behind it."""
    doc = service.measurement_json(service.get_measurement(session, ident=ident), full=True)
    return render(
        request,
        "connectivity/measurement.html",
        {"title": _("OONI measurement"), "m": doc},
    )
