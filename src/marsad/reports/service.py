"""The reports service: every channel, every review step, every public view.

One function, :func:`submit_report`, takes reports from the web form, the
API, e-mail and imports alike. Review steps (transition, assignment,
comments, duplicates, edit lock) each write an audit record in the caller's
transaction. Public views are built here and only here, at the precision the
reviewer chose (see :mod:`marsad.reports.public`).

Functions are keyword-only and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marsad.core import audit, events
from marsad.core.blobs import BlobStore
from marsad.core.db import new_id, utcnow
from marsad.core.errors import Forbidden, InvalidInput, NotFound
from marsad.core.i18n import LANGUAGES, current_language, nformat
from marsad.core.i18n import gettext as _
from marsad.core.models import User
from marsad.core.places import DISTRICT, GOVERNORATE, PlaceIndex, in_iraq_bbox
from marsad.core.security import FieldCipher
from marsad.reports import workflow
from marsad.reports.categories import get_category
from marsad.reports.files import CleanFile, Upload, check_upload, store_clean_file
from marsad.reports.models import Category, Report, ReportComment, ReportFile
from marsad.reports.receipts import new_receipt, receipt_digest
from marsad.reports.settings import ReportSettings

log = logging.getLogger(__name__)

CHANNELS = ("web", "api", "email", "import", "sample")
FORM_FIELDS = (
    "title",
    "description",
    "category",
    "occurred_at",
    "governorate",
    "district",
    "lat",
    "lon",
    "contact",
    "language",
)
MAX_TITLE, MAX_DESCRIPTION, MAX_CONTACT, MAX_LINKS = 300, 20000, 300, 20


# --- intake --------------------------------------------------------------------------------


@dataclass
class Submission:
    """A report as a reporter sent it, before any check. Values are raw strings or None."""

    title: str | None = None
    description: str | None = None
    category: str | None = None
    occurred_at: str | datetime | None = None
    governorate: str | None = None
    district: str | None = None
    lat: str | float | None = None
    lon: str | float | None = None
    contact: str | None = None
    links: Sequence[str] = ()
    language: str | None = None
    confidential: bool = False
    files: list[Upload] = field(default_factory=list)


@dataclass
class Submitted:
    """An accepted report: its id and the receipt code shown once to the reporter."""

    id: str
    receipt: str
    report: Report
    # Files that could not be cleaned of hidden data (the reporter is told).
    kept_apart: list[str] = field(default_factory=list)


@dataclass
class Problems:
    """Field errors gathered while checking a submission."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, where: str, code: str, message: str) -> None:
        self.items.append({"where": where, "error": code, "message": message})

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise InvalidInput(first["error"], first["message"], first["where"], fields=self.items)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def parse_when(value: str | datetime | None, zone: str) -> datetime | None:
    """A date or date-time from a form or API; naive values are local (Asia/Baghdad) time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip().replace("Z", "+00:00")
        parsed = datetime.fromisoformat(text if "T" in text or " " in text else text + "T12:00")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC)


def when_precision(value: str | datetime | None) -> str | None:
    """``day`` when a reporter gave a date alone, ``exact`` for a date and time, else None.

    A date alone is stored as noon local time (:func:`parse_when`); this keeps
    the fact that no time was given, so nobody reads "12:00" as the hour.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return "exact"
    text = str(value).strip()
    return "exact" if "T" in text or " " in text else "day"


def _check_when(value: Any, zone: str, problems: Problems) -> datetime | None:
    try:
        when = parse_when(value, zone)
    except ValueError:
        problems.add("occurred_at", "err_date_invalid", _("The date is not a valid date."))
        return None
    if when is not None and (when > utcnow() + timedelta(days=1) or when.year < 1990):
        problems.add(
            "occurred_at",
            "err_date_out_of_range",
            _("The date is in the future or too far in the past."),
        )
        return None
    return when


