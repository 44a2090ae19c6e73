"""Backup and restore drill: encrypted, online, consistent; restored data verifies in full."""

from __future__ import annotations

import io
import json
import threading
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.core.blobs import BlobStore
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.security import FieldCipher
from marsad.core.settings import Settings
from marsad.reports import service
from marsad.reports.models import Report, ReportFile
from marsad.reports.settings import ReportSettings

CONTACT = "restore.drill.reporter@example.org"


def _png(color: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, "PNG")
    return buf.getvalue()


def _file_reports(settings: Settings, sessions, n: int, *, files: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
    ids = []
    for i in range(n):
        uploads = [service.Upload(filename=f"p{i}.png", data=_png(("red", "blue")[i % 2]))]
        with session_scope(sessions) as session:
            done = service.submit_report(
                session,
                submission=service.Submission(
                    title=f"Report {i}",
                    category="threat",
                    contact=CONTACT,
                    files=uploads if files else [],
                ),
                channel="web",
                cipher=cipher,
                settings=ReportSettings(),
                blobs=BlobStore.from_settings(settings),
            )
        ids.append(done.id)
    return ids


def _env(monkeypatch, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key or "")
    if settings.database_url:
        monkeypatch.setenv("MARSAD_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("MARSAD_DATABASE_URL", raising=False)


def _run(*args: str) -> tuple[int, dict | None, str]:  # type: ignore[type-arg]
    done = CliRunner().invoke(app, list(args))
    try:
        body = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None
    except ValueError:
        body = None
    return done.exit_code, body, done.output


@pytest.fixture
def target(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for an empty place to restore into: a new folder, and a new database on PG."""
    data = tmp_path / "restored"
    if settings.is_sqlite:
        yield Settings(env="test", data_dir=data, secret_key=settings.secret_key)
        return
    source = make_url(settings.resolved_database_url)
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(source.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = source.set(database=name).render_as_string(hide_password=False)
    try:
        yield Settings(env="test", data_dir=data, database_url=url, secret_key=settings.secret_key)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_restore_drill(settings, engine, sessions, target, tmp_path, monkeypatch) -> None:  # noqa: ARG001
    ids = _file_reports(settings, sessions, 4)
    key_file = tmp_path / "backup-identity.txt"
    code, made, output = _run("backup-key", "--out", str(key_file), "--json")
    assert code == 0, output
    assert made["recipient"].startswith("age1")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    out = tmp_path / "marsad.backup"
    _env(monkeypatch, settings)
    monkeypatch.setenv("MARSAD_BACKUP_RECIPIENTS", made["recipient"])
    code, taken, output = _run("backup", "--out", str(out), "--json")
    assert code == 0, output
    assert taken["tables"]["reports"] == 4 and taken["blobs"] >= 2
    # The server cannot read its own backup: no plain SQLite header, no contact, no PNG.
    raw = out.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1")
    # (PNG's whole 8-byte signature: the three letters alone turn up in random ciphertext.)
    assert b"SQLite format" not in raw and CONTACT.encode() not in raw
    assert b"\x89PNG\r\n\x1a\n" not in raw
    # Restore into a folder that is not empty: refused, nothing touched.
    target.data_dir.mkdir()
    (target.data_dir / "keep.txt").write_text("mine")
    _env(monkeypatch, target)
    code, _body, output = _run("restore", str(out), "--identity", str(key_file), "--json")
    assert code == 2 and "MARSAD_DATA_DIR" in output and "not empty" in output
    assert (target.data_dir / "keep.txt").read_text() == "mine"
    (target.data_dir / "keep.txt").unlink()
    code, restored, output = _run("restore", str(out), "--identity", str(key_file), "--json")
    assert code == 0, output
    assert restored["ok"] and restored["audit"]["ok"] and restored["mismatches"] == []
    assert restored["tables"] == taken["tables"] and restored["blobs"] == taken["blobs"]
    code, verified, output = _run("audit", "verify", "--json")
    assert code == 0 and verified["ok"] and verified["records"] == taken["audit_seq"], output
    # Every record and blob is there, and the sealed contact opens with the same key.
    engine2 = make_engine(target)
    try:
        with session_scope(session_factory(engine2, target)) as session:
            assert sorted(session.execute(select(Report.id)).scalars()) == sorted(ids)
            store = BlobStore.from_settings(target)
            for ref in session.execute(select(ReportFile.sha256)).scalars():
                assert store.verify(ref)
            sealed = session.get(Report, ids[0]).contact_sealed
            cipher = FieldCipher.from_settings(target.field_key, target.secret())
            assert cipher.decrypt(sealed, context=f"report:{ids[0]}") == CONTACT
    finally:
        engine2.dispose()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_backup_while_writing_keeps_the_wal_and_stays_consistent(
    settings, engine, sessions, target, tmp_path, monkeypatch
) -> None:
    from marsad.core import backup as backups

    _file_reports(settings, sessions, 5, files=False)
    wal = Path(f"{engine.url.database}-wal")
    assert wal.exists() and wal.stat().st_size > 0  # committed rows still live in the WAL
    key_file = tmp_path / "id.txt"
    recipient = backups.new_identity(key_file)
    stop = threading.Event()
    written: list[str] = []

    def writer() -> None:
        while not stop.is_set():
            written.extend(_file_reports(settings, sessions, 1, files=False))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        before = 5 + len(written)
        result = backups.backup(
            settings=settings, engine=engine, out=tmp_path / "b.age", recipients=[recipient]
        )
    finally:
        stop.set()
        thread.join()
    assert result.tables["reports"] >= before
    _env(monkeypatch, target)
    done = backups.restore(settings=target, path=tmp_path / "b.age", identity=key_file)
    assert done.ok, (done.audit_problem, done.mismatches)
    assert done.tables["reports"] == result.tables["reports"]
    assert done.audit_records == result.audit_seq


def test_restore_with_the_wrong_key_or_a_wrong_file_says_so(settings, engine, tmp_path) -> None:
    from marsad.core import backup as backups
    from marsad.core.errors import ConfigError, InvalidInput

    mine = backups.new_identity(tmp_path / "mine.txt")
    backups.new_identity(tmp_path / "other.txt")
    backups.backup(settings=settings, engine=engine, out=tmp_path / "b.age", recipients=[mine])
    empty = Settings(env="test", data_dir=tmp_path / "r1", secret_key=settings.secret_key)
    if not settings.is_sqlite:
        empty = Settings(
            env="test",
            data_dir=tmp_path / "r1",
            secret_key=settings.secret_key,
            database_url="sqlite:///" + str(tmp_path / "x.db"),
        )
    with pytest.raises(InvalidInput) as wrong:
        backups.restore(settings=empty, path=tmp_path / "b.age", identity=tmp_path / "other.txt")
    assert wrong.value.code == "err_backup_decrypt"
    (tmp_path / "junk").write_bytes(b"not a backup")
    with pytest.raises(InvalidInput):
        backups.restore(settings=empty, path=tmp_path / "junk", identity=tmp_path / "mine.txt")
    if settings.is_sqlite:
        other_key = Settings(env="test", data_dir=tmp_path / "r2", secret_key="x" * 40)
        with pytest.raises(ConfigError) as key:
            backups.restore(
                settings=other_key, path=tmp_path / "b.age", identity=tmp_path / "mine.txt"
            )
        assert "MARSAD_SECRET_KEY" in str(key.value)
    with pytest.raises(ConfigError):
        backups.backup(settings=settings, engine=engine, out=tmp_path / "c.age", recipients=[""])
    assert not (tmp_path / "c.age").exists()
    with session_scope(session_factory(engine, settings)) as session:
        assert session.execute(select(func.count()).select_from(Report)).scalar_one() == 0
