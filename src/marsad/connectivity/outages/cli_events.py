"""``marsad connectivity events …`` and ``marsad connectivity schedule …``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import BomOpt, print_json, user_errors
from marsad.connectivity.outages.cli import (
    CLI_ACTOR,
    JsonOpt,
    SinceOpt,
    UntilOpt,
    parse_time,
    store_session,
)
from marsad.core.errors import InvalidInput
from marsad.core.spreadsheets import with_bom

events_app = typer.Typer(help="Shutdown and blocking events (STOP fields).", no_args_is_help=True)
schedule_app = typer.Typer(
    help="Announced shutdowns (exam timetables) and how they match what was measured.",
    no_args_is_help=True,
)
Many = Annotated[list[str] | None, typer.Option()]


@events_app.command("add")
@user_errors
def events_add(
    start: Annotated[str, typer.Option(help="Start, ISO 8601 (naive = UTC).")],
    end: Annotated[str | None, typer.Option(help="End, ISO 8601; absent = ongoing.")] = None,
    scope: Annotated[str, typer.Option(help="national, regional or network.")] = "national",
    type_: Annotated[
        str, typer.Option("--type", help="full, throttling or service-based.")
    ] = "full",
    governorate: Annotated[
        list[str] | None, typer.Option(help="Governorate P-code or name (repeat).")
    ] = None,
    network: Annotated[list[str] | None, typer.Option(help="ASN, e.g. AS50710 (repeat).")] = None,
    service: Annotated[
        list[str] | None,
        typer.Option(
            help="facebook, twitter, whatsapp, instagram, telegram, other, sms, phonecall (repeat)."
        ),  # fmt: skip
    ] = None,
    ordered_by: Annotated[str, typer.Option(help="Who ordered it.")] = "",
    justification: Annotated[str, typer.Option(help="The stated justification.")] = "",
    cause: Annotated[str, typer.Option(help="The actual cause, e.g. exams, protests.")] = "",
    source_name: Annotated[list[str] | None, typer.Option(help="A source's name (repeat).")] = None,
    source_url: Annotated[list[str] | None, typer.Option(help="A source's link (repeat).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record an event by hand."""
    from marsad.connectivity.outages import service as svc

    names, urls = source_name or [], source_url or []
    sources = [
        {"name": names[i] if i < len(names) else "", "url": urls[i] if i < len(urls) else ""}
        for i in range(max(len(names), len(urls)))
    ]
    begin = parse_time(start, "--start")
    if begin is None:  # typer requires --start; kept for type checkers
        raise InvalidInput("err_event_invalid", "the start is required", "--start")
    data = svc.EventInput(
        start=begin, end=parse_time(end, "--end"), scope=scope, shutdown_type=type_,
        governorates=governorate or [], networks=network or [], services=service or [],
        ordered_by=ordered_by, justification=justification, cause=cause, sources=sources,
    )  # fmt: skip
    with store_session() as session:
        row = svc.create_event(session, data=data, actor=CLI_ACTOR)
        document = svc.event_public(row)
    if json_out:
        print_json(document)
    else:
        typer.echo(f"event {document['id']} recorded")


