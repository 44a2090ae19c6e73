"""The migrations build exactly the schema the models describe, up and down, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from marsad.core import migrate
from marsad.core.db import load_all_models


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
