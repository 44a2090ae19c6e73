"""CLI for places, mounted as ``marsad geo``: import boundaries for the public map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.places import import_boundaries

app = typer.Typer(help="Places: Iraq's governorates and districts.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@app.callback()
def geo() -> None:
    """Places: Iraq's governorates and districts."""


@app.command("import")
@user_errors
def import_file(
    path: Annotated[Path, typer.Argument(help="OCHA COD-AB GeoJSON of ADM1 or ADM2 boundaries.")],
    json_: JsonOpt = False,
) -> None:
    """Store governorate or district boundaries (OCHA COD-AB GeoJSON) for the map."""
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
    with open_store() as store, session_scope(store.sessions) as session:
        result = import_boundaries(session, data.get("features") or [])
    if result.updated + result.added == 0:
        raise InvalidInput(
            "err_geojson_no_places",
            "no feature has an ADM1_PCODE or ADM2_PCODE and a polygon",
            str(path),
        )
    if json_:
        print_json(result.to_json())
    else:
        typer.echo(
            f"{result.updated} places updated, {result.added} added, {result.skipped} skipped"
        )
