"""Typed references: how one capability cites another's record without reading its tables.

A reference is ``<prefix>:<id>`` (``post:123``, ``report:4f0c…``, ``flag:9``,
``cluster:run/3``, ``evidence:sha256:<hex>``). Each prefix is owned by one
capability, which returns a ``RefType`` from its ``marsad_references`` hook;
``resolve`` answers with a ``ResolvedRef`` (or None when the record does not
exist), so a violation or a weekly report can store and show any reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ResolvedRef:
    """What a reference points at, as another capability may show it."""

    ref: str
    kind: str
    title: str
    url: str | None = None
    public: bool = False
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class RefType:
    """One reference prefix and the function that resolves its ids (``resolve(session, id)``)."""

    prefix: str
    resolve: Callable[[Any, str], ResolvedRef | None]
    description: str = ""
