"""Iraq's built-in boundaries, simplified, and a projection to draw them.

The package ships the 18 governorates and 101 districts of OCHA's COD-AB for
Iraq (source CSO/ITOS via HDX, 2019; see ``data/SOURCE.txt``), simplified
with :func:`simplify_ring` (Douglas-Peucker) and rounded to 0.001° (about
100 m). That is enough for a choropleth or a base layer, never for deciding
which district a point lies in near a border (use imported full polygons and
``PlaceIndex.locate`` for that).

Every capability draws maps from here: ``boundaries(level)`` returns a
GeoJSON-like FeatureCollection, ``Projection`` turns lon/lat into SVG
coordinates. Nothing here touches the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
FILES = {1: "governorates.geojson", 2: "districts.geojson"}

Ring = list[list[float]]


def _perpendicular(point: list[float], start: list[float], end: list[float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplify_line(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker: the points that keep the line within ``tolerance`` (iterative)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, 0
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > best:
                best, index = distance, i
        if best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: Ring, tolerance: float, digits: int = 3) -> Ring | None:
    """A closed ring simplified and rounded; None when it collapses below a triangle."""
    if len(ring) < 4:
        return None
    # Split the ring at its farthest point from the start, so both halves are open lines.
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    half = simplify_line(ring[: far + 1], tolerance)[:-1] + simplify_line(ring[far:], tolerance)
    rounded: Ring = []
    for x, y in half:
        point = [round(x, digits), round(y, digits)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded if len(rounded) >= 4 else None


def simplify_geometry(geometry: dict[str, Any], tolerance: float) -> dict[str, Any] | None:
    """A (Multi)Polygon simplified ring by ring; holes and slivers that collapse are dropped."""
    polygons = []
    for polygon in _polygons(geometry):
        rings = [simplify_ring(ring, tolerance) for ring in polygon]
        if not rings or rings[0] is None:
            continue
        polygons.append([rings[0]] + [r for r in rings[1:] if r is not None])
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _polygons(geometry: dict[str, Any]) -> Iterator[list[Ring]]:
    if geometry.get("type") == "Polygon":
        yield geometry["coordinates"]
    elif geometry.get("type") == "MultiPolygon":
        yield from geometry["coordinates"]


def simplify_collection(data: dict[str, Any], *, level: int, tolerance: float) -> dict[str, Any]:
    """An OCHA COD-AB FeatureCollection of one level reduced to P-codes and simple shapes."""
    features = []
    for feature in data.get("features") or []:
        props = feature.get("properties") or {}
        pcode = props.get(f"ADM{level}_PCODE")
        geometry = simplify_geometry(feature.get("geometry") or {}, tolerance)
        if not pcode or geometry is None:
            continue
        properties = {"pcode": pcode}
        if level == 2:
            properties["parent"] = props.get("ADM1_PCODE")
        features.append(
            {"type": "Feature", "id": pcode, "geometry": geometry, "properties": properties}
        )
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": features}


@cache
def _load(level: int) -> str:
    return (DATA / FILES[level]).read_text(encoding="utf-8")


def boundaries(level: int) -> dict[str, Any]:
    """The built-in governorates (level 1) or districts (2) as a GeoJSON FeatureCollection.

    Each feature's ``id`` and ``properties.pcode`` is its OCHA P-code (``IQG08``,
    ``IQG08Q03``); districts carry ``properties.parent``. A fresh copy each call.
    """
    if level not in FILES:
        raise ValueError(f"no built-in boundaries for level {level}; use 1 or 2")
    return json.loads(_load(level))


def coordinates(geometry: dict[str, Any]) -> Iterator[list[float]]:
    """Every [lon, lat] of a (Multi)Polygon's rings."""
    for polygon in _polygons(geometry):
        for ring in polygon:
            yield from ring


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of a lon/lat box onto a ``width`` × ``height`` canvas.

    Longitudes are scaled by cos(middle latitude) so Iraq keeps its shape;
    the box is centred and fitted with ``margin`` pixels on each side.
    """

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: float
    height: float
    margin: float = 4.0

    @classmethod
    def fit(
        cls, points: Iterable[list[float]], *, width: float, height: float, margin: float = 4.0
    ) -> Projection:
        """The projection that fits these [lon, lat] points in the canvas."""
        xs, ys = [], []
        for lon, lat in points:
            xs.append(lon)
            ys.append(lat)
        if not xs:
            raise ValueError("no points to fit")
        return cls(min(xs), min(ys), max(xs), max(ys), width, height, margin)

    @property
    def _scale(self) -> tuple[float, float, float, float]:
        kx = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        span_x = max((self.max_lon - self.min_lon) * kx, 1e-9)
        span_y = max(self.max_lat - self.min_lat, 1e-9)
        scale = min(
            (self.width - 2 * self.margin) / span_x, (self.height - 2 * self.margin) / span_y
        )
        off_x = (self.width - span_x * scale) / 2
        off_y = (self.height - span_y * scale) / 2
        return kx, scale, off_x, off_y

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        """Canvas (x, y) of a point; y grows downwards as in SVG."""
        kx, scale, off_x, off_y = self._scale
        return (
            off_x + (lon - self.min_lon) * kx * scale,
            off_y + (self.max_lat - lat) * scale,
        )

    def path(self, geometry: dict[str, Any]) -> str:
        """An SVG path ``d`` for a (Multi)Polygon (even-odd holes), to one decimal."""
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                points = [self(lon, lat) for lon, lat in ring]
                if len(points) < 3:
                    continue
                head = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
                rest = "".join(f"L{x:.1f},{y:.1f}" for x, y in points[1:])
                parts.append(head + rest + "Z")
        return "".join(parts)
