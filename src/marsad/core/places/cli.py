"""``marsad geo``: the places kernel's commands (import boundaries for the public map).

The registry mounts ``app`` as ``marsad geo``; each command is a thin shell
over a function of :mod:`marsad.core.places`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.db import session_scope
from marsad.core.places import import_boundaries_file, place_stored_points

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
    """Store governorate or district boundaries (OCHA COD-AB GeoJSON) for the map.

    Reports (and other records) stored with a point but no area, such as a report
    sent before any boundary was imported, are then placed in their area."""
    with open_store() as store, session_scope(store.sessions) as session:
        result = import_boundaries_file(session, path)
        result.located = place_stored_points(session, store.settings)
    if json_:
        print_json(result.to_json())
    else:
        typer.echo(
            f"{result.updated} places updated, {result.added} added, {result.skipped} skipped"
        )
        for kind, count in sorted(result.located.items()):
            typer.echo(f"{count} {kind} with a point but no area placed in their area")
