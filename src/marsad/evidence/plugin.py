"""The evidence capability as the registry sees it: captures, custody, timestamps, bundles."""

from __future__ import annotations

from typing import Any

from marsad.core.plugins import hookimpl

# Evidence cites posts (raw records) and reports (attachments) by reference only.
REQUIRES: tuple[str, ...] = ()


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.evidence.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    return []
