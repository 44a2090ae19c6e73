"""CLI of the reports capability, mounted as ``marsad reports``.

Every command that produces results takes ``--json`` and then prints one JSON
document. No command prints a reporter's contact.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session, sessionmaker

from marsad.cli.output import BomOpt, print_json, user_errors
from marsad.cli.store import open_store
from marsad.core import i18n
from marsad.core.blobs import BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.places import PlaceIndex
from marsad.core.security import FieldCipher
from marsad.core.settings import Settings
from marsad.core.spreadsheets import with_bom
from marsad.reports import categories, export, intake_email, public
from marsad.reports.ushahidi import import_ushahidi

app = typer.Typer(
    help="Citizen reports: e-mail intake, IMAP polling, exports, Ushahidi import.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
log = logging.getLogger(__name__)


@contextmanager
def _open() -> Iterator[tuple[Settings, sessionmaker[Session], FieldCipher]]:
    with open_store() as store:
        settings = store.settings
        cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
        yield settings, store.sessions, cipher


def _eml_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.eml") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise InvalidInput("err_file_missing", f"{path} does not exist", str(path))


def _summary(outcomes: list[Any]) -> dict[str, Any]:
    accepted = sum(1 for o in outcomes if o.status == "accepted")
    return {
        "accepted": accepted,
        "rejected": len(outcomes) - accepted,
        "results": [o.to_json() for o in outcomes],
    }


def _echo_outcomes(outcomes: list[Any], label: str) -> None:
    for o in outcomes:
        if o.status == "accepted":
            typer.echo(f"accepted  {getattr(o, 'source', o.to_json().get('row'))}  {o.report_id}")
        else:
            typer.echo(
                f"rejected  {getattr(o, 'source', o.to_json().get('row'))}  {o.code}: {o.reason}"
            )
    summary = _summary(outcomes)
    typer.echo(f"{summary['accepted']} {label} accepted, {summary['rejected']} rejected")


@app.command("ingest-email")
@user_errors
def ingest_email(
    paths: Annotated[list[Path], typer.Argument(help=".eml files or folders of them.")],
    json_: JsonOpt = False,
) -> None:
    """Turn .eml files into reports (attachments become evidence files)."""
    with _open() as (settings, sessions, cipher):
        items = ((str(p), p.read_bytes()) for p in _eml_files(paths))
        outcomes = intake_email.ingest_many(
            sessions,
            items,
            cipher=cipher,
            settings=settings.reports,
            blobs=BlobStore.from_settings(settings),
            zone=settings.timezone,
        )
    if json_:
        print_json(_summary(outcomes))
    else:
        _echo_outcomes(outcomes, "messages")


@app.command("imap-poll")
@user_errors
def imap_poll(
    every: Annotated[
        int, typer.Option(help="Poll again every this many seconds (0: once and exit).")
    ] = 0,
    json_: JsonOpt = False,
) -> None:
    """Read unseen messages from the reports mailbox (MARSAD_IMAP_*) into reports."""
    while True:
        with _open() as (settings, sessions, cipher):
            outcomes = intake_email.poll_imap(
                sessions,
                settings=settings.reports,
                cipher=cipher,
                blobs=BlobStore.from_settings(settings),
                zone=settings.timezone,
            )
        if json_:
            print_json(_summary(outcomes))
        else:
            _echo_outcomes(outcomes, "messages")
        if every <= 0:
            return
        time.sleep(every)


@app.command("export")
@user_errors
def export_reports(
    format_: Annotated[str, typer.Option("--format", help="csv, hxl or geojson.")] = "csv",
    public_: Annotated[
        bool, typer.Option("--public", help="Published reports at public precision only.")
    ] = False,
    status: Annotated[str | None, typer.Option(help="Only this status (staff export).")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category slug.")] = None,
    governorate: Annotated[str | None, typer.Option(help="Only this governorate P-code.")] = None,
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    bom: BomOpt = False,
    as_: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="An active admin's username: the confidential cases that admin works on "
            "are exported in full (audited). Without it every confidential case keeps only "
            "its id, status, category and dates.",
        ),
    ] = None,
) -> None:
    """Export reports: the staff export (exact, no contacts) or the public one."""
    if format_ not in ("csv", "hxl", "geojson"):
        raise InvalidInput("err_format_unknown", "use csv, hxl or geojson", "--format")
    with _open() as (settings, sessions, _cipher), session_scope(sessions) as session:
        if public_:
            rows = public.published_reports(
                session,
                filters=public.PublicFilter(category=category, governorate=governorate),
                lang=i18n.current_language.get(),
                zone=settings.timezone,
                k=settings.reports.reports_min_public_count,
            )
            text = (
                json.dumps(public.geojson(rows), ensure_ascii=False)
                if format_ == "geojson"
                else export.public_csv(rows, hxl=format_ == "hxl")
            )
        else:
            staff = export.staff_rows(
                session,
                status=status,
                category=category,
                governorate=governorate,
                zone=settings.timezone,
                readable=export.cases_in_full(session, username=as_, channel="cli"),
            )
            text = (
                json.dumps(
                    export.staff_geojson(staff, PlaceIndex.load(session)), ensure_ascii=False
                )
                if format_ == "geojson"
                else export.write_csv(staff, export.STAFF_COLUMNS, hxl=format_ == "hxl")
            )
    text = with_bom(text, bom and format_ != "geojson")
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@app.command("import-ushahidi")
@user_errors
def import_ushahidi_command(
    path: Annotated[Path, typer.Argument(help="An Ushahidi CSV (2.x export or platform CSV).")],
    json_: JsonOpt = False,
) -> None:
    """Import an Ushahidi CSV; each row becomes a report to review, or is rejected with a reason."""
    if not path.is_file():
        raise InvalidInput("err_file_missing", f"{path} does not exist", str(path))
    with _open() as (settings, sessions, cipher):
        outcomes = import_ushahidi(
            sessions,
            path,
            cipher=cipher,
            settings=settings.reports,
            blobs=BlobStore.from_settings(settings),
            zone=settings.timezone,
        )
    if json_:
        print_json(_summary(outcomes))
    else:
        _echo_outcomes(outcomes, "rows")


@app.command("category")
@user_errors
def category(
    slug: Annotated[str, typer.Argument(help="Stable identifier, e.g. doxxing.")],
    name_ar: Annotated[str, typer.Option("--ar", help="Name in Arabic.")],
    name_ckb: Annotated[str, typer.Option("--ckb", help="Name in Kurdish Sorani.")],
    name_en: Annotated[str, typer.Option("--en", help="Name in English.")],
    parent: Annotated[str | None, typer.Option(help="Slug of the parent category.")] = None,
    confidential: Annotated[
        bool, typer.Option(help="Handle its reports as confidential cases by default.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Add or rename a report category (names in ar/ckb/en, optionally nested)."""
    with _open() as (_settings, sessions, _cipher), session_scope(sessions) as session:
        row = categories.save_category(
            session,
            slug=slug,
            name_ar=name_ar,
            name_ckb=name_ckb,
            name_en=name_en,
            parent=parent,
            confidential=confidential,
            actor="cli",
        )
        result = {"slug": row.slug, "id": row.id, "parent": parent}
    if json_:
        print_json(result)
    else:
        typer.echo(f"category {result['slug']} saved")
