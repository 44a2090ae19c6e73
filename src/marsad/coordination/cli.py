"""CLI of the coordination capability; marsad.cli.main mounts it as `marsad coordination`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from marsad.cli.output import print_json, user_errors
from marsad.coordination import graph as graph_io
from marsad.coordination.interval import estimate_window, parse_window
from marsad.coordination.io import read_table
from marsad.coordination.params import RunParams, make_params
from marsad.coordination.recreated_accounts import (
    AccountProfile,
    rank_successors,
    with_behaviour,
)
from marsad.coordination.runs import start_run, store_table, write_export
from marsad.coordination.service import detect_coordination, parse_methods
from marsad.coordination.signals import behaviour_profiles
from marsad.coordination.table import parse_timestamp
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.jobs.cli import QueueOpt, print_queued, queue_jobs

app = typer.Typer(
    help="Coordinated behaviour: co-sharing networks and re-created accounts.",
    no_args_is_help=True,
)

CLI_ACTOR = "cli"
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
InputOpt = Annotated[
    Path | None,
    typer.Option("--input", "-i", help="Posts as .csv or .jsonl (default: the posts store)."),
]


@contextlib.contextmanager
def _store_session() -> Iterator[Any]:
    """A session on the posts store (``--input`` absent)."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope

    with open_store() as store, session_scope(store.sessions) as session:
        yield session


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Any]:
    if quiet:
        yield None
        return
    console = Console(stderr=True)
    with console.status("coordination…") as status:
        yield lambda message: status.update(message)


def _params(**values: Any) -> RunParams:
    """The run's parameters; an error names the option at fault (``--min-repeat``)."""
    try:
        return make_params(**values)
    except InvalidInput as exc:
        field = "method" if exc.where == "methods" else (exc.where or "")
        exc.where = "--" + field.replace("_", "-")
        raise


def _methods(value: str) -> list[str]:
    return parse_methods(value)


