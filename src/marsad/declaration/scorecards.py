"""Scorecards and the league table: what is public about each actor's record.

Only violations :func:`marsad.declaration.violations.is_public` lets through
count; their evidence is shown only where its owner says it is public (a
published report), the rest only counted by kind, so a post or flag cited in
a case does not become public through it and a reporter stays private.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput
from marsad.core.refs import parse_ref, resolve_ref
from marsad.declaration import texts
from marsad.declaration.actors import describe, get_profile, list_profiles
from marsad.declaration.models import Violation
from marsad.declaration.service import get_declaration
from marsad.declaration.violations import is_public

GROUPINGS = ("actor", "party", "list", "group")


def _public_violations(session: Session, declaration_id: str | None) -> list[Violation]:
    if not declaration_id:
        return []
    now = utcnow()
    rows = session.execute(
        select(Violation).where(Violation.declaration_id == declaration_id)
    ).scalars()
    return [v for v in rows if is_public(v, now)]


def public_evidence(session: Session, refs: list[str], references: Any) -> dict[str, Any]:
    """The references whose owner calls them public, and how many others of each kind."""
    shown, hidden = [], Counter()
    for ref in refs:
        try:
            resolved = resolve_ref(session, ref, references)
        except Exception:  # noqa: BLE001 - a record deleted since is simply not shown
            resolved = None
        if resolved is not None and resolved.public:
            url = (resolved.extra or {}).get("public_url") or resolved.url
            shown.append(
                {"ref": resolved.ref, "kind": resolved.kind, "title": resolved.title, "url": url}
            )
        else:
            hidden[parse_ref(ref)[0]] += 1
    return {"public": shown, "other": dict(sorted(hidden.items()))}


def _violation_json(
    session: Session, v: Violation, content: dict[str, Any], lang: str, references: Any
) -> dict[str, Any]:
    commitment = texts.commitments(content).get(v.commitment_id, {})
    return {
        "id": v.id,
        "commitment_id": v.commitment_id,
        "commitment": texts.pick(commitment, lang) if commitment else "",
        "description": v.description,
        "severity": v.severity,
        "period": v.period,
        "status": v.status,
        "notified_at": v.notified_at.isoformat() if v.notified_at else None,
        "reply": v.reply_text,
        "reply_at": v.reply_at.isoformat() if v.reply_at else None,
        "evidence": public_evidence(session, list(v.evidence), references),
    }


def scorecard(
    session: Session, *, slug: str, actor_id: str, lang: str, references: Any
) -> dict[str, Any]:
    """One actor's scorecard: per period and overall, commitments honoured and breached."""
    declaration = get_declaration(session, slug=slug)
    profile = get_profile(session, actor_id=actor_id)
    [actor] = describe(session, [profile])
    content = declaration.content
    mine = [v for v in _public_violations(session, declaration.id) if v.actor_id == actor_id]
    own = [
        c["id"]
        for g in content["groups"]
        if g["slug"] == profile.group_slug
        for c in g["commitments"]
    ]
    periods = [{"slug": None, "name": None}] + [
        {"slug": p["slug"], "name": texts.pick(p["name"], lang)} for p in content["periods"]
    ]
    rows = []
    for period in periods:
        those = [v for v in mine if period["slug"] is None or v.period == period["slug"]]
        breached = sorted({v.commitment_id for v in those})
        rows.append(
            {
                "period": period["slug"],
                "period_name": period["name"],
                "commitments": len(own),
                "honoured": [c for c in own if c not in breached],
                "breached": breached,
                "violations": len(those),
            }
        )
    return {
        "declaration": slug,
        "actor": actor,
        "periods": rows,
        "violations": [_violation_json(session, v, content, lang, references) for v in mine],
    }


def league(
    session: Session, *, slug: str, lang: str, by: str = "actor", period: str | None = None
) -> dict[str, Any]:
    """The league table: every actor (or party, list, group) with commitments breached and
    confirmed public violations, fewest breaches first."""
    if by not in GROUPINGS:
        raise InvalidInput("err_invalid_input", f"by is one of {', '.join(GROUPINGS)}", "by")
    declaration = get_declaration(session, slug=slug)
    content = declaration.content
    actors = describe(session, list_profiles(session))
    violations = [
        v
        for v in _public_violations(session, declaration.id)
        if period is None or v.period == period
    ]
    group_names = {g["slug"]: texts.pick(g["name"], lang) for g in content["groups"]}
    group_size = {g["slug"]: len(g["commitments"]) for g in content["groups"]}

    def key(actor: dict[str, Any]) -> str | None:
        if by == "actor":
            return actor["id"]
        if by == "party":
            return actor["party"]
        if by == "list":
            return actor["list_number"]
        return actor["group"]

    rows: dict[str, dict[str, Any]] = {}
    actor_key = {}
    for actor in actors:
        k = key(actor)
        if k is None:
            continue
        actor_key[actor["id"]] = k
        row = rows.setdefault(
            k,
            {
                "key": k,
                "name": actor["name"]
                if by == "actor"
                else group_names.get(k, k)
                if by == "group"
                else k,
                "actors": 0,
                "commitments": 0,
                "breached": set(),
                "violations": 0,
                "high": 0,
            },
        )
        if by == "actor":
            row.update(
                {
                    "kind": actor["kind"],
                    "group": actor["group"],
                    "party": actor["party"],
                    "list_number": actor["list_number"],
                    "governorate": actor["governorate"],
                    "signatory": actor["signatory"],
                }
            )
        row["actors"] += 1
        row["commitments"] += group_size.get(actor["group"], 0)
    for v in violations:
        k = actor_key.get(v.actor_id)
        if k is None:
            continue
        rows[k]["breached"].add((v.actor_id, v.commitment_id))
        rows[k]["violations"] += 1
        rows[k]["high"] += v.severity == "high"
    out = []
    for row in rows.values():
        breached = len(row.pop("breached"))
        out.append({**row, "breached": breached, "honoured": max(row["commitments"] - breached, 0)})
    out.sort(key=lambda r: (r["breached"], r["violations"], str(r["name"])))
    return {"declaration": slug, "by": by, "period": period, "rows": out}


CSV_FIELDS = ("key", "name", "actors", "commitments", "honoured", "breached", "violations", "high")


def league_csv(table: dict[str, Any]) -> str:
    """The league table as CSV (one row per actor, party, list or group)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in table["rows"]:
        writer.writerow({k: _cell(row.get(k)) for k in CSV_FIELDS})
    return out.getvalue()


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to a spreadsheet: quote it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def scorecard_csv(card: dict[str, Any]) -> str:
    """An actor's scorecard as CSV: one row per period (the first for all periods)."""
    out = io.StringIO()
    fields = ("actor", "period", "commitments", "honoured", "breached", "violations")
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in card["periods"]:
        writer.writerow(
            {
                "actor": _cell(card["actor"]["name"]),
                "period": row["period"] or "all",
                "commitments": row["commitments"],
                "honoured": len(row["honoured"]),
                "breached": " ".join(row["breached"]),
                "violations": row["violations"],
            }
        )
    return out.getvalue()
