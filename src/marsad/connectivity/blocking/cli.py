"""The blocking half's commands on ``marsad connectivity``: import, fetch, blocked, fingerprints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli.output import print_json, user_errors
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _

CLI_ACTOR = "cli"
SUFFIXES = (".json", ".jsonl", ".csv")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _files(paths: list[Path]) -> list[Path]:
    """The files named, with a folder standing for its .json, .jsonl and .csv files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidInput("err_connectivity_input", "no such file or folder", str(path))
    if not found:
        raise InvalidInput("err_connectivity_input", "no .json, .jsonl or .csv file found", "PATH")
    return found


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            "err_connectivity_input", f"{value!r} is not a date (YYYY-MM-DD)", option
        ) from None


def import_ooni(
    paths: Annotated[
        list[Path],
        typer.Argument(help="OONI .json/.jsonl measurements, aggregation .csv, folders."),
    ],
    test_name: Annotated[
        str | None,
        typer.Option(help="The test of an aggregation CSV that has no test_name column."),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(help="The country of an aggregation CSV that has no probe_cc column."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Import OONI measurements and aggregation CSVs; exit 0 all read, 3 some rejected, 2 none.

    Each rejected record is named by file and line (or item) with the reason. A
    measurement already stored (same OONI uid) counts as a duplicate, not twice.
    """
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import import_files

    files = _files(paths)
    with open_store() as store:
        doc = import_files(
            store.sessions,
            paths=files,
            actor=CLI_ACTOR,
            test_name=test_name,
            country=country.upper() if country else None,
        )
    if json_:
        print_json(doc)
    else:
        typer.echo(
            _(
                "read {read}, inserted {inserted}, duplicates {duplicates}, rejected {rejected}"
            ).format(**doc)
        )
    for file in doc["files"]:
        for rejection in file["rejected"][:20]:
            typer.echo(f"rejected: {rejection['where']}: {rejection['reason']}", err=True)
    if doc["rejected"]:
        usable = doc["inserted"] + doc["duplicates"]
        raise typer.Exit(3 if usable else 2)


def blocked(
    country: Annotated[str | None, typer.Option(help="Only probes in this country (IQ).")] = None,
    since: Annotated[
        str | None, typer.Option(help="Only targets measured on or after this day (YYYY-MM-DD).")
    ] = None,
    confirmed_only: Annotated[
        bool, typer.Option("--confirmed-only", help="Only blocking a blockpage confirms.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """What is blocked now, per network, with links to the measurements."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import blocked_now
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        doc = blocked_now(
            session,
            country=country,
            since=_day(since, "--since"),
            confirmed_only=confirmed_only,
        )
    if json_:
        print_json(doc)
        return
    if not doc["networks"]:
        typer.echo(_("Nothing is blocked in the stored measurements."))
    for network in doc["networks"]:
        typer.echo(f"AS{network['asn']} {network['network']}")
        for entry in network["targets"]:
            typer.echo(f"  {entry['status']:9} {entry['day']}  {entry['target']}")


def fetch_ooni(
    since: Annotated[str, typer.Option(help="First day to fetch (YYYY-MM-DD, UTC).")],
    country: Annotated[str, typer.Option(help="Country of the probes.")] = "IQ",
    until: Annotated[str | None, typer.Option(help="Day to stop before (YYYY-MM-DD).")] = None,
    api_url: Annotated[str, typer.Option(help="Base URL of the OONI API.")] = "https://api.ooni.io",
    page_size: Annotated[int, typer.Option(help="Measurements per list request.")] = 100,
    min_interval: Annotated[
        float, typer.Option(help="Fewest seconds between two requests (rate limit).")
    ] = 1.0,
    max_pages: Annotated[int | None, typer.Option(help="Stop after this many pages.")] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Queue a 'connectivity.fetch_ooni' job; print its id.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Pull measurements from the OONI API as a 'connectivity.fetch_ooni' job.

    Without a broker the job runs here; with one it goes to the workers and this
    waits for it. A job stopped part-way continues from its cursor when retried
    (`marsad jobs retry`). Exit 1 when the job failed.
    """
    from pydantic import ValidationError

    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.jobs import FetchOoniParams
    from marsad.core.jobs import service as jobs
    from marsad.core.jobs.runners import run_in_foreground, wait_for

    values: dict[str, Any] = {
        "country": country,
        "since": since,
        "until": until,
        "api_url": api_url,
        "page_size": page_size,
        "min_interval": min_interval,
        "max_pages": max_pages,
    }
    try:
        params = FetchOoniParams.model_validate(values).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "since"
        raise InvalidInput(
            "err_connectivity_input", first["msg"], "--" + field.replace("_", "-")
        ) from None
    with open_store() as store:
        job_id = jobs.submit_job(
            sessions=store.sessions,
            settings=store.settings,
            kind="connectivity.fetch_ooni",
            params=params,
            requested_by=CLI_ACTOR,
        )
        if queue:
            body: dict[str, Any] = {"job_id": job_id, "kind": "connectivity.fetch_ooni"}
        else:
            if not store.settings.broker_url:
                run_in_foreground(settings=store.settings, sessions=store.sessions, job_id=job_id)
            else:
                wait_for(sessions=store.sessions, job_id=job_id)
            with store.sessions() as session:
                body = jobs.job_public(jobs.get_job(session, job_id=job_id))
            body = {"job_id": job_id, **{k: v for k, v in body.items() if k != "id"}}
    if json_:
        print_json(body)
    else:
        typer.echo(f"{job_id} {body.get('status', 'queued')}")
        if body.get("error"):
            typer.echo(f"error: {body['error']['message']}", err=True)
    if body.get("status") in ("failed", "cancelled"):
        raise typer.Exit(1)


def history(
    target: Annotated[str, typer.Argument(help="A URL, or an app: telegram, whatsapp, …")],
    asn: Annotated[int | None, typer.Option(help="Only this network (AS number).")] = None,
    since: Annotated[str | None, typer.Option(help="Only days from this one (YYYY-MM-DD).")] = None,
    json_: JsonOpt = False,
) -> None:
    """A target's status per network and day: reachable, anomaly, confirmed or failed."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import target_history
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        doc = target_history(session, target=target, asn=asn, since=_day(since, "--since"))
    if json_:
        print_json(doc)
        return
    if not doc["networks"]:
        typer.echo(_("No measurement of this target is stored."))
    for network in doc["networks"]:
        typer.echo(f"AS{network['asn']} {network['network']}")
        for day in network["days"]:
            typer.echo(f"  {day['day']}  {day['status']}")


def measurement(
    ident: Annotated[str, typer.Argument(help="A measurement's OONI uid or Marsad id.")],
    json_: JsonOpt = False,
) -> None:
    """One stored measurement with its evidence."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import get_measurement, measurement_json
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        doc = measurement_json(get_measurement(session, ident=ident), full=True)
    if json_:
        print_json(doc)
        return
    for key in ("ref", "test_name", "target", "asn", "network", "day", "verdict", "blocking"):
        typer.echo(f"{key}: {doc[key]}")
    for key, value in doc["evidence"].items():
        typer.echo(f"  {key}: {value}")


fingerprints_app = typer.Typer(
    help="Blockpage fingerprints (shipped, and those staff add).", no_args_is_help=True
)


@fingerprints_app.command("list")
@user_errors
def fingerprints_list(json_: JsonOpt = False) -> None:
    """Every fingerprint, where it comes from, and whether it is in force."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import fingerprint_rows
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        rows = fingerprint_rows(session)
    if json_:
        print_json({"fingerprints": rows})
        return
    for row in rows:
        state = "on " if row["enabled"] else "off"
        typer.echo(f"{state} {row['name']:45} {row['location']:16} {row['pattern'][:60]}")


@fingerprints_app.command("add")
@user_errors
def fingerprints_add(
    path: Annotated[Path, typer.Argument(help="A .json list or OONI's fingerprints .csv.")],
    json_: JsonOpt = False,
) -> None:
    """Add fingerprints (or replace those of the same name); imports after this use them."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.fingerprints import read_fingerprints
    from marsad.connectivity.blocking.service import save_fingerprints
    from marsad.core.db import session_scope

    found = read_fingerprints(path)
    with open_store() as store, session_scope(store.sessions) as session:
        doc = save_fingerprints(session, fingerprints=found, actor=CLI_ACTOR)
    if json_:
        print_json(doc)
    else:
        typer.echo(_("added {added}, replaced {replaced}").format(**doc))


@fingerprints_app.command("disable")
@user_errors
def fingerprints_disable(
    name: Annotated[str, typer.Argument(help="The fingerprint's name.")],
    json_: JsonOpt = False,
) -> None:
    """Turn a fingerprint off (shipped or added); `add` turns it on again."""
    from marsad.cli.store import open_store
    from marsad.connectivity.blocking.service import disable_fingerprint
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        disable_fingerprint(session, name=name, actor=CLI_ACTOR)
    if json_:
        print_json({"disabled": name})


def register(app: typer.Typer) -> None:
    """Add the blocking commands to ``marsad connectivity``."""
    app.command("import-ooni")(user_errors(import_ooni))
    app.command("fetch-ooni")(user_errors(fetch_ooni))
    app.command("blocked")(user_errors(blocked))
    app.command("measurement")(user_errors(measurement))
    app.command("history")(user_errors(history))
    app.add_typer(fingerprints_app, name="fingerprints")
