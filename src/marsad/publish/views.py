"""The public dashboard page (``/dashboard``): charts as inline SVG, no script needed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marsad.core import i18n
from marsad.core.i18n import gettext as _
from marsad.core.places import PlaceIndex
from marsad.publish import service
from marsad.publish.charts import ChartHelper
from marsad.web.deps import ReadSession
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
