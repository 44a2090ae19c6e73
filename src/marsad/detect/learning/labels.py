"""Labels: analysts' answers, imported files and flag decisions, and what training reads of them.

Every label is (post, task, value, who, when, from where). A person has one
label per post and task; answering again replaces it. Every change is audited
(``label.recorded``, ``label.withdrawn``, ``labels.imported``); the audit
details name the post and task, never the post's text.

Training reads the *majority* label of each post (ties are left out) and never
a post of an evaluation sample, nor a near-copy of one (:func:`training_examples`).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from marsad.core import audit
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.detect.learning.models import LABEL_SOURCES, Label, LabelSample, LabelSampleItem
from marsad.detect.model import TASKS
from marsad.detect.train import dedupe_key
from marsad.posts import read as posts_read

__all__ = [
    "agreement",
    "IMPORT_COLUMNS",
    "LABEL_TASKS",
    "check_task",
    "evaluation_examples",
    "evaluation_post_ids",
    "export_labels",
    "import_labels",
    "label_counts",
    "labels_by_post",
    "parse_post_id",
    "record_flag_decision",
    "record_label",
    "training_examples",
    "withdraw_flag_decision",
    "withdraw_label",
]

#: The tasks a post can be labelled for: every task Marsad scores.
LABEL_TASKS = TASKS
IMPORT_COLUMNS = ("post_id", "task", "value")
EXPORT_COLUMNS = ("post_id", "task", "value", "labelled_by", "source", "labelled_at")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def check_task(task: str, where: str = "--task") -> str:
    """The task, or ``InvalidInput`` naming the tasks there are."""
    if task not in LABEL_TASKS:
        raise InvalidInput(
            "err_label_task",
            _("there is no task {task}; tasks: {tasks}").format(
                task=repr(task), tasks=", ".join(LABEL_TASKS)
            ),
            where,
        )
    return task


def parse_post_id(raw: str) -> int | None:
    """Marsad's post id as the queue prints it (``123``, or ``post:123``); None if not one."""
    text = raw.strip()
    if text.startswith("post:"):
        text = text[len("post:") :]
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def record_label(
    session: Session,
    *,
    post_pk: int,
    task: str,
    value: int,
    labelled_by: str,
    source: str,
    sample_id: str | None = None,
    flag_id: str | None = None,
    audited: bool = True,
    post_known: bool = False,
) -> Label:
    """Save one person's answer (replacing their earlier one on this post and task).

    ``audited=False`` when the caller writes one audit record for many labels;
    ``post_known`` when it has already checked that the post exists.
    """
    check_task(task, "task")
    if value not in (0, 1):
        raise InvalidInput("err_label_value", _("a label is 0 or 1"), "value")
    if source not in LABEL_SOURCES:
        raise InvalidInput("err_label_source", f"unknown source {source!r}", "source")
    if not post_known and not posts_read.post_texts(session=session, ids=[post_pk]):
        raise InvalidInput(
            "err_label_post", _("there is no post {post}").format(post=post_pk), "post_id"
        )
    label = session.execute(
        select(Label).where(
            Label.post_pk == post_pk, Label.task == task, Label.labelled_by == labelled_by
        )
    ).scalar_one_or_none()
    before = None if label is None else label.value
    if label is None:
        label = Label(post_pk=post_pk, task=task, labelled_by=labelled_by)
        session.add(label)
    label.value = value
    label.source = source
    label.sample_id = sample_id
    label.flag_id = flag_id
    label.labelled_at = utcnow()
    session.flush()
    if audited:
        audit.record(
            session,
            actor=labelled_by,
            action="label.recorded",
            subject_type="post",
            subject_id=str(post_pk),
            details={"task": task, "value": value, "before": before, "source": source},
        )
    return label


def withdraw_label(session: Session, *, post_pk: int, task: str, labelled_by: str) -> bool:
    """Take back one's own label (undo); audited. False when there was none."""
    label = session.execute(
        select(Label).where(
            Label.post_pk == post_pk, Label.task == task, Label.labelled_by == labelled_by
        )
    ).scalar_one_or_none()
    if label is None:
        return False
    audit.record(
        session,
        actor=labelled_by,
        action="label.withdrawn",
        subject_type="post",
        subject_id=str(post_pk),
        details={"task": task, "value": label.value, "source": label.source},
    )
    session.delete(label)
    session.flush()
    return True


