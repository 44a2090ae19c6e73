"""Retraining with the local labels: the public sets plus analysts' labels, weighted up.

:func:`local_datasets` turns the labels into one ``Dataset("local", ...)`` per
task (each post's majority label; never a post of a frozen evaluation sample),
weighted ``MARSAD_LEARNING_LOCAL_WEIGHT`` against each public set. A task whose
local labels have fewer than ``MARSAD_LEARNING_MIN_LABELS`` of either class is
left to the public data alone, and said so; when no task has enough, nothing is
trained and the model in use stays (``err_labels_too_few``).

:func:`train_candidate` is what ``marsad detect train --shared-data DIR
--include-reviewed`` and the ``detect.train-candidate`` job run: train, save,
register the result as a candidate with its scores on the frozen samples.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.detect.learning import labels as label_service
from marsad.detect.learning import registry
from marsad.detect.learning.models import Label
from marsad.detect.train import Dataset, load_default_data, train_model

__all__ = ["LabelsTooFew", "labels_stamp", "local_datasets", "train_candidate"]

# The tasks retraining adds local labels to (hate_type has no local labels).
LOCAL_TASKS = ("offensive", "hate", "violence")


class LabelsTooFew(InvalidInput):
    """No task has enough local labels of both classes: the model in use stays."""


def _counts(rows: list[tuple[str, int]]) -> dict[str, int]:
    return {"0": sum(1 for _t, v in rows if v == 0), "1": sum(1 for _t, v in rows if v == 1)}


def local_datasets(
    session: Session, *, tasks: tuple[str, ...], weight: float, min_per_class: int
) -> tuple[dict[str, Dataset], dict[str, dict[str, int]], dict[str, str]]:
    """(task -> local Dataset, task -> label counts, task -> why it was left out)."""
    found: dict[str, Dataset] = {}
    counts: dict[str, dict[str, int]] = {}
    left_out: dict[str, str] = {}
    for task in tasks:
        rows = label_service.training_examples(session, task=task)
        counts[task] = _counts(rows)
        if min(counts[task].values()) < min_per_class:
            left_out[task] = _(
                "{task}: {positive} labels of 1 and {negative} of 0; at least {least} of "
                "each are needed"
            ).format(
                task=task,
                positive=counts[task]["1"],
                negative=counts[task]["0"],
                least=min_per_class,
            )
            continue
        digest = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()
        found[task] = Dataset(
            name="local",
            texts=[text for text, _v in rows],
            labels=[str(v) for _t, v in rows],
            sha256=digest,
            weight=weight,
        )
    return found, counts, left_out


def labels_stamp(session: Session) -> str:
    """How many labels there are and the newest one's time: tells whether any arrived since."""
    count, newest = session.execute(select(func.count(), func.max(Label.labelled_at))).one()
    return f"{count}:{newest.isoformat(timespec='seconds') if newest else '-'}"


def train_candidate(
    *,
    sessions: sessionmaker[Session],
    settings: Any,
    shared_data: Path,
    out: Path | None,
    actor: str,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Train the public sets plus the local labels, save, register a candidate.

    ``out`` defaults to ``<data dir>/models/<version>``. Returns ``{"model",
    "model_version", "local_labels", "left_out", "metrics", "status"}``.
    Raises :class:`LabelsTooFew` (nothing written) when no task has enough labels.
    """
    learning = settings.learning
    say = progress or (lambda _m: None)
    if not shared_data.is_dir():
        raise InvalidInput("err_dataset_not_found", _("no such folder"), str(shared_data))
    with session_scope(sessions) as session:
        stamp = labels_stamp(session)
        local, counts, left_out = local_datasets(
            session,
            tasks=LOCAL_TASKS,
            weight=learning.learning_local_weight,
            min_per_class=learning.learning_min_labels,
        )
    if not local:
        raise LabelsTooFew(
            "err_labels_too_few",
            _("too few local labels to retrain; the model in use stays. {why}").format(
                why="; ".join(left_out.values())
            ),
            "labels",
        )
    say("reading the public data sets")
    data: dict[str, list[Dataset]] = {
        task: list(sets) for task, sets in load_default_data(shared_data).items()
    }
    for task, dataset in local.items():
        data.setdefault(task, []).append(dataset)
    model = train_model(data, progress=lambda msg: say(f"training: {msg}"))
    target = out if out is not None else Path(settings.data_dir) / "models" / model.version
    say("saving")
    path = model.save(target)
    with session_scope(sessions) as session:
        row = registry.register_candidate(
            session,
            model=model,
            path=path.parent,
            trained_by=actor,
            local_labels=counts,
            labels_stamp=stamp,
        )
        view = registry.version_view(row)
    return {
        "model": str(path),
        "model_version": model.version,
        "status": view["status"],
        "local_labels": counts,
        "left_out": left_out,
        "metrics": view["metrics"],
    }
