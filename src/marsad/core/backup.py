"""Online, consistent, encrypted backups of the database and the blob store, and restore.

A backup is one file: a tar archive encrypted with age (``pyrage``) to one or
more public keys (``MARSAD_BACKUP_RECIPIENTS``). The server holds only the
public keys, so neither it nor anyone who takes its disk can read its own
backups; the identity (private key) stays offline until a restore.

Inside the archive:

``manifest.json``
    format, backend, migration, when, the audit head, the row count of every
    table and the blob count, all from the same snapshot as the database copy;
    a fingerprint of the secret key (not the key) so a restore can say when the
    configured key is not the one the data was written with.
``database/marsad.db`` (SQLite)
    made with SQLite's online backup API, which copies through SQLite's own
    pager: what is still in the write-ahead log is included, and writers keep
    working while it runs (``cp marsad.db`` loses both).
``database/marsad.pgdump`` (PostgreSQL)
    ``pg_dump --format=custom`` run on a snapshot exported from the
    transaction that counted the rows, so counts and dump agree.
``blobs/ab/abcdef…``
    the content-addressed files. They are copied after the database snapshot;
    a blob is written before the row that cites it commits, so every blob the
    snapshot cites is there (extra, newer blobs are harmless).

No key is in a backup: the secret key and field key live outside the data
folder and must be kept separately (see docs/backup.md).

Restore goes only into an empty data folder (and an empty database), checks
every blob against its name, every table's row count against the manifest and
the audit chain, and says what it found.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import make_url

from marsad.core.blobs import PREFIX
from marsad.core.db import load_all_models, utcnow
from marsad.core.errors import ConfigError, InvalidInput, MarsadError
from marsad.core.security import derive_key, hmac_hex
from marsad.core.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/marsad.db"
PG_MEMBER = "database/marsad.pgdump"
BLOB_NAME = re.compile(r"^blobs/([0-9a-f]{2})/([0-9a-f]{64})$")


@dataclass
class BackupResult:
    out: Path
    backend: str
    revision: str | None
    tables: dict[str, int]
    blobs: int
    audit_seq: int
    size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "file": str(self.out),
            "backend": self.backend,
            "revision": self.revision,
            "rows": sum(self.tables.values()),
            "tables": self.tables,
            "blobs": self.blobs,
            "audit_seq": self.audit_seq,
            "bytes": self.size,
        }


@dataclass
class RestoreResult:
    backend: str
    tables: dict[str, int]
    blobs: int
    audit_ok: bool
    audit_records: int
    audit_problem: str | None
    taken_at: str
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.mismatches

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "backend": self.backend,
            "taken_at": self.taken_at,
            "rows": sum(self.tables.values()),
            "tables": self.tables,
            "blobs": self.blobs,
            "audit": {
                "ok": self.audit_ok,
                "records": self.audit_records,
                "problem": self.audit_problem,
            },
            "mismatches": self.mismatches,
        }


# --- keys ------------------------------------------------------------------------------------


def _pyrage() -> Any:
    import pyrage

    return pyrage


def recipients_from(values: list[str]) -> list[Any]:
    """age recipients from ``age1…`` strings; InvalidInput naming the bad one."""
    x25519 = _pyrage().x25519
    keys = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            keys.append(x25519.Recipient.from_str(value))
        except Exception:  # noqa: BLE001 - pyrage raises its own error types per version
            raise InvalidInput(
                "err_backup_recipient",
                f"{value[:16]}… is not an age public key (age1…)",
                "MARSAD_BACKUP_RECIPIENTS",
            ) from None
    if not keys:
        raise ConfigError(
            "MARSAD_BACKUP_RECIPIENTS",
            "no public key to encrypt the backup to: create one with `marsad backup-key "
            "--out FILE` (keep FILE offline) and set MARSAD_BACKUP_RECIPIENTS to the age1… it "
            "prints, or pass --recipient",
        )
    return keys


def identities_from(path: Path) -> list[Any]:
    """The age identities (``AGE-SECRET-KEY-…`` lines) in a file."""
    x25519 = _pyrage().x25519
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(
            "err_backup_identity", f"cannot read {path}: {exc.strerror}", "identity"
        ) from None
    keys = []
    for line in lines:
        if line.strip().startswith("AGE-SECRET-KEY-"):
            try:
                keys.append(x25519.Identity.from_str(line.strip()))
            except Exception:  # noqa: BLE001
                raise InvalidInput(
                    "err_backup_identity", f"{path} holds a damaged age identity", "identity"
                ) from None
    if not keys:
        raise InvalidInput(
            "err_backup_identity", f"{path} holds no age identity (AGE-SECRET-KEY-…)", "identity"
        )
    return keys


def new_identity(out: Path) -> str:
    """Write a new age identity to ``out`` (0600, never overwritten); return its public key."""
    identity = _pyrage().x25519.Identity.generate()
    public = str(identity.to_public())
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InvalidInput("err_file_exists", f"{out} already exists", "out") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(f"# created: {utcnow().isoformat()}\n# public key: {public}\n{identity}\n")
    return public


def key_fingerprint(settings: Settings) -> str:
    """A short, one-way fingerprint of the secret key (tells keys apart, reveals nothing)."""
    return hmac_hex(derive_key(settings.secret(), "backup-fingerprint"), b"marsad")[:16]


# --- snapshot --------------------------------------------------------------------------------


def _table_names() -> list[str]:
    return sorted(t.name for t in load_all_models().sorted_tables)


def _counts(conn: Any, names: list[str]) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # noqa: S608 - names from our metadata
        for name in names
        if name in present
    }


def _head(conn: Any) -> int:
    from marsad.core.models import AuditHead

    seq = conn.execute(select(AuditHead.seq).where(AuditHead.id == 1)).scalar_one_or_none()
    return int(seq or 0)


def _revision(conn: Any) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except Exception:  # noqa: BLE001 - an unmigrated database has no such table
        return None


def _sqlite_snapshot(engine: Engine, folder: Path) -> dict[str, Any]:
    source = engine.url.database
    target = folder / "marsad.db"
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # The online backup API: a consistent copy including what is still in the WAL.
        src.backup(dst)  # in one step: a WAL reader never blocks writers, and never restarts
    finally:
        src.close()
        dst.close()
    target.chmod(0o600)
    from sqlalchemy import create_engine

    copy = create_engine(f"sqlite:///{target}")
    try:
        with copy.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
            info = {
                "tables": _counts(conn, _table_names()),
                "audit_seq": _head(conn),
                "revision": _revision(conn),
            }
    finally:
        copy.dispose()
    return info


def libpq_url(engine: Engine) -> tuple[str, dict[str, str], str]:
    """(URI without the password, environment with PGPASSWORD, schema) for pg tools."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    raw = url.query.get("options", "")
    options = raw if isinstance(raw, str) else " ".join(raw)
    match = re.search(r"search_path\s*=\s*([A-Za-z0-9_]+)", unquote(options))
    return plain, env, match.group(1) if match else "public"


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConfigError(
            "PATH",
            f"{name} is not installed; on Debian: apt-get install postgresql-client "
            "(its major version must be at least the server's)",
        )
    return path


