"""The declaration's part of the dashboards and the weekly report: scorecards in figures.

Only what the declaration already publishes: confirmed signatures per
signatory group; and violations that are public (confirmed, notified and past
their right of reply, :data:`~marsad.declaration.violations.PUBLIC_STATUSES`)
by the end of the week: per group, the commitments honoured and breached; the
actors with public violations (their names are on the public scorecards); and
the evidence those violations cite, counted by kind. No violation's
description, no evidence title, no signer's address leaves this module. A
count of cited *reports* below the small-count threshold is hidden, like
every count of reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import i18n
from marsad.core.db import utcnow
from marsad.core.i18n import gettext as _
from marsad.core.i18n.markers import N_
from marsad.core.refs import parse_ref
from marsad.declaration import texts
from marsad.declaration.actors import describe
from marsad.declaration.models import ActorProfile, Declaration, Signature, Violation
from marsad.declaration.service import list_declarations
from marsad.declaration.violations import PUBLIC_STATUSES, SEVERITIES
from marsad.publish.sections import Figures, Period, Section, shown_count, source

TOP_ACTORS = 10
# What a violation's evidence may cite, by reference prefix (``report:`` counts are hidden
# below k: they concern citizens' reports).
EVIDENCE_KINDS = {
    "post": N_("Posts"),
    "flag": N_("Detector flags"),
    "report": N_("Citizen reports"),
    "cluster": N_("Coordinated groups"),
    "evidence": N_("Preserved evidence"),
}
SEVERITY_NAMES = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}


def _cutoff(period: Period) -> datetime:
    """A violation is public once its right of reply ran out: by the week's end, or now."""
    return min(period.end, utcnow())


