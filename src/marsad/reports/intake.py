"""The web intake: check a submission off the write path, then store it by group commit.

Both web channels (the form and ``POST /api/v1/reports``) come here. A
submission is checked against the places and active categories kept in memory
(files are checked and re-encoded in the thread pool, before any lock), then
handed to the app's
:class:`~marsad.core.writer.GroupCommitWriter`, which stores whatever reports
have queued up in one transaction and answers each reporter once that
transaction is on disk (``synchronous=FULL`` on SQLite). A report whose
receipt was shown has been committed: a killed server does not take it back.

Each report gets its id and receipt before it is queued, so when a batch's
commit fails and the report is written again alone, a report the failed
commit did store is recognised, not stored twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from marsad.core.blobs import BlobStore
from marsad.core.db import durable, new_id, read_scope, session_factory
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.places import Place, PlaceIndex
from marsad.core.writer import GroupCommitWriter, Unit
from marsad.reports import service
from marsad.reports.categories import list_categories
from marsad.reports.deps import report_settings
from marsad.reports.models import Category, Report
from marsad.reports.receipts import new_receipt
from marsad.web.deps import read_sessions

# How often the places cache asks whether the places table changed (marsad geo import
# runs in another process): a new boundary counts for submissions within this time.
PLACES_RECHECK_SECONDS = 2.0
# How often the categories a submission is checked against are read again.
CATEGORIES_RELOAD_SECONDS = 2.0
_writer_lock = threading.Lock()
_cache_lock = threading.Lock()
Checked = tuple[dict[str, Any], list[Any]]


def _kept(state: Any, name: str, seconds: float, load: Callable[[Any], Any]) -> Any:
    """``state.<name>``, read again with ``load(previous value or None)`` once it is old.

    One thread reads it again; the others go on with the previous value meanwhile
    (only the very first read makes them wait).
    """
    cached = getattr(state, name, None)  # (monotonic time it was read, value)
    if cached is not None and time.monotonic() - cached[0] < seconds:
        return cached[1]
    if not _cache_lock.acquire(blocking=cached is None):
        return cached[1]
    try:
        cached = getattr(state, name, None)
        if cached is None or time.monotonic() - cached[0] >= seconds:
            cached = (time.monotonic(), load(cached[1] if cached is not None else None))
            setattr(state, name, cached)
        return cached[1]
    finally:
        _cache_lock.release()


def cached_places(request: Request) -> PlaceIndex:
    """The places index, read again only when the places table changed.

    Building it costs more than the rest of a submission; a count and the latest
    change time, asked at most every ``PLACES_RECHECK_SECONDS``, tell whether
    ``marsad geo import`` touched the table. Its places are loaded in a session of
    their own and detached, so no request's session can expire them.
    """

    def load(previous: tuple[Any, PlaceIndex] | None) -> tuple[Any, PlaceIndex]:
        with read_scope(read_sessions(request)) as session:
            mark = tuple(session.execute(select(func.count(), func.max(Place.updated_at))).one())
            if previous is not None and previous[0] == mark:
                return previous
            return mark, PlaceIndex.load(session)

    return _kept(request.app.state, "places_cache", PLACES_RECHECK_SECONDS, load)[1]


def cached_categories(request: Request) -> dict[str, Category]:
    """Active categories by slug, read again every ``CATEGORIES_RELOAD_SECONDS``.

    Only for checking a submission quickly: the writer checks the category again
    in the transaction that stores the report (see :func:`_category_now`).
    """

    def load(_previous: Any) -> dict[str, Category]:
        with read_scope(read_sessions(request)) as session:
            return {c.slug: c for c in list_categories(session)}

    return _kept(request.app.state, "categories_cache", CATEGORIES_RELOAD_SECONDS, load)


def choices_in_memory(request: Request) -> tuple[PlaceIndex, list[Category]]:
    """The places and active categories last read for checking submissions, however old.

    For the report form when the database cannot be read; empty when they
    were never read.
    """
    state = request.app.state
    places = getattr(state, "places_cache", None)
    held = getattr(state, "categories_cache", None)
    return (
        places[1][1] if places is not None else PlaceIndex({}, {}),
        list(held[1].values()) if held is not None else [],
    )


def _category_now(session: Session, category: Category) -> bool:
    """Whether ``category`` is confidential as the storing transaction sees it.

    The check used a copy up to a few seconds old; an admin may have switched the
    category off (the report is refused, naming the field) or made it
    confidential since (the report is stored as a confidential case). One read
    per batch.
    """
    active = session.info.get("active_categories")
    if active is None:
        rows = session.execute(
            select(Category.id, Category.confidential).where(Category.active.is_(True))
        )
        active = session.info["active_categories"] = {row[0]: row[1] for row in rows}
    if category.id not in active:
        raise InvalidInput(
            "err_category_unknown",
            _("Unknown category: {value}").format(value=category.slug),
            "category",
        )
    return bool(active[category.id])


def report_writer(app: FastAPI) -> GroupCommitWriter:
    """The app's one writer of new reports (made on first use)."""
    state = app.state
    with _writer_lock:
        writer = getattr(state, "report_writer", None)
        if writer is None:
            writer = state.report_writer = GroupCommitWriter(
                session_factory(durable(state.engine), state.settings), name="marsad-reports"
            )
    return writer


