"""The review queue of flagged posts and the decisions on them: the database side of detect.

Scoring the posts (``run_detection``) lives in :mod:`marsad.detect.scoring`:
it finds the posts the current model and glossary versions have not scored by
what is missing, and keeps one current flag per post. The queue shows each
post's current flag once; earlier reviewed flags of the post are its history.

Posts are read through ``marsad.posts.service`` (never the posts tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import session_scope, utcnow
from marsad.core.errors import InvalidInput, MarsadError, NotFound
from marsad.core.i18n.markers import N_
from marsad.core.settings import Settings, load_settings
from marsad.detect.curation import current_glossary
from marsad.detect.glossary import Glossary
from marsad.detect.model import TASKS, DetectorModel
from marsad.detect.models import REVIEW_STATES, Flag
from marsad.detect.scoring import (
    RunResult,
    Versions,
    score_posts,
    unscored_count,
)
from marsad.detect.scoring import detection_status as _counts
from marsad.posts import read as posts_read

__all__ = [
    "DECISIONS",
    "InvalidInput",
    "RunResult",
    "detection_status",
    "get_flag",
    "list_flags",
    "pending_count",
    "post_flags",
    "review_flag",
    "review_flags",
    "reviewed_examples",
    "run_detection",
    "undo_review",
    "view_flag",
]

DECISIONS = ("confirmed", "rejected")


def pending_count(session: Session, *, model_version: str, glossary_version: str) -> int:
    """How many stored posts a run with these versions has still to score."""
    versions = Versions(model=model_version, glossary=glossary_version)
    return unscored_count(session, versions=versions)


def run_detection(
    *,
    sessions: sessionmaker[Session],
    model: DetectorModel | None = None,
    glossary: Glossary | None = None,
    thresholds: Mapping[str, float] | None = None,
    batch_size: int = 2000,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> RunResult:
    """Score every post the current model and glossary versions have not scored yet.

    The model is the one in use (``MARSAD_DETECT_MODEL``, else the promoted
    version of the model registry, else the shipped one) and the glossary
    the curated one in the database, unless given;
    ``thresholds`` default to ``MARSAD_DETECT_THRESHOLDS``. ``on_start`` is
    called once with the number of posts to score (for a progress bar),
    ``progress`` with the size of each batch done.
    """
    if settings is None:
        # The settings these sessions were made with (session_factory keeps them).
        settings = sessions.kw.get("info", {}).get("settings") or load_settings()
    if model is None:
        from marsad.detect.learning.registry import model_in_use

        model = model_in_use(sessions, settings=settings)
    if thresholds is None:
        thresholds = settings.detect.thresholds(model.thresholds)
    if glossary is None:
        with session_scope(sessions) as session:
            glossary = current_glossary(session)
    if on_start is not None:
        with session_scope(sessions) as session:
            total = pending_count(
                session, model_version=model.version, glossary_version=str(glossary.version)
            )
        on_start(total if limit is None else min(total, limit))
    done = [0]

    def advance(_last: int, so_far: RunResult) -> None:
        if progress is not None:
            progress(so_far.processed - done[0])
        done[0] = so_far.processed

    return score_posts(
        sessions=sessions,
        model=model,
        glossary=glossary,
        thresholds=thresholds,
        batch_size=batch_size,
        limit=limit,
        on_batch=advance,
    )


def detection_status(
    *,
    sessions: sessionmaker[Session],
    model: DetectorModel | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """``posts``, ``scored`` (by the current versions) and ``flagged`` (a current flag).

    With ``pending``, ``confirmed``, ``rejected`` (the current flags by review
    status) and the versions: the configured model's and the curated glossary's.
    """
    if model is None:
        from marsad.detect.learning.registry import model_in_use

        model = model_in_use(sessions, settings=settings or load_settings())
    with session_scope(sessions) as session:
        glossary = current_glossary(session)
        versions = Versions(model=model.version, glossary=str(glossary.version))
        return _counts(session, versions=versions)


def list_flags(
    session: Session,
    *,
    status: str = "pending",
    label: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Flagged posts for the review queue, strongest score first, with the post's text.

    One card per post: its current flag. Each card lists, as ``history``, the
    decisions reviewers made on the post's earlier flags (older versions).
    """
    if status not in (*REVIEW_STATES, "all"):
        raise InvalidInput("err_flag_status", f"unknown status {status!r}", "status")
    query = select(Flag).where(Flag.current.is_(True), Flag.flagged.is_(True))
    if status != "all":
        query = query.where(Flag.review_status == status)
    if label:
        query = query.where(cast(Flag.labels, String).like(f'%"{label}"%'))
    query = query.order_by(Flag.top_score.desc(), Flag.id).offset(offset).limit(limit)
    rows = list(session.execute(query).scalars())
    cards = posts_read.post_cards(session=session, ids=[r.post_pk for r in rows])
    history = _history(session, post_ids=[r.post_pk for r in rows])
    return [flag_view(r, cards.get(r.post_pk), history.get(r.post_pk, [])) for r in rows]


