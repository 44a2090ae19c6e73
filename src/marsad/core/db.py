"""The database: engine, sessions, shared column types and migrations.

SQLite is a first-class target (STYLE rule 4): WAL journal, foreign keys on,
a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so two writers
queue instead of failing half-way. A write that waits for the lock longer than
``MARSAD_SQLITE_BUSY_TIMEOUT`` gives up whole (:func:`database_busy` tells it
apart from other errors; the web answers 503 with ``Retry-After``). PostgreSQL
connections get a ``lock_timeout`` (``MARSAD_POSTGRES_LOCK_TIMEOUT``) for the
same reason: without one a statement waits for a lock forever. A database that
cannot be reached or opened at all is told apart by :func:`database_unavailable`
(the web answers that with 503 too). Reads go
through :func:`reader`, whose transactions begin deferred: under WAL they never
wait for the write lock, so page views and ``/health`` keep answering while
reports are being written.
PostgreSQL runs the same models and the same Alembic migrations through
psycopg 3.

Both backends create their engine with ``hide_parameters=True``: an error
that reaches a log names the statement, never the values (a report's text,
a place, a contact).
"""

from __future__ import annotations

import importlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, String, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from marsad.core.errors import ConfigError, InvalidInput
from marsad.core.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def load_all_models(settings: Any = None) -> MetaData:
    """Import the models each plugin declares (``marsad_models``) so Base.metadata knows them.

    Each capability keeps its tables in its own models module. Without settings
    every installed plugin counts, switched off or not: migrations and the
    models-vs-migrations test need all tables.
    """
    from marsad.core.plugins import get_registry

    for name in get_registry(settings).models():
        importlib.import_module(name)
    return Base.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """A random UUID as text: ids reveal neither order nor count."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones: values are stored as naive UTC and given their
    zone back on the way out. A naive datetime on the way in is refused, since
    its meaning would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(  # noqa: D102
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def IdColumn() -> Any:  # noqa: N802 - reads like a type in model declarations
    from sqlalchemy.orm import mapped_column

    return mapped_column(String(36), primary_key=True, default=new_id)


def _sqlite_pragmas(dbapi_connection: Any, record: Any, busy_ms: int = 10_000) -> None:
    # Autocommit at the driver level lets us issue BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    record.info["synchronous"] = "NORMAL"  # see _sqlite_begin


def _postgres_lock_timeout(dbapi_connection: Any, _record: Any, timeout_ms: int) -> None:
    # PostgreSQL waits for a lock without limit by default: a request behind a migration
    # or a `LOCK TABLE` would hang until a proxy gave up. With lock_timeout the statement
    # fails with SQLSTATE 55P03 (lock_not_available), which database_busy() knows. Set per
    # connection (not in the URL's `options`, which a deployment may use for itself), and
    # committed so that the pool's rollback on return keeps it.
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
    dbapi_connection.commit()


READ_ONLY_OPTION = "marsad_read_only"
DURABLE_OPTION = "marsad_durable"

# Pool sizes. A request holds at most one connection at a time, and sync
# handlers run in a thread pool of 40 (anyio's default), so up to 50
# connections means no request ever waits for the pool itself; SQLite
# connections are cheap file handles, and WAL readers never block each other.
SQLITE_POOL = {"pool_size": 10, "max_overflow": 40, "pool_timeout": 30}
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 30}


def _sqlite_begin(conn: Any) -> None:
    # Writes take the write lock up front (IMMEDIATE), so a transaction never
    # fails half-way when it tries to upgrade a read lock. Reads begin
    # deferred: under WAL they see a snapshot and never wait for a writer.
    options = conn.get_execution_options()
    if options.get(READ_ONLY_OPTION):
        conn.exec_driver_sql("BEGIN")
        return
    # synchronous=NORMAL (the default here) commits into the WAL without waiting for
    # the disk: a killed process loses nothing, a power cut may lose the last commits.
    # durable() transactions wait for the disk (FULL); the pragma is sent only when
    # the level this pooled connection has is not the one wanted.
    level = "FULL" if options.get(DURABLE_OPTION) else "NORMAL"
    info = conn.connection.info
    if info.get("synchronous") != level:
        conn.exec_driver_sql(f"PRAGMA synchronous={level}")
        info["synchronous"] = level
    conn.exec_driver_sql("BEGIN IMMEDIATE")


_BIND_SUFFIX = re.compile(r"_\d+$")


def _refuse_nul(
    _conn: Any,
    _cursor: Any,
    _statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    """Refuse text with a NUL character before PostgreSQL does.

    PostgreSQL cannot store U+0000 in text and would answer with an error that
    reaches the visitor as a 500; this turns it into InvalidInput (422) that
    names the column. Capabilities check their own fields first and name them
    better; this is the net under all of them.
    """
    rows = parameters if executemany else [parameters]
    for row in rows or ():
        items = row.items() if isinstance(row, dict) else enumerate(row or ())
        for name, value in items:
            if isinstance(value, str) and "\x00" in value:
                from marsad.core.i18n import gettext as _

                where = _BIND_SUFFIX.sub("", name) if isinstance(name, str) else "body"
                raise InvalidInput(
                    "err_nul_character",
                    _("This field contains a character that is not allowed."),
                    where,
                )


def reader(engine: Engine) -> Engine:
    """The same database for reading only: on SQLite its transactions never take the write lock.

    Use it for sessions and connections that do not write; a write through it
    on SQLite may fail with "database is locked" when another writer is busy.
    """
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def durable(engine: Engine) -> Engine:
    """The same database for writes that must be on disk when they are acknowledged.

    On SQLite its transactions commit with ``synchronous=FULL``: the commit waits
    until the WAL is on the disk, so a power cut does not take back what a caller
    was told is stored. Give it to a :class:`marsad.core.writer.GroupCommitWriter`,
    which pays that wait once per batch. PostgreSQL commits durably anyway.
    """
    return engine.execution_options(**{DURABLE_OPTION: True})


@contextmanager
def read_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session of ``factory`` that only reads: on SQLite it never takes the write lock.

    For long reads (a detection over the whole store) that must not stop every
    writer while they run. Nothing is committed; what it loaded stays readable
    afterwards (detached, not expired).
    """
    session = factory(bind=reader(factory.kw["bind"]))
    try:
        yield session
    finally:
        session.expunge_all()  # first: ending the transaction would expire them
        session.close()


