"""What the public map and the form's point picker need beside Leaflet.

- :func:`map_context`: where the base layer is (``/places/boundaries.json?v=…``) and
  Leaflet's own words (zoom buttons, the layer switcher, the
  attribution, the popup's close button, the cluster counts) in the page's language,
  written into ``data-t-*`` attributes by ``reports/_basemap.html`` and read by
  ``static/reports/basemap.js``.
- ``GET /map/basemap.pmtiles``: the operator's own vector basemap
  (``MARSAD_MAP_PMTILES``), served from this host with HTTP range requests, which is
  how protomaps-leaflet reads a PMTiles archive. Nothing is fetched from elsewhere.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from marsad.core.errors import NotFound
from marsad.core.i18n import gettext as _
from marsad.core.places.layer import layer_url
from marsad.reports.deps import report_settings

log = logging.getLogger(__name__)
PMTILES_PATH = "/map/basemap.pmtiles"

router = APIRouter(include_in_schema=False)


def map_context() -> dict[str, Any]:
    """The base layer's URL and the maps' words in the request's language (by data
    attribute name, ``t-…``), for ``reports/_basemap.html``."""
    return {"boundaries": layer_url(), "words": map_words()}


def map_words() -> dict[str, str]:
    """The maps' words in the request's language, by data attribute name (``t-…``)."""
    return {
        "t-zoom-in": _("Zoom in"),
        "t-zoom-out": _("Zoom out"),
        "t-layers": _("Layers"),
        "t-close": _("Close"),
        "t-governorates": _("Governorates"),
        "t-districts": _("Districts"),
        "t-basemap": _("Basemap"),
        "t-reports": _("Published reports"),
        "t-leaflet": _("Map drawn with Leaflet"),
        "t-boundaries": _("Boundaries: OCHA, Iraq CSO and ITOS (CC BY-IGO)"),
        # {n} is replaced in the browser by the number of reports in a cluster.
        "t-cluster": _("Reports here: {n}"),
        "t-governorate": _("Governorate"),
        "t-district": _("District"),
        "t-outside": _("This point is outside Iraq's boundaries."),
    }


@router.get(PMTILES_PATH)
def basemap_pmtiles(request: Request) -> Response:
    """The deployment's PMTiles basemap, if it set one (range requests answered)."""
    configured = report_settings(request).map_pmtiles
    path = Path(configured) if configured else None
    if path is None or not path.is_file():
        if path is not None:
            # The setting names the file; the visitor learns only that there is none.
            log.warning("MARSAD_MAP_PMTILES does not name a readable file")
        raise NotFound("err_basemap_not_found", _("This server has no basemap."), "path")
    return FileResponse(
        path,
        media_type="application/vnd.pmtiles",
        headers={"Cache-Control": "no-cache"},
    )
