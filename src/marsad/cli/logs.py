"""Logging for every ``marsad`` command: one format, one level, and what never reaches it.

Every command starts at WARNING (:func:`start_logging`, from the app's callback),
so the short ones (``marsad jobs list``) print nothing but their answer. The
long-running ones (``serve``, ``demo``, ``scheduler``, ``worker``) then set
``MARSAD_LOG_LEVEL`` with :func:`configure_logging`, so their INFO lines (the
periodic jobs submitted, a job started) show.

Whatever the level, a few libraries' loggers stay at WARNING, since what they say
below it is what the logs must never hold: SQLAlchemy logs each statement at
INFO and the rows it read at DEBUG (a report's text, a contact); httpx and
httpcore log each request's URL (a webhook's URL often holds its token); uvicorn
logs client addresses, which Marsad never keeps. The engine's
``hide_parameters`` keeps values out of the errors that are logged. Two more
stay at WARNING for their noise alone: WeasyPrint's progress (ten lines a PDF)
and fontTools' subsetting; WeasyPrint's own warnings and errors still show.
"""

from __future__ import annotations

import logging

from marsad.core.errors import ConfigError

FORMAT = "%(levelname)s %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Loggers kept at WARNING or above, whatever MARSAD_LOG_LEVEL says (see above why).
QUIET = (
    "sqlalchemy",
    "httpx",
    "httpcore",
    "urllib3",
    "uvicorn",
    "weasyprint.progress",
    "fontTools",
)


def start_logging() -> None:
    """Log WARNING and above to stderr, in one format (every command, before its settings)."""
    logging.basicConfig(level=logging.WARNING, format=FORMAT)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str) -> None:
    """Log at ``level`` (``MARSAD_LOG_LEVEL``); ConfigError for a level that is not one.

    The quiet loggers stay at WARNING, or at ``level`` when it is higher.
    """
    name = (level or "").strip().upper()
    if name not in LEVELS:
        raise ConfigError("MARSAD_LOG_LEVEL", f"{level!r} is not a level; use {', '.join(LEVELS)}")
    start_logging()
    logging.getLogger().setLevel(name)
    floor = max(logging.WARNING, logging.getLevelName(name))
    for quiet in QUIET:
        logging.getLogger(quiet).setLevel(floor)
