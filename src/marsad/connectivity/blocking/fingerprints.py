"""Blockpage fingerprints: the text a censor's middlebox leaves in a DNS answer or HTTP reply.

A fingerprint is data, not code: the shipped ones are ``data/fingerprints.json``
(facts from OONI's blocking-fingerprints list, with attribution there) and staff
add the ones they document to the database (``marsad connectivity fingerprints add``).
The fields follow OONI's list, so its CSV can be loaded as it is:
``location`` is ``dns``, ``body`` or ``header.<name>``; ``pattern_type`` is
``full``, ``prefix``, ``contains`` or ``regexp``.

Pure logic: no database, no web framework.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.core.errors import InvalidInput

SHIPPED = Path(__file__).resolve().parent / "data" / "fingerprints.json"
PATTERN_TYPES = ("full", "prefix", "contains", "regexp")
_LOCATION = re.compile(r"dns|body|header\.[a-z0-9-]{1,64}")
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_MAX_PATTERN = 1000


@dataclass(frozen=True)
class Fingerprint:
    """One blockpage fingerprint."""

    name: str
    location: str
    pattern_type: str
    pattern: str
    scope: str = ""
    countries: tuple[str, ...] = ()
    source: str = ""
    notes: str = ""
    _regexp: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, value: str) -> bool:
        """Whether ``value`` (an answer, a header value or a body) carries this fingerprint."""
        if self.pattern_type == "full":
            return value == self.pattern
        if self.pattern_type == "prefix":
            return value.startswith(self.pattern)
        if self.pattern_type == "contains":
            return self.pattern in value
        return bool(self._regexp and self._regexp.search(value))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "location": self.location,
            "pattern_type": self.pattern_type,
            "pattern": self.pattern,
            "scope": self.scope,
            "countries": list(self.countries),
            "source": self.source,
            "notes": self.notes,
        }


def make_fingerprint(values: Mapping[str, Any], *, where: str) -> Fingerprint:
    """A fingerprint from a JSON object or CSV row; InvalidInput naming ``where`` and field."""

    def text(key: str, *alts: str) -> str:
        for name in (key, *alts):
            value = values.get(name)
            if value is not None:
                return str(value).strip()
        return ""

    name = text("name")
    location = text("location", "location_found").lower()
    pattern_type = text("pattern_type").lower()
    pattern = text("pattern")
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "err_connectivity_fingerprint",
            "name must be 1-100 letters, digits or . _ : -",
            f"{where}: name",
        )
    if not _LOCATION.fullmatch(location):
        raise InvalidInput(
            "err_connectivity_fingerprint",
            f"location {location!r} is not dns, body or header.<name>",
            f"{where}: location",
        )
    if pattern_type not in PATTERN_TYPES:
        raise InvalidInput(
            "err_connectivity_fingerprint",
            f"pattern_type {pattern_type!r} is not one of {', '.join(PATTERN_TYPES)}",
            f"{where}: pattern_type",
        )
    if not pattern or len(pattern) > _MAX_PATTERN:
        raise InvalidInput(
            "err_connectivity_fingerprint",
            f"pattern must be 1-{_MAX_PATTERN} characters",
            f"{where}: pattern",
        )
    compiled = None
    if pattern_type == "regexp":
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise InvalidInput(
                "err_connectivity_fingerprint",
                f"pattern is not a regular expression: {exc}",
                f"{where}: pattern",
            ) from None
    countries = values.get("countries", values.get("expected_countries")) or []
    if isinstance(countries, str):
        countries = [c for c in re.split(r"[,\s]+", countries) if c]
    return Fingerprint(
        name=name,
        location=location,
        pattern_type=pattern_type,
        pattern=pattern,
        scope=text("scope"),
        countries=tuple(str(c).upper() for c in countries),
        source=text("source"),
        notes=text("notes"),
        _regexp=compiled,
    )


def shipped_fingerprints() -> list[Fingerprint]:
    """The fingerprints Marsad ships (``data/fingerprints.json``)."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return [
        make_fingerprint(item, where=f"{SHIPPED.name}: fingerprint {n}")
        for n, item in enumerate(doc["fingerprints"], start=1)
    ]


def read_fingerprints(path: Path) -> list[Fingerprint]:
    """Fingerprints from a .json file (a list, or ``{"fingerprints": [...]}``) or OONI's CSV."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "err_connectivity_fingerprint", f"cannot read the file: {exc}", str(path)
        ) from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(content)))
        return [
            make_fingerprint(row, where=f"{path.name}: line {n}")
            for n, row in enumerate(rows, start=2)
        ]
    try:
        doc = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "err_connectivity_fingerprint",
            f"not JSON: {exc.msg}",
            f"{path.name}: line {exc.lineno}",
        ) from None
    items = doc.get("fingerprints") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InvalidInput(
            "err_connectivity_fingerprint",
            'expected a list of fingerprints or {"fingerprints": [...]}',
            path.name,
        )
    found = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(
                "err_connectivity_fingerprint",
                "a fingerprint is an object",
                f"{path.name}: fingerprint {n}",
            )
        found.append(make_fingerprint(item, where=f"{path.name}: fingerprint {n}"))
    return found


@dataclass
class Matcher:
    """The fingerprints in force, split by where they look."""

    dns: list[Fingerprint]
    headers: dict[str, list[Fingerprint]]
    body: list[Fingerprint]

    @classmethod
    def of(cls, fingerprints: Iterable[Fingerprint]) -> Matcher:
        matcher = cls([], {}, [])
        for fp in fingerprints:
            if fp.location == "dns":
                matcher.dns.append(fp)
            elif fp.location == "body":
                matcher.body.append(fp)
            else:
                matcher.headers.setdefault(fp.location.removeprefix("header."), []).append(fp)
        return matcher

    def match_dns(self, answers: Iterable[str]) -> Fingerprint | None:
        """The first fingerprint an answer (an address or a name) matches."""
        for answer in answers:
            for fp in self.dns:
                if fp.matches(answer):
                    return fp
        return None

    def match_http(self, headers: Iterable[tuple[str, str]], body: str) -> Fingerprint | None:
        """The first fingerprint a response's headers or body matches."""
        for name, value in headers:
            for fp in self.headers.get(name.lower(), ()):
                if fp.matches(value):
                    return fp
        if body:
            for fp in self.body:
                if fp.matches(body):
                    return fp
        return None
