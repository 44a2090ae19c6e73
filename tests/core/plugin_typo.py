"""A plugin with a misspelt hook name: refused rather than silently never called."""

from __future__ import annotations

from typing import Any

from marsad.core.plugins import hookimpl


@hookimpl
def marsad_router() -> list[Any]:
    return []