def _check_pg_version(conn: Any, tool: str) -> None:
    server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", out.stdout)
    client = int(match.group(1)) if match else 0
    if client < server:
        raise ConfigError(
            "PATH",
            f"{tool} is version {client} but the server is {server}: install "
            f"postgresql-client-{server} or newer",
        )


def _pg_snapshot(engine: Engine, folder: Path) -> dict[str, Any]:
    tool = _pg_tool("pg_dump")
    uri, env, schema = libpq_url(engine)
    with engine.connect() as conn:
        _check_pg_version(conn, tool)
        conn.rollback()
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            info = {
                "tables": _counts(conn, _table_names()),
                "audit_seq": _head(conn),
                "revision": _revision(conn),
                "schema": schema,
            }
            # pg_dump reads the very snapshot the counts came from, while this
            # transaction stays open; writers are not blocked.
            args = [tool, f"--dbname={uri}", "--format=custom", "--no-owner", "--no-privileges"]
            args += [f"--snapshot={snapshot}", f"--schema={schema}"]
            args += [f"--file={folder / 'marsad.pgdump'}"]
            done = subprocess.run(args, capture_output=True, text=True, env=env)  # noqa: S603
            if done.returncode != 0:
                raise MarsadError(
                    "err_backup_failed",
                    f"pg_dump failed: {done.stderr.strip().splitlines()[-1:]}",
                    "database",
                    exit_code=1,
                )
    return info


# --- backup ----------------------------------------------------------------------------------


@contextmanager
def _private_dir() -> Iterator[Path]:
    # Plain data exists only here, readable by this user alone, and is removed at once.
    with tempfile.TemporaryDirectory(prefix="marsad-backup-") as name:
        path = Path(name)
        path.chmod(0o700)
        yield path


def _blob_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for sub in sorted(root.iterdir()):
        if not sub.is_dir() or not re.fullmatch(r"[0-9a-f]{2}", sub.name):
            continue
        for blob in sorted(sub.iterdir()):
            if blob.is_file() and re.fullmatch(r"[0-9a-f]{64}", blob.name):
                yield f"blobs/{sub.name}/{blob.name}", blob