@app.command()
@user_errors
def detect(
    input: InputOpt = None,  # noqa: A002 - the option is --input
    method: Annotated[
        str,
        typer.Option(help="links, text, hashtags, shares, a comma-separated list, or all."),
    ] = "all",
    window: Annotated[
        str,
        typer.Option(
            help="Seconds within which actions coincide, or auto: estimated from the data "
            "(CooRnet-style: the 0.1 quantile of the delays between an object's first and "
            "second share)."
        ),
    ] = "60",
    min_repeat: Annotated[
        int,
        typer.Option(help="Fewest distinct objects a pair must share (count: min_participation)."),
    ] = 3,
    weighting: Annotated[
        str | None,
        typer.Option(
            help="surprise (discounts virality; the default) or count (CooRTweet's model; the "
            "default for --method shares alone)."
        ),
    ] = None,
    min_surprise: Annotated[
        float | None, typer.Option(help="Fixed -log10 p threshold (default log10 of pairs).")
    ] = None,
    min_cluster_size: Annotated[int, typer.Option(help="Smallest group reported.")] = 2,
    object_col: Annotated[str | None, typer.Option(help="Column of the re-shared object.")] = None,
    account_col: Annotated[str | None, typer.Option(help="Column of the account id.")] = None,
    time_col: Annotated[str | None, typer.Option(help="Column of the post time.")] = None,
    post_col: Annotated[str | None, typer.Option(help="Column of the post id.")] = None,
    url_col: Annotated[str | None, typer.Option(help="Column of the link.")] = None,
    text_col: Annotated[str | None, typer.Option(help="Column of the text.")] = None,
    hashtags_col: Annotated[str | None, typer.Option(help="Column of the hashtags.")] = None,
    export: Annotated[
        Path | None, typer.Option(help="Write the network to .graphml, .csv or .json.")
    ] = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            help="Account creation times (.csv/.jsonl: account_id, created_at or registered_at): "
            "adds creation bursts and each group's creation span."
        ),
    ] = None,
    creation_days: Annotated[
        int,
        typer.Option(help="Days within which a group's members count as created together."),
    ] = 30,
    queue: QueueOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Find groups of accounts that repeatedly post the same thing at the same moment.

    On the posts store (no --input) the run is saved and audited, as one started on
    the web or as a job is; --queue makes it a 'coordination.run' job for the workers.
    """
    seconds = parse_window(window)
    params = _params(
        methods=_methods(method),
        window=60 if seconds is None else seconds,
        min_repeat=min_repeat,
        weighting=weighting,
        min_surprise=min_surprise,
        min_cluster_size=min_cluster_size,
        creation_days=creation_days,
    )
    if export is not None and export.suffix.lower() not in (".graphml", ".csv", ".json"):
        raise InvalidInput(
            "err_coordination_input", "use a .graphml, .csv or .json file", where="--export"
        )
    if queue:
        if seconds is None:
            # A job takes fixed parameters; estimate here first and queue the seconds.
            from marsad.cli.store import open_store

            with open_store() as store, store.sessions() as session:
                params = params.model_copy(update={"window": estimate_window(store_table(session))})
        for given, option in ((input, "--input"), (accounts, "--accounts"), (export, "--export")):
            if given is not None:
                raise InvalidInput(
                    "err_coordination_input",
                    "a queued run reads the posts store and is saved; it takes no file",
                    where=option,
                )
        job_params = params.model_dump(exclude_none=True)
        print_queued("coordination.run", queue_jobs("coordination.run", [job_params]), json_out)
        return
    with _progress(json_out) as progress:
        if progress:
            progress("reading posts")
        created = _created_from(accounts) if accounts is not None else None
        if input is None:
            from marsad.cli.store import open_store

            with open_store() as store:
                if seconds is None:
                    with store.sessions() as session:
                        estimated = estimate_window(store_table(session))
                    params = params.model_copy(update={"window": estimated})
                run = start_run(
                    store.sessions,
                    actor=CLI_ACTOR,
                    params=params,
                    created=created,
                    progress=progress,
                )
                if export is not None:
                    write_export(run, export)
                doc = {**run.result, "run_id": run.id}
        else:
            table = read_table(
                input,
                object_id=object_col,
                account_id=account_col,
                timestamp=time_col,
                post_id=post_col,
                url=url_col,
                text=text_col,
                hashtags=hashtags_col,
            )
            if seconds is None:
                params = params.model_copy(update={"window": estimate_window(table)})
            result = detect_coordination(
                table,
                methods=params.chosen_methods(),
                window=params.window,
                min_repeat=params.min_repeat,
                weighting=params.chosen_weighting(),
                min_surprise=params.min_surprise,
                min_cluster_size=params.min_cluster_size,
                created=created,
                creation_days=params.creation_days,
                progress=progress,
            )
            if export is not None:
                _export(result, export)
            doc = result.to_json()
    if json_out:
        print_json(doc)
        return
    _print_detection(doc)


def _print_detection(doc: dict[str, Any]) -> None:
    console = Console()
    clusters = doc["clusters"]

    posts, accounts, pairs = doc["input"]["posts"], doc["input"]["accounts"], len(doc["edges"])
    console.print(
        _("{posts} by {accounts}; {pairs} in {groups} ({seconds} s)").format(
            posts=nformat("%(num)s post", "%(num)s posts", posts, num=format(posts, ",")),
            accounts=nformat(
                "%(num)s account", "%(num)s accounts", accounts, num=format(accounts, ",")
            ),
            pairs=nformat(
                "%(num)s coordinated pair",
                "%(num)s coordinated pairs",
                pairs,
                num=format(pairs, ","),
            ),
            groups=nformat(
                "%(num)s group", "%(num)s groups", len(clusters), num=format(len(clusters), ",")
            ),
            seconds=f"{doc['seconds']:.1f}",
        )
    )
    if "run_id" in doc:
        console.print(_("saved as run {run_id}").format(run_id=doc["run_id"]))
    view = Table("group", "accounts", "methods", "density", "shared objects")
    for c in clusters[:30]:
        shown = ", ".join(c["accounts"][:6]) + (" …" if len(c["accounts"]) > 6 else "")
        view.add_row(
            str(c["id"]),
            f"{len(c['accounts'])}: {shown}",
            ",".join(c["methods"]),
            f"{c['density']:.2f}",
            "; ".join(c["objects"][:3]),
        )
    console.print(view)
    bursts = doc.get("creation_bursts")
    if bursts is not None:
        dated = doc["input"]["dated_accounts"]
        console.print(
            _("{accounts} with a creation time; {bursts}").format(
                accounts=nformat(
                    "%(num)s account", "%(num)s accounts", dated, num=format(dated, ",")
                ),
                bursts=nformat("%(num)s creation burst", "%(num)s creation bursts", len(bursts)),
            )
            + "".join(
                f"\n  {b['start']}..{b['end']}: "
                + nformat("%(num)s account", "%(num)s accounts", b["accounts"])
                + f" (expected {b['expected']:.1f})"
                for b in bursts
            )
        )
        for c in clusters[:30]:
            made = c.get("creation") or {}
            if made.get("concentrated"):
                console.print(
                    nformat(
                        "group %(id)s: %(together)s of %(num)s dated member created %(span)s",
                        "group %(id)s: %(together)s of %(num)s dated members created %(span)s",
                        made["dated"],
                        id=c["id"],
                        together=made["together"],
                        span="..".join((str(made["start"]), str(made["end"]))),
                    )
                )


def _created_from(path: Path) -> dict[str, int]:
    """Creation times from an accounts file; refuses a file where no account has one."""
    created = {
        account: prof.created_at
        for account, prof in _read_accounts(path).items()
        if prof.created_at is not None
    }
    if not created:
        raise InvalidInput(
            "err_coordination_input",
            "no account has a created_at or registered_at time",
            where=str(path),
        )
    return created


def _export(result: Any, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        graph_io.write_graphml(
            graph_io.build_graph(result.edges), path, cluster_of=result.cluster_of
        )
    elif suffix == ".csv":
        graph_io.write_csv(result.edges, path, cluster_of=result.cluster_of)
    else:
        graph_io.write_json(result.edges, path, cluster_of=result.cluster_of)


def _read_accounts(path: Path) -> dict[str, AccountProfile]:
    profiles: dict[str, AccountProfile] = {}
    fields = ("account_id", "handle", "display_name", "bio", "avatar_hash", "created_at")
    rows = _account_rows(path)
    for n, row in enumerate(rows, start=1):
        account = str(row.get("account_id") or "").strip()
        if not account:
            raise InvalidInput(
                "err_coordination_input", "account_id is empty", where=f"{path}: row {n}"
            )
        # The platform's registration time; ``created_at`` is its usual name in exports.
        column = "registered_at" if row.get("registered_at") not in (None, "") else "created_at"
        created = row.get(column)
        try:
            created_at = parse_timestamp(created) if created not in (None, "") else None
        except ValueError as exc:
            raise InvalidInput(
                "err_coordination_input",
                f"{column} {created!r} is not a time ({exc})",
                where=f"{path}: row {n}",
            ) from None
        values = {f: (str(row[f]) if row.get(f) not in (None, "") else None) for f in fields[1:5]}
        profiles[account] = AccountProfile(
            account_id=account,
            created_at=created_at,
            followers=_followers(row.get("followers"), where=f"{path}: row {n}"),
            **values,
        )
    return profiles


def _followers(value: Any, *, where: str) -> frozenset[str]:
    """An optional ``followers`` cell: ids separated by spaces (or a JSON list of ids)."""
    if value in (None, ""):
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return frozenset(str(v) for v in value)
    raise InvalidInput(
        "err_coordination_input", "followers is not a list of account ids", where=where
    )


def _account_rows(path: Path) -> Iterator[dict[str, Any]]:
    import csv
    import json

    if not path.exists():
        raise InvalidInput("err_coordination_input", "no such file", where=str(path))
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "account_id" not in reader.fieldnames:
                raise InvalidInput(
                    "err_coordination_input", "no account_id column in the header", where=str(path)
                )
            yield from reader
        return
    with path.open(encoding="utf-8-sig") as handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InvalidInput(
                        "err_coordination_input", f"not JSON ({exc.msg})", where=f"{path}: line {n}"
                    ) from None


@app.command()
@user_errors
def successors(
    suspended: Annotated[str, typer.Option(help="Suspended account id(s), comma-separated.")] = "",
    input: InputOpt = None,  # noqa: A002 - the option is --input
    accounts: Annotated[
        Path | None,
        typer.Option(
            help="Account profiles (.csv/.jsonl: account_id, handle, display_name, "
            "bio, avatar_hash, created_at; optional followers: ids separated by spaces)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Candidates listed per suspended account.")] = 10,
    json_out: JsonOpt = False,
    all_suspended: Annotated[
        bool,
        typer.Option(
            "--all-suspended",
            help="Also every stored account whose current status is suspended, deactivated "
            "or deleted (see `statuses`).",
        ),
    ] = False,
) -> None:
    """Rank accounts that may be suspended accounts re-created under new names."""
    ids = _suspended_ids(suspended, all_suspended)
    if not ids:
        raise InvalidInput(
            "err_coordination_input", "name at least one account", where="--suspended"
        )
    if input is None and accounts is None:
        # On the store, the same ranking as the staff page: names and creation times from
        # the accounts, behaviour read only for the candidates that can reach the top.
        from marsad.coordination.lineage import propose_successors

        with _store_session() as session:
            document = {
                "suspended": [
                    {
                        "account_id": i,
                        "candidates": propose_successors(session, suspended=i, limit=limit),
                    }
                    for i in ids
                ]
            }
        _print_successors(document, json_out=json_out)
        return
    table = read_table(input) if input is not None else None
    profiles = behaviour_profiles(table) if table is not None else {}
    if accounts is not None:
        for account, prof in _read_accounts(accounts).items():
            profiles[account] = with_behaviour(prof, profiles.get(account))
    missing = [i for i in ids if i not in profiles]
    if missing:
        raise InvalidInput(
            "err_coordination_input",
            f"unknown account {', '.join(missing)} (not in the posts or accounts given)",
            where="--suspended",
        )
    pool = [p for a, p in profiles.items() if a not in ids]
    if not pool:
        raise InvalidInput(
            "err_coordination_input", "no other accounts to compare with", where="input"
        )
    document = {
        "suspended": [
            {
                "account_id": i,
                "candidates": [
                    c.to_json() for c in rank_successors(profiles[i], pool, limit=limit)
                ],
            }
            for i in ids
        ]
    }
    _print_successors(document, json_out=json_out)


def _print_successors(document: dict[str, Any], *, json_out: bool) -> None:
    if json_out:
        print_json(document)
        return
    console = Console()
    for entry in document["suspended"]:
        view = Table("candidate", "score", "why", title=f"successors of {entry['account_id']}")
        for c in entry["candidates"]:
            why = ", ".join(
                f"{k} {v:.2f}"
                for k, v in sorted(c["contributions"].items(), key=lambda kv: -kv[1])
                if v > 0
            )
            view.add_row(c["account_id"], f"{c['score']:.3f}", why)
        console.print(view)


# --- account statuses ---------------------------------------------------------------

statuses_app = typer.Typer(
    help="Account statuses (suspended, deactivated…): from compliance files or set by staff.",
    no_args_is_help=True,
)
app.add_typer(statuses_app, name="statuses")


def _print_statuses(rows: list[dict[str, Any]]) -> None:
    view = Table("account", "status", "source", "observed (UTC)", "by", "note")
    for r in rows:
        view.add_row(
            r["account"],
            r["status"],
            r["source"],
            r["observed_at"][:19],
            r["recorded_by"],
            r["note"] or r["reason"] or "",
        )
    Console().print(view)


@statuses_app.command("import")
@user_errors
def statuses_import(
    files: Annotated[list[Path], typer.Argument(help="Users compliance files (.jsonl).")],
    platform: Annotated[str, typer.Option(help="Platform of the ids in the files.")] = "x",
    kind: Annotated[
        str,
        typer.Option(
            help="users, tweets, or auto: a file named *tweet* or with redacted_at lines is "
            "a tweet compliance file, refused (its lines concern tweets, not accounts)."
        ),
    ] = "auto",
    json_out: JsonOpt = False,
) -> None:
    """Record account statuses from X/twarc2 users compliance files (idempotent).

    Exit 0 when every line was used, 3 when some were rejected, 2 when none was usable.
    """
    from marsad.coordination import statuses

    with _store_session() as session:
        result = statuses.import_compliance(
            session, paths=files, actor=CLI_ACTOR, platform=platform, kind=kind
        )
    if json_out:
        print_json(result.to_json())
    else:
        typer.echo(
            _(
                "{lines} read: {recorded} recorded, {duplicates} already recorded, "
                "{rejected} rejected"
            ).format(
                lines=nformat("%(num)s line", "%(num)s lines", result.read),
                recorded=nformat("%(num)s status", "%(num)s statuses", result.recorded),
                duplicates=result.duplicates,
                rejected=result.rejected,
            )
        )
        for err in result.errors:
            where = err["file"] + (f": line {err['position']}" if err["position"] else "")
            typer.echo(f"error: {where}: {err['reason']}", err=True)
    raise typer.Exit(result.exit_code)


@statuses_app.command("set")
@user_errors
def statuses_set(
    account: Annotated[str, typer.Argument(help="The account, platform-prefixed: x:12345.")],
    status: Annotated[
        str, typer.Option(help="active, suspended, deactivated, deleted or protected.")
    ],
    note: Annotated[str | None, typer.Option(help="Why, or where it was seen.")] = None,
    observed_at: Annotated[
        str | None,
        typer.Option(help="When it happened, ISO 8601 (naive = UTC; default: now)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record an account's status as staff (audited; the history keeps every record)."""
    from marsad.coordination import statuses

    with _store_session() as session:
        row = statuses.to_json(
            statuses.record_status(
                session,
                account=account,
                status=status,
                actor=CLI_ACTOR,
                source="staff",
                observed_at=observed_at,
                note=note,
            )
        )
    if json_out:
        print_json(row)
    else:
        typer.echo(f"{row['account']}: {row['status']} (observed {row['observed_at']})")


