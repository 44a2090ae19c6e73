"""Source adapters: one class per export format, each with one role method ``iter_posts``.

:func:`available_sources` is the registry the service, the CLI and the docs read; a
format name is what users type after ``marsad ingest``. The built-in adapters
(``SOURCES``) and third-party ones go through it alike: a package adds a format by
declaring a :class:`Source` subclass under the ``marsad.sources`` entry-point group.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from importlib.metadata import entry_points

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
log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "marsad.sources"


def available_sources() -> dict[str, type[Source]]:
    """Every format: the built-in adapters, then those installed packages declare.

    A plugin that fails to load is logged and left out; it never hides the others,
    and it cannot replace a built-in format.
    """
    found = dict(SOURCES)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = entry.load()
        except Exception:  # noqa: BLE001 - a broken plugin must not stop ingest
            log.warning("source plugin %s could not be loaded", entry.value, exc_info=True)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Source)):
            log.warning("source plugin %s is not a Source subclass; ignored", entry.value)
            continue
        found.setdefault(getattr(cls, "name", entry.name), cls)
    return found


ALIASES = {"twitter": "x", "twarc": "x", "twarc2": "x", "facebook": "crowdtangle"}
MAPPED = frozenset({"csv", "jsonl"})


# What posts.platform holds (String(16)): a longer value would make PostgreSQL refuse
# every batch of the ingest.
_PLATFORM = re.compile(r"[a-z0-9_-]{1,16}")


def make_source(
    fmt: str, *, mapping: str | Mapping[str, str] | None = None, platform: str = "other"
) -> Source:
    """Build the adapter for a format name; mapping and platform apply to csv and jsonl."""
    key = ALIASES.get(fmt.lower(), fmt.lower())
    sources = available_sources()
    cls = sources.get(key)
    if cls is None:
        raise InvalidInput(
            "err_posts_format",
            f"unknown format '{fmt}'; formats are {', '.join(sorted(sources))}",
            where="FORMAT",
        )
    if key in MAPPED:
        if not _PLATFORM.fullmatch(platform):
            raise InvalidInput(
                "err_posts_platform",
                f"platform '{platform[:40]}' is not a name of 1-16 lowercase letters, digits, "
                "'-' or '_' (e.g. facebook, tiktok)",
                where="--platform",
            )
        return cls(mapping=mapping, platform=platform)  # type: ignore[call-arg]
    if mapping:
        raise InvalidInput(
            "err_posts_mapping", f"--map applies to csv and jsonl, not {key}", where="--map"
        )
    return cls()


__all__ = ["SOURCES", "Source", "available_sources", "make_source"]
