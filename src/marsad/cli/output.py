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
from typing import Any, TypeVar

import typer

from marsad.core.errors import MarsadError

F = TypeVar("F", bound=Callable[..., Any])


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
        try:
            return func(*args, **kwargs)
        except MarsadError as exc:
            raise fail(f"{exc} [{exc.code}]", exit_code=exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