@statuses_app.command("list")
@user_errors
def statuses_list(
    status: Annotated[
        str | None, typer.Option(help="Only accounts whose current status is this.")
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="One account's whole history instead.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Accounts with their current status, latest first (or one account's history)."""
    from marsad.coordination import statuses

    with _store_session() as session:
        if account is not None:
            found = statuses.status_history(session, account=account)
        else:
            found = statuses.list_accounts_with_status(session, status=status)
        rows = [statuses.to_json(r) for r in found]
    if json_out:
        print_json({"items": rows})
    else:
        _print_statuses(rows)


def _suspended_ids(suspended: str, all_suspended: bool) -> list[str]:
    """The accounts `successors` ranks for: those named, and with ``--all-suspended`` every
    stored account whose current status is suspended, deactivated or deleted."""
    ids = [s.strip() for s in suspended.split(",") if s.strip()]
    if not all_suspended:
        return ids
    from marsad.coordination import statuses
    from marsad.posts import read as posts_read

    with _store_session() as session:
        gone = [
            r.account
            for r in statuses.list_accounts_with_status(session, status=list(statuses.GONE))
        ]
        known = {row["account_id"] for row in posts_read.iter_account_profiles(session=session)}
    skipped = [a for a in gone if a not in known]
    if skipped:
        typer.echo(
            nformat(
                "note: %(num)s suspended account has no stored posts and is not ranked: ",
                "note: %(num)s suspended accounts have no stored posts and are not ranked: ",
                len(skipped),
            )
            + ", ".join(skipped[:10])
            + (" …" if len(skipped) > 10 else ""),
            err=True,
        )
    ids += [a for a in gone if a in known and a not in ids]
    if not ids:
        raise InvalidInput(
            "err_coordination_input",
            "no stored account is currently suspended, deactivated or deleted "
            "(see `marsad coordination statuses`)",
            where="--all-suspended",
        )
    return ids
