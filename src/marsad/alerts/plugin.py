"""The alerts capability as the registry sees it."""

from __future__ import annotations

from typing import Any

from marsad.core.plugins import hookimpl


@hookimpl
def marsad_routers() -> list[Any]:
    return []
