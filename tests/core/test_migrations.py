"""The migrations build exactly the schema the models describe, up and down, on each backend;
they form one linear chain; and a database made before the baseline is taken over."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata, render_python_code
from alembic.migration import MigrationContext
from alembic.operations import ops
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from marsad.core import migrate
from marsad.core.db import UTCDateTime, database_status, load_all_models, make_engine
from marsad.core.settings import Settings
from tests.core.test_settings import run_marsad

DATA = Path(__file__).resolve().parent / "data"
VERSIONS = migrate.MIGRATIONS / "versions"


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
    assert not migrate.is_current(engine)
    leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert leftover == set()
    migrate.upgrade(engine, "heads")
    assert "users" in inspect(engine).get_table_names()
    assert migrate.is_current(engine)
    assert migrate.current_revisions(engine) == migrate.head_revisions()


# --- one linear chain -------------------------------------------------------------------


def test_the_migrations_are_one_linear_chain_from_the_baseline() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_bases() == [migrate.BASELINE]
    heads = script.get_heads()
    assert len(heads) == 1, (
        f"one head only (give the new migration the last as down_revision): {heads}"
    )
    # Walking down from the head passes through every revision there is, one at a time.
    walked = [rev.revision for rev in script.walk_revisions("base", heads[0])]
    assert walked[-1] == migrate.BASELINE
    assert sorted(walked) == sorted(rev.revision for rev in script.walk_revisions())
    for rev in script.walk_revisions():
        assert not rev.branch_labels, f"{rev.revision} has branch labels {rev.branch_labels}"
        assert not rev.dependencies, f"{rev.revision} depends_on {rev.dependencies}"
        assert not rev.is_merge_point, f"{rev.revision} merges branches"
        assert rev.revision not in migrate.LEGACY_REVISIONS, f"{rev.revision} is an old name"


def test_no_migration_imports_marsad() -> None:
    files = sorted(VERSIONS.glob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n.split(".")[0] in {"marsad", "tests"} for n in names), (
                f"{path.name}:{node.lineno} imports {names}: copy what you need into the migration"
            )


def test_a_generated_migration_writes_our_column_types_as_plain_types() -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime(), nullable=False))
    code = render_python_code(
        ops.UpgradeOps(ops=[ops.CreateTableOp.from_table(table)]),
        render_item=migrate.render_plain_type,
    )
    assert "sa.DateTime(timezone=True)" in code
    assert "marsad" not in code and "UTCDateTime" not in code


# --- a database made before the baseline ------------------------------------------------


def _load_legacy(engine: Engine) -> None:
    """Fill an empty database with the frozen schema and rows of the old branch heads."""
    script = (DATA / f"legacy_heads.{engine.dialect.name}.sql").read_text(encoding="utf-8")
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            raw.driver_connection.executescript(script)
        else:
            raw.driver_connection.execute(script)
        raw.commit()
    finally:
        raw.close()


def _snapshot(engine: Engine) -> dict[str, Any]:
    """What a user of the database could tell apart: every table's columns, keys and
    indexes, the backend's own full-text objects, and the rows a fresh install has."""
    insp = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(insp.get_table_names()):
        if name.startswith("posts_fts_") or name == "alembic_version":
            continue  # FTS5's own shadow tables, made by its CREATE VIRTUAL TABLE
        tables[name] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in insp.get_columns(name)
            ],
            "pk": insp.get_pk_constraint(name),
            "fks": sorted(map(repr, insp.get_foreign_keys(name))),
            "indexes": sorted(map(repr, insp.get_indexes(name))),
            "uniques": sorted(map(repr, insp.get_unique_constraints(name))),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            extra = conn.execute(
                text(
                    "SELECT type, name, sql FROM sqlite_master "
                    "WHERE type IN ('trigger', 'index') OR name = 'posts_fts' ORDER BY name"
                )
            ).all()
        else:
            extra = conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE schemaname = current_schema() ORDER BY indexname"
                )
            ).all()
        rows = {
            "audit_head": conn.execute(text("SELECT id, seq, hash, mac FROM audit_head")).all(),
            "places": conn.execute(
                text(
                    "SELECT pcode, level, parent_pcode, name_ar, name_ckb, name_en, lat, lon, "
                    "geometry FROM places ORDER BY pcode"
                )
            ).all(),
            "categories": conn.execute(
                text(
                    "SELECT slug, parent_id, name_ar, name_ckb, name_en, confidential, position, "
                    "active FROM report_categories ORDER BY position"
                )
            ).all(),
        }
    return {"tables": tables, "backend": [tuple(r) for r in extra], "rows": rows}


def test_a_database_at_the_old_heads_is_taken_over_by_the_baseline(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(settings)
    _load_legacy(engine)
    assert migrate.current_revisions(engine) == migrate.LEGACY_HEADS
    assert not migrate.is_current(engine)
    status = database_status(engine)
    assert status["revision"] is None and status["revisions"] == sorted(migrate.LEGACY_HEADS)
    legacy = _snapshot(engine)
    assert len(legacy["rows"]["places"]) > 100 and len(legacy["rows"]["categories"]) == 14
    env = {"MARSAD_DATABASE_URL": db_url}
    # Commands trust migrate.is_current: until the upgrade they say what to do.
    refused = run_marsad("posts", "watchlist", "list", "--json", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "run `marsad db upgrade` first" in refused.stderr

    upgraded = run_marsad("db", "upgrade", "--json", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert json.loads(upgraded.stdout) == {"revisions": sorted(migrate.head_revisions())}
    assert migrate.is_current(engine)
    assert [database_status(engine)["revision"]] == sorted(migrate.head_revisions())
    listed = run_marsad("posts", "watchlist", "list", "--json", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    taken_over = _snapshot(engine)
    # Later migrations may change the tables; back at the baseline, it is as it was.
    migrate.downgrade(engine, migrate.BASELINE)
    assert _snapshot(engine) == legacy  # nothing rebuilt or lost

    # ... and the same as a database the migrations build from nothing, at each step.
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert _snapshot(engine) == taken_over
    migrate.downgrade(engine, migrate.BASELINE)
    assert _snapshot(engine) == legacy
    engine.dispose()


def test_a_database_at_some_of_the_old_revisions_gets_one_line_saying_what_to_do(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(settings)
    _load_legacy(engine)
    # One migration behind on the posts branch: its schema is not the baseline's.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE alembic_version SET version_num = '0008_posts_raw_dicts' "
                "WHERE version_num = '0009_posts_fts_ascii'"
            )
        )
    before = migrate.current_revisions(engine)
    env = {"MARSAD_DATABASE_URL": db_url}
    for args in (("db", "upgrade"), ("db", "downgrade", "base")):
        result = run_marsad(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "err_db_legacy" in result.stderr and "0008_posts_raw_dicts" in result.stderr
        assert "marsad db upgrade" in result.stderr
        assert migrate.current_revisions(engine) == before  # nothing was changed
    assert "users" in inspect(engine).get_table_names()
    engine.dispose()


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
