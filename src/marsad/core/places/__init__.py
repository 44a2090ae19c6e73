"""Places: Iraq's governorates and districts by OCHA P-code.

A place has names in Arabic, Kurdish Sorani and English, a representative
point, and optionally its boundary polygon. The built-in gazetteer
(``core/data/iraq_places.csv``: P-codes, names and a representative point
inside each area, written by the project) fills the table when it is
created, so every install can place reports without importing anything.
``marsad geo import FILE`` (``marsad.core.places.cli``) adds the boundaries
from OCHA's COD-AB GeoJSON.

This is the places kernel: capabilities (reports today; connectivity and the
declaration next) call the functions here (``PlaceIndex``, ``feature_collection``,
``import_boundaries_file``) and never read the ``places`` table themselves.

The representative point matters for reporter safety: a report published at
district or governorate precision is drawn at its area's point, the same for
every report there, never at its own coordinates.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Float, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marsad.core.db import Base, UTCDateTime, utcnow
from marsad.core.errors import InvalidInput

GAZETTEER = Path(__file__).resolve().parents[1] / "data" / "iraq_places.csv"
COUNTRY = "IQ"
GOVERNORATE, DISTRICT = 1, 2
# Iraq's bounding box with a small margin; finer checks use imported polygons.
IRAQ_BBOX = (38.7, 29.0, 48.7, 37.45)  # min lon, min lat, max lon, max lat


class Place(Base):
    """A governorate (level 1) or district (level 2), keyed by its OCHA P-code."""

    __tablename__ = "places"

    pcode: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    parent_pcode: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    name_ar: Mapped[str] = mapped_column(String(128))
    name_ckb: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # GeoJSON geometry (Polygon/MultiPolygon) as text; absent until imported.
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[Any] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, lang: str) -> str:
        """The place's name in ``lang`` (ar, ckb or en), falling back to English."""
        return getattr(self, f"name_{lang}", None) or self.name_en


@dataclass(frozen=True)
class GazetteerRow:
    pcode: str
    level: int
    parent: str | None
    name_en: str
    name_ar: str
    name_ckb: str
    lat: float
    lon: float