def _check_place(
    sub: Submission, places: PlaceIndex, problems: Problems
) -> tuple[str | None, str | None, float | None, float | None]:
    gov = dist = None
    if _text(sub.governorate):
        gov = places.find(_text(sub.governorate), GOVERNORATE)
        if gov is None:
            problems.add(
                "governorate",
                "err_place_unknown",
                _("Unknown governorate: {value}").format(value=_text(sub.governorate)),
            )
    if _text(sub.district):
        dist = places.find(_text(sub.district), DISTRICT, gov.pcode if gov else None)
        if dist is None:
            problems.add(
                "district",
                "err_place_unknown",
                _("Unknown district: {value}").format(value=_text(sub.district)),
            )
        elif gov is not None and dist.parent_pcode != gov.pcode:
            problems.add(
                "district",
                "err_place_mismatch",
                _("This district is not in the chosen governorate."),
            )
    lat = lon = None
    has_lat, has_lon = _text(sub.lat) != "", _text(sub.lon) != ""
    if has_lat or has_lon:
        try:
            lat, lon = float(_text(sub.lat)), float(_text(sub.lon))
        except ValueError:
            problems.add("lat", "err_point_invalid", _("Latitude and longitude must be numbers."))
            lat = lon = None
        else:
            if not in_iraq_bbox(lat, lon) or (
                places.has_boundaries(DISTRICT) and places.locate(lat, lon) is None
            ):
                problems.add("lat", "err_point_outside", _("The point is outside Iraq."))
                lat = lon = None
            elif dist is None and gov is None:
                dist = places.locate(lat, lon)
    if dist is not None and gov is None:
        gov = places.get(dist.parent_pcode)
    return (gov.pcode if gov else None, dist.pcode if dist else None, lat, lon)


def _check_links(links: Sequence[str], problems: Problems) -> list[str]:
    clean = []
    for raw in links:
        link = _text(raw)
        if not link:
            continue
        parsed = urlparse(link)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(link) > 2000:
            problems.add(
                "links", "err_link_invalid", _("Not a web link: {value}").format(value=link[:80])
            )
            continue
        clean.append(link)
    if len(clean) > MAX_LINKS:
        problems.add("links", "err_too_many_links", _("Too many links."))
    return clean[:MAX_LINKS]


def _check_nul(sub: Submission, problems: Problems) -> None:
    """Refuse NUL characters before any lookup: PostgreSQL cannot store them in text."""
    values = [(name, getattr(sub, name)) for name in FORM_FIELDS]
    values += [("links", link) for link in sub.links]
    values += [("files", upload.filename) for upload in sub.files]
    for where, value in values:
        if isinstance(value, str) and "\x00" in value:
            problems.add(
                where,
                "err_nul_character",
                _("This field contains a character that is not allowed."),
            )
    problems.raise_if_any()


def check_submission(
    session: Session | None,
    *,
    submission: Submission,
    settings: ReportSettings,
    zone: str = "Asia/Baghdad",
    places: PlaceIndex | None = None,
    categories: Mapping[str, Category] | None = None,
) -> tuple[dict[str, Any], list[CleanFile]]:
    """Check every field; return clean values and files, or raise InvalidInput listing problems.

    ``places`` and ``categories`` (active ones by slug) are what the caller keeps
    in memory; without them they are read from ``session``, which may be None
    when both are given.
    """
    problems = Problems()
    sub = submission
    _check_nul(sub, problems)
    title = _text(sub.title)
    description = _text(sub.description)
    if not title:
        problems.add("title", "err_required", _("A title is required."))
    elif len(title) > MAX_TITLE:
        problems.add("title", "err_too_long", _("The title is too long."))
    if len(description) > MAX_DESCRIPTION:
        problems.add("description", "err_too_long", _("The description is too long."))
    category = None
    if not _text(sub.category):
        problems.add("category", "err_required", _("Choose a category."))
    elif categories is not None:
        category = categories.get(_text(sub.category))
        if category is None:
            problems.add(
                "category",
                "err_category_unknown",
                _("Unknown category: {value}").format(value=_text(sub.category)),
            )
    else:
        assert session is not None  # noqa: S101 - documented: needed without categories
        try:
            category = get_category(session, slug=_text(sub.category))
        except InvalidInput as exc:
            problems.add("category", exc.code, exc.message)
    when = _check_when(sub.occurred_at, zone, problems)
    if places is None:
        assert session is not None  # noqa: S101 - documented: needed without places
        places = PlaceIndex.load(session)
    gov, dist, lat, lon = _check_place(sub, places, problems)
    contact = _text(sub.contact)
    if len(contact) > MAX_CONTACT:
        problems.add("contact", "err_too_long", _("The contact is too long."))
    links = _check_links(sub.links, problems)
    language = sub.language if sub.language in LANGUAGES else current_language.get()
    clean_files: list[CleanFile] = []
    if len(sub.files) > settings.reports_max_files:
        problems.add(
            "files",
            "err_too_many_files",
            nformat("At most %(num)s file.", "At most %(num)s files.", settings.reports_max_files),
        )
    else:
        for upload in sub.files:
            try:
                clean_files.append(
                    check_upload(
                        upload,
                        max_bytes=settings.max_file_bytes,
                        max_pixels=settings.reports_max_image_pixels,
                    )
                )
            except InvalidInput as exc:
                problems.add("files", exc.code, exc.message)
    problems.raise_if_any()
    assert category is not None  # noqa: S101 - guaranteed by raise_if_any
    values = {
        "title": title,
        "description": description,
        "category": category,
        "occurred_at": when,
        "occurred_precision": when_precision(sub.occurred_at) if when else None,
        "governorate_pcode": gov,
        "district_pcode": dist,
        "lat": lat,
        "lon": lon,
        "contact": contact or None,
        "links": links,
        "language": language,
        "confidential": bool(sub.confidential or category.confidential),
    }
    return values, clean_files


