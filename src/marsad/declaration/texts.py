"""Declarations as data: the shipped texts, their shape, and one language's view of them.

Pure functions (no database): the service stores what :func:`build_content`
returns and pages show what :func:`localized` makes of it. A commitment's id is
``<group slug>-<n>``, numbered in the order the declaration lists them; ids
never change when a text is corrected or translated.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from marsad.core.errors import InvalidInput

DATA = Path(__file__).resolve().parent / "data"
SHIPPED = ("iraq-2021",)
LANGS = ("ar", "ckb", "en")
PERIOD_KINDS = ("campaign", "silence", "election-day", "government-formation")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def shipped(slug: str) -> dict[str, Any]:
    """The raw document of a declaration shipped in ``data/``."""
    return json.loads((DATA / f"{slug}.json").read_text(encoding="utf-8"))


def _texts(value: Any, where: str, *, required: bool = True) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InvalidInput("err_declaration_text", "expected texts by language", where)
    out = {lang: str(value.get(lang) or "").strip() for lang in LANGS}
    if required and not (out["ar"] or out["en"]):
        raise InvalidInput("err_declaration_text", "an Arabic or English text is needed", where)
    return out


def check_slug(slug: str, where: str = "slug") -> str:
    """A lower-case slug of letters, digits and dashes, or InvalidInput."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        raise InvalidInput(
            "err_declaration_slug", f"{slug!r} is not a slug (a-z, 0-9 and -)", where
        )
    return slug


def build_content(doc: dict[str, Any]) -> dict[str, Any]:
    """A declaration document checked and normalised, commitment ids assigned.

    Raises InvalidInput naming the field (``groups[2].commitments[0].en``…).
    """
    groups = doc.get("groups")
    if not isinstance(groups, list) or not groups:
        raise InvalidInput("err_declaration_groups", "a declaration needs groups", "groups")
    out_groups = []
    seen: set[str] = set()
    for gi, group in enumerate(groups):
        where = f"groups[{gi}]"
        if not isinstance(group, dict):
            raise InvalidInput("err_declaration_groups", "expected an object", where)
        slug = check_slug(group.get("slug", ""), f"{where}.slug")
        if slug in seen:
            raise InvalidInput("err_declaration_groups", f"group {slug!r} twice", f"{where}.slug")
        seen.add(slug)
        commitments = []
        for ci, item in enumerate(group.get("commitments") or []):
            cwhere = f"{where}.commitments[{ci}]"
            texts = _texts(item, cwhere)
            tags = [str(t) for t in (item.get("tags") or [])] if isinstance(item, dict) else []
            commitments.append({"id": item.get("id") or f"{slug}-{ci + 1}", **texts, "tags": tags})
        if not commitments:
            raise InvalidInput("err_declaration_groups", "a group needs commitments", where)
        out_groups.append(
            {
                "slug": slug,
                "name": _texts(group.get("name"), f"{where}.name"),
                "commitments": commitments,
            }
        )
    periods = []
    for pi, period in enumerate(doc.get("periods") or []):
        where = f"periods[{pi}]"
        slug = check_slug(period.get("slug", ""), f"{where}.slug")
        try:
            starts = date.fromisoformat(str(period.get("starts")))
            ends = date.fromisoformat(str(period.get("ends")))
        except ValueError:
            raise InvalidInput("err_date_invalid", "dates are YYYY-MM-DD", where) from None
        if ends < starts:
            raise InvalidInput("err_declaration_period", "a period ends after it starts", where)
        periods.append(
            {
                "slug": slug,
                "name": _texts(period.get("name") or {"en": slug}, f"{where}.name"),
                "starts": starts.isoformat(),
                "ends": ends.isoformat(),
            }
        )
    return {
        "title": _texts(doc.get("title"), "title"),
        "preamble": _texts(doc.get("preamble") or {"en": "-"}, "preamble", required=False),
        "purpose": [_texts(p, f"purpose[{i}]") for i, p in enumerate(doc.get("purpose") or [])],
        "principles": [
            _texts(p, f"principles[{i}]") for i, p in enumerate(doc.get("principles") or [])
        ],
        "source": str(doc.get("source") or ""),
        "periods": periods,
        "groups": out_groups,
    }


def pick(texts: dict[str, str], lang: str) -> str:
    """The text in ``lang``, else Arabic (the original), else English."""
    return texts.get(lang) or texts.get("ar") or texts.get("en") or ""


def commitments(content: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every commitment by id, with its group's slug."""
    return {c["id"]: {**c, "group": g["slug"]} for g in content["groups"] for c in g["commitments"]}


def commitment_for(content: dict[str, Any], group: str, tag: str) -> str | None:
    """The id of the first commitment of ``group`` tagged ``tag`` (a rule's target)."""
    for g in content["groups"]:
        if g["slug"] == group:
            for c in g["commitments"]:
                if tag in c.get("tags", []):
                    return c["id"]
    return None


def period_of(content: dict[str, Any], day: date) -> str | None:
    """The slug of the last monitoring period that holds ``day`` (ends exclusive)."""
    found = None
    for p in content.get("periods", []):
        if date.fromisoformat(p["starts"]) <= day < date.fromisoformat(p["ends"]):
            found = p["slug"]
    return found


def localized(slug: str, version: int, content: dict[str, Any], lang: str) -> dict[str, Any]:
    """The declaration in one language: the API's document and the page's context."""
    return {
        "slug": slug,
        "version": version,
        "title": pick(content["title"], lang),
        "preamble": pick(content["preamble"], lang),
        "purpose": [pick(p, lang) for p in content["purpose"]],
        "principles": [pick(p, lang) for p in content["principles"]],
        "periods": [
            {
                "slug": p["slug"],
                "name": pick(p["name"], lang),
                "starts": p["starts"],
                "ends": p["ends"],
            }
            for p in content["periods"]
        ],
        "groups": [
            {
                "slug": g["slug"],
                "name": pick(g["name"], lang),
                "commitments": [{"id": c["id"], "text": pick(c, lang)} for c in g["commitments"]],
            }
            for g in content["groups"]
        ],
    }
