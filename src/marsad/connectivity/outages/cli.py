"""Commands of the outages half, added to ``marsad connectivity`` by ``parts.register_cli``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli.output import print_json, user_errors
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.jobs.cli import QueueOpt, print_queued, queue_jobs

CLI_ACTOR = "cli"
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
SinceOpt = Annotated[
    str | None, typer.Option(help="From this time, ISO 8601 (naive = UTC); default: all.")
]
UntilOpt = Annotated[
    str | None, typer.Option(help="Until this time, ISO 8601 (naive = UTC); default: all.")
]


@contextlib.contextmanager
def store_session() -> Iterator[Any]:
    """A session on the configured database, committed when the block ends."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        yield session


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 option value as UTC; InvalidInput naming the option otherwise."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            "err_bad_time", f"not an ISO 8601 time: {value[:40]!r}", where=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def import_signals(
    files: Annotated[list[Path], typer.Argument(help="Signals as .csv, .json or .jsonl.")],
    json_out: JsonOpt = False,
) -> None:
    """Import connectivity time series (entity_type, entity_code, source, timestamp, value).

    Bad rows are rejected with the file and row; the others are kept. Exit 0 when
    every row was used, 3 when some were rejected, 2 when none was usable.
    """
    from marsad.connectivity.outages import service

    results = []
    with store_session() as session:
        for path in files:
            results.append(service.import_signals(session, path=path, actor=CLI_ACTOR))
    rejected = sum(r.rejected for r in results)
    points = sum(r.points for r in results)
    if json_out:
        print_json({"files": [r.to_json() for r in results], "points": points,
                    "rejected": rejected})  # fmt: skip
    else:
        for r in results:
            typer.echo(
                _("{file}: {points} in {series}, {gaps}, {rejected} rejected").format(
                    file=r.file,
                    points=nformat("%(num)s point", "%(num)s points", r.points),
                    series=nformat("%(num)s series", "%(num)s series", r.series),
                    gaps=nformat("%(num)s missing value", "%(num)s missing values", r.gaps),
                    rejected=nformat("%(num)s row", "%(num)s rows", r.rejected),
                )
            )
            for err in r.errors:
                typer.echo(f"error: {err['where']}: {err['reason']}", err=True)
    raise typer.Exit(0 if not rejected else (3 if points else 2))


def detect_outages(
    since: SinceOpt = None,
    until: UntilOpt = None,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Store new events (and announce them).")
    ] = True,
    json_out: JsonOpt = False,
) -> None:
    """Find outages in the stored signals and merge them into events.

    Prints ``{"events": [{"start", "end", "entities", "sources", "depth", "scope"}]}``.
    """
    from marsad.cli.store import open_store
    from marsad.connectivity.outages import service
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        document = service.detect_outages(
            session,
            actor=CLI_ACTOR,
            since=parse_time(since, "--since"),
            until=parse_time(until, "--until"),
            save=save,
            settings=store.settings,
        )
    if json_out:
        print_json({"events": document["events"]})
        return
    for event in document["events"]:
        typer.echo(
            f"{event['start']} → {event['end']}  {event['scope']:<8}  depth {event['depth']:.2f}  "
            f"{', '.join(event['entities'])}  ({', '.join(event['sources'])})"
        )
    events = nformat("%(num)s event", "%(num)s events", len(document["events"]))
    typer.echo(
        _("{events}; {created} new").format(events=events, created=document.get("created", 0))
    )


def import_ioda(
    file: Annotated[Path, typer.Argument(help="IODA's investigated outages list (.csv).")],
    country: Annotated[str, typer.Option(help="Rows of this country become events.")] = "Iraq",
    json_out: JsonOpt = False,
) -> None:
    """Import IODA's curated outage list: each row becomes an event or is rejected with a reason.

    Exit 0 when every row of the country was used, 3 when some were rejected.
    """
    from marsad.connectivity.outages.ioda import import_ioda_outages

    with store_session() as session:
        result = import_ioda_outages(session, path=file, actor=CLI_ACTOR, country=country)
    if json_out:
        print_json(result.to_json())
    else:
        typer.echo(
            _(
                "{rows} for {country}: {created} created, {already} already imported, "
                "{rejected} rejected"
            ).format(
                rows=nformat("%(num)s row", "%(num)s rows", result.rows),
                country=country,
                created=nformat("%(num)s event", "%(num)s events", result.created),
                already=result.already,
                rejected=result.rejected,
            )
        )
        for err in result.errors:
            typer.echo(f"error: {err['where']}: {err['reason']}", err=True)
    raise typer.Exit(0 if not result.rejected else (3 if result.created + result.already else 2))


def networks_command(json_out: JsonOpt = False) -> None:
    """List the Iraqi networks (ASN, operator, region, governorates) Marsad knows."""
    from marsad.connectivity.outages.networks import networks

    rows = [
        {
            "asn": n.asn,
            "operator": n.operator,
            "region": n.region,
            "governorates": list(n.governorates),
            "name_status": n.name_status,
        }
        for n in networks()
    ]
    if json_out:
        print_json({"networks": rows})
        return
    for r in rows:
        typer.echo(f"{r['asn']:<10} {r['region']:<10} {r['operator']}")


def fetch_signals(
    since: SinceOpt = None,
    until: UntilOpt = None,
    entity: Annotated[
        list[str] | None,
        typer.Option(
            help="country/IQ, region/<IODA id> or asn/<number> (repeat; default "
            "country/IQ and every listed network)."
        ),  # fmt: skip
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(help="bgp, ping-slash24, merit-nt (repeat; default all).")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="The IODA API's base URL.")] = None,
    min_interval: Annotated[float, typer.Option(help="Seconds between requests.")] = 1.0,
    queue: QueueOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Fetch connectivity signals from the IODA API and store them (resumable job)."""
    from pydantic import ValidationError

    from marsad.connectivity.outages.fetch import FetchParams, fetch_signals
    from marsad.connectivity.outages.networks import networks

    entities = entity or ["country/IQ"] + [f"asn/{n.asn[2:]}" for n in networks()]
    values: dict[str, Any] = {"entities": entities, "since": since, "until": until,
                              "min_interval": min_interval}  # fmt: skip
    if source:
        values["sources"] = source
    if base_url:
        values["base_url"] = base_url
    try:
        params = FetchParams(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            "err_fetch_params", first["msg"], where="--" + str(first["loc"][0]).replace("_", "-")
        ) from None
    if queue:
        print_queued("connectivity.fetch_signals", queue_jobs(
            "connectivity.fetch_signals", [params.model_dump()]), json_out)  # fmt: skip
        return
    from marsad.cli.store import open_store

    with open_store() as store:
        result = fetch_signals(store.sessions, params)
    if json_out:
        print_json(result)
    else:
        typer.echo(
            _("{done}/{requests}, {points}").format(
                done=result["done"],
                requests=nformat("%(num)s request", "%(num)s requests", result["requests"]),
                points=nformat("%(num)s point", "%(num)s points", result["points"]),
            )
        )


def register(app: typer.Typer) -> None:
    """Add the outages commands to the ``marsad connectivity`` app."""
    from marsad.connectivity.outages.cli_events import events_app, schedule_app

    app.command("import-signals")(user_errors(import_signals))
    app.command("detect-outages")(user_errors(detect_outages))
    app.command("import-ioda")(user_errors(import_ioda))
    app.command("fetch-signals")(user_errors(fetch_signals))
    app.command("networks")(user_errors(networks_command))
    app.add_typer(events_app, name="events")
    app.add_typer(schedule_app, name="schedule")
