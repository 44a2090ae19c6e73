"""Running Alembic migrations from code (the CLI, the demo and the test fixtures).

The migrations form one linear chain from ``0001_baseline``: each revision's
``down_revision`` is the one before it, so the database is up to date when its one
revision is the chain's one head.

Before the baseline each capability had its own branch; a database made then holds
the four branch heads in ``alembic_version``. Its schema is exactly the baseline's,
so ``upgrade`` (and ``downgrade``) first stamps such a database with the baseline,
in the same transaction. A database at only some of the old revisions cannot be
adopted that way and gets a message saying what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.types import TypeDecorator

from marsad.core.errors import InvalidInput, MarsadError
from marsad.core.i18n import _

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

BASELINE = "0001_baseline"
# The per-capability branch heads a database made before the baseline is at, all
# four at once when its migrations were complete; and every revision of those branches.
LEGACY_HEADS = frozenset(
    {"0003_reports", "0004_detect", "0007_coordination_statuses", "0009_posts_fts_ascii"}
)
LEGACY_REVISIONS = LEGACY_HEADS | {
    "0001_core",
    "0002_posts",
    "0005_coordination",
    "0006_posts_registered_at",
    "0008_posts_raw_dicts",
}


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
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
            adopt_legacy(conn)
            config.attributes["connection"] = conn
            step(config, revision)
    except CommandError as exc:
        raise InvalidInput(
            "err_db_revision",
            f"{exc}; the newest migrations are {describe(head_revisions())}",
            "REVISION",
            revision=revision,
        ) from exc


def adopt_legacy(conn: Connection) -> bool:
    """Stamp a database at the old branch heads with the baseline; True if it was one.

    Raises MarsadError (``err_db_legacy``) for a database at an incomplete set of old
    revisions: its schema is not the baseline's, and guessing what it lacks could lose
    data. Nothing is changed then.
    """
    current = set(MigrationContext.configure(conn).get_current_heads())
    if not current & LEGACY_REVISIONS:
        return False
    if current != LEGACY_HEADS:
        raise MarsadError(
            code="err_db_legacy",
            message=_(
                "the database is at old migrations {current}, from before {baseline}; "
                "only a database at all of {heads} can be taken over. Upgrade it first "
                "with the Marsad version that made it (`marsad db upgrade`), or export "
                "its data and load it into a new database"
            ).format(
                current=describe(current), baseline=BASELINE, heads=describe(set(LEGACY_HEADS))
            ),
            where="MARSAD_DATABASE_URL",
            status=409,
        )
    conn.execute(text("DELETE FROM alembic_version"))
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": BASELINE})
    return True


def current_revisions(engine: Engine) -> set[str]:
    """The revision the database is at (a set: empty before the first migration, and
    the old branch heads in a database made before the baseline)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> set[str]:
    """The newest revision the code knows (one: the chain is linear)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest revision."""
    return current_revisions(engine) == head_revisions()


def render_plain_type(type_: str, obj: object, autogen_context: object) -> str | bool:  # noqa: ARG001
    """Autogenerate's ``render_item`` hook: write a column type of ours (UTCDateTime and
    any other TypeDecorator) as the plain type it stores, ``sa.DateTime(timezone=True)``,
    so a generated migration imports nothing from Marsad. The database holds the plain
    type either way, and the models-vs-migrations comparison compares that."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def describe(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "none"
