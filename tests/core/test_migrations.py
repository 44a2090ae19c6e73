"""The migrations build exactly the schema the models describe, up and down, on each backend."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from marsad.core import migrate
from marsad.core.db import load_all_models
from tests.core.test_settings import run_marsad


def test_models_and_migrations_agree(engine: Engine) -> None:
    metadata = load_all_models()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    # SQLite FTS shadow tables and similar backend-only objects are named *_fts*.
    diff = [d for d in diff if "_fts" not in repr(d)]
    assert diff == [], f"models and migrations disagree: {diff}"


def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    assert migrate.is_current(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revisions(engine) == set()
    leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert leftover == set()
    migrate.upgrade(engine)
    assert "users" in inspect(engine).get_table_names()
    assert migrate.is_current(engine)


def test_every_capability_branch_starts_from_the_core() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    bases = script.get_bases()
    assert bases == ["0001_core"], f"one root only, the core's: {bases}"


def test_a_revision_alembic_cannot_use_is_named_and_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"MARSAD_DATA_DIR": str(data)}
    assert run_marsad("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    before = run_marsad("db", "current", "--json", env=env, cwd=tmp_path).stdout
    for args in (
        ("db", "downgrade", "nosuch"),
        ("db", "upgrade", "nosuch"),
        ("db", "downgrade", "+1"),
    ):
        result = run_marsad(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "err_db_revision" in result.stderr and args[2] in result.stderr
        assert "newest migrations are" in result.stderr
        assert run_marsad("db", "current", "--json", env=env, cwd=tmp_path).stdout == before
    assert '"current": true' in before
