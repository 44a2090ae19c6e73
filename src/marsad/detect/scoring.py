"""Scoring stored posts: which posts, under which versions, and the one current flag.

A post is scored by a model version and a glossary version when a Flag row for
those versions exists (flagged or not). The posts still to score are found by
what is missing, a ``NOT EXISTS`` over those rows, never by the highest post id
seen: two ingests running at once commit ids out of order, and a post with a
lower id that appears after a run is still found by the next one. The unique
index on ``(post_pk, model_version, glossary_version)`` answers each probe.

Each post has one *current* row, its card in the review queue:

- a new scoring supersedes a current row that nobody reviewed (the old row is
  kept, with its version, out of the queue);
- a reviewed row is never changed: a new scoring that flags the post again
  becomes the current row (the decision is shown on it as history); one that
  does not flag it leaves the reviewed row current.

Work is done in batches: the posts are read, classified outside any transaction,
and their rows written in one short transaction, so a run stopped half-way keeps
what it committed; scoring a post twice with the same versions is a no-op (the
insert skips an existing row), so a re-delivered shard doubles nothing.

Posts are read through ``marsad.posts.read`` (never the posts tables).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import new_id, session_scope, utcnow
from marsad.detect.glossary import Glossary
from marsad.detect.model import DetectorModel
from marsad.detect.models import Flag
from marsad.detect.service import MAX_TEXT_CHARS, classify_texts
from marsad.posts import read as posts_read

REVIEWED = ("confirmed", "rejected")
_flags = Flag.__table__.c


@dataclass
class RunResult:
    """What one scoring run (or one shard of it) did."""

    processed: int
    flagged: int
    model_version: str
    glossary_version: str
    superseded: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Versions:
    """The model and glossary versions a scoring is made with."""

    model: str
    glossary: str


def scored_by(versions: Versions) -> Callable[[Any], Any]:
    """A condition on a post id column: these versions have a row for that post."""

    def condition(post_id: Any) -> Any:
        return exists().where(
            _flags.post_pk == post_id,
            _flags.model_version == versions.model,
            _flags.glossary_version == versions.glossary,
        )

    return condition


def unscored_count(
    session: Session, *, versions: Versions, after_id: int = 0, up_to: int | None = None
) -> int:
    """How many stored posts (in the id window) these versions have not scored."""
    return posts_read.count_posts_after(
        session=session, after_id=after_id, up_to=up_to, unless=scored_by(versions)
    )


def plan_ranges(
    session: Session,
    *,
    versions: Versions,
    shard_size: int,
    lo: int | None = None,
    hi: int | None = None,
    limit: int | None = None,
) -> list[tuple[int, int]]:
    """Split the unscored posts into contiguous post-id ranges of about ``shard_size`` each.

    The ranges are inclusive and leave no gap between the first and the last
    unscored post, so a post committed late with an id inside them is still
    scored by its shard. ``limit`` caps how many unscored posts are planned.
    """
    ranges: list[tuple[int, int]] = []
    after = (lo - 1) if lo is not None else 0
    planned = 0
    while limit is None or planned < limit:
        size = shard_size if limit is None else min(shard_size, limit - planned)
        ids = posts_read.post_ids_after(
            session=session, after_id=after, limit=size, up_to=hi, unless=scored_by(versions)
        )
        if not ids:
            break
        start = ranges[-1][1] + 1 if ranges else ids[0]
        ranges.append((start, ids[-1]))
        planned += len(ids)
        after = ids[-1]
    return ranges


def score_posts(
    *,
    sessions: sessionmaker[Session],
    model: DetectorModel,
    glossary: Glossary,
    thresholds: Mapping[str, float],
    after_id: int = 0,
    up_to: int | None = None,
    batch_size: int = 2000,
    limit: int | None = None,
    on_batch: Callable[[int, RunResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunResult:
    """Score the posts above ``after_id`` (up to ``up_to``) the versions have not scored.

    Parameters
    ----------
    sessions : sessionmaker
        The database; each batch is read in one short transaction and, once
        classified, written in another.
    model, glossary, thresholds
        What to score with (the versions are the model's and the glossary's).
    after_id, up_to : int
        The post-id window (``after_id`` exclusive, ``up_to`` inclusive).
    batch_size : int
        Posts per batch.
    limit : int, optional
        Stop after scoring this many posts.
    on_batch : callable, optional
        Called after each committed batch with the last post id it covered and
        the running totals: where a job saves its cursor and progress.
    should_stop : callable, optional
        Checked between batches (a cancelled job stops there).

    Returns
    -------
    RunResult
        Posts scored, posts flagged, older rows superseded, and the versions.
    """
    versions = Versions(model=model.version, glossary=str(glossary.version))
    result = RunResult(0, 0, versions.model, versions.glossary)
    last = after_id
    while limit is None or result.processed < limit:
        if should_stop is not None and should_stop():
            break
        size = batch_size if limit is None else min(batch_size, limit - result.processed)
        with session_scope(sessions) as session:
            batch = posts_read.post_texts_after(
                session=session,
                after_id=last,
                limit=size,
                up_to=up_to,
                unless=scored_by(versions),
            )
        if not batch:
            break
        # Classified outside any transaction: on SQLite a write transaction holds the
        # one write lock, and other workers (and ingest) would wait for the classifier.
        verdicts = classify_texts(
            [text[:MAX_TEXT_CHARS] for _pk, text in batch],
            model=model,
            glossary=glossary,
            thresholds=thresholds,
        )
        with session_scope(sessions) as session:
            written, flagged, superseded = store_scores(
                session,
                versions=versions,
                scored=[(pk, v) for (pk, _text), v in zip(batch, verdicts, strict=True)],
            )
        last = batch[-1][0]
        result.processed += written
        result.flagged += flagged
        result.superseded += superseded
        if on_batch is not None:
            on_batch(last, result)
    return result


def store_scores(
    session: Session, *, versions: Versions, scored: list[tuple[int, dict[str, Any]]]
) -> tuple[int, int, int]:
    """Write one row per scored post and move each post's current row.

    Returns (rows written, of them flagged, older current rows superseded). A post
    that already has a row for these versions (another worker scored it since it
    was read) is skipped: nothing is written twice.
    """
    post_ids = [pk for pk, _verdict in scored]
    cards = {
        int(pk): status
        for pk, status in session.execute(
            select(_flags.post_pk, _flags.review_status).where(
                _flags.post_pk.in_(post_ids), _flags.current.is_(True), _flags.flagged.is_(True)
            )
        )
    }
    now = utcnow()
    rows = []
    for pk, verdict in scored:
        flagged = bool(verdict["labels"])
        # A reviewed card stays the post's card unless the post is flagged again.
        keeps_card = cards.get(pk) in REVIEWED and not flagged
        rows.append(
            {
                "id": new_id(),
                "post_pk": pk,
                "model_version": versions.model,
                "glossary_version": versions.glossary,
                "flagged": flagged,
                "current": not keeps_card,
                "labels": verdict["labels"],
                "scores": verdict["scores"],
                "top_score": max((verdict["scores"][t] for t in verdict["labels"]), default=0.0),
                "hate_type": verdict.get("hate_type"),
                "spans": verdict["spans"],
                "language": verdict["language"],
                "scores_advisory": verdict["scores_advisory"],
                "created_at": now,
                "review_status": "pending",
                "review_count": 0,
            }
        )
    session.execute(_insert_new(session), rows)
    # Rows another writer had already made for these versions were skipped: only
    # the rows that went in (found by their new ids) move the posts' cards.
    new_ids = [r["id"] for r in rows]
    wrote = set(session.execute(select(Flag.id).where(Flag.id.in_(new_ids))).scalars())
    written = [r for r in rows if r["id"] in wrote]
    moved = [r["post_pk"] for r in written if r["current"]]
    superseded = 0
    if moved:
        superseded = session.execute(
            update(Flag)
            .where(
                Flag.post_pk.in_(moved),
                Flag.current.is_(True),
                ~and_(
                    Flag.model_version == versions.model,
                    Flag.glossary_version == versions.glossary,
                ),
            )
            .values(current=False)
            .execution_options(synchronize_session=False)
        ).rowcount
    flag_events(session, [r for r in written if r["flagged"]])
    return len(written), sum(r["flagged"] for r in written), int(superseded or 0)


def flag_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Emit ``flag.created`` for a batch's new flags: one call, two small queries.

    The payload names the post, its account, the account's actor and watchlists
    and the labels; never the post's text.
    """
    if not rows:
        return
    from marsad.core.events import Event, emit_many
    from marsad.posts.models import Account, Actor, Post, Watchlist, WatchlistAccount

    pks = sorted({r["post_pk"] for r in rows})
    authors = {
        pk: (platform, account_id, handle, account_pk, actor)
        for pk, platform, account_id, handle, account_pk, actor in session.execute(
            select(Post.id, Post.platform, Post.account_id, Account.handle, Account.id, Actor.name)
            .outerjoin(
                Account,
                and_(Account.platform == Post.platform, Account.account_id == Post.account_id),
            )
            .outerjoin(Actor, Actor.id == Account.actor_id)
            .where(Post.id.in_(pks))
        )
    }
    account_pks = {a[3] for a in authors.values() if a[3] is not None}
    lists: dict[str, list[str]] = {}
    if account_pks:
        for account_pk, name in session.execute(
            select(WatchlistAccount.account_pk, Watchlist.name)
            .join(Watchlist, Watchlist.id == WatchlistAccount.watchlist_id)
            .where(WatchlistAccount.account_pk.in_(account_pks))
        ):
            lists.setdefault(account_pk, []).append(name)
    events = []
    for row in rows:
        platform, account_id, handle, account_pk, actor = authors.get(row["post_pk"], (None,) * 5)
        labels = sorted(row["labels"], key=lambda label: -row["scores"].get(label, 0.0))
        severities = [int(s["severity"]) for s in row["spans"] or [] if s.get("severity")]
        events.append(
            Event(
                "flag.created",
                {
                    "flag_id": row["id"],
                    "post_id": row["post_pk"],
                    "label": labels[0] if labels else None,
                    "labels": labels,
                    "severity": str(max(severities)) if severities else None,
                    "account": f"{platform}:{handle or account_id}" if platform else None,
                    "actor": actor,
                    "watchlists": sorted(lists.get(account_pk, [])),
                },
            )
        )
    emit_many(session, events)


