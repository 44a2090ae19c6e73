"""The curated glossary: terms edited by staff, versioned, with their history.

The database holds the glossary the monitoring network curates. Until someone
edits it, it is the starter glossary shipped with Marsad (seeded on first use
at the shipped version). Every saved change to any term is one new glossary
version, kept as a revision of that term, so a Flag's ``glossary_version``
always names the exact list of terms that explained it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.i18n.markers import N_
from marsad.detect.glossary import Glossary, GlossaryTerm, load_default_glossary
from marsad.detect.models import GlossaryEntry, GlossaryRevision

NAME = "Marsad glossary (curated)"

# What a staff member reads for pydantic's error types, by type.
_PLAIN_ERRORS = {
    "string_pattern_mismatch": N_(
        "Use only small Latin letters, digits, - and _, beginning with a letter or digit."
    ),
    "string_too_short": N_("This field is required."),
    "too_short": N_("Choose at least one."),
    "missing": N_("This field is required."),
    "literal_error": N_("Choose one of the listed values."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
}


def glossary_version(session: Session) -> int:
    """The current glossary version (0 before the glossary is seeded)."""
    found = session.execute(select(func.max(GlossaryRevision.glossary_version))).scalar_one()
    return int(found or 0)


def ensure_seeded(session: Session, *, actor: str = audit.SYSTEM) -> int:
    """Load the shipped starter glossary into an empty database; return the version."""
    version = glossary_version(session)
    if version:
        return version
    shipped = load_default_glossary()
    for term in shipped.terms:
        data = term.model_dump(mode="json")
        session.add(
            GlossaryEntry(
                term_id=term.id, data=data, status=term.status, revision=1, updated_by=actor
            )
        )
        session.add(
            GlossaryRevision(
                term_id=term.id,
                revision=1,
                glossary_version=shipped.version,
                data=data,
                changed_by=actor,
                note="starter glossary",
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="glossary.seeded",
        subject_type="glossary",
        subject_id=str(shipped.version),
        details={"terms": len(shipped.terms)},
    )
    return shipped.version


def current_glossary(session: Session) -> Glossary:
    """Every curated term at the current version (seeding the starter glossary if empty)."""
    version = ensure_seeded(session)
    rows = session.execute(select(GlossaryEntry).order_by(GlossaryEntry.term_id)).scalars()
    return Glossary(
        version=version, name=NAME, terms=[GlossaryTerm.model_validate(r.data) for r in rows]
    )


def list_terms(
    session: Session,
    *,
    statuses: tuple[str, ...] = ("published",),
    language: str | None = None,
    category: str | None = None,
    target_group: str | None = None,
    query: str | None = None,
) -> list[GlossaryTerm]:
    """Terms for a listing, filtered; ``query`` matches the term, a variant or a note.

    ``target_group`` keeps the terms that target that group among others.
    """
    from marsad.core.text import normalize, stem, tokens

    terms = [t for t in current_glossary(session).terms if t.status in statuses]
    if language:
        terms = [t for t in terms if t.language == language]
    if category:
        terms = [t for t in terms if t.category == category]
    if target_group:
        terms = [t for t in terms if target_group in t.target_groups]
    # Each query word without its article and joined clitics (as posts search does):
    # الخنازير and والخنازير find the term خنازير, and خنازير finds الخنازير.
    wanted = [stem(word) for word in tokens(query or "")]
    if wanted:
        terms = [
            t
            for t in terms
            if all(
                any(w in normalize(s) for s in (*t.spellings(), *t.notes.texts())) for w in wanted
            )
        ]
    return sorted(terms, key=lambda t: (t.language, t.category, t.term))


def get_term(session: Session, *, term_id: str) -> GlossaryTerm:
    ensure_seeded(session)
    row = session.get(GlossaryEntry, term_id)
    if row is None:
        raise NotFound("err_term_not_found", f"no glossary term {term_id!r}", "term_id")
    return GlossaryTerm.model_validate(row.data)


def history(session: Session, *, term_id: str) -> list[GlossaryRevision]:
    query = (
        select(GlossaryRevision)
        .where(GlossaryRevision.term_id == term_id)
        .order_by(GlossaryRevision.revision.desc())
    )
    return list(session.execute(query).scalars())


def save_term(
    session: Session, *, data: dict[str, Any], actor: str, note: str | None = None
) -> GlossaryTerm:
    """Create or change a term; the glossary moves to a new version. Audited."""
    try:
        term = GlossaryTerm.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "term"
        # pydantic's own wording is English and names regexes; a reader gets a
        # translatable sentence for the common mistakes (N_ markers, translated on show).
        message = _PLAIN_ERRORS.get(err["type"]) or err["msg"].removeprefix("Value error, ")
        raise InvalidInput("err_glossary_invalid", message, where) from None
    version = ensure_seeded(session) + 1
    row = session.get(GlossaryEntry, term.id)
    clean = term.model_dump(mode="json")
    if row is None:
        row = GlossaryEntry(
            term_id=term.id, data=clean, status=term.status, revision=1, updated_by=actor
        )
        session.add(row)
        action = "glossary.term_created"
    else:
        if row.data == clean:
            return term
        row.data, row.status, row.revision = clean, term.status, row.revision + 1
        row.updated_at, row.updated_by = utcnow(), actor
        action = "glossary.term_changed"
    session.add(
        GlossaryRevision(
            term_id=term.id,
            revision=row.revision,
            glossary_version=version,
            data=clean,
            changed_by=actor,
            note=note or None,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="glossary_term",
        subject_id=term.id,
        details={"glossary_version": version, "status": term.status, "revision": row.revision},
    )
    return term


def import_glossary(session: Session, *, glossary: Glossary, actor: str) -> int:
    """Save every term of an imported glossary; return how many changed."""
    before = glossary_version(session) or ensure_seeded(session, actor=actor)
    for term in glossary.terms:
        save_term(session, data=term.model_dump(mode="json"), actor=actor, note="import")
    return glossary_version(session) - before


def term_exists(session: Session, *, term_id: str) -> bool:
    ensure_seeded(session)
    return session.get(GlossaryEntry, term_id) is not None