def post_flags(session: Session, *, post_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The standing flag of each of these posts that has one, for marking them in lists.

    A post is marked while its current flag waits for review or was confirmed (a
    rejected flag is no mark); ``labels`` are the reviewer's once confirmed.
    """
    if not post_ids:
        return {}
    rows = session.execute(
        select(Flag).where(
            Flag.post_pk.in_(list(dict.fromkeys(post_ids))),
            Flag.current.is_(True),
            Flag.flagged.is_(True),
            Flag.review_status.in_(("pending", "confirmed")),
        )
    ).scalars()
    return {
        row.post_pk: {
            "status": row.review_status,
            "labels": list(row.reviewed_labels if row.review_status == "confirmed" else row.labels)
            or [],
        }
        for row in rows
    }


def marked_segments(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_glossary_term) pieces, for highlighting in place.

    Overlapping or out-of-range spans are clipped, so every character shows once.
    """
    pieces: list[tuple[str, bool]] = []
    at = 0
    for span in sorted(spans, key=lambda s: (int(s.get("start", 0)), int(s.get("end", 0)))):
        start = max(int(span.get("start", 0)), at)
        end = min(int(span.get("end", 0)), len(text))
        if end <= start:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _history(session: Session, *, post_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The reviewed, no longer current flags of these posts, newest decision first."""
    found: dict[int, list[dict[str, Any]]] = {}
    if not post_ids:
        return found
    rows = session.execute(
        select(Flag)
        .where(
            Flag.post_pk.in_(post_ids),
            Flag.current.is_(False),
            Flag.review_status.in_(DECISIONS),
        )
        .order_by(Flag.reviewed_at.desc(), Flag.id)
    ).scalars()
    for row in rows:
        found.setdefault(row.post_pk, []).append(
            {
                "id": row.id,
                "model_version": row.model_version,
                "glossary_version": row.glossary_version,
                "labels": row.labels,
                "review_status": row.review_status,
                "reviewed_labels": row.reviewed_labels,
                "reviewed_by": row.reviewed_by,
                "reviewed_at": row.reviewed_at.isoformat() if row.reviewed_at else None,
                "review_note": row.review_note,
            }
        )
    return found


def flag_view(
    flag: Flag, card: dict[str, Any] | None, history: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One flag as the queue and the API show it, with what a reviewer needs of its post.

    ``card`` is the post as :func:`marsad.posts.read.post_cards` gives it (None
    when the post is gone): author, platform, time and the links to the post and
    account pages, so a decision is made with the context in view.
    """
    card = card or {}
    text = card.get("text", "")
    created = card.get("created_at")
    return {
        "id": flag.id,
        "post": flag.post_pk,
        "text": text,
        "platform": card.get("platform"),
        "post_id": card.get("post_id"),
        "posted_at": created.isoformat() if created else None,
        "author": card.get("author"),
        "account_id": card.get("account_id"),
        "handle": card.get("handle"),
        "url": card.get("url"),
        "post_page": card.get("post_page"),
        "account_page": card.get("account_page"),
        "labels": flag.labels,
        "scores": flag.scores,
        "hate_type": flag.hate_type,
        "spans": flag.spans,
        # The text in pieces, the glossary terms marked: the queue highlights them in place.
        "segments": marked_segments(text, flag.spans or []),
        "language": flag.language,
        # The model that scored the post had no reliable head in its language: the
        # glossary labelled it and the scores are shown, marked advisory, to weigh.
        # As that model decided, not as today's list of advisory languages would.
        "scores_advisory": flag.scores_advisory,
        "model_version": flag.model_version,
        "glossary_version": flag.glossary_version,
        "review_status": flag.review_status,
        "reviewed_labels": flag.reviewed_labels,
        "reviewed_by": flag.reviewed_by,
        "reviewed_at": flag.reviewed_at.isoformat() if flag.reviewed_at else None,
        "review_note": flag.review_note,
        "current": flag.current,
        "history": history or [],
    }


def view_flag(session: Session, *, flag: Flag) -> dict[str, Any]:
    """One flag as the API shows it, with its post's text and earlier decisions."""
    cards = posts_read.post_cards(session=session, ids=[flag.post_pk])
    history = _history(session, post_ids=[flag.post_pk]) if flag.current else {}
    return flag_view(flag, cards.get(flag.post_pk), history.get(flag.post_pk, []))


def get_flag(session: Session, *, flag_id: str) -> Flag:
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise NotFound("err_flag_not_found", f"no flag {flag_id!r}", "flag_id")
    return flag


def review_flag(
    session: Session,
    *,
    flag_id: str,
    decision: str,
    reviewer: str,
    labels: list[str] | None = None,
    note: str | None = None,
) -> Flag:
    """Record an analyst's decision on a flag; it feeds training and evaluation."""
    if decision not in DECISIONS:
        raise InvalidInput(
            "err_flag_decision", f"decision must be one of {', '.join(DECISIONS)}", "decision"
        )
    flag = get_flag(session, flag_id=flag_id)
    if not flag.current:
        # A newer scoring replaced this flag while the page was open: a decision
        # here would never show; the reviewer decides on the current flag instead.
        newer = session.execute(
            select(Flag.id).where(Flag.post_pk == flag.post_pk, Flag.current.is_(True))
        ).scalar_one_or_none()
        raise MarsadError(
            code="err_flag_superseded",
            message="a newer scoring of this post replaced this flag; review the current one",
            where="flag_id",
            status=409,
            details={"current": newer} if newer else {},
        )
    if labels is not None:
        unknown = [label for label in labels if label not in TASKS]
        if unknown:
            raise InvalidInput("err_flag_labels", f"unknown labels {unknown}", "labels")
    if decision == "confirmed":
        flag.reviewed_labels = list(labels) if labels is not None else list(flag.labels)
    else:
        flag.reviewed_labels = list(labels) if labels is not None else []
    flag.review_status = decision
    flag.reviewed_by = reviewer
    flag.reviewed_at = utcnow()
    flag.review_note = note or None
    flag.review_count += 1
    audit.record(
        session,
        actor=reviewer,
        action=f"flag.{decision}",
        subject_type="flag",
        subject_id=flag.id,
        details={"post": flag.post_pk, "labels": flag.reviewed_labels},
    )
    # The decision is also a label per task, for retraining and evaluation.
    from marsad.detect.learning.labels import record_flag_decision

    record_flag_decision(
        session,
        flag_id=flag.id,
        post_pk=flag.post_pk,
        reviewer=reviewer,
        labels=flag.reviewed_labels or [],
    )
    return flag


def review_flags(
    session: Session,
    *,
    flag_ids: list[str],
    decision: str,
    reviewer: str,
    note: str | None = None,
) -> dict[str, list[str]]:
    """One decision on several flags at once (confirming keeps each detector's labels).

    Flags a newer scoring replaced meanwhile are left for the reviewer to see
    again, not decided blind: they come back as ``skipped``. Each decision is
    audited as if made one by one.
    """
    if not flag_ids:
        raise InvalidInput("err_flag_none_chosen", N_("choose at least one flag"), "flag_ids")
    done: list[str] = []
    skipped: list[str] = []
    for flag_id in dict.fromkeys(flag_ids):
        flag = get_flag(session, flag_id=flag_id)
        if not flag.current:
            skipped.append(flag_id)
            continue
        review_flag(session, flag_id=flag_id, decision=decision, reviewer=reviewer, note=note)
        done.append(flag_id)
    return {"done": done, "skipped": skipped}


def undo_review(session: Session, *, flag_id: str, reviewer: str) -> Flag:
    """Take back a decision: the flag is waiting for review again. Audited.

    Only the reviewer who made the decision can take it back, and only while it
    is the post's current flag (a decision a newer scoring shows as history stays).
    """
    flag = get_flag(session, flag_id=flag_id)
    if flag.review_status not in DECISIONS:
        raise MarsadError(
            code="err_flag_not_reviewed",
            message=N_("this flag has no decision to undo"),
            where="flag_id",
            status=409,
        )
    if not flag.current or flag.reviewed_by != reviewer:
        raise MarsadError(
            code="err_flag_undo_refused",
            message=N_("only the reviewer's own decision on a current flag can be undone"),
            where="flag_id",
            status=409,
        )
    previous = {"decision": flag.review_status, "labels": flag.reviewed_labels}
    flag.review_status = "pending"
    flag.reviewed_labels = None
    flag.reviewed_by = None
    flag.reviewed_at = None
    flag.review_note = None
    audit.record(
        session,
        actor=reviewer,
        action="flag.undone",
        subject_type="flag",
        subject_id=flag.id,
        details={"post": flag.post_pk, **previous},
    )
    from marsad.detect.learning.labels import withdraw_flag_decision

    withdraw_flag_decision(session, flag_id=flag.id)
    return flag


def reviewed_examples(session: Session, *, task: str) -> list[tuple[str, int]]:
    """(text, 0/1) for one task from every reviewed flag: training data from decisions."""
    rows = list(session.execute(select(Flag).where(Flag.review_status.in_(DECISIONS))).scalars())
    latest: dict[int, Flag] = {}
    for row in rows:
        seen = latest.get(row.post_pk)
        if seen is None or (
            row.reviewed_at and seen.reviewed_at and row.reviewed_at > seen.reviewed_at
        ):
            latest[row.post_pk] = row
    texts = posts_read.post_texts(session=session, ids=list(latest))
    return [
        (texts[pk], int(task in (flag.reviewed_labels or [])))
        for pk, flag in latest.items()
        if pk in texts
    ]
