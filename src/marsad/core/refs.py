"""Typed references: how one capability cites another's record without reading its tables.

The contract classes (``RefType``, ``ResolvedRef``) and the kernel's functions:
:func:`parse_ref` / :func:`format_ref` (the one ``<prefix>:<id>`` text form),
:func:`validate_ref` (a reference whose prefix some capability owns) and
:func:`resolve_ref` / :func:`resolve_many` (what a reference points at, through
the owning capability's resolver). Each capability lists its prefixes in its
``refs.py`` as ``REF_TYPES``; the registry gathers them (``marsad_references``)
and callers pass ``registry.references()`` as ``types``.

A reference is ``<prefix>:<id>`` (``post:123``, ``report:4f0c…``, ``flag:9``,
``cluster:run/3``, ``evidence:sha256:<hex>``). Each prefix is owned by one
capability, which returns a ``RefType`` from its ``marsad_references`` hook;
``resolve`` answers with a ``ResolvedRef`` (or None when the record does not
exist), so a violation or a weekly report can store and show any reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from marsad.core.errors import InvalidInput, MarsadError


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


# A prefix is a lowercase word; the id is whatever its owner uses (it may hold ':' or
# '/', as in ``evidence:sha256:<hex>`` or ``cluster:<run>/<n>``) but no white space.
_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,31}")
_ID = re.compile(r"\S{1,200}")
RefTypes = Mapping[str, RefType] | Iterable[RefType]


def parse_ref(text: str, *, where: str = "ref") -> tuple[str, str]:
    """``(prefix, id)`` of ``<prefix>:<id>``; InvalidInput naming the text otherwise."""
    prefix, sep, ident = text.partition(":") if isinstance(text, str) else ("", "", "")
    if not sep or not _PREFIX.fullmatch(prefix) or not _ID.fullmatch(ident):
        raise InvalidInput(
            "err_ref_invalid",
            f"{str(text)[:80]!r} is not a reference; expected <prefix>:<id>, e.g. post:123",
            where,
        )
    return prefix, ident


def format_ref(prefix: str, ident: str | int) -> str:
    """The text form ``<prefix>:<id>``; InvalidInput when either part could not be parsed back."""
    text = f"{prefix}:{ident}"
    parse_ref(text)
    return text


def ref_types(types: RefTypes) -> dict[str, RefType]:
    """Reference types by prefix, from the registry's dict or a list; a prefix owned twice fails."""
    if isinstance(types, Mapping):
        return dict(types)
    by_prefix: dict[str, RefType] = {}
    for ref_type in types:
        if ref_type.prefix in by_prefix:
            raise ValueError(f"two reference types claim the prefix {ref_type.prefix!r}")
        by_prefix[ref_type.prefix] = ref_type
    return by_prefix


def validate_ref(text: str, types: RefTypes, *, where: str = "ref") -> str:
    """The reference, checked for form and for a prefix some capability owns."""
    prefix, _ident = parse_ref(text, where=where)
    known = ref_types(types)
    if prefix not in known:
        raise InvalidInput(
            "err_ref_unknown_prefix",
            f"{text!r}: no capability resolves {prefix!r} references; "
            f"known prefixes: {', '.join(sorted(known)) or 'none'}",
            where,
            ref=text,
        )
    return text


def resolve_ref(session: Any, ref: str, types: RefTypes, *, where: str = "ref") -> ResolvedRef:
    """What ``ref`` points at, asked of the capability that owns its prefix.

    Raises InvalidInput naming the reference when its form is wrong, its
    prefix is unknown, or no such record exists (``err_ref_not_found``).
    """
    known = ref_types(types)
    validate_ref(ref, known, where=where)
    prefix, ident = parse_ref(ref, where=where)
    try:
        resolved = known[prefix].resolve(session, ident)
    except MarsadError:  # the owner refused the id (a bad form, a missing record)
        resolved = None
    if resolved is None:
        raise InvalidInput(
            "err_ref_not_found", f"{ref!r} does not point at any record", where, ref=ref
        )
    return resolved


def resolve_many(
    session: Any, refs: Iterable[str], types: RefTypes, *, where: str = "refs"
) -> list[ResolvedRef]:
    """Every reference resolved, in order; InvalidInput listing each one that is not."""
    known = ref_types(types)
    resolved: list[ResolvedRef] = []
    failed: list[dict[str, str]] = []
    for ref in refs:
        try:
            resolved.append(resolve_ref(session, ref, known, where=where))
        except InvalidInput as exc:
            failed.append({"ref": str(ref), "error": exc.code, "message": exc.message})
    if failed:
        raise InvalidInput(
            failed[0]["error"] if len(failed) == 1 else "err_refs_invalid",
            "; ".join(f["message"] for f in failed),
            where,
            refs=failed,
        )
    return resolved
