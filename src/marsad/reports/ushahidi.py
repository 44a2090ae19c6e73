"""Import Ushahidi CSV: the 2.x "Download reports" export and platform (v3+) CSVs.

Each row becomes a report through the one intake function, in the
``received`` state (Marsad's reviewers decide again what is verified and
published). Columns are matched by name, case-insensitively, with the aliases
both generations use. A point outside Iraq is dropped (the row is kept, its
place text goes into the description); a row without a title is rejected
with a reason. Importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.places import DISTRICT, GOVERNORATE, PlaceIndex, in_iraq_bbox
from marsad.core.security import FieldCipher
from marsad.reports import service
from marsad.reports.categories import list_categories
from marsad.reports.settings import ReportSettings

ALIASES = {
    "id": ("#", "id", "post id", "incident id"),
    "title": ("incident title", "title", "post title"),
    "description": ("description", "details", "content", "incident description"),
    "date": ("incident date", "date", "post date", "post_date", "created"),
    "location": ("location", "location name", "location_name"),
    "category": ("category", "categories", "tags"),
    "lat": ("latitude", "lat", "location.lat"),
    "lon": ("longitude", "lon", "lng", "location.lon"),
    "links": ("news links", "links", "news", "url"),
    "verified": ("verified",),
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y",
)


@dataclass
class RowOutcome:
    """One CSV row's fate."""

    row: int
    status: str
    report_id: str | None = None
    code: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"row": self.row, "status": self.status}
        if self.report_id:
            body["id"] = self.report_id
        if self.code:
            body.update(error=self.code, reason=self.reason)
        if self.notes:
            body["notes"] = self.notes
        return body


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    return found


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _date(value: str) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt)  # noqa: DTZ007 - local time, zoned later
        except ValueError:
            continue
    return None


def _category(session: Session, names: list[str]) -> str:
    """The first Ushahidi category that matches a Marsad slug or name, else ``other``."""
    rows = list_categories(session)
    for name in names:
        folded = name.strip().lower().replace(" ", "_")
        for cat in rows:
            if folded in (cat.slug, cat.name_en.lower().replace(" ", "_")) or name.strip() in (
                cat.name_ar,
                cat.name_ckb,
            ):
                return cat.slug
    return "other"


def read_rows(text: str) -> tuple[dict[str, int], list[list[str]]]:
    """The column map and data rows of an Ushahidi CSV (any line ending)."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise InvalidInput("err_csv_empty", "the file has no rows", "file")
    columns = _columns(rows[0])
    if "title" not in columns:
        raise InvalidInput(
            "err_csv_columns",
            "no title column (expected 'INCIDENT TITLE' or 'title')",
            "file",
            header=rows[0],
        )
    return columns, rows[1:]


def _row_submission(
    session: Session, cells: dict[str, str], places: PlaceIndex, notes: list[str]
) -> service.Submission:
    title = html.unescape(cells.get("title", "")).strip()
    description = html.unescape(cells.get("description", "")).strip()
    location = html.unescape(cells.get("location", "")).strip()
    lat, lon = cells.get("lat", "").strip(), cells.get("lon", "").strip()
    try:
        point_ok = bool(lat and lon) and in_iraq_bbox(float(lat), float(lon))
    except ValueError:
        point_ok = False
    if (lat or lon) and not point_ok:
        notes.append("point outside Iraq or unreadable: dropped")
        lat = lon = ""
    governorate = district = None
    for part in _split_list(location):
        found = places.find(part, DISTRICT) or places.find(part, GOVERNORATE)
        if found is not None:
            (district, governorate) = (
                (found.pcode, None) if found.level == DISTRICT else (None, found.pcode)
            )
            break
    extra = []
    if location and not (governorate or district):
        extra.append(f"Location: {location}")
    categories = _split_list(cells.get("category", ""))
    if categories:
        extra.append("Ushahidi categories: " + ", ".join(categories))
    if cells.get("verified"):
        extra.append(f"Ushahidi verified: {cells['verified']}")
    when = _date(cells.get("date", "")) if cells.get("date") else None
    if cells.get("date") and when is None:
        notes.append("date unreadable: dropped")
    return service.Submission(
        title=title[: service.MAX_TITLE],
        description="\n\n".join([description, *extra]).strip()[: service.MAX_DESCRIPTION],
        category=_category(session, categories),
        occurred_at=when,
        governorate=governorate,
        district=district,
        lat=lat or None,
        lon=lon or None,
        links=[link for link in _split_list(cells.get("links", "")) if link.startswith("http")],
    )


def _row_key(cells: dict[str, str]) -> str:
    """A row's identity by its content, so the same report is never imported twice.

    The file's bytes are not part of it: the same export saved with CRLF line endings,
    a BOM, another encoding or its columns in another order is the same rows. Cell
    whitespace (line endings inside a description included) counts as one space.
    """
    canonical = json.dumps(
        sorted((key, " ".join(value.split())) for key, value in cells.items()),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]


def import_ushahidi(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    cipher: FieldCipher,
    settings: ReportSettings,
    blobs: BlobStore,
    zone: str = "Asia/Baghdad",
) -> list[RowOutcome]:
    """Import every row of an Ushahidi CSV; each row in its own transaction."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1256", "replace")
    columns, rows = read_rows(text)
    outcomes = []
    with sessions() as session:
        places = PlaceIndex.load(session)
        session.expunge_all()
    for number, row in enumerate(rows, start=2):
        cells = {key: row[idx] if idx < len(row) else "" for key, idx in columns.items()}
        notes: list[str] = []
        ref = f"ushahidi:{_row_key(cells)}"
        try:
            with session_scope(sessions) as session:
                submission = _row_submission(session, cells, places, notes)
                done = service.submit_report(
                    session,
                    submission=submission,
                    channel="import",
                    cipher=cipher,
                    settings=settings,
                    blobs=blobs,
                    zone=zone,
                    source_ref=ref,
                    actor="import",
                )
            outcomes.append(RowOutcome(number, "accepted", report_id=done.id, notes=notes))
        except InvalidInput as exc:
            outcomes.append(
                RowOutcome(number, "rejected", code=exc.code, reason=f"{exc.where}: {exc.message}")
            )
    return outcomes