def submit_report(
    session: Session,
    *,
    submission: Submission,
    channel: str,
    cipher: FieldCipher,
    settings: ReportSettings,
    blobs: BlobStore,
    zone: str = "Asia/Baghdad",
    source_ref: str | None = None,
    actor: str = "public",
    extra_files: Sequence[CleanFile] = (),
    checked: tuple[dict[str, Any], list[CleanFile]] | None = None,
    report_id: str | None = None,
    receipt: str | None = None,
) -> Submitted:
    """Check and store one report from any channel; return its id and receipt.

    Nothing is stored when a field is wrong: the InvalidInput raised names the
    field (``where``) and lists every problem (``details["fields"]``). The
    contact is sealed with ``cipher`` before it reaches the session.
    ``checked`` is what :func:`check_submission` returned for this submission
    in an earlier (read-only) session: the web handlers check and clean files
    there, so the write transaction stays short. ``report_id`` and ``receipt``
    are made here unless given: a caller that may run this again after a failed
    commit makes them first, to recognise its own report.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if (
        source_ref
        and session.execute(select(Report.id).where(Report.source_ref == source_ref)).first()
    ):
        raise InvalidInput(
            "err_already_received", _("This item was already received."), "source", ref=source_ref
        )
    if checked is None:
        checked = check_submission(session, submission=submission, settings=settings, zone=zone)
    values, files = dict(checked[0]), checked[1]
    files = [*files, *extra_files]
    report_id = report_id or new_id()
    receipt = receipt or new_receipt()
    contact = values.pop("contact")
    links = values.pop("links")
    category = values.pop("category")
    report = Report(
        id=report_id,
        receipt_hash=receipt_digest(receipt),
        status=workflow.RECEIVED,
        channel=channel,
        source_ref=source_ref,
        links=json.dumps(links, ensure_ascii=False),
        contact_sealed=cipher.encrypt(contact, context=f"report:{report_id}") if contact else None,
        category_id=category.id,
        **values,
    )
    session.add(report)
    for clean in files:
        shown, original = store_clean_file(session, blobs, clean)
        report.files.append(
            ReportFile(
                sha256=shown,
                original_sha256=original,
                filename=clean.filename,
                media_type=clean.media_type,
                size=len(clean.data),
                kept_apart=clean.kept_apart,
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="report.received",
        subject_type="report",
        subject_id=report_id,
        details={"channel": channel, "files": len(files), "with_contact": bool(contact)},
    )
    # Identifiers and labels only: never the contact, the title or the description.
    events.emit(
        session,
        "report.received",
        {
            "report_id": report_id,
            "category": category.slug,
            "governorate": report.governorate_pcode,
        },
    )
    log.info("report received", extra={"report_id": report_id, "channel": channel})
    kept = [clean.filename for clean in files if clean.kept_apart]
    return Submitted(id=report_id, receipt=receipt, report=report, kept_apart=kept)


# --- review ----------------------------------------------------------------------------------


def get_report(session: Session, *, report_id: str) -> Report:
    """A report by id, for staff; NotFound otherwise."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("err_report_not_found", _("This report does not exist."), "id")
    return report


def _check_lock(report: Report, actor: User) -> None:
    now = utcnow()
    if (
        report.locked_by_id
        and report.locked_by_id != actor.id
        and report.locked_until is not None
        and report.locked_until > now
    ):
        raise InvalidInput(
            "err_report_locked",
            _("Another reviewer is editing this report; try again in a few minutes."),
            "report",
        )


