"""The maps' base layer: Iraq's built-in boundaries with their names, as one JSON file.

The public map and the report form's point picker draw the governorates and
districts shipped in ``data/`` (see ``shapes.py`` and ``data/SOURCE.txt``) with
each area's names in Arabic, Kurdish Sorani and English and a point inside it
for the label (from the built-in gazetteer). Nothing here reads the database:
the file is the same for every install and every visitor, so it is built once
per process (and compressed once, see ``web/assets.py``) and served from
``/places/boundaries.json?v=<digest>`` with a year-long ``immutable`` cache; a new
release changes the digest, hence the URL.
The map never asks another host for anything.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marsad.core.places import DISTRICT, GOVERNORATE, gazetteer
from marsad.core.places.shapes import boundaries
from marsad.web.assets import IMMUTABLE, REVALIDATE, packed_response

PATH = "/places/boundaries.json"

router = APIRouter(include_in_schema=False)


def layer() -> dict[str, Any]:
    """Governorates then districts as one FeatureCollection, named in ar, ckb and en.

    Each feature carries ``pcode``, ``level`` (1 or 2), ``parent`` (districts),
    ``name_ar``, ``name_ckb``, ``name_en`` and ``label`` ([lon, lat], a point inside
    the area where its name is written).
    """
    names = {row.pcode: row for row in gazetteer()}
    features = []
    for level in (GOVERNORATE, DISTRICT):
        for feature in boundaries(level)["features"]:
            row = names.get(feature["id"])
            if row is None:  # a shape with no gazetteer entry has no name to show
                continue
            props = {
                "pcode": row.pcode,
                "level": level,
                "name_ar": row.name_ar,
                "name_ckb": row.name_ckb,
                "name_en": row.name_en,
                "label": [row.lon, row.lat],
            }
            if row.parent:
                props["parent"] = row.parent
            features.append(
                {
                    "type": "Feature",
                    "id": row.pcode,
                    "geometry": feature["geometry"],
                    "properties": props,
                }
            )
    return {"type": "FeatureCollection", "features": features}


@cache
def layer_bytes() -> bytes:
    """The base layer as compact UTF-8 JSON (built once per process)."""
    return json.dumps(layer(), ensure_ascii=False, separators=(",", ":")).encode()


@cache
def layer_digest() -> str:
    """A short digest of the base layer's bytes: its version in URLs."""
    return hashlib.sha256(layer_bytes()).hexdigest()[:12]


def layer_url() -> str:
    """Where pages load the base layer from (fingerprinted, so it is cached for good)."""
    return f"{PATH}?v={layer_digest()}"


@router.get(PATH)
def boundaries_json(request: Request) -> Response:
    """The base layer. With the current ``v`` it may be cached for a year."""
    etag = f'"{layer_digest()}"'
    fresh = request.query_params.get("v") == layer_digest()
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if fresh else REVALIDATE}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    headers["Content-Type"] = "application/json"
    # The same bytes for everyone: compressed once, at the strongest level (30 KB → 19 KB).
    packed = packed_response(
        key=f"{PATH}?{layer_digest()}",
        read=layer_bytes,
        accept_encoding=request.headers.get("accept-encoding"),
        headers=headers,
    )
    return packed or Response(layer_bytes(), headers=headers)
