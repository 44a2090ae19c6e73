"""Running Alembic migrations from code (the CLI, the demo and the test fixtures).

Each capability's migrations form their own branch that starts from the core's
first revision (``down_revision = "0001_core"``, ``branch_labels = ("posts",)``),
so capabilities evolve their tables independently. "Up to date" therefore
means "at every head", and ``upgrade`` goes to all heads at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from marsad.core.errors import InvalidInput

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (``-1``, ``base``, a revision id)."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic command; a revision it cannot use is the user's error, not a crash.

    Alembic refuses an unknown revision, or one that is not up (or down) from the
    database's, before it changes anything; the transaction is rolled back anyway.
    """
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            step(config, revision)
    except CommandError as exc:
        raise InvalidInput(
            "err_db_revision",
            f"{exc}; the newest migrations are {describe(head_revisions())}",
            "REVISION",
            revision=revision,
        ) from exc


def current_revisions(engine: Engine) -> set[str]:
    """The revisions the database is at (one per branch)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revision of every branch the code knows."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_current(engine: Engine) -> bool:
    """True when every head is applied (a head reached through ``depends_on`` counts)."""
    current = current_revisions(engine)
    if not current:
        return not head_revisions()
    script = ScriptDirectory.from_config(alembic_config())
    applied = {
        rev.revision
        for rev in script.revision_map.iterate_revisions(
            tuple(current), "base", select_for_downgrade=True
        )
    }
    return head_revisions() <= applied


def describe(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"
