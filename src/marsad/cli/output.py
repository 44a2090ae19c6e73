"""How every CLI command reports results and errors.

Commands that produce results accept ``--json`` and then print exactly one
JSON document on stdout. A :class:`~marsad.core.errors.MarsadError` becomes one
line on stderr naming what is wrong and where, and the error's exit code —
never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from marsad.core import i18n
from marsad.core.errors import MarsadError

F = TypeVar("F", bound=Callable[..., Any])

# CSV for Excel: a byte order mark in front (marsad.core.spreadsheets says why it is optional).
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom", help="Start CSV output with a UTF-8 byte order mark, so Excel shows Arabic."
    ),
]


def print_json(document: Any) -> None:
    """Print one JSON document (UTF-8, Arabic kept readable) on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, *, exit_code: int = 2) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(exit_code)


def user_errors(func: F) -> F:
    """Turn MarsadError raised by a command into one stderr line and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Messages in the user's language: MARSAD_LANGUAGE, else the locale.
        token = i18n.current_language.set(i18n.cli_language())
        try:
            return func(*args, **kwargs)
        except MarsadError as exc:
            message = i18n.gettext(exc.message)
            where = f"{exc.where}: " if exc.where else ""
            raise fail(f"{where}{message} [{exc.code}]", exit_code=exc.exit_code) from None
        finally:
            i18n.current_language.reset(token)

    return wrapper  # type: ignore[return-value]
