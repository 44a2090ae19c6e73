"""``marsad backup``, ``restore`` and ``backup-key``: thin shells over core/backup.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import fail, print_json, user_errors
from marsad.cli.store import open_store
from marsad.core import audit
from marsad.core import backup as backups
from marsad.core.db import session_scope
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.settings import load_settings

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@user_errors
def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (must not exist).")],
    recipient: Annotated[
        list[str] | None,
        typer.Option(
            "--recipient",
            help="age public key (age1…) to encrypt to; repeatable. "
            "Default: MARSAD_BACKUP_RECIPIENTS.",
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Take an online, consistent, encrypted backup of the database and the blob store."""
    with open_store() as store:
        keys = list(recipient or []) or store.settings.backup_recipients.split(",")
        result = backups.backup(
            settings=store.settings, engine=store.engine, out=out, recipients=keys
        )
        with session_scope(store.sessions) as session:
            # The head at backup time is anchored outside the data folder.
            audit.anchor_head(session)
    if json_:
        print_json(result.to_json())
    else:
        typer.echo(
            _("backup written: {out} ({size}, {rows}, {files}, audit record {seq})").format(
                out=out,
                size=nformat("%(num)s byte", "%(num)s bytes", result.size),
                rows=nformat("%(num)s row", "%(num)s rows", sum(result.tables.values())),
                files=nformat("%(num)s file", "%(num)s files", result.blobs),
                seq=result.audit_seq,
            )
        )


@user_errors
def restore(
    file: Annotated[Path, typer.Argument(help="The backup file.")],
    identity: Annotated[
        Path | None,
        typer.Option("--identity", help="age identity file. Default: MARSAD_BACKUP_IDENTITY_FILE."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Restore a backup into an EMPTY data folder and database, then check every row and blob."""
    settings = load_settings()
    key_file = identity or settings.backup_identity_file
    if key_file is None:
        raise fail(
            "MARSAD_BACKUP_IDENTITY_FILE: give the age identity with --identity FILE "
            "[err_backup_identity]"
        )
    result = backups.restore(settings=settings, path=file, identity=key_file)
    if json_:
        print_json(result.to_json())
    else:
        typer.echo(
            _("restored {rows} and {files} (backup of {taken_at}); audit trail: ").format(
                rows=nformat("%(num)s row", "%(num)s rows", sum(result.tables.values())),
                files=nformat("%(num)s file", "%(num)s files", result.blobs),
                taken_at=result.taken_at,
            )
            + ("intact" if result.audit_ok else f"BROKEN: {result.audit_problem}")
        )
        for problem in result.mismatches:
            typer.echo(f"mismatch: {problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@user_errors
def backup_key(
    out: Annotated[Path, typer.Option("--out", help="Where to write the new identity (0600).")],
    json_: JsonOpt = False,
) -> None:
    """Create an age key pair for backups: keep the file offline, give the server the public key."""
    public = backups.new_identity(out)
    if json_:
        print_json({"identity_file": str(out), "recipient": public})
    else:
        typer.echo(f"identity written to {out}; keep it offline.")
        typer.echo(f"set MARSAD_BACKUP_RECIPIENTS={public}")
