"""Make tests/reports/data/basemap.pmtiles: a tiny PMTiles archive (zoom 0-6 over Iraq) with
an "earth" layer and one "water" square, enough to see protomaps-leaflet draw it.

Not run by the tests (they read the file it wrote). Needs the ``pmtiles`` and
``mapbox-vector-tile`` packages, e.g. in a throwaway folder:

    pip install --target /tmp/pmt pmtiles mapbox-vector-tile
    PYTHONPATH=/tmp/pmt python tests/reports/data/make_basemap.py tests/reports/data/basemap.pmtiles
"""

from __future__ import annotations

import gzip
import math
import sys


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a web-mercator tile."""
    n = 2**z
    west, east = x / n * 360 - 180, (x + 1) / n * 360 - 180
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return west, south, east, north


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def main(path: str) -> None:
    import mapbox_vector_tile
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    tiles = []
    for z in range(7):
        (x0, y0), (x1, y1) = tile_of(38.0, 38.0, z), tile_of(49.0, 29.0, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                w, s, e, n = tile_bounds(z, x, y)
                earth = f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"
                lake = "POLYGON((44.0 32.0, 44.6 32.0, 44.6 32.5, 44.0 32.5, 44.0 32.0))"
                data = mapbox_vector_tile.encode(
                    [
                        {"name": "earth", "features": [{"geometry": earth, "properties": {}}]},
                        {"name": "water", "features": [{"geometry": lake, "properties": {}}]},
                    ],
                    default_options={"quantize_bounds": (w, s, e, n), "extents": 4096},
                )
                tiles.append((zxy_to_tileid(z, x, y), gzip.compress(data, mtime=0)))
    with open(path, "wb") as handle:
        writer = Writer(handle)
        for tile_id, data in sorted(tiles):
            writer.write_tile(tile_id, data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_zoom": 0,
                "max_zoom": 6,
                "min_lon_e7": int(38e7),
                "min_lat_e7": int(29e7),
                "max_lon_e7": int(49e7),
                "max_lat_e7": int(38e7),
                "center_zoom": 5,
                "center_lon_e7": int(43.7e7),
                "center_lat_e7": int(33.2e7),
            },
            {"vector_layers": [{"id": "earth", "fields": {}}, {"id": "water", "fields": {}}]},
        )


if __name__ == "__main__":
    main(sys.argv[1])
