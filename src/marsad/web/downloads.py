"""File downloads: CSV with the byte order mark Excel needs, when asked (``?bom=1``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import Response

from marsad.core.spreadsheets import with_bom, with_bom_bytes

Bom = Annotated[
    bool,
    Query(
        description="Start the CSV with a UTF-8 byte order mark so that Excel shows Arabic "
        "and Kurdish (default: without, as other programs expect)."
    ),
]


def csv_download(
    body: str | bytes, *, filename: str, bom: bool = False, media_type: str = "text/csv"
) -> Response:
    """A CSV attachment in UTF-8, with the byte order mark in front when ``bom``."""
    data = with_bom_bytes(body, bom) if isinstance(body, bytes) else with_bom(body, bom)
    return Response(
        data,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
