"""Alembic environment: runs the migrations on the connection Marsad hands it.

The models are loaded here only for ``alembic revision --autogenerate``; the
migrations themselves never import Marsad (see docs/architecture.md, "Migrations").
"""

from __future__ import annotations

from alembic import context

from marsad.core.db import load_all_models
from marsad.core.migrate import render_plain_type

target_metadata = load_all_models()
config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from marsad.core.db import make_engine
        from marsad.core.settings import load_settings

        engine = make_engine(load_settings())
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _include(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]  # noqa: ARG001
    # Full-text index tables (SQLite FTS5 shadow tables) are backend-specific and
    # written by hand in their migrations; autogenerate must leave them alone.
    return not (type_ == "table" and name and "_fts" in name)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_plain_type,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
