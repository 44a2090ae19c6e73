"""Commands of ``marsad evidence`` for bundles, timestamps and re-uploads.

:func:`register` adds ``bundle``, ``verify-bundle``, ``similar`` and
``timestamp`` to the ``evidence`` Typer app (built by the evidence CLI). Each
command is a thin shell over a service function, and with ``--json`` prints
one JSON document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.evidence import bundle as bundles
from marsad.evidence import similar as similars
from marsad.evidence import timestamps

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
CLI_ACTOR = "cli"


@user_errors
def bundle(
    items: Annotated[
        str, typer.Option("--items", help="Evidence item ids, separated by commas: 3,5,8.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The zip file to write (case.zip).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the bundle is made (custody log).")
    ] = "",
    json_out: JsonOpt = False,
) -> None:
    """Write a case bundle: items, metadata, custody logs, timestamps, manifest, WACZ."""
    ids = bundles.parse_item_ids(items)
    with open_store() as store:
        config = store.settings.evidence
        with session_scope(store.sessions) as session:
            result = bundles.write_bundle(
                session,
                BlobStore.from_settings(store.settings),
                ids,
                out,
                CLI_ACTOR,
                reason=reason,
                ca_file=config.evidence_tsa_ca_file,
                timezone=store.settings.timezone,
            )
    if json_out:
        print_json(result)
    else:
        typer.echo(
            _("{out}: {items}, {files}").format(
                out=result["out"],
                items=nformat("%(num)d item", "%(num)d items", len(result["items"])),
                files=nformat("%(num)s file", "%(num)s files", result["files"]),
            )
        )
        typer.echo(result["sha256"])


@user_errors
def verify_bundle(
    path: Annotated[Path, typer.Argument(help="The case bundle (zip) to check.")],
    json_out: JsonOpt = False,
) -> None:
    """Check a case bundle on its own, without the database; exit 1 on any problem."""
    result = bundles.verify_bundle(path)
    if json_out:
        print_json(result)
    else:
        for problem in result["problems"]:
            typer.echo(f"{problem['problem']:>9}  {problem['file']}: {problem['message']}")
        state = "OK" if result["ok"] else "FAILED"
        typer.echo(
            _("{state}: {files}, {items} checked").format(
                state=state,
                files=nformat("%(num)s file", "%(num)s files", result["checked"]),
                items=nformat("%(num)d item", "%(num)d items", result["items"]),
            )
        )
    if not result["ok"]:
        raise typer.Exit(1)


@user_errors
def similar(
    item_id: Annotated[int, typer.Argument(help="The evidence item to look for.")],
    max_distance: Annotated[
        int | None,
        typer.Option(
            "--max-distance",
            min=0,
            help="Largest Hamming distance for PDQ (256 bits); pHash's limit is scaled to "
            "its 64 bits. Default: the settings.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Items whose pictures or video key frames match this item's perceptual hashes."""
    with open_store() as store:
        config = store.settings.evidence
        pdq_max = config.evidence_pdq_max_distance if max_distance is None else max_distance
        phash_max = (
            config.evidence_phash_max_distance if max_distance is None else max_distance // 4
        )
        with session_scope(store.sessions) as session:
            result = similars.similar_items(
                session,
                BlobStore.from_settings(store.settings),
                item_id=item_id,
                pdq_max=pdq_max,
                phash_max=phash_max,
            )
    if json_out:
        print_json(result)
        return
    if not result["hashes"]:
        typer.echo(f"evidence:{item_id} has no picture or video frame to compare")
    for match in result["similar"]:
        typer.echo(
            f"evidence:{match['id']}  {match['algorithm']} distance {match['distance']}  "
            f"{match['title']}"
        )
    for line in result["skipped"]:
        typer.echo(f"not hashed: {line}", err=True)


@user_errors
def timestamp(
    items: Annotated[
        str | None,
        typer.Option("--items", help="Item ids separated by commas; none: retry pending ones."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Ask the configured TSA for RFC 3161 timestamps (MARSAD_EVIDENCE_TSA_URL)."""
    ids = bundles.parse_item_ids(items) if items else None
    with open_store() as store:
        result = timestamps.stamp_items(
            sessions=store.sessions, settings=store.settings, item_ids=ids, actor=CLI_ACTOR
        )
    if json_out:
        print_json(result)
        return
    for row in result["timestamps"]:
        why = f"  {row['reason']}" if row["reason"] else ""
        typer.echo(f"evidence:{row['item']}  {row['status']}{why}")


def register(app: typer.Typer) -> None:
    """Add ``bundle``, ``verify-bundle``, ``similar`` and ``timestamp`` to ``app``."""
    app.command("bundle")(bundle)
    app.command("verify-bundle")(verify_bundle)
    app.command("similar")(similar)
    app.command("timestamp")(timestamp)