def _insert_new(session: Session) -> Any:
    """An INSERT that skips a row whose post already has one for the same versions."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(Flag.__table__).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(Flag.__table__).on_conflict_do_nothing()
    return Flag.__table__.insert()


def detection_status(session: Session, *, versions: Versions) -> dict[str, Any]:
    """Stored posts, posts the current versions scored, posts with a current flag.

    ``flagged`` counts posts whose current row is flagged, whatever its review
    status; ``pending`` those of them still waiting for a reviewer.
    """
    posts = posts_read.count_posts_after(session=session, after_id=0)
    scored = session.execute(
        select(func.count())
        .select_from(Flag.__table__)
        .where(_flags.model_version == versions.model, _flags.glossary_version == versions.glossary)
    ).scalar_one()
    by_status = dict(
        session.execute(
            select(_flags.review_status, func.count())
            .where(_flags.current.is_(True), _flags.flagged.is_(True))
            .group_by(_flags.review_status)
        ).all()
    )
    return {
        "posts": int(posts),
        "scored": int(scored),
        "flagged": int(sum(by_status.values())),
        "pending": int(by_status.get("pending", 0)),
        "confirmed": int(by_status.get("confirmed", 0)),
        "rejected": int(by_status.get("rejected", 0)),
        "model_version": versions.model,
        "glossary_version": versions.glossary,
    }