def _signatures(
    session: Session, declaration: Declaration, period: Period, names: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Confirmed signatures standing at the week's end, per group, and those of the week."""
    confirmed = (
        Signature.declaration_id == declaration.id,
        Signature.status == "confirmed",
        Signature.confirmed_at < period.end,
    )
    by_group = (
        select(Signature.group_slug, func.count()).where(*confirmed).group_by(Signature.group_slug)
    )
    this_week = (
        select(func.count())
        .select_from(Signature)
        .where(*confirmed, Signature.confirmed_at >= period.start)
    )
    counts = dict(session.execute(by_group).all()) if declaration.id else {}
    new = session.execute(this_week).scalar_one() if declaration.id else 0
    rows = [
        {"key": slug, "label": name, "count": counts.get(slug, 0)} for slug, name in names.items()
    ]
    params = {"declaration": declaration.slug, "status": "confirmed", "end": period.end}
    return (
        {"total": sum(counts.values()), "this_week": new, "by_group": rows},
        [
            source("declaration.signatories_by_group", by_group, **params),
            source("declaration.signatories_this_week", this_week, **params, start=period.start),
        ],
    )


def _public(declaration: Declaration, cutoff: datetime) -> tuple[Any, ...]:
    return (
        Violation.declaration_id == declaration.id,
        Violation.status.in_(PUBLIC_STATUSES),
        Violation.reply_due.is_not(None),
        Violation.reply_due <= cutoff,
    )


def _evidence(refs: list[list[str]], k: int) -> list[dict[str, Any]]:
    """Cited evidence by kind; the count of cited reports is hidden below k."""
    kinds: Counter[str] = Counter()
    for evidence in refs:
        for ref in evidence or []:
            try:
                kinds[parse_ref(ref)[0]] += 1
            except Exception:  # noqa: BLE001 - a malformed old reference is simply "other"
                kinds["other"] += 1
    rows = []
    for kind, n in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
        label = _(EVIDENCE_KINDS[kind]) if kind in EVIDENCE_KINDS else _("Other")
        cell = shown_count(n, k) if kind == "report" else {"count": n}
        rows.append({"key": kind, "label": label, **cell})
    return rows


def compute(session: Session, period: Period, settings: Any) -> Figures:
    """Signatories, commitments honoured and breached per group, public violations, evidence."""
    k = settings.reports.reports_min_public_count
    lang = i18n.current_language.get()
    declaration = list_declarations(session)[0]
    content = declaration.content
    groups = {g["slug"]: texts.pick(g["name"], lang) for g in content["groups"]}
    commitments = {g["slug"]: [c["id"] for c in g["commitments"]] for g in content["groups"]}
    signatories, sources = _signatures(session, declaration, period, groups)
    cutoff = _cutoff(period)

    actors_query = (
        select(ActorProfile.group_slug, func.count())
        .where(ActorProfile.created_at < period.end)
        .group_by(ActorProfile.group_slug)
    )
    actors = dict(session.execute(actors_query).all())
    violations_query = select(
        Violation.actor_id,
        Violation.commitment_id,
        Violation.severity,
        Violation.evidence,
        Violation.reply_due,
    ).where(*_public(declaration, cutoff))
    rows = session.execute(violations_query).all() if declaration.id else []

    breached: defaultdict[str, set[str]] = defaultdict(set)  # group → commitment ids
    per_actor: defaultdict[str, dict[str, Any]] = defaultdict(
        lambda: {"violations": 0, "breached": set(), "evidence": 0}
    )
    group_of = {c: g for g, ids in commitments.items() for c in ids}
    severity: Counter[str] = Counter()
    week_severity: Counter[str] = Counter()
    per_week: Counter[str] = Counter()
    for actor_id, commitment_id, level, evidence, due in rows:
        group = group_of.get(commitment_id)
        if group is not None:
            breached[group].add(commitment_id)
        mine = per_actor[actor_id]
        mine["violations"] += 1
        mine["breached"].add(commitment_id)
        mine["evidence"] += len(evidence or [])
        severity[level] += 1
        per_week[period.week_of(due)] += 1
        if due >= period.start:
            week_severity[level] += 1

    scorecards = [
        {
            "key": slug,
            "label": name,
            "actors": actors.get(slug, 0),
            "commitments": len(commitments[slug]),
            "breached": len(breached[slug]),
            "honoured": len(commitments[slug]) - len(breached[slug]),
        }
        for slug, name in groups.items()
    ]
    profiles = (
        list(
            session.execute(
                select(ActorProfile).where(ActorProfile.actor_id.in_(list(per_actor)))
            ).scalars()
        )
        if per_actor
        else []
    )
    own = {p.actor_id: len(commitments.get(p.group_slug, [])) for p in profiles}
    top = sorted(
        (
            {
                "key": actor["id"],
                "label": actor["name"],
                "group": groups.get(actor["group"], actor["group"]),
                "commitments": own.get(actor["id"], 0),
                "breached": len(per_actor[actor["id"]]["breached"]),
                "count": per_actor[actor["id"]]["violations"],
                "evidence": per_actor[actor["id"]]["evidence"],
            }
            for actor in describe(session, profiles)
        ),
        key=lambda row: (-row["count"], -row["breached"], str(row["label"])),
    )[:TOP_ACTORS]

    def by_severity(counts: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"key": level, "label": _(SEVERITY_NAMES[level]), "count": counts[level]}
            for level in SEVERITIES
            if counts[level]
        ]

    weeks = period.trend_labels()
    params = {
        "declaration": declaration.slug,
        "statuses": list(PUBLIC_STATUSES),
        "reply_due_before": cutoff,
    }
    sources += [
        source("declaration.actors_by_group", actors_query, end=period.end),
        source(
            "declaration.public_violations",
            violations_query,
            **params,
            note="counted by group, commitment, actor, severity, week made public "
            "and cited evidence kind; never a description",
        ),
    ]
    return {
        "k": k,
        "declaration": declaration.slug,
        "title": texts.pick(content["title"], lang),
        "signatories": signatories,
        "scorecards": scorecards,
        "violations": {
            "total": len(rows),
            "this_week": sum(week_severity.values()),
            "by_severity": by_severity(severity),
            "this_week_by_severity": by_severity(week_severity),
            "evidence": sum(len(r.evidence or []) for r in rows),
            "evidence_by_kind": _evidence([r.evidence for r in rows], k),
        },
        "weeks": weeks,
        "made_public": [per_week[w] for w in weeks],
        "actors": top,
        "sources": sources,
    }


SECTION = Section(
    key="declaration",
    title=N_("The election declaration"),
    order=50,
    compute=compute,
    template="declaration/stats_section.html",
    description=N_(
        "Signatories, and the commitments actors honoured or breached: only violations "
        "confirmed by two analysts, notified to the actor and past their right of reply."
    ),
)
