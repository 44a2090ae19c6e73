"""Flagging stored posts and reviewing the flags: the database side of detect.

``run_detection`` walks posts in id order, in batches, and writes one Flag per
post for the current model and glossary versions. Post ids only grow, so "new
posts" are those above the highest id already looked at with these versions;
a new model or glossary version starts again from the first post. Each batch
is one transaction: an interrupted run resumes where it stopped.

Posts are read through ``marsad.posts.read`` (never the posts tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core import audit
from marsad.core.db import new_id, session_scope, utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.settings import Settings, load_settings
from marsad.detect.curation import current_glossary
from marsad.detect.glossary import Glossary
from marsad.detect.model import TASKS, DetectorModel, load_configured_model
from marsad.detect.models import REVIEW_STATES, Flag
from marsad.detect.service import classify_texts
from marsad.posts import read as posts_read

DECISIONS = ("confirmed", "rejected")


@dataclass
class RunResult:
    processed: int
    flagged: int
    model_version: str
    glossary_version: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def last_looked_at(session: Session, *, model_version: str, glossary_version: str) -> int:
    """The highest post id already flagged with these versions (0 when none)."""
    last = session.execute(
        select(func.max(Flag.post_pk)).where(
            Flag.model_version == model_version, Flag.glossary_version == glossary_version
        )
    ).scalar_one()
    return int(last or 0)


def pending_count(session: Session, *, model_version: str, glossary_version: str) -> int:
    """How many stored posts a run with these versions has still to look at."""
    last = last_looked_at(session, model_version=model_version, glossary_version=glossary_version)
    return posts_read.count_posts_after(session=session, after_id=last)


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
    """Flag every post not yet looked at with the current model and glossary versions.

    The model is the configured one (``MARSAD_DETECT_MODEL``, else the shipped
    one) and the glossary the curated one in the database, unless given;
    ``thresholds`` default to ``MARSAD_DETECT_THRESHOLDS``. ``on_start`` is
    called once with the number of posts to look at (for a progress bar).
    """
    if settings is None:
        # The settings these sessions were made with (session_factory keeps them).
        settings = sessions.kw.get("info", {}).get("settings") or load_settings()
    model = model or load_configured_model(settings=settings)
    if thresholds is None:
        thresholds = settings.detect.thresholds(model.thresholds)
    if glossary is None:
        with session_scope(sessions) as session:
            glossary = current_glossary(session)
    glossary_version = str(glossary.version)
    result = RunResult(0, 0, model.version, glossary_version)
    with session_scope(sessions) as session:
        last = last_looked_at(
            session, model_version=model.version, glossary_version=glossary_version
        )
        if on_start:
            total = pending_count(
                session, model_version=model.version, glossary_version=glossary_version
            )
            on_start(total if limit is None else min(total, limit))
    while limit is None or result.processed < limit:
        size = batch_size if limit is None else min(batch_size, limit - result.processed)
        with session_scope(sessions) as session:
            batch = posts_read.post_texts_after(session=session, after_id=last, limit=size)
            if not batch:
                break
            verdicts = classify_texts(
                [text[:20_000] for _pk, text in batch],
                model=model,
                glossary=glossary,
                thresholds=thresholds,
            )
            rows = []
            for (pk, _text), verdict in zip(batch, verdicts, strict=True):
                flagged = bool(verdict["labels"])
                rows.append(
                    {
                        "post_pk": pk,
                        "model_version": model.version,
                        "glossary_version": glossary_version,
                        "flagged": flagged,
                        "labels": verdict["labels"],
                        "scores": verdict["scores"],
                        "top_score": max(
                            (verdict["scores"][t] for t in verdict["labels"]), default=0.0
                        ),
                        "hate_type": verdict.get("hate_type"),
                        "spans": verdict["spans"],
                        "language": verdict["language"],
                    }
                )
                result.flagged += flagged
            session.execute(Flag.__table__.insert(), [_with_defaults(r) for r in rows])
            last = batch[-1][0]
            result.processed += len(batch)
        if progress:
            progress(len(batch))
    return result


def _with_defaults(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": new_id(),
        "created_at": utcnow(),
        "review_status": "pending",
        "review_count": 0,
        **row,
    }


def list_flags(
    session: Session,
    *,
    status: str = "pending",
    label: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Flagged posts for the review queue, strongest score first, with the post's text."""
    if status not in (*REVIEW_STATES, "all"):
        raise InvalidInput("err_flag_status", f"unknown status {status!r}", "status")
    query = select(Flag).where(Flag.flagged.is_(True))
    if status != "all":
        query = query.where(Flag.review_status == status)
    if label:
        query = query.where(cast(Flag.labels, String).like(f'%"{label}"%'))
    query = query.order_by(Flag.top_score.desc(), Flag.id).offset(offset).limit(limit)
    rows = list(session.execute(query).scalars())
    texts = posts_read.post_texts(session=session, ids=[r.post_pk for r in rows])
    return [flag_view(r, texts.get(r.post_pk, "")) for r in rows]


def flag_view(flag: Flag, text: str) -> dict[str, Any]:
    return {
        "id": flag.id,
        "post": flag.post_pk,
        "text": text,
        "labels": flag.labels,
        "scores": flag.scores,
        "hate_type": flag.hate_type,
        "spans": flag.spans,
        "language": flag.language,
        "model_version": flag.model_version,
        "glossary_version": flag.glossary_version,
        "review_status": flag.review_status,
        "reviewed_labels": flag.reviewed_labels,
        "reviewed_by": flag.reviewed_by,
        "reviewed_at": flag.reviewed_at.isoformat() if flag.reviewed_at else None,
        "review_note": flag.review_note,
    }


def view_flag(session: Session, *, flag: Flag) -> dict[str, Any]:
    """One flag as the API shows it, with its post's text."""
    texts = posts_read.post_texts(session=session, ids=[flag.post_pk])
    return flag_view(flag, texts.get(flag.post_pk, ""))


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
