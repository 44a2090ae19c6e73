"""CLI of the evidence capability, mounted as ``marsad evidence``.

Thin shells over :mod:`marsad.evidence.service` (and ``capture``/``verify``):
each command opens the store, calls one service function in one transaction,
and prints text or, with ``--json``, one JSON document. Errors are one line on
stderr with a non-zero exit, as for every Marsad command.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import fail, print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.jobs.cli import QueueOpt
from marsad.core.jobs.service import submit_job
from marsad.evidence import service
from marsad.evidence.capture import capture_url, start_capture
from marsad.evidence.verify import verify_all

app = typer.Typer(
    help="Evidence: add files, capture URLs, keep custody, verify every hash.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why this is kept (free text).")]
CLI_ACTOR = "cli"


def _echo_result(result: dict[str, object]) -> None:
    if result["status"] == "failed":
        typer.echo(
            _("item {id}: failed: {reason}").format(id=result["id"], reason=result["reason"])
        )
    else:
        typer.echo(
            _("item {id}: {status} {sha256}").format(
                id=result["id"], status=result["status"], sha256=result["sha256"] or ""
            )
        )


@app.command("add")
@user_errors
def add(
    file: Annotated[Path, typer.Argument(help="The local file to preserve.")],
    note: NoteOpt = "",
    json_: JsonOpt = False,
) -> None:
    """Store a local file as an evidence item (streamed, hashed, custody recorded)."""
    if not file.is_file():
        raise fail(f"{file}: not a readable file [err_file_missing]")
    with open_store() as store:
        blobs = BlobStore.from_settings(store.settings)
        with session_scope(store.sessions) as session:
            item = service.add_file(
                session,
                blobs,
                path=file,
                name=file.name,
                media_type=None,
                actor=CLI_ACTOR,
                note=note,
            )
            result = service.result_json(item)
    if json_:
        print_json(result)
    else:
        _echo_result(result)


@app.command("add-ref")
@user_errors
def add_ref(
    ref: Annotated[
        str, typer.Argument(help="report:ID (its attachments) or post:ID (its raw record).")
    ],
    json_: JsonOpt = False,
) -> None:
    """Preserve what Marsad already holds: a report's original attachments, a post's raw record."""
    with open_store() as store:
        blobs = BlobStore.from_settings(store.settings)
        with session_scope(store.sessions) as session:
            items = service.add_ref(session, blobs, ref=ref, actor=CLI_ACTOR)
            results = [service.result_json(i) for i in items]
    if json_:
        print_json({"ref": ref, "items": results})
    else:
        for result in results:
            _echo_result(result)
        if not results:
            typer.echo(_("{ref} has nothing to preserve").format(ref=ref))


@app.command("capture")
@user_errors
def capture(
    url: Annotated[str, typer.Argument(help="The http(s) URL to preserve.")],
    note: NoteOpt = "",
    json_: JsonOpt = False,
    queue: QueueOpt = False,
) -> None:
    """Capture a URL: its exact responses as a WARC, a screenshot and a PDF, with custody.

    Prints {"id", "sha256", "status", "reason"}; a capture that fails (unreachable host,
    TLS error, redirect loop, too large, too slow) is kept as a failed item with its
    reason, and the command exits 1. With --queue an 'evidence.capture' job does it.
    """
    with open_store() as store:
        settings = store.settings
        if queue:
            with session_scope(store.sessions) as session:
                item_id = start_capture(session, url=url, actor=CLI_ACTOR, note=note).id
            job_id = submit_job(
                sessions=store.sessions,
                settings=settings,
                kind="evidence.capture",
                params={"item_id": item_id},
                requested_by=CLI_ACTOR,
            )
            result: dict[str, object] = {
                "id": item_id,
                "sha256": None,
                "status": "pending",
                "reason": None,
                "job_id": job_id,
            }
        else:
            result = capture_url(
                sessions=store.sessions,
                store=BlobStore.from_settings(settings),
                cfg=settings.evidence_capture,
                url=url,
                actor=CLI_ACTOR,
                note=note,
            )
    if json_:
        print_json(result)
    else:
        _echo_result(result)
    if result["status"] == "failed":
        raise typer.Exit(1)


@app.command("list")
@user_errors
def list_(
    kind: Annotated[str | None, typer.Option(help="Only this kind (capture, file, …).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    text: Annotated[str | None, typer.Option(help="Search title, note, URL, reference.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_: JsonOpt = False,
) -> None:
    """List evidence items, newest first."""
    with open_store() as store, session_scope(store.sessions) as session:
        page = service.list_items(
            session, kind=kind, status=status, text=text, limit=limit, offset=offset
        )
        items = [service.item_public(i) for i in page.items]
    if json_:
        print_json({"total": page.total, "next_offset": page.next_offset, "items": items})
        return
    for item in items:
        typer.echo(
            f"{item['id']:>6}  {item['kind']:<11} {item['status']:<9} "
            f"{item['sha256'] or '-'}  {item['title'] or item['source_url'] or ''}"
        )


@app.command("show")
@user_errors
def show(
    item_id: Annotated[int, typer.Argument(help="The item's id.")],
    json_: JsonOpt = False,
) -> None:
    """Show one item, its parts, versions and custody log (the viewing is recorded)."""
    with open_store() as store, session_scope(store.sessions) as session:
        body = service.item_detail(session, item_id, actor=CLI_ACTOR)
    if json_:
        print_json(body)
        return
    for key in ("id", "kind", "status", "reason", "sha256", "size", "title", "source_url"):
        typer.echo(f"{key:<11} {body[key]}")
    for event in body["custody"]:
        typer.echo(f"  #{event['seq']} {event['at']} {event['actor']} {event['action']}")


@app.command("export")
@user_errors
def export(
    item_id: Annotated[int, typer.Argument(help="The item's id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the file.")],
    part: Annotated[
        str | None,
        typer.Option(help="A part instead of the item's file: screenshot, pdf, metadata."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why it leaves Marsad (kept in custody).")] = "",
    json_: JsonOpt = False,
) -> None:
    """Copy an item's file out of the store; the export is recorded in its custody log."""
    if out.exists():
        raise fail(f"{out}: already exists; choose another path [err_file_exists]")
    with open_store() as store, session_scope(store.sessions) as session:
        got = service.open_download(
            session,
            BlobStore.from_settings(store.settings),
            item_id,
            actor=CLI_ACTOR,
            part=part,
            reason=reason,
            action="export",
        )
        tmp = out.with_name(f".{out.name}.part")
        try:
            with got.stream as source, tmp.open("xb") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
            tmp.rename(out)
        finally:
            tmp.unlink(missing_ok=True)
    result = {"id": item_id, "sha256": got.sha256, "out": str(out), "size": got.size}
    if json_:
        print_json(result)
    else:
        typer.echo(f"{out}  {got.sha256}")