def _touch(report: Report) -> None:
    report.version += 1
    report.updated_at = utcnow()


def transition_report(
    session: Session,
    *,
    report_id: str,
    to: str,
    actor: User,
    note: str | None = None,
    location_precision: str | None = None,
    time_precision: str | None = None,
    duplicate_of: str | None = None,
    confirm_more_precise: bool = False,
) -> Report:
    """Move a report along the workflow graph if the actor's role allows it; audited.

    Publishing sets the public precision (location exact|district|governorate,
    time exact|day|week|month). Unchosen, it is what an earlier publication
    used, else the safer defaults, district and day. Publishing again more
    precisely than before (a governorate case shown by district) is refused
    unless ``confirm_more_precise``: what was once shown coarsely may have been
    coarse for the reporter's safety. Marking a duplicate needs the original
    report's id.
    """
    report = get_report(session, report_id=report_id)
    _check_lock(report, actor)
    workflow.check_transition(report.status, to, actor.role, confidential=report.confidential)
    previous = report.status
    details: dict[str, Any] = {"from": previous, "to": to}
    if to == workflow.DUPLICATE:
        original_id = _text(duplicate_of) or report.duplicate_of_id
        if not original_id:
            raise InvalidInput(
                "err_duplicate_of_required",
                _("Give the id of the original report."),
                "duplicate_of",
            )
        original = session.get(Report, original_id)
        if original is None or original.id == report.id:
            raise InvalidInput(
                "err_duplicate_of_invalid", _("The original report was not found."), "duplicate_of"
            )
        report.duplicate_of_id = original.id
        details["duplicate_of"] = original.id
    if to == workflow.PUBLISHED:
        loc = location_precision or report.location_precision or workflow.DEFAULT_LOCATION_PRECISION
        tim = time_precision or report.time_precision or workflow.DEFAULT_TIME_PRECISION
        workflow.check_precision(loc, tim)
        raised = workflow.raised_precision(
            report.location_precision, report.time_precision, loc, tim
        )
        if raised and not confirm_more_precise:
            raise InvalidInput(
                "err_precision_raised",
                _(
                    "This report was published before at a coarser precision. "
                    "To show it more precisely now, confirm it explicitly."
                ),
                "confirm_more_precise",
                raised=raised,
            )
        if raised:
            details["more_precise"] = raised
        report.location_precision, report.time_precision = loc, tim
        report.published_at = utcnow()
        details.update(location_precision=loc, time_precision=tim)
    elif previous == workflow.PUBLISHED:
        report.published_at = None
    if to == workflow.VERIFIED:
        report.verified = True
    report.status = to
    _touch(report)
    if note and note.strip():
        session.add(
            ReportComment(
                report_id=report.id,
                author=actor.username,
                body=note.strip()[:10000],
                transition_from=previous,
                transition_to=to,
            )
        )
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="report.transition",
        subject_type="report",
        subject_id=report.id,
        details=details,
    )
    return report


def assign_report(session: Session, *, report_id: str, assignee: str | None, actor: User) -> Report:
    """Give a report to a reviewer (or nobody); only reviewers and admins assign; audited."""
    if actor.role not in workflow.REVIEWERS:
        raise Forbidden("err_assign_forbidden", _("Only reviewers and admins assign reports."))
    report = get_report(session, report_id=report_id)
    _check_lock(report, actor)
    user = None
    if assignee:
        user = session.execute(select(User).where(User.username == assignee)).scalar_one_or_none()
        if user is None or not user.is_active or user.role not in workflow.REVIEWERS:
            raise InvalidInput(
                "err_assignee_invalid", _("Reports can be assigned to reviewers only."), "assignee"
            )
    report.assigned_to_id = user.id if user else None
    _touch(report)
    audit.record(
        session,
        actor=actor.username,
        action="report.assigned",
        subject_type="report",
        subject_id=report.id,
        details={"assignee": user.username if user else None},
    )
    return report


def add_comment(session: Session, *, report_id: str, body: str, actor: User) -> ReportComment:
    """Add a staff comment; audited (without its text)."""
    report = get_report(session, report_id=report_id)
    text = body.strip()
    if not text:
        raise InvalidInput("err_required", _("The comment is empty."), "body")
    comment = ReportComment(report_id=report.id, author=actor.username, body=text[:10000])
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor.username,
        action="report.commented",
        subject_type="report",
        subject_id=report.id,
        details={"comment_id": comment.id},
    )
    return comment