def _in_memory(state: Any, name: str, seconds: float) -> Any:
    """What :func:`_kept` holds under ``name`` if it is fresh, else None (no reading)."""
    cached = getattr(state, name, None)
    if cached is None or time.monotonic() - cached[0] >= seconds:
        return None
    return cached[1]


def _check(
    request: Request,
    submission: service.Submission,
    places: PlaceIndex,
    categories: dict[str, Category],
) -> Checked:
    return service.check_submission(
        None,
        submission=submission,
        settings=report_settings(request),
        zone=request.app.state.settings.timezone,
        places=places,
        categories=categories,
    )


def check(request: Request, submission: service.Submission) -> Checked:
    """Check every field and clean the files (blocking: it may read places and categories)."""
    return _check(request, submission, cached_places(request), cached_categories(request))


def _store_unit(
    request: Request, submission: service.Submission, checked: Checked, *, channel: str
) -> Unit[service.Submitted]:
    """The writer's unit for one checked submission; its id and receipt are fixed now."""
    app_settings = request.app.state.settings
    cipher = request.app.state.cipher
    report_id, receipt = new_id(), new_receipt()

    def store(session: Session, attempt: int) -> service.Submitted:
        if attempt > 1:
            # Written again after a failed commit: if that commit did store it, say so.
            stored = session.get(Report, report_id)
            if stored is not None:
                kept = [clean.filename for clean in checked[1] if clean.kept_apart]
                return service.Submitted(report_id, receipt, stored, kept)
        values = dict(checked[0])
        values["confidential"] = values["confidential"] or _category_now(
            session, values["category"]
        )
        return service.submit_report(
            session,
            submission=submission,
            channel=channel,
            cipher=cipher,
            settings=app_settings.reports,
            blobs=BlobStore.from_settings(app_settings),
            zone=app_settings.timezone,
            checked=(values, checked[1]),
            report_id=report_id,
            receipt=receipt,
        )

    return store


def store_submission(
    request: Request, submission: service.Submission, *, channel: str
) -> service.Submitted:
    """Check a submission, store it by group commit, return once it is committed.

    Blocking: call it from the thread pool (or a plain ``def`` handler). Raises
    InvalidInput naming the fields at fault; nothing is stored then.
    """
    checked = check(request, submission)
    unit = _store_unit(request, submission, checked, channel=channel)
    return report_writer(request.app).call(unit)


async def store_submission_async(
    request: Request, submission: service.Submission, *, channel: str
) -> service.Submitted:
    """:func:`store_submission` for ``async`` handlers: no thread waits for the commit."""
    state = request.app.state
    places = _in_memory(state, "places_cache", PLACES_RECHECK_SECONDS)
    categories = _in_memory(state, "categories_cache", CATEGORIES_RELOAD_SECONDS)
    if submission.files or places is None or categories is None:
        checked = await run_in_threadpool(check, request, submission)
    else:
        # Nothing to read or decode: checking text against what is in memory takes
        # microseconds, less than handing it to a thread and back.
        checked = _check(request, submission, places[1], categories)
    unit = _store_unit(request, submission, checked, channel=channel)
    return await report_writer(request.app).run(unit)