def record_flag_decision(
    session: Session, *, flag_id: str, post_pk: int, reviewer: str, labels: Sequence[str]
) -> None:
    """A decision on a flag as labels: 1 for each task the reviewer kept, 0 for the others.

    Called by the flag queue (``flagging.review_flag``), whose own audit record
    (``flag.confirmed``/``flag.rejected``) names the decision and the labels.
    """
    kept = set(labels)
    for task in LABEL_TASKS:
        record_label(
            session,
            post_pk=post_pk,
            task=task,
            value=int(task in kept),
            labelled_by=reviewer,
            source="flag",
            flag_id=flag_id,
            audited=False,
            post_known=True,
        )


def withdraw_flag_decision(session: Session, *, flag_id: str) -> int:
    """An undone flag decision no longer labels its post (``flagging.undo_review``)."""
    result = session.execute(delete(Label).where(Label.flag_id == flag_id, Label.source == "flag"))
    return int(result.rowcount or 0)


def import_labels(
    session: Session, *, source: Path | str | io.TextIOBase, labelled_by: str
) -> dict[str, Any]:
    """Load a CSV of ``post_id,task,value`` rows; ``{"imported", "rejected"}``.

    Good rows are saved; each bad one is listed in ``rejected`` as
    ``{"row", "reason"}`` (row 1 is the first row under the header; a problem
    with the header itself is row 0, and then nothing is imported): a post that
    does not exist, a task that does not exist, a value that is not 0 or 1.
    """
    rows, header_problem = _read_rows(source)
    if header_problem is not None:
        return {"imported": 0, "rejected": [{"row": 0, "reason": header_problem}]}
    rejected: list[dict[str, Any]] = []
    wanted: list[tuple[int, int, str, int]] = []
    for number, row in rows:
        raw_post = (row.get("post_id") or "").strip()
        task = (row.get("task") or "").strip()
        raw_value = (row.get("value") or "").strip()
        post_pk = parse_post_id(raw_post)
        if post_pk is None:
            reason = _("post_id {value} is not a post id as the queue prints it")
            rejected.append({"row": number, "reason": reason.format(value=repr(raw_post))})
            continue
        if task not in LABEL_TASKS:
            reason = _("there is no task {task}; tasks: {tasks}")
            rejected.append(
                {"row": number, "reason": reason.format(task=repr(task), tasks=", ".join(TASKS))}
            )
            continue
        if raw_value not in ("0", "1"):
            reason = _("value {value} is not 0 or 1")
            rejected.append({"row": number, "reason": reason.format(value=repr(raw_value))})
            continue
        wanted.append((number, post_pk, task, int(raw_value)))
    existing = set(posts_read.post_texts(session=session, ids=[w[1] for w in wanted]))
    imported = 0
    for number, post_pk, task, value in wanted:
        if post_pk not in existing:
            reason = _("there is no post {post}").format(post=post_pk)
            rejected.append({"row": number, "reason": reason})
            continue
        record_label(
            session,
            post_pk=post_pk,
            task=task,
            value=value,
            labelled_by=labelled_by,
            source="import",
            audited=False,
            post_known=True,
        )
        imported += 1
    rejected.sort(key=lambda r: r["row"])
    audit.record(
        session,
        actor=labelled_by,
        action="labels.imported",
        subject_type="labels",
        subject_id=labelled_by,
        details={"imported": imported, "rejected": len(rejected)},
    )
    return {"imported": imported, "rejected": rejected}