def backup(*, settings: Settings, engine: Engine, out: Path, recipients: list[str]) -> BackupResult:
    """Write an encrypted, consistent backup of the database and blobs to ``out``."""
    keys = recipients_from(recipients)
    if out.exists():
        raise InvalidInput("err_file_exists", f"{out} already exists; choose a new name", "out")
    if not out.parent.is_dir():
        raise InvalidInput("err_folder_missing", f"the folder {out.parent} does not exist", "out")
    backend = engine.url.get_backend_name()
    with _private_dir() as work:
        info = (_sqlite_snapshot if backend == "sqlite" else _pg_snapshot)(engine, work)
        member = SQLITE_MEMBER if backend == "sqlite" else PG_MEMBER
        dump = work / Path(member).name
        archive = work / "backup.tar"
        blobs = 0
        with tarfile.open(archive, "w") as tar:
            tar.add(dump, arcname=member)
            dump.unlink()
            for name, path in _blob_files(settings.resolved_blobs_dir):
                tar.add(path, arcname=name)
                blobs += 1
            manifest = {
                "format": FORMAT,
                "backend": backend,
                "taken_at": utcnow().isoformat(),
                "key_fingerprint": key_fingerprint(settings),
                "blobs": blobs,
                **info,
            }
            data = json.dumps(manifest, indent=1).encode()
            entry = tarfile.TarInfo(MANIFEST)
            entry.size = len(data)
            tar.addfile(entry, fileobj=io.BytesIO(data))
        partial = out.with_name(f".{out.name}.partial")
        _pyrage().encrypt_file(str(archive), str(partial), keys)
        partial.chmod(0o600)
        partial.replace(out)
    return BackupResult(
        out=out,
        backend=backend,
        revision=info.get("revision"),
        tables=info["tables"],
        blobs=blobs,
        audit_seq=info["audit_seq"],
        size=out.stat().st_size,
    )


# --- restore ---------------------------------------------------------------------------------


def _is_empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def check_empty_target(settings: Settings) -> None:
    """Refuse a data folder, blob folder or SQLite file that already holds anything."""
    for folder, name in (
        (settings.data_dir, "MARSAD_DATA_DIR"),
        (settings.resolved_blobs_dir, "MARSAD_BLOBS_DIR"),
    ):
        if not _is_empty(folder):
            raise InvalidInput(
                "err_restore_not_empty",
                f"{folder} is not empty: restore only into an empty folder, so nothing "
                "that is there is overwritten",
                name,
            )
    if settings.is_sqlite:
        database = make_url(settings.resolved_database_url).database
        if database and Path(database).exists() and Path(database).stat().st_size > 0:
            raise InvalidInput(
                "err_restore_not_empty",
                f"the database {database} already exists",
                "MARSAD_DATABASE_URL",
            )


def _read_archive(path: Path, identity: Path, work: Path) -> tuple[dict[str, Any], Path]:
    keys = identities_from(identity)
    plain = work / "backup.tar"
    try:
        _pyrage().decrypt_file(str(path), str(plain), keys)
    except FileNotFoundError:
        raise InvalidInput("err_file_missing", f"{path} does not exist", "file") from None
    except Exception:  # noqa: BLE001 - pyrage.DecryptError and friends
        raise InvalidInput(
            "err_backup_decrypt",
            f"{path} cannot be decrypted with {identity}: not a Marsad backup, damaged, or "
            "made for another key",
            "file",
        ) from None
    try:
        tar = tarfile.open(plain, "r")  # noqa: SIM115 - _manifest closes it
    except tarfile.TarError:
        raise InvalidInput(
            "err_backup_damaged", f"{path} is not a backup archive", "file"
        ) from None
    return _manifest(tar, path), plain


