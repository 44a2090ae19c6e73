"""Source adapters: one class per export format, each with one role method ``iter_posts``.

``SOURCES`` is the registry the service, the CLI and the docs read; a format name is
what users type after ``marsad ingest``.
"""

from __future__ import annotations

from collections.abc import Mapping

from marsad.core.errors import InvalidInput
from marsad.posts.sources.base import Source
from marsad.posts.sources.crowdtangle import CrowdTangleSource
from marsad.posts.sources.table import CsvSource, JsonlSource
from marsad.posts.sources.telegram import TelegramSource
from marsad.posts.sources.x import XSource
from marsad.posts.sources.youtube import YouTubeSource

SOURCES: dict[str, type[Source]] = {
    cls.name: cls
    for cls in (TelegramSource, XSource, CrowdTangleSource, YouTubeSource, CsvSource, JsonlSource)
}
ALIASES = {"twitter": "x", "twarc": "x", "twarc2": "x", "facebook": "crowdtangle"}
MAPPED = frozenset({"csv", "jsonl"})


def make_source(
    fmt: str, *, mapping: str | Mapping[str, str] | None = None, platform: str = "other"
) -> Source:
    """Build the adapter for a format name; mapping and platform apply to csv and jsonl."""
    key = ALIASES.get(fmt.lower(), fmt.lower())
    cls = SOURCES.get(key)
    if cls is None:
        raise InvalidInput(
            "err_posts_format",
            f"unknown format '{fmt}'; formats are {', '.join(sorted(SOURCES))}",
            where="FORMAT",
        )
    if key in MAPPED:
        return cls(mapping=mapping, platform=platform)  # type: ignore[call-arg]
    if mapping:
        raise InvalidInput(
            "err_posts_mapping", f"--map applies to csv and jsonl, not {key}", where="--map"
        )
    return cls()


__all__ = ["SOURCES", "Source", "make_source"]
