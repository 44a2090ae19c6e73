"""The labelling queue: which stored posts analysts label next, and the frozen evaluation sample.

:func:`build_queue` (``marsad detect queue``, the staff page's "draw more")
stores a sample of posts for one task, in this order:

1. posts of the task's **evaluation sample** nobody has labelled yet. That
   sample is drawn at random from the stored posts the first time a queue is
   asked for (``MARSAD_LEARNING_EVAL_SIZE`` posts, at most a fifth of the
   store), is never redrawn, and its posts never reach training, so every
   model is measured on the same unseen posts;
2. the rest of the size from a pool of up to ``MARSAD_LEARNING_POOL_SIZE``
   posts drawn at random among the posts nobody labelled for the task,
   flagged or not: a share (``MARSAD_LEARNING_RANDOM_SHARE``) at random, the
   others the most uncertain for the model in use, spread over topics
   (:mod:`~marsad.detect.learning.sampling`). Near-copies of labelled posts,
   of the evaluation sample and of one another are left out.

Every post in the queue says why it is there (``reason``), so estimates of
precision and prevalence can use the random ones alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.detect.learning import labels as label_service
from marsad.detect.learning.models import Label, LabelSample, LabelSampleItem
from marsad.detect.learning.sampling import choose_for_labelling
from marsad.detect.model import DetectorModel
from marsad.detect.train import dedupe_key
from marsad.posts import read as posts_read

__all__ = [
    "MAX_QUEUE",
    "build_queue",
    "evaluation_progress",
    "evaluation_sample",
    "next_item",
    "sample_posts",
]

MAX_QUEUE = 1000
ALL_POSTS = 10**12


def _unlabelled_ids(session: Session, *, task: str) -> list[int]:
    """Every stored post nobody has labelled for ``task``."""

    def labelled(post_id: Any) -> Any:
        return exists().where(Label.post_pk == post_id, Label.task == task)

    return posts_read.post_ids_after(session=session, after_id=0, limit=ALL_POSTS, unless=labelled)


def evaluation_sample(session: Session, *, task: str) -> LabelSample | None:
    """The task's frozen evaluation sample, if drawn."""
    return session.execute(
        select(LabelSample)
        .where(LabelSample.task == task, LabelSample.kind == "evaluation")
        .order_by(LabelSample.created_at)
        .limit(1)
    ).scalar_one_or_none()


