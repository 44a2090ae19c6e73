"""Audit anchors outside the database: a restored older copy is detected."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.core import audit
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.errors import ConfigError
from marsad.core.settings import Settings


def _records(sessions, n: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    for i in range(start, start + n):
        with session_scope(sessions) as session:
            audit.record(
                session, actor="t", action="thing.changed", subject_type="thing", subject_id=str(i)
            )


def _verify(sessions):  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return audit.verify(session)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_restored_older_copy_fails_verification(settings, engine, sessions, tmp_path) -> None:
    _records(sessions, 3)
    db = engine.url.database
    # An "old backup", taken the careless way but consistently (the backup API).
    old = tmp_path / "old.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(old)
    src.backup(dst)
    src.close()
    dst.close()
    _records(sessions, 5, start=3)
    with session_scope(sessions) as session:
        assert audit.verify(session).ok
        anchored = audit.anchor_head(session)
    assert anchored is not None and anchored["seq"] == 8
    anchor_file = settings.resolved_anchor_file
    assert not anchor_file.resolve().is_relative_to(settings.data_dir.resolve())
    engine.dispose()
    shutil.copyfile(old, db)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"marsad.db{suffix}").unlink(missing_ok=True)
    restored = make_engine(settings)
    try:
        result = _verify(session_factory(restored, settings))
    finally:
        restored.dispose()
    assert not result.ok and "older than its anchor" in (result.problem or "")
    # Without the anchor file the rolled-back copy would have looked intact.
    anchor_file.rename(tmp_path / "moved-anchor")
    again = make_engine(settings)
    try:
        assert _verify(session_factory(again, settings)).ok
    finally:
        again.dispose()


def test_heads_are_anchored_cheaply_and_lines_cannot_be_forged(settings, sessions) -> None:
    _records(sessions, 250)
    path = settings.resolved_anchor_file
    lines = path.read_text().splitlines()
    # The first commit of a process anchors; then every 100 records (or 5 s): not every record.
    assert 2 <= len(lines) <= 10
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert _verify(sessions).ok
    forged = json.loads(lines[-1]) | {"seq": 9999}
    with path.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    result = _verify(sessions)
    assert not result.ok and "not valid" in (result.problem or "")


def test_a_rolled_back_transaction_is_never_anchored(settings, sessions) -> None:
    _records(sessions, 1)
    before = settings.resolved_anchor_file.read_text()
    with sessions() as session:
        audit.record(
            session, actor="t", action="thing.changed", subject_type="thing", subject_id="x"
        )
        session.rollback()
    _records(sessions, 1)  # due only after 100 records or 5 s: nothing new expected
    assert settings.resolved_anchor_file.read_text() == before
    assert _verify(sessions).ok


def test_audit_verify_command_anchors_the_head(settings, engine, monkeypatch, sessions) -> None:  # noqa: ARG001
    _records(sessions, 2)
    settings.resolved_anchor_file.unlink()
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    done = CliRunner().invoke(app, ["audit", "verify", "--json"])
    assert done.exit_code == 0, done.output
    lines = settings.resolved_anchor_file.read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [2]


def test_production_refuses_secrets_or_the_anchor_inside_the_data_folder(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    good = {"env": "production", "data_dir": data, "secret_key": "k" * 40}
    Settings(**good).validate_for_use()
    (data / "secret.key").write_text("old dev key")
    with pytest.raises(ConfigError) as refused:
        Settings(**good).validate_for_use()
    assert "MARSAD_DATA_DIR" in str(refused.value) and "secret.key" in str(refused.value)
    (data / "secret.key").unlink()
    with pytest.raises(ConfigError) as inside:
        Settings(**good, audit_anchor_file=data / "anchor").validate_for_use()
    assert "MARSAD_AUDIT_ANCHOR_FILE" in str(inside.value)


def test_reports_without_a_genesis_record_fail_verification(settings, sessions) -> None:
    from sqlalchemy import text

    from marsad.core.blobs import BlobStore
    from marsad.core.security import FieldCipher
    from marsad.reports import service
    from marsad.reports.settings import ReportSettings

    with session_scope(sessions) as session:
        service.submit_report(
            session,
            submission=service.Submission(title="t", category="threat"),
            channel="web",
            cipher=FieldCipher.from_settings(settings.field_key, settings.secret()),
            settings=ReportSettings(),
            blobs=BlobStore.from_settings(settings),
        )
    settings.resolved_anchor_file.unlink()  # the attacker removed the anchor too
    with session_scope(sessions) as session:
        session.execute(text("DELETE FROM audit_records"))
        session.execute(text("DELETE FROM audit_head"))
    result = _verify(sessions)
    assert not result.ok and "genesis" in (result.problem or "")