def _manifest(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    with tar:
        try:
            handle = tar.extractfile(MANIFEST)
            manifest = json.loads(handle.read() if handle else b"")
        except (KeyError, ValueError):
            raise InvalidInput(
                "err_backup_damaged", f"{path} has no readable manifest", "file"
            ) from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput(
            "err_backup_format", f"{path} is backup format {manifest.get('format')!r}", "file"
        )
    return manifest


def _restore_members(plain: Path, work: Path, blob_root: Path) -> tuple[Path | None, int]:
    """Unpack the database copy into ``work`` and the blobs into their store; check each blob."""
    dump = None
    blobs = 0
    with tarfile.open(plain, "r") as tar:
        for member in tar:
            if not member.isfile():
                continue
            if member.name in (SQLITE_MEMBER, PG_MEMBER):
                dump = work / Path(member.name).name
                src = tar.extractfile(member)
                assert src is not None  # noqa: S101 - isfile() above
                with src, dump.open("wb") as out:
                    shutil.copyfileobj(src, out)
                continue
            match = BLOB_NAME.match(member.name)
            if not match:
                continue
            target = blob_root / match.group(1) / match.group(2)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            src = tar.extractfile(member)
            assert src is not None  # noqa: S101
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with src, os.fdopen(fd, "wb") as out:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != match.group(2):
                target.unlink()
                raise InvalidInput(
                    "err_backup_damaged",
                    f"blob {PREFIX}{match.group(2)} in the backup does not match its name",
                    "file",
                )
            blobs += 1
    return dump, blobs


def _pg_restore(engine: Engine, dump: Path, schema: str) -> None:
    tool = _pg_tool("pg_restore")
    uri, env, target_schema = libpq_url(engine)
    if target_schema != schema:
        raise InvalidInput(
            "err_restore_schema",
            f"the backup is of schema {schema!r} but the target database uses {target_schema!r}; "
            "restore into a database whose search_path is the same schema",
            "MARSAD_DATABASE_URL",
        )
    with engine.connect() as conn:
        _check_pg_version(conn, tool)
        if inspect(conn).get_table_names(schema=schema):
            raise InvalidInput(
                "err_restore_not_empty",
                f"the target database already has tables in schema {schema!r}",
                "MARSAD_DATABASE_URL",
            )
        exists = conn.execute(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
        ).first()
    listed = subprocess.run(  # noqa: S603
        [tool, "--list", str(dump)], capture_output=True, text=True, check=True, env=env
    ).stdout
    # An existing, empty schema (always so for public) must not be created again.
    keep = [
        line
        for line in listed.splitlines()
        if not (exists and re.search(rf"\bSCHEMA - {re.escape(schema)}\b", line))
    ]
    toc = dump.with_suffix(".list")
    toc.write_text("\n".join(keep) + "\n")
    args = [tool, f"--dbname={uri}", "--no-owner", "--no-privileges", "--exit-on-error"]
    args += ["--single-transaction", f"--use-list={toc}", str(dump)]
    done = subprocess.run(args, capture_output=True, text=True, env=env)  # noqa: S603
    if done.returncode != 0:
        raise MarsadError(
            "err_restore_failed",
            f"pg_restore failed: {done.stderr.strip().splitlines()[-1:]}",
            "database",
            exit_code=1,
        )


def restore(*, settings: Settings, path: Path, identity: Path) -> RestoreResult:
    """Restore a backup into the configured, empty data folder and database; check it all."""
    from marsad.core import audit
    from marsad.core.db import make_engine, session_factory, session_scope

    check_empty_target(settings)
    with _private_dir() as work:
        manifest, plain = _read_archive(path, identity, work)
        backend = "sqlite" if settings.is_sqlite else "postgresql"
        if manifest["backend"] != backend:
            raise InvalidInput(
                "err_restore_backend",
                f"the backup is of a {manifest['backend']} database but the target is {backend}",
                "MARSAD_DATABASE_URL",
            )
        if manifest.get("key_fingerprint") != key_fingerprint(settings):
            raise ConfigError(
                "MARSAD_SECRET_KEY",
                "is not the key the backed-up data was written with: the audit trail and the "
                "sealed contacts need the original secret key (and field key); set it first",
            )
        settings.ensure_data_dir()
        dump, blobs = _restore_members(plain, work, settings.resolved_blobs_dir)
        if dump is None:
            raise InvalidInput("err_backup_damaged", f"{path} holds no database", "file")
        if backend == "sqlite":
            database = Path(make_url(settings.resolved_database_url).database or "")
            fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, dump.open("rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            engine = make_engine(settings)
        else:
            engine = make_engine(settings)
            try:
                _pg_restore(engine, dump, manifest.get("schema", "public"))
            except BaseException:
                engine.dispose()
                raise
    try:
        with engine.connect() as conn:
            tables = _counts(conn, list(manifest["tables"]))
        mismatches = [
            f"{name}: {tables.get(name)} rows, the backup says {count}"
            for name, count in manifest["tables"].items()
            if tables.get(name) != count
        ]
        if blobs != manifest["blobs"]:
            mismatches.append(f"blobs: {blobs} restored, the backup says {manifest['blobs']}")
        with session_scope(session_factory(engine, settings)) as session:
            result = audit.verify(session)
            if result.ok:
                audit.anchor_head(session)
    finally:
        engine.dispose()
    return RestoreResult(
        backend=backend,
        tables=tables,
        blobs=blobs,
        audit_ok=result.ok,
        audit_records=result.records,
        audit_problem=result.problem,
        taken_at=manifest["taken_at"],
        mismatches=mismatches,
    )
