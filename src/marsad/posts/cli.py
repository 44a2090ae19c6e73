"""CLI commands of the posts capability.

``app`` is mounted as ``marsad posts``; ``ingest_command`` as the top-level
``marsad ingest FORMAT PATH...``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from marsad.cli.output import print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.db import session_scope
from marsad.core.i18n import nformat
from marsad.core.jobs.cli import QueueOpt, print_queued, queue_jobs
from marsad.posts import indexes, service, watchlists
from marsad.posts.sources import available_sources

app = typer.Typer(
    help="Collected social-media posts: search, show, watchlists, actors.", no_args_is_help=True
)
watchlist_app = typer.Typer(help="Watchlists of accounts and keywords.", no_args_is_help=True)
app.add_typer(watchlist_app, name="watchlist")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
FORMATS = ", ".join(sorted(available_sources()))


@contextmanager
def _open(*, check_current: bool = True) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    """The configured database for one command; its connections are closed afterwards."""
    with open_store(check_current=check_current) as store:
        yield store.engine, store.sessions


# ------------------------------------------------------------------------------ ingest


@user_errors
def ingest_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=f"One of: {FORMATS}.")],
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", help="Files, or folders of files.")
    ],
    watchlist: Annotated[
        str | None,
        typer.Option(help="Add every account seen to this watchlist (created when missing)."),
    ] = None,
    map_: Annotated[
        str | None,
        typer.Option(
            "--map",
            help="csv/jsonl only: FIELD=COLUMN,… with FIELD in id, author, author_name, text, "
            "created_at, url, reply_to, lang (id and text required).",
        ),
    ] = None,
    platform: Annotated[
        str, typer.Option(help="csv/jsonl only: the platform the posts come from.")
    ] = "other",
    queue: QueueOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Ingest posts from platform exports; exit 0 all read, 3 some rejected, 2 nothing usable.

    With --queue each PATH becomes a 'posts.ingest' job (the path must be readable where
    the workers run).
    """
    if queue:
        params = [
            {
                "source": fmt,
                "path": str(path.resolve()),
                "map": map_,
                "platform": platform,
                "watchlist": watchlist,
            }
            for path in paths
        ]
        print_queued("posts.ingest", queue_jobs("posts.ingest", params), json_)
        return
    with _open() as (_, sessions):
        progress, finish = _progress_bar(enabled=not json_)
        try:
            result = service.ingest(
                sessions=sessions,
                fmt=fmt,
                paths=paths,
                mapping=map_,
                platform=platform,
                watchlist=watchlist,
                progress=progress,
            )
        finally:
            finish()
        if json_:
            print_json(result.to_json())
        else:
            typer.echo(
                f"read {result.read}, inserted {result.inserted}, duplicates {result.duplicates}, "
                f"rejected {result.rejected}"
            )
            for error in result.errors[:20]:
                typer.echo(
                    f"rejected: {error['file']} {error['position']}: {error['reason']}", err=True
                )
            if result.rejected > 20:
                more = result.rejected - 20
                typer.echo(
                    nformat(
                        "… and %(num)s more rejection (see --json)",
                        "… and %(num)s more rejections (see --json)",
                        more,
                    ),
                    err=True,
                )
            if result.read == 0:
                typer.echo("error: nothing usable found; nothing stored", err=True)
        raise typer.Exit(result.exit_code)


def _progress_bar(*, enabled: bool):  # type: ignore[no-untyped-def]
    """A Rich progress display on stderr (posts read, rate), or nothing."""
    if not enabled or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} posts read"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("ingesting", total=None)
    bar.start()

    def progress(file: str, read: int) -> None:
        bar.update(task, completed=read, description=Path(file).name)

    return progress, bar.stop


# ------------------------------------------------------------------------------ posts


@app.command("formats")
def formats_command(json_: JsonOpt = False) -> None:
    """List the export formats ``marsad ingest`` reads."""
    rows = [
        {"format": name, "description": cls.description}
        for name, cls in sorted(available_sources().items())
    ]
    if json_:
        print_json(rows)
        return
    for row in rows:
        typer.echo(f"{row['format']:<12} {row['description']}")