def _owner_only(database: Path) -> None:
    """Create the SQLite file readable by its owner only, and tighten an existing one.

    SQLite gives the -wal and -shm files the database file's permissions, so
    they follow. The files hold reports and the audit trail: nobody else on the
    machine should read them.
    """
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if path.exists() and path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:
            pass  # not ours to change (a read-only copy); SQLite will say if it matters


def make_engine(settings: Settings, *, check: bool = True) -> Engine:
    """Create the engine for the configured database; raise ConfigError when unusable."""
    settings.validate_for_use()
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            folder = Path(url.database).parent
            if folder == settings.data_dir.resolve():
                settings.ensure_data_dir()
            elif not folder.is_dir():
                raise ConfigError(
                    "MARSAD_DATABASE_URL", f"the folder {str(folder)!r} does not exist"
                )
            _owner_only(Path(url.database))
        pool = SQLITE_POOL if url.database and url.database != ":memory:" else {}
        busy = settings.sqlite_busy_timeout
        engine = create_engine(url, connect_args={"timeout": busy}, hide_parameters=True, **pool)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=round(busy * 1000)))
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 5},
            hide_parameters=True,
            **POSTGRES_POOL,
        )
        event.listen(engine, "before_cursor_execute", _refuse_nul)
        lock_ms = round(settings.postgres_lock_timeout * 1000)
        event.listen(engine, "connect", partial(_postgres_lock_timeout, timeout_ms=lock_ms))
    if check:
        check_connection(engine)
    return engine