@app.command("transfer")
@user_errors
def transfer(
    item_id: Annotated[int, typer.Argument(help="The item's id.")],
    to: Annotated[str, typer.Option("--to", help="Who received it (a court, a platform…).")],
    reason: Annotated[str, typer.Option(help="Why it was handed over.")] = "",
    json_: JsonOpt = False,
) -> None:
    """Record that an item was handed to someone outside Marsad, who and why."""
    with open_store() as store, session_scope(store.sessions) as session:
        event = service.record_transfer(session, item_id, actor=CLI_ACTOR, to=to, reason=reason)
        body = service.event_public(event)
    if json_:
        print_json(body)
    else:
        typer.echo(
            _("item {id}: handed over, custody event {seq}").format(id=item_id, seq=body["seq"])
        )


@app.command("verify")
@user_errors
def verify(json_: JsonOpt = False) -> None:
    """Re-hash every item's files and check every custody chain; exit 1 naming any problem."""
    with open_store() as store, session_scope(store.sessions) as session:
        result = verify_all(session, BlobStore.from_settings(store.settings))
    if json_:
        print_json(result)
    else:
        for problem in result["problems"]:
            typer.echo(
                _("item {item}: {problem}").format(item=problem["item"], problem=problem["problem"])
            )
        typer.echo(nformat("%(num)s item checked", "%(num)s items checked", result["checked"]))
    if not result["ok"]:
        raise typer.Exit(1)


# The other half of evidence (bundles, verify-bundle, similar, timestamps) adds its commands here.
try:
    from marsad.evidence.extras_cli import register as _extras
except ImportError:
    _extras = None
if _extras:
    _extras(app)