def _read_rows(
    source: Path | str | io.TextIOBase,
) -> tuple[list[tuple[int, dict[str, str]]], str | None]:
    """The CSV's rows (numbered from 1 under the header), or the header's problem."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise InvalidInput("err_labels_file", _("no such file"), str(path))
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise InvalidInput("err_labels_file", _("the file is larger than 50 MB"), str(path))
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                "err_labels_file", _("the file is not UTF-8 text"), str(path)
            ) from None
    else:
        text = source.read()
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = [c for c in IMPORT_COLUMNS if c not in header]
        if missing:
            problem = _("missing column {columns} (the file has: {found})").format(
                columns=", ".join(missing), found=", ".join(header) or "-"
            )
            return [], problem
        rows = [(n, row) for n, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        return [], _("not a CSV file ({error})").format(error=exc)
    return rows, None


def export_labels(session: Session, *, task: str | None = None) -> str:
    """Every label as CSV (``EXPORT_COLUMNS``; times in UTC), oldest first."""
    query = select(Label).order_by(Label.labelled_at, Label.id)
    if task is not None:
        query = query.where(Label.task == check_task(task))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for label in session.execute(query).scalars():
        writer.writerow(
            [
                label.post_pk,
                label.task,
                label.value,
                label.labelled_by,
                label.source,
                label.labelled_at.isoformat(timespec="seconds"),
            ]
        )
    return out.getvalue()


def labels_by_post(session: Session, *, task: str) -> dict[int, dict[str, int]]:
    """post -> {person: value} for one task."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(Label.post_pk, Label.labelled_by, Label.value).where(Label.task == task)
    )
    for post_pk, who, value in rows:
        found[int(post_pk)][who] = int(value)
    return dict(found)


def label_counts(session: Session) -> dict[str, dict[str, int]]:
    """task -> {"labels": rows, "posts": distinct posts} over every label."""
    out = {task: {"labels": 0, "posts": 0} for task in LABEL_TASKS}
    rows = session.execute(
        select(Label.task, func.count(), func.count(func.distinct(Label.post_pk))).group_by(
            Label.task
        )
    )
    for task, n, posts in rows:
        if task in out:
            out[task] = {"labels": int(n), "posts": int(posts)}
    return out


def _majority(values: Iterable[int]) -> int | None:
    """The value most people gave; None on a tie."""
    counts = Counter(values).most_common()
    if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def evaluation_post_ids(session: Session, *, task: str | None = None) -> set[int]:
    """The posts of the evaluation samples (one task's, or every task's)."""
    query = (
        select(LabelSampleItem.post_pk)
        .join(LabelSample, LabelSample.id == LabelSampleItem.sample_id)
        .where(LabelSample.kind == "evaluation")
    )
    if task is not None:
        query = query.where(LabelSample.task == task)
    return {int(pk) for pk in session.execute(query).scalars()}


def training_examples(session: Session, *, task: str) -> list[tuple[str, int]]:
    """(text, 0/1) of every labelled post of this task that training may learn from.

    Each post's majority label (a tie between labellers is left out). A post
    in any task's frozen evaluation sample is never returned, nor a post that
    is a copy of one (the same :func:`~marsad.detect.train.dedupe_key`): the
    evaluation sample must stay unseen by every model it measures.
    """
    check_task(task, "task")
    frozen = evaluation_post_ids(session)
    by_post = labels_by_post(session, task=task)
    texts = posts_read.post_texts(session=session, ids=[*by_post, *frozen])
    frozen_keys = {dedupe_key(texts[pk]) for pk in frozen if pk in texts}
    frozen_keys.discard("")
    out: list[tuple[str, int]] = []
    for post_pk in sorted(by_post):
        if post_pk in frozen or post_pk not in texts:
            continue
        text = texts[post_pk]
        if dedupe_key(text) in frozen_keys:
            continue
        value = _majority(by_post[post_pk].values())
        if value is not None:
            out.append((text, value))
    return out


def evaluation_examples(session: Session, *, task: str) -> list[tuple[int, str, int]]:
    """(post, text, 0/1) of the task's evaluation sample posts labelled so far (majority)."""
    frozen = evaluation_post_ids(session, task=task)
    if not frozen:
        return []
    by_post = labels_by_post(session, task=task)
    texts = posts_read.post_texts(session=session, ids=list(frozen))
    out = []
    for post_pk in sorted(frozen):
        if post_pk in by_post and post_pk in texts:
            value = _majority(by_post[post_pk].values())
            if value is not None:
                out.append((post_pk, texts[post_pk], value))
    return out


def agreement(session: Session, *, task: str | None = None) -> dict[str, Any]:
    """``{"tasks": {task: {"alpha", "posts", "labellers", "labels"}}}``: Krippendorff's alpha.

    Nominal alpha over the posts two or more people labelled (see
    :mod:`~marsad.detect.learning.agreement`); None where it cannot be told yet.
    """
    from marsad.detect.learning.agreement import nominal_alpha

    tasks = (check_task(task),) if task is not None else LABEL_TASKS
    return {"tasks": {t: nominal_alpha(labels_by_post(session, task=t)) for t in tasks}}
