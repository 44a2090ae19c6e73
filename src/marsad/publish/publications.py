"""The weekly report's workflow: staff write a narrative, a reviewer approves, then it is public.

``draft`` (any staff member edits the narrative) → ``approved`` (a reviewer or
admin; editing it again sends it back to draft) → ``published`` (a reviewer
or admin; the PDF and HTML are rendered once, stored as blobs and listed at
``/publications``). Every step is written to the audit chain in the same
transaction. A published report is never edited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.blobs import BlobStore, store_blob
from marsad.core.db import utcnow
from marsad.core.errors import Forbidden, InvalidInput, MarsadError, NotFound
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.i18n.markers import N_
from marsad.publish import weekly
from marsad.publish.models import Publication
from marsad.publish.sections import Period

DRAFT, APPROVED, PUBLISHED = "draft", "approved", "published"
STATUS_LABELS = (N_("draft"), N_("approved"), N_("published"))  # shown as _(status)
APPROVERS = frozenset({"reviewer", "admin"})
MAX_NARRATIVE = 20_000


class Conflict(MarsadError):
    def __init__(self, message: str) -> None:
        super().__init__(code="err_publication_state", message=message, status=409, exit_code=2)


def to_json(pub: Publication) -> dict[str, Any]:
    """A publication as staff see it (the public list shows published ones only)."""
    return {
        "id": pub.id,
        "week": pub.week,
        "lang": pub.lang,
        "status": pub.status,
        "narrative": pub.narrative,
        "version": pub.version,
        "created_by": pub.created_by,
        "approved_by": pub.approved_by,
        "published_at": pub.published_at.isoformat() if pub.published_at else None,
        "pdf": f"/publications/{pub.id}.pdf" if pub.pdf_sha256 else None,
        "html": f"/publications/{pub.id}.html" if pub.html_sha256 else None,
    }


def get(session: Session, *, publication_id: str) -> Publication:
    pub = session.get(Publication, publication_id)
    if pub is None:
        raise NotFound("err_publication_not_found", _("This report does not exist."), "id")
    return pub


def create_draft(session: Session, *, week: str, lang: str, actor: str) -> Publication:
    """The draft of ``week`` in ``lang`` (made if missing); InvalidInput for a bad week or lang."""
    label = Period.parse(week).label
    weekly.check_language(lang)
    found = session.execute(
        select(Publication).where(Publication.week == label, Publication.lang == lang)
    ).scalar_one_or_none()
    if found is not None:
        return found
    pub = Publication(week=label, lang=lang, status=DRAFT, narrative="", created_by=actor)
    try:
        with session.begin_nested():
            session.add(pub)
            session.flush()
    except IntegrityError:  # made at the same moment by someone else
        return session.execute(
            select(Publication).where(Publication.week == label, Publication.lang == lang)
        ).scalar_one()
    audit.record(
        session,
        actor=actor,
        action="publication.created",
        subject_type="publication",
        subject_id=pub.id,
        details={"week": label, "lang": lang},
    )
    return pub


def edit_narrative(
    session: Session, *, publication_id: str, narrative: str, actor: str, version: int | None = None
) -> Publication:
    """Replace the narrative; an approved report goes back to draft. Published: refused."""
    pub = get(session, publication_id=publication_id)
    if pub.status == PUBLISHED:
        raise Conflict(_("A published report cannot be changed."))
    if version is not None and version != pub.version:
        raise Conflict(_("Someone else changed this report; reload it and try again."))
    text = narrative.replace("\r\n", "\n").strip()
    if len(text) > MAX_NARRATIVE:
        raise InvalidInput(
            "err_narrative_too_long",
            _("The summary is too long ({length}; at most {max}).").format(
                length=nformat("%(num)s character", "%(num)s characters", len(text)),
                max=MAX_NARRATIVE,
            ),
            "narrative",
        )
    was = pub.status
    pub.narrative, pub.status = text, DRAFT
    pub.approved_by = pub.approved_at = None
    pub.version += 1
    pub.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="publication.edited",
        subject_type="publication",
        subject_id=pub.id,
        details={"from": was, "to": DRAFT, "characters": len(text)},
    )
    return pub


def _check_approver(role: str) -> None:
    if role not in APPROVERS:
        raise Forbidden("err_forbidden", _("Only a reviewer or an admin may do this."))


def approve(session: Session, *, publication_id: str, actor: str, role: str) -> Publication:
    """draft → approved (reviewer or admin)."""
    _check_approver(role)
    pub = get(session, publication_id=publication_id)
    if pub.status != DRAFT:
        raise Conflict(_("Only a draft can be approved."))
    pub.status, pub.approved_by, pub.approved_at = APPROVED, actor, utcnow()
    pub.version += 1
    pub.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="publication.approved",
        subject_type="publication",
        subject_id=pub.id,
        details={"week": pub.week, "lang": pub.lang},
    )
    return pub


def publish(
    session: Session, *, publication_id: str, actor: str, role: str, settings: Any
) -> Publication:
    """approved → published: render the PDF and HTML once, store them, list them publicly."""
    _check_approver(role)
    pub = get(session, publication_id=publication_id)
    if pub.status != APPROVED:
        raise Conflict(_("Only an approved report can be published."))
    period = Period.parse(pub.week, timezone=settings.timezone)
    doc = weekly.build(
        session, settings=settings, period=period, lang=pub.lang, narrative=pub.narrative
    )
    store = BlobStore.from_settings(settings)
    pdf = store_blob(
        session, store, weekly.render_pdf(doc, settings=settings), media_type="application/pdf"
    )
    html = store_blob(
        session,
        store,
        weekly.render_html(doc, settings=settings).encode("utf-8"),
        media_type="text/html; charset=utf-8",
    )
    pub.pdf_sha256, pub.html_sha256 = pdf.sha256, html.sha256
    pub.status, pub.published_by, pub.published_at = PUBLISHED, actor, utcnow()
    pub.version += 1
    pub.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="publication.published",
        subject_type="publication",
        subject_id=pub.id,
        details={"week": pub.week, "lang": pub.lang, "pdf": pdf.sha256, "html": html.sha256},
    )
    return pub


def published(session: Session) -> list[Publication]:
    """Published reports, newest week first."""
    query = (
        select(Publication)
        .where(Publication.status == PUBLISHED)
        .order_by(Publication.week.desc(), Publication.lang)
    )
    return list(session.execute(query).scalars())


def all_publications(session: Session) -> list[Publication]:
    """Every report, newest week first (staff)."""
    query = select(Publication).order_by(Publication.week.desc(), Publication.lang)
    return list(session.execute(query).scalars())