def lock_report(session: Session, *, report_id: str, actor: User, minutes: int = 15) -> Report:
    """Take the edit lock (or extend one's own); refused while another reviewer holds it."""
    report = get_report(session, report_id=report_id)
    _check_lock(report, actor)
    report.locked_by_id = actor.id
    report.locked_until = utcnow() + timedelta(minutes=minutes)
    audit.record(
        session,
        actor=actor.username,
        action="report.locked",
        subject_type="report",
        subject_id=report.id,
        details={"minutes": minutes},
    )
    return report


def unlock_report(session: Session, *, report_id: str, actor: User) -> Report:
    """Release the edit lock (its holder, or an admin)."""
    report = get_report(session, report_id=report_id)
    if actor.role != "admin":
        _check_lock(report, actor)
    report.locked_by_id = None
    report.locked_until = None
    return report


EDITABLE = (
    "title",
    "description",
    "category",
    "governorate",
    "district",
    "lat",
    "lon",
    "occurred_at",
)


def edit_report(
    session: Session,
    *,
    report_id: str,
    actor: User,
    version: int,
    changes: Submission,
    confidential: bool,
    settings: ReportSettings,
    zone: str = "Asia/Baghdad",
) -> Report:
    """Save a reviewer's edit; needs the edit lock and the version the editor started from."""
    if actor.role not in workflow.TRIAGERS:
        raise Forbidden()
    report = get_report(session, report_id=report_id)
    now = utcnow()
    if report.locked_by_id != actor.id or report.locked_until is None or report.locked_until < now:
        raise InvalidInput("err_lock_required", _("Open the report for editing first."), "report")
    if report.version != version:
        raise InvalidInput(
            "err_report_changed", _("The report changed since you opened it; reload it."), "version"
        )
    values, _files = check_submission(session, submission=changes, settings=settings, zone=zone)
    changed = []
    for key in (
        "title",
        "description",
        "occurred_at",
        "occurred_precision",
        "governorate_pcode",
        "district_pcode",
        "lat",
        "lon",
    ):
        if getattr(report, key) != values[key]:
            setattr(report, key, values[key])
            changed.append(key)
    if report.category_id != values["category"].id:
        report.category_id = values["category"].id
        changed.append("category")
    if report.confidential != confidential:
        report.confidential = confidential
        changed.append("confidential")
        if confidential and report.status == workflow.PUBLISHED:
            # A case made confidential leaves the public map at once.
            report.status = workflow.VERIFIED
            report.published_at = None
            changed.append("status")
    report.locked_by_id = None
    report.locked_until = None
    _touch(report)
    audit.record(
        session,
        actor=actor.username,
        action="report.edited",
        subject_type="report",
        subject_id=report.id,
        details={"fields": changed},
    )
    return report


def record_view(session: Session, *, report: Report, viewer: User) -> None:
    """Audit a staff view of a report's private content."""
    audit.record(
        session,
        actor=viewer.username,
        action="report.viewed",
        subject_type="report",
        subject_id=report.id,
        details={},
    )


@dataclass
class QueueFilter:
    """What the review queue shows."""

    status: str | None = None
    category: str | None = None
    governorate: str | None = None
    assigned_to: str | None = None
    limit: int = 50
    offset: int = 0


def review_queue(session: Session, *, filters: QueueFilter) -> tuple[list[Report], int]:
    """Reports for staff, newest first (open ones when no status is chosen), and their total."""
    query = select(Report)
    if filters.status:
        query = query.where(Report.status == filters.status)
    else:
        query = query.where(Report.status.in_(workflow.OPEN_STATUSES))
    if filters.category:
        query = query.join(Category).where(Category.slug == filters.category)
    if filters.governorate:
        query = query.where(Report.governorate_pcode == filters.governorate)
    if filters.assigned_to:
        query = query.join(User, User.id == Report.assigned_to_id).where(
            User.username == filters.assigned_to
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Report.created_at.desc()).limit(filters.limit).offset(filters.offset)
    ).scalars()
    return list(rows.unique()), total


def staff_users(session: Session) -> list[User]:
    """Active reviewers and admins, for the assignment menu."""
    return list(
        session.execute(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(sorted(workflow.REVIEWERS)))
            .order_by(User.username)
        ).scalars()
    )


def report_links(report: Report) -> list[str]:
    """The report's links as a list."""
    try:
        links = json.loads(report.links or "[]")
    except ValueError:
        return []
    return [str(link) for link in links]
