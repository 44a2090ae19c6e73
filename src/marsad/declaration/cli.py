"""CLI of the declaration capability, mounted as ``marsad declaration``.

Every command that produces results takes ``--json`` and then prints one JSON
document. No command prints a signer's e-mail address.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marsad.cli.output import BomOpt, print_json, user_errors
from marsad.cli.store import open_store
from marsad.core import i18n
from marsad.core.db import session_scope
from marsad.core.plugins import get_registry
from marsad.core.spreadsheets import with_bom
from marsad.declaration import actors, scorecards, service, violations
from marsad.declaration.suggest import suggest

app = typer.Typer(
    help="The election digital declaration: signatories, suggestions, scorecards, agreement.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
Slug = Annotated[str, typer.Argument(help="The declaration's slug.")]


@app.command("suggest")
@user_errors
def suggest_command(
    declaration: Annotated[
        str | None, typer.Option(help="Slug; default the newest declaration.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Sync official accounts and watchlists, then suggest candidate violations now."""
    with open_store() as store:
        references = get_registry(store.settings).references()
        with session_scope(store.sessions) as session:
            synced = actors.sync_accounts(session, actor="cli")
            counts = suggest(
                session, settings=store.settings, references=references, slug=declaration
            )
    if json_:
        print_json({"suggested": counts, "watchlist": synced})
    else:
        typer.echo(
            f"suggested: {counts['flag']} from flags, {counts['coordination']} from "
            f"coordinated groups, {counts['image']} from images"
        )


@app.command("signatories")
@user_errors
def signatories_command(slug: Slug = "iraq-2021", json_: JsonOpt = False) -> None:
    """Confirmed signatories and their counts per group."""
    with open_store() as store, store.sessions() as session:
        data = service.signatories(session, slug=slug, lang=i18n.current_language.get())
    if json_:
        print_json(data)
        return
    for group in data["groups"]:
        typer.echo(f"{group['count']:>5}  {group['name']}")
    typer.echo(f"{data['count']:>5}  total")


@app.command("scorecards")
@user_errors
def scorecards_command(
    slug: Slug = "iraq-2021",
    by: Annotated[str, typer.Option(help="actor, party, list or group")] = "actor",
    period: Annotated[str | None, typer.Option(help="A period's slug; default all.")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print the table as CSV.")] = False,
    bom: BomOpt = False,
    json_: JsonOpt = False,
) -> None:
    """The public league table (confirmed violations whose right of reply has run out)."""
    with open_store() as store, store.sessions() as session:
        table = scorecards.league(
            session, slug=slug, lang=i18n.current_language.get(), by=by, period=period
        )
    if json_:
        print_json(table)
    elif csv:
        typer.echo(with_bom(scorecards.league_csv(table), bom), nl=False)
    else:
        for row in table["rows"]:
            violations = i18n.nformat(
                "%(num)s violation",
                "%(num)s violations",
                row["violations"],
                num=format(row["violations"], ">3"),
            )
            typer.echo(f"{row['breached']:>3} breached  {violations}  {row['name']}")


@app.command("agreement")
@user_errors
def agreement_command(slug: Slug = "iraq-2021", json_: JsonOpt = False) -> None:
    """Cohen's kappa between the two coders, per period and commitment."""
    with open_store() as store, store.sessions() as session:
        rows = violations.agreement(session, slug=slug)
    if json_:
        print_json(rows)
        return
    for row in rows:
        kappa = "—" if row["kappa"] is None else f"{row['kappa']:.3f}"
        where = f"{row['period'] or 'all'} / {row['commitment'] or 'all'}"
        typer.echo(f"{where:<40} pairs {row['pairs']:>4}  kappa {kappa}")
