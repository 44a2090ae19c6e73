"""One way for a CLI command to open the store: settings, engine and sessions in one call.

Settings are read afresh for every command (``get_settings()`` is cached for the
web process). A database that is not at the migration the code needs is refused
with one line saying what to do, before any command reads or writes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.errors import ConfigError
from marsad.core.settings import Settings, load_settings


@dataclass(frozen=True)
class Store:
    """What a command works with: the settings tree, the engine and a session factory."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def require_current(engine: Engine) -> None:
    """Raise ConfigError (one line, exit 2) unless every migration is applied."""
    if migrate.is_current(engine):
        return
    current = migrate.describe(migrate.current_revisions(engine))
    heads = migrate.describe(migrate.head_revisions())
    raise ConfigError(
        "MARSAD_DATABASE_URL",
        f"the database is at migration {current}, the code needs {heads}; "
        "run `marsad db upgrade` first",
    )


@contextmanager
def open_store(
    *, settings: Settings | None = None, check_current: bool = True, **overrides: Any
) -> Iterator[Store]:
    """Open the configured database for one command; its connections close afterwards.

    ``settings``: already read by the command (default: read afresh, with
    ``overrides``, settings given on the command line; None values are ignored).
    ``check_current=False`` is for the commands that manage migrations themselves.
    """
    if settings is None:
        settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    engine = make_engine(settings)
    try:
        if check_current:
            require_current(engine)
        yield Store(settings, engine, session_factory(engine, settings))
    finally:
        engine.dispose()