@cache
def gazetteer() -> tuple[GazetteerRow, ...]:
    """The built-in gazetteer: 18 governorates and their districts."""
    with GAZETTEER.open(encoding="utf-8", newline="") as handle:
        return tuple(
            GazetteerRow(
                pcode=row["pcode"],
                level=int(row["level"]),
                parent=row["parent"] or None,
                name_en=row["name_en"],
                name_ar=row["name_ar"],
                name_ckb=row["name_ckb"],
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            for row in csv.DictReader(handle)
        )


def gazetteer_rows() -> list[dict[str, Any]]:
    """The gazetteer as rows for the ``places`` table (used by the migration)."""
    now = utcnow()
    return [
        {
            "pcode": row.pcode,
            "level": row.level,
            "parent_pcode": row.parent,
            "name_ar": row.name_ar,
            "name_ckb": row.name_ckb,
            "name_en": row.name_en,
            "lat": row.lat,
            "lon": row.lon,
            "geometry": None,
            "updated_at": now,
        }
        for row in gazetteer()
    ]


def ensure_gazetteer(session: Session) -> int:
    """Add any gazetteer place missing from the table; return how many were added."""
    have = set(session.execute(select(Place.pcode)).scalars())
    added = 0
    for row in gazetteer_rows():
        if row["pcode"] not in have:
            session.add(Place(**row))
            added += 1
    session.flush()
    return added


# --- looking places up -------------------------------------------------------------------


def _fold(name: str) -> str:
    """A loose form of a name for matching: no case, hyphens, 'al-' or Arabic letter variants."""
    text = unicodedata.normalize("NFKC", name).strip().lower()
    for a, b in (
        ("أ", "ا"),
        ("إ", "ا"),
        ("آ", "ا"),
        ("ة", "ه"),
        ("ى", "ي"),
        ("ی", "ي"),
        ("ک", "ك"),
    ):
        text = text.replace(a, b)
    text = text.replace("-", " ").replace("'", "").replace("’", "")
    words = [w.removeprefix("al ") for w in text.split()]
    text = " ".join(
        w for w in words if w not in ("al", "governorate", "district", "محافظة", "قضاء")
    )
    if text.startswith("ال") and len(text) > 3:
        text = text[2:]
    return text.replace(" ", "")


@dataclass(frozen=True)
class PlaceIndex:
    """All places in memory, for resolving names and P-codes quickly."""

    by_pcode: dict[str, Place]
    by_name: dict[tuple[int, str], list[Place]]

    @classmethod
    def load(cls, session: Session) -> PlaceIndex:
        """Read every place once."""
        places = list(session.execute(select(Place)).scalars())
        by_name: dict[tuple[int, str], list[Place]] = {}
        for place in places:
            for name in (place.name_en, place.name_ar, place.name_ckb):
                by_name.setdefault((place.level, _fold(name)), []).append(place)
        return cls({p.pcode: p for p in places}, by_name)

    def get(self, pcode: str | None) -> Place | None:
        """The place with this P-code, or None."""
        return self.by_pcode.get(pcode.strip().upper()) if pcode else None

    def find(self, value: str, level: int, parent: str | None = None) -> Place | None:
        """A place of ``level`` by P-code or by a name in any of the three languages."""
        place = self.get(value)
        if place is not None:
            return place if place.level == level else None
        matches = self.by_name.get((level, _fold(value)), [])
        if parent:
            matches = [p for p in matches if p.parent_pcode == parent]
        unique = {p.pcode: p for p in matches}
        return next(iter(unique.values())) if len(unique) == 1 else None

    def governorates(self) -> list[Place]:
        """Governorates in P-code order."""
        return sorted((p for p in self.by_pcode.values() if p.level == GOVERNORATE), key=_key)

    def districts(self, governorate: str | None = None) -> list[Place]:
        """Districts (of one governorate, or all) in P-code order."""
        return sorted(
            (
                p
                for p in self.by_pcode.values()
                if p.level == DISTRICT and (governorate is None or p.parent_pcode == governorate)
            ),
            key=_key,
        )

    def locate(self, lat: float, lon: float) -> Place | None:
        """The district whose imported polygon contains the point, if boundaries exist."""
        for place in self.districts():
            if place.geometry and contains(json.loads(place.geometry), lon, lat):
                return place
        return None

    def locate_governorate(self, lat: float, lon: float) -> Place | None:
        """The governorate whose imported polygon contains the point, if boundaries exist."""
        for place in self.governorates():
            if place.geometry and contains(json.loads(place.geometry), lon, lat):
                return place
        return None

    def has_boundaries(self, level: int) -> bool:
        """Whether polygons were imported for this level."""
        return any(p.geometry for p in self.by_pcode.values() if p.level == level)


def _key(place: Place) -> str:
    return place.pcode


def in_iraq_bbox(lat: float, lon: float) -> bool:
    """Whether a point lies inside Iraq's bounding box."""
    min_lon, min_lat, max_lon, max_lat = IRAQ_BBOX
    return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


# --- geometry (just enough: point in polygon, no GIS dependency) ----------------------------


def _polygons(geometry: dict[str, Any]) -> Iterator[list[list[list[float]]]]:
    if geometry.get("type") == "Polygon":
        yield geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        yield from geometry["coordinates"]


def _in_ring(ring: list[list[float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(geometry: dict[str, Any], x: float, y: float) -> bool:
    """Whether a GeoJSON (Multi)Polygon contains the point (x = lon, y = lat)."""
    for polygon in _polygons(geometry):
        if (
            polygon
            and _in_ring(polygon[0], x, y)
            and not any(_in_ring(hole, x, y) for hole in polygon[1:])
        ):
            return True
    return False


# --- importing boundaries ---------------------------------------------------------------


@dataclass
class ImportResult:
    """What ``import_boundaries`` did (and, after it, ``place_stored_points``)."""

    updated: int = 0
    added: int = 0
    skipped: int = 0
    level: int | None = None
    # Records stored with a point but no area that the new boundaries placed, by kind.
    located: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "updated": self.updated,
            "added": self.added,
            "skipped": self.skipped,
            "located": dict(self.located),
        }


def _feature_level(props: dict[str, Any]) -> tuple[int, str, str | None] | None:
    for level in (2, 1):
        pcode = props.get(f"ADM{level}_PCODE")
        if pcode:
            parent = props.get("ADM1_PCODE") if level == 2 else None
            return level, str(pcode).strip().upper(), parent
    return None


def _representative(geometry: dict[str, Any]) -> tuple[float, float] | None:
    """A point inside the largest polygon: the middle of its widest horizontal chord."""
    polygons = list(_polygons(geometry))
    if not polygons:
        return None
    poly = max(polygons, key=lambda p: len(p[0]) if p else 0)
    ys = [pt[1] for pt in poly[0]]
    low, high = min(ys), max(ys)
    best: tuple[float, float, float] | None = None
    for step in range(1, 20):
        y = low + (high - low) * step / 20
        xs = sorted(
            x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            for ring in poly
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)
            if (y1 <= y) != (y2 <= y)
        )
        for a, b in zip(xs[0::2], xs[1::2], strict=False):
            width = b - a
            if best is None or width > best[0]:
                best = (width, round(y, 3), round((a + b) / 2, 3))
    return (best[1], best[2]) if best else None


def import_boundaries(session: Session, features: Iterable[dict[str, Any]]) -> ImportResult:
    """Store OCHA COD-AB boundary polygons (ADM1 or ADM2 features) on their places.

    Names in English and Arabic are taken from the file; Kurdish names and
    representative points of known places are kept. Features of other levels
    (ADM0, ADM3) or without geometry are skipped and counted.
    """
    result = ImportResult()
    existing = {p.pcode: p for p in session.execute(select(Place)).scalars()}
    for feature in features:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        found = _feature_level(props)
        if found is None or not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            result.skipped += 1
            continue
        level, pcode, parent = found
        result.level = level
        name_en = str(props.get(f"ADM{level}_EN") or pcode).strip()
        name_ar = str(props.get(f"ADM{level}_AR") or name_en).strip()
        text = json.dumps(geometry, separators=(",", ":"))
        place = existing.get(pcode)
        if place is None:
            point = _representative(geometry)
            if point is None:
                result.skipped += 1
                continue
            place = Place(
                pcode=pcode,
                level=level,
                parent_pcode=parent,
                name_en=name_en,
                name_ar=name_ar,
                name_ckb=name_ar,
                lat=point[0],
                lon=point[1],
            )
            session.add(place)
            existing[pcode] = place
            result.added += 1
        else:
            result.updated += 1
        place.name_en, place.name_ar = name_en, name_ar
        place.geometry = text
        place.updated_at = utcnow()
    session.flush()
    return result


def read_feature_collection(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection file; InvalidInput naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput("err_file_missing", f"{path} does not exist", str(path)) from None
    except OSError as exc:  # a folder, no permission
        raise InvalidInput(
            "err_file_missing", f"{path} cannot be read as a file: {exc.strerror}", str(path)
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("err_geojson_invalid", f"not JSON: {exc}", str(path)) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput("err_geojson_invalid", "expected a GeoJSON FeatureCollection", str(path))
    features = data.get("features") or []
    if not isinstance(features, list):
        raise InvalidInput("err_geojson_invalid", "features is not a list", str(path))
    return [f for f in features if isinstance(f, dict)]


def import_boundaries_file(session: Session, path: Path) -> ImportResult:
    """Store the boundaries in an OCHA COD-AB GeoJSON file; refuse a file with no place."""
    result = import_boundaries(session, read_feature_collection(path))
    if result.updated + result.added == 0:
        raise InvalidInput(
            "err_geojson_no_places",
            "no feature has an ADM1_PCODE or ADM2_PCODE and a polygon",
            str(path),
        )
    return result


def place_stored_points(session: Session, settings: Any = None) -> dict[str, int]:
    """After an import: ask each capability to place what it stored with a point but no
    area (a report sent before any boundary was imported); how many, by kind."""
    from marsad.core.plugins import get_registry

    located: dict[str, int] = {}
    hook = get_registry(settings).manager.hook.marsad_places_imported
    for counts in hook(session=session):
        for kind, count in (counts or {}).items():
            located[kind] = located.get(kind, 0) + count
    return located


def feature_collection(index: PlaceIndex, level: int) -> dict[str, Any]:
    """Governorates (level 1) or districts (2) as GeoJSON: polygons if imported, else points."""
    rows = index.governorates() if level == GOVERNORATE else index.districts()
    features = []
    for place in rows:
        geometry = (
            json.loads(place.geometry)
            if place.geometry
            else {"type": "Point", "coordinates": [place.lon, place.lat]}
        )
        features.append(
            {
                "type": "Feature",
                "id": place.pcode,
                "geometry": geometry,
                "properties": {
                    "pcode": place.pcode,
                    "parent": place.parent_pcode,
                    "name_ar": place.name_ar,
                    "name_ckb": place.name_ckb,
                    "name_en": place.name_en,
                    "point": [place.lon, place.lat],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