@app.command("search")
@user_errors
def search_command(
    query: Annotated[
        str, typer.Argument(help='Words (all must match), "a phrase", or pref*.')
    ] = "",
    platform: Annotated[str | None, typer.Option(help="telegram, x, facebook, youtube…")] = None,
    account: Annotated[str | None, typer.Option(help="An account id or @handle.")] = None,
    watchlist: Annotated[
        str | None, typer.Option(help="Posts by its accounts or keywords.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="ar, ckb, kmr, en or other.")] = None,
    since: Annotated[
        str | None, typer.Option(help="From this date/time (UTC unless given).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Before this date/time.")] = None,
    flagged: Annotated[
        bool, typer.Option("--flagged", help="Only posts a detector flagged (not rejected).")
    ] = False,
    label: Annotated[
        str | None,
        typer.Option(help="Only posts flagged with this label: offensive, hate, violence…"),
    ] = None,
    limit: Annotated[int, typer.Option(help="Results per page (1-200).")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many results.")] = 0,
    json_: JsonOpt = False,
) -> None:
    """Search posts the way an Arabic reader searches (newest first)."""
    with _open() as (_, sessions):
        with sessions() as session:
            page = service.search(
                session=session,
                query=query,
                platform=platform,
                account=account,
                watchlist=watchlist,
                lang=lang,
                since=service.parse_time(since, "--since"),
                until=service.parse_time(until, "--until"),
                flagged=flagged,
                label=label,
                limit=limit,
                offset=offset,
            )
        if json_:
            print_json(page.model_dump(mode="json"))
            return
        typer.echo(
            nformat("%(num)s post", "%(num)s posts", page.total)
            + (f" (showing {offset + 1}-{offset + len(page.items)})" if page.items else "")
        )
        for post in page.items:
            who = (
                post.account.handle or post.account.display_name or post.account.account_id
                if post.account
                else "?"
            )
            when = post.created_at.strftime("%Y-%m-%d %H:%M") if post.created_at else "?"
            text = " ".join(post.text.split())
            typer.echo(f"[{post.id}] {when} {post.platform} {who}: {text[:160]}")
        if page.next_offset is not None:
            typer.echo(f"more: --offset {page.next_offset}")


@app.command("show")
@user_errors
def show_command(
    post: Annotated[str, typer.Argument(metavar="ID", help="Marsad id, or platform:post_id.")],
    raw: Annotated[
        bool, typer.Option("--raw/--no-raw", help="Include the original record.")
    ] = True,
    json_: JsonOpt = False,
) -> None:
    """Show one post with everything collected about it."""
    with _open() as (_, sessions):
        with sessions() as session:
            detail = service.get_post(session=session, post_ref=post, include_raw=raw)
        document = detail.model_dump(mode="json")
        if json_:
            print_json(document)
            return
        for key, value in document.items():
            if value not in (None, [], {}) and key != "raw":
                typer.echo(f"{key}: {value}")
        if raw and detail.raw is not None:
            import json

            typer.echo("raw: " + json.dumps(detail.raw, ensure_ascii=False, indent=2))


@app.command("actor")
@user_errors
def actor_command(
    name: Annotated[str, typer.Argument(help="The actor's name (created when new).")],
    accounts: Annotated[list[str], typer.Argument(help="platform:handle_or_id of each account.")],
    kind: Annotated[str | None, typer.Option(help="candidate, party, media, body…")] = None,
    json_: JsonOpt = False,
) -> None:
    """Attach accounts on any platform to one actor."""
    with _open() as (_, sessions):
        with session_scope(sessions) as session:
            actor = watchlists.assign_actor(
                session=session, actor_name=name, accounts=accounts, kind=kind
            )
        _emit(actor, json_)


# ------------------------------------------------------------------------------ watchlists


def _emit(document: Any, json_: bool) -> None:
    if json_:
        print_json(document)
        return
    if isinstance(document, list):
        for row in document:
            typer.echo("  ".join(f"{k}={v}" for k, v in row.items() if v is not None))
        return
    for key, value in document.items():
        if isinstance(value, list):
            typer.echo(f"{key}:")
            for item in value:
                shown = (
                    item
                    if not isinstance(item, dict)
                    else "  ".join(f"{k}={v}" for k, v in item.items() if v is not None)
                )
                typer.echo(f"  {shown}")
        elif value is not None:
            typer.echo(f"{key}: {value}")


AccountsOpt = Annotated[
    list[str] | None, typer.Option("--account", help="platform:handle_or_id (repeatable).")
]
KeywordsOpt = Annotated[list[str] | None, typer.Option("--keyword", help="A keyword (repeatable).")]


@watchlist_app.command("list")
@user_errors
def watchlist_list(json_: JsonOpt = False) -> None:
    """List watchlists with their numbers of accounts and keywords."""
    with _open() as (_, sessions), sessions() as session:
        _emit(watchlists.list_watchlists(session=session), json_)


@watchlist_app.command("show")
@user_errors
def watchlist_show(name: str, json_: JsonOpt = False) -> None:
    """Show a watchlist's accounts and keywords."""
    with _open() as (_, sessions), sessions() as session:
        _emit(watchlists.describe_watchlist(session=session, name=name), json_)


@watchlist_app.command("create")
@user_errors
def watchlist_create(
    name: str,
    description: Annotated[str | None, typer.Option(help="What it is for.")] = None,
    account: AccountsOpt = None,
    keyword: KeywordsOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a watchlist, optionally with accounts and keywords."""
    with _open() as (_, sessions):
        with session_scope(sessions) as session:
            document = watchlists.create_watchlist(
                session=session,
                name=name,
                description=description,
                accounts=account or [],
                keywords=keyword or [],
            )
        _emit(document, json_)


@watchlist_app.command("add")
@user_errors
def watchlist_add(
    name: str, account: AccountsOpt = None, keyword: KeywordsOpt = None, json_: JsonOpt = False
) -> None:
    """Add accounts and keywords to a watchlist."""
    with _open() as (_, sessions):
        with session_scope(sessions) as session:
            document = watchlists.add_to_watchlist(
                session=session, name=name, accounts=account or [], keywords=keyword or []
            )
        _emit(document, json_)


@watchlist_app.command("remove")
@user_errors
def watchlist_remove(
    name: str, account: AccountsOpt = None, keyword: KeywordsOpt = None, json_: JsonOpt = False
) -> None:
    """Remove accounts and keywords from a watchlist."""
    with _open() as (_, sessions):
        with session_scope(sessions) as session:
            document = watchlists.remove_from_watchlist(
                session=session, name=name, accounts=account or [], keywords=keyword or []
            )
        _emit(document, json_)


@watchlist_app.command("delete")
@user_errors
def watchlist_delete(name: str, json_: JsonOpt = False) -> None:
    """Delete a watchlist (its accounts and posts stay)."""
    with _open() as (_, sessions):
        with session_scope(sessions) as session:
            watchlists.delete_watchlist(session=session, name=name)
        _emit({"deleted": name}, json_)


@app.command("reindex")
@user_errors
def reindex_command(json_: JsonOpt = False) -> None:
    """Rebuild the full-text index from the stored posts (SQLite; PostgreSQL needs none)."""
    with _open() as (engine, _):
        indexed = indexes.rebuild_search_index(engine=engine)
    _emit({"indexed": indexed}, json_)