# SQLite's result codes for "another connection holds the lock" (the low byte of an
# extended code), and PostgreSQL's SQLSTATEs for a lock wait given up, a deadlock and a
# serialization failure: each says "try again shortly", not "this request is wrong".
_SQLITE_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_SQLITE_BUSY_TEXT = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_BUSY_STATES = frozenset({"55P03", "40P01", "40001"})
# Seconds to wait before sending again a write that found the database busy (the web's
# ``Retry-After``): long enough for a batch of writes to pass, short for a person.
BUSY_RETRY_SECONDS = 5


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a write because others hold its locks.

    Such a transaction was rolled back whole; the same request a few seconds
    later may well succeed (the web answers 503 with ``Retry-After``).
    """
    if not isinstance(exc, OperationalError):
        return False
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY_CODES
    if getattr(orig, "sqlstate", None) in _POSTGRES_BUSY_STATES:
        return True
    return str(orig).strip().lower().startswith(_SQLITE_BUSY_TEXT)


# SQLite's result codes for a file that cannot be opened, read or written (a folder gone or
# unmounted, a full disk, permissions taken away), and PostgreSQL's SQLSTATEs for a
# connection lost or refused (class 08), a server out of resources such as connection slots
# (class 53) and a server shutting down or starting (57P01-57P03): each says "the database
# is not there now", not "this request is wrong".
_SQLITE_UNAVAILABLE_CODES = frozenset({8, 10, 13, 14})  # READONLY, IOERR, FULL, CANTOPEN
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "53")
_POSTGRES_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03"})
_PGCONN_BAD = 1  # psycopg.pq.ConnStatus.BAD: the connection failed or was lost
# A database that is down usually takes longer to come back than a lock to be released.
UNAVAILABLE_RETRY_SECONDS = 30


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached or used at all just now.

    Down, unreachable, out of connections, or (SQLite) a file that cannot be
    opened: nothing was stored, and the same request may succeed once the
    database is back (the web answers 503 with ``Retry-After``).
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # SQLAlchemy saw the connection drop mid-use
        return True
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_UNAVAILABLE_CODES
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        return state[:2] in _POSTGRES_UNAVAILABLE_CLASSES or state in _POSTGRES_UNAVAILABLE_STATES
    # psycopg gives a connection that could not be made (refused, too many clients, the
    # server starting) no SQLSTATE; its PGconn says it is broken.
    return getattr(getattr(orig, "pgconn", None), "status", None) == _PGCONN_BAD


def database_fault(exc: BaseException) -> str:
    """One line saying why the database refused, for a log: never the statement or its values.

    The driver's first line for a connection that failed ("Connection refused",
    "too many clients"); SQLite's error name otherwise.
    """
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return name
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        return f"SQLSTATE {state}"
    lines = str(orig or type(exc).__name__).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def check_connection(engine: Engine) -> None:
    """Open one connection, or raise ConfigError naming the database setting."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unreachable"
        raise ConfigError(
            "MARSAD_DATABASE_URL",
            f"cannot connect to the database at {engine.url.render_as_string()}: {reason}",
        ) from None


def session_factory(engine: Engine, settings: Settings | None = None) -> sessionmaker[Session]:
    """Sessions for this engine. With settings, they carry the audit chain's key.

    Pass ``reader(engine)`` for sessions that only read (see :func:`reader`).
    """
    info: dict[str, Any] = {}
    if settings is not None:
        from marsad.core.security import derive_key

        info["audit_key"] = derive_key(settings.secret(), "audit-chain")
        info["settings"] = settings
    factory = sessionmaker(engine, expire_on_commit=False, info=info)
    if settings is not None:
        from marsad.core import anchor

        anchor.install(factory)
    return factory


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One short transaction: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def database_status(engine: Engine) -> dict[str, Any]:
    """What /health says about the database: reachable and at which migration."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        # The migrations are one chain, so a database is at one revision; "revisions"
        # (kept for the scripts that read it) lists it, or, in a database made before
        # 0001_baseline and not yet upgraded, the old branch heads ("revision" is null).
        revisions = sorted(rows)
        return {
            "ok": True,
            "backend": engine.dialect.name,
            "revision": revisions[0] if len(revisions) == 1 else None,
            "revisions": revisions,
        }
    except Exception:  # noqa: BLE001 - health must answer, whatever went wrong
        return {"ok": False, "backend": engine.dialect.name, "revision": None, "revisions": []}