def draw_evaluation_sample(
    session: Session, *, task: str, size: int, actor: str, seed: int | None = None
) -> LabelSample:
    """Draw the task's evaluation sample at random (once; later calls return it unchanged)."""
    label_service.check_task(task)
    found = evaluation_sample(session, task=task)
    if found is not None:
        return found
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    every = posts_read.post_ids_after(session=session, after_id=0, limit=ALL_POSTS)
    size = max(0, min(size, len(every) // 5))
    chosen = random.Random(seed).sample(every, size) if size else []  # noqa: S311 - a repeatable sample, not a secret
    sample = LabelSample(
        task=task, kind="evaluation", size=len(chosen), seed=seed, created_by=actor
    )
    session.add(sample)
    session.flush()
    for position, post_pk in enumerate(chosen):
        session.add(
            LabelSampleItem(
                sample_id=sample.id, post_pk=post_pk, position=position, reason="evaluation"
            )
        )
    audit.record(
        session,
        actor=actor,
        action="labels.evaluation_sample_drawn",
        subject_type="label_sample",
        subject_id=sample.id,
        details={"task": task, "size": len(chosen), "seed": seed},
    )
    session.flush()
    return sample


def evaluation_progress(session: Session, *, task: str) -> dict[str, int]:
    """``{"size", "labelled"}`` of the task's evaluation sample (0/0 before it is drawn)."""
    sample = evaluation_sample(session, task=task)
    if sample is None:
        return {"size": 0, "labelled": 0}
    labelled = session.execute(
        select(func.count(func.distinct(LabelSampleItem.post_pk))).where(
            LabelSampleItem.sample_id == sample.id,
            exists().where(Label.post_pk == LabelSampleItem.post_pk, Label.task == task),
        )
    ).scalar_one()
    return {"size": sample.size, "labelled": int(labelled)}


def _keys_of(session: Session, ids: list[int]) -> set[str]:
    keys = {dedupe_key(t) for t in posts_read.post_texts(session=session, ids=ids).values()}
    keys.discard("")
    return keys


def build_queue(
    session: Session,
    *,
    task: str,
    size: int,
    model: DetectorModel,
    thresholds: Mapping[str, float],
    actor: str,
    settings: Any,
    seed: int | None = None,
) -> dict[str, Any]:
    """Store a new sample of up to ``size`` posts to label for ``task``; return it.

    ``{"sample": id, "task", "model_version", "posts": [{"id", "text", "reason",
    "score", ...}]}``; see the module doc for the order and the reasons.
    """
    label_service.check_task(task)
    if not 1 <= size <= MAX_QUEUE:
        raise InvalidInput(
            "err_queue_size",
            _("the size must be between 1 and {most}").format(most=MAX_QUEUE),
            "--size",
        )
    learning = settings.learning
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    frozen = draw_evaluation_sample(
        session, task=task, size=learning.learning_eval_size, actor=actor, seed=seed
    )
    frozen_ids = label_service.evaluation_post_ids(session)
    labelled = label_service.labels_by_post(session, task=task)
    picked: list[tuple[int, str, float | None]] = []
    own = session.execute(
        select(LabelSampleItem.post_pk)
        .where(LabelSampleItem.sample_id == frozen.id)
        .order_by(LabelSampleItem.position)
    ).scalars()
    for post_pk in own:
        if len(picked) >= size:
            break
        if int(post_pk) not in labelled:
            picked.append((int(post_pk), "evaluation", None))

    left = size - len(picked)
    if left > 0:
        rng = random.Random(seed)  # noqa: S311 - a repeatable sample, not a secret
        candidates = [i for i in _unlabelled_ids(session, task=task) if i not in frozen_ids]
        pool_ids = (
            rng.sample(candidates, learning.learning_pool_size)
            if len(candidates) > learning.learning_pool_size
            else candidates
        )
        texts = posts_read.post_texts(session=session, ids=pool_ids)
        pool_ids = [i for i in pool_ids if i in texts]
        pool_texts = [texts[i] for i in pool_ids]
        scores = model.score(pool_texts)[task] if pool_texts else []
        skip = _keys_of(session, [*labelled, *frozen_ids])
        picks = choose_for_labelling(
            pool_texts,
            list(scores),
            threshold=float(thresholds.get(task, model.thresholds.get(task, 0.5))),
            size=left,
            random_share=learning.learning_random_share,
            seed=seed,
            skip_keys=skip,
        )
        # The random picks are mixed in among the uncertain ones, so that nobody
        # labelling can tell them apart (and label them differently).
        order = [(pool_ids[p.index], p.reason, p.score) for p in picks]
        rng.shuffle(order)
        picked += order

    sample = LabelSample(
        task=task,
        kind="queue",
        size=len(picked),
        model_version=model.version,
        seed=seed,
        created_by=actor,
    )
    session.add(sample)
    session.flush()
    for position, (post_pk, reason, score) in enumerate(picked):
        session.add(
            LabelSampleItem(
                sample_id=sample.id, post_pk=post_pk, position=position, reason=reason, score=score
            )
        )
    audit.record(
        session,
        actor=actor,
        action="labels.queue_drawn",
        subject_type="label_sample",
        subject_id=sample.id,
        details={
            "task": task,
            "size": len(picked),
            "model_version": model.version,
            "reasons": {r: sum(1 for p in picked if p[1] == r) for r in {p[1] for p in picked}},
        },
    )
    session.flush()
    cards = posts_read.post_cards(session=session, ids=[p[0] for p in picked])
    posts = []
    for post_pk, reason, score in picked:
        card = cards.get(post_pk, {})
        created = card.get("created_at")
        posts.append(
            {
                "id": post_pk,
                "text": card.get("text", ""),
                "reason": reason,
                "score": None if score is None else round(float(score), 4),
                "platform": card.get("platform"),
                "posted_at": created.isoformat() if created else None,
                "post_page": card.get("post_page"),
            }
        )
    return {"sample": sample.id, "task": task, "model_version": model.version, "posts": posts}


def sample_posts(session: Session, *, sample_id: str) -> list[LabelSampleItem]:
    """A sample's posts in order."""
    return list(
        session.execute(
            select(LabelSampleItem)
            .where(LabelSampleItem.sample_id == sample_id)
            .order_by(LabelSampleItem.position)
        ).scalars()
    )


def next_item(
    session: Session, *, task: str, user: str, second: bool = False, after: str | None = None
) -> tuple[LabelSampleItem | None, LabelSample | None]:
    """The next post this person should label for ``task`` on the staff page.

    First mode: a post of a stored sample nobody has labelled yet (the
    evaluation sample first, then the queues oldest first). Second-opinion mode
    (``second``): a post someone else labelled and this person has not, so the
    same sample gets a blind second label; nobody's answer is shown. ``after``
    (an item id) skips to the items after that one ("next").
    """
    labelled = label_service.labels_by_post(session, task=task)
    rows = session.execute(
        select(LabelSampleItem, LabelSample)
        .join(LabelSample, LabelSample.id == LabelSampleItem.sample_id)
        .where(LabelSample.task == task)
        .order_by(
            (LabelSample.kind != "evaluation"),
            LabelSample.created_at,
            LabelSample.id,
            LabelSampleItem.position,
        )
    ).all()
    ordered: list[tuple[LabelSampleItem, LabelSample]] = []
    seen: set[int] = set()
    for item, sample in rows:
        if item.post_pk not in seen:
            seen.add(item.post_pk)
            ordered.append((item, sample))
    start = next((n + 1 for n, (item, _s) in enumerate(ordered) if item.id == after), 0)
    for item, sample in ordered[start:]:
        who = labelled.get(item.post_pk, {})
        if user in who:
            continue
        if (second and who) or (not second and not who):
            return item, sample
    return None, None