@events_app.command("list")
@user_errors
def events_list(
    since: SinceOpt = None,
    until: UntilOpt = None,
    governorate: Annotated[str | None, typer.Option(help="Only events there (P-code).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List events (newest first), as the public sees them."""
    from marsad.connectivity.outages import service as svc

    with store_session() as session:
        rows = svc.list_events(
            session, since=parse_time(since, "--since"), until=parse_time(until, "--until"),
            governorate=governorate,
        )  # fmt: skip
        items = [svc.event_public(r, svc.event_links(session, event_id=r.id)) for r in rows]
    if json_out:
        print_json({"events": items})
        return
    for e in items:
        typer.echo(f"{e['id']}  {e['start']}  {e['scope']:<8} {e['type']:<13} {e['origin']}")


@events_app.command("link")
@user_errors
def events_link(
    event_id: Annotated[str, typer.Argument(help="The event's id.")],
    ref: Annotated[str, typer.Argument(help="report:…, evidence:…, or an OONI measurement.")],
    json_out: JsonOpt = False,
) -> None:
    """Link an event to a report, evidence item or OONI measurement (typed reference)."""
    from marsad.connectivity.outages import service as svc
    from marsad.core.plugins import get_registry

    with store_session() as session:
        text = svc.link_event(
            session, event_id=event_id, ref=ref, types=get_registry().references(),
            actor=CLI_ACTOR,
        )  # fmt: skip
        links = svc.event_links(session, event_id=event_id)
    if json_out:
        print_json({"event": event_id, "linked": text, "links": links})
    else:
        typer.echo(f"linked {text}")


@events_app.command("export")
@user_errors
def events_export(
    format_: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    bom: BomOpt = False,
) -> None:
    """Export events in the column order of Access Now's STOP dataset."""
    import json

    from marsad.connectivity.outages import export
    from marsad.connectivity.outages import service as svc

    if format_ not in ("csv", "json"):
        raise InvalidInput("err_bad_format", "must be csv or json", where="--format")
    with store_session() as session:
        rows = list(reversed(svc.list_events(
            session, since=parse_time(since, "--since"), until=parse_time(until, "--until"),
            limit=100_000,
        )))  # fmt: skip
        if format_ == "csv":
            text = with_bom(export.stop_csv(rows), bom)
        else:
            text = json.dumps(export.stop_json(rows), ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@schedule_app.command("add")
@user_errors
def schedule_add(
    date: Annotated[str, typer.Argument(help="The day, YYYY-MM-DD (Baghdad).")],
    start: Annotated[str, typer.Argument(metavar="FROM", help="HH:MM, Baghdad time.")],
    end: Annotated[str, typer.Argument(metavar="TO", help="HH:MM, Baghdad time.")],
    region: Annotated[str, typer.Option(help="national, federal or kurdistan.")] = "national",
    authority: Annotated[str, typer.Option(help="Who announced it.")] = "",
    title: Annotated[str, typer.Option(help="E.g. 'grade 6 preparatory exams'.")] = "",
    source_url: Annotated[str, typer.Option(help="Link to the announcement.")] = "",
    json_out: JsonOpt = False,
) -> None:
    """Enter an announced shutdown (an exam session) in advance."""
    from marsad.connectivity.outages import schedule

    entry = schedule.Entry(date=date, start=start, end=end, region=region, authority=authority,
                           title=title, source_url=source_url)  # fmt: skip
    with store_session() as session:
        row, added = schedule.add_entry(session, entry=entry, actor=CLI_ACTOR)
        document = {**schedule.entry_json(row), "added": added}
    if json_out:
        print_json(document)
    else:
        typer.echo(("added " if added else "already entered ") + document["start"])


@schedule_app.command("import")
@user_errors
def schedule_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: date, from, to, region, authority, title, source_url (Baghdad time)."
        ),
    ],  # fmt: skip
    json_out: JsonOpt = False,
) -> None:
    """Import a timetable; each bad row is rejected with its row and field. Exit 3 if any was."""
    from marsad.connectivity.outages import schedule

    with store_session() as session:
        result = schedule.import_csv(session, path=file, actor=CLI_ACTOR)
    if json_out:
        print_json(result.to_json())
    else:
        typer.echo(f"{result.added} added, {result.already} already entered, "
                   f"{result.rejected} rejected")  # fmt: skip
        for err in result.errors:
            typer.echo(f"error: {err['where']}: {err['reason']}", err=True)
    raise typer.Exit(0 if not result.rejected else (3 if result.added + result.already else 2))


@schedule_app.command("list")
@user_errors
def schedule_list(
    since: SinceOpt = None, until: UntilOpt = None, json_out: JsonOpt = False
) -> None:
    """List the announced shutdowns."""
    from marsad.connectivity.outages import schedule

    with store_session() as session:
        rows = [
            schedule.entry_json(r)
            for r in schedule.list_entries(
                session, since=parse_time(since, "--since"), until=parse_time(until, "--until")
            )
        ]
    if json_out:
        print_json({"schedule": rows})
        return
    for r in rows:
        typer.echo(f"{r['start']} → {r['end']}  {r['region']:<9} {r['title']}")


@schedule_app.command("match")
@user_errors
def schedule_match(
    since: SinceOpt = None, until: UntilOpt = None, json_out: JsonOpt = False
) -> None:
    """Announced and measured, announced but not measured, measured but not announced."""
    from marsad.connectivity.outages import schedule

    with store_session() as session:
        document = schedule.match(
            session, since=parse_time(since, "--since"), until=parse_time(until, "--until")
        )
    if json_out:
        print_json(document)
        return
    for key, items in document.items():
        typer.echo(f"{key.replace('_', ' ')}: {len(items)}")
