"""Measure a detector on labelled data: macro-F1, precision, recall, speed.

Also the cross-dataset protocol the model card reports: train on every set but
one, test on the one left out (leave-one-dataset-out), next to an in-domain
held-out split of each set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

from marsad.core.errors import InvalidInput
from marsad.detect.model import BINARY_TASKS, DetectorModel
from marsad.detect.train import Dataset, train_model

__all__ = ["cross_dataset_report", "evaluate_model", "scores"]


def scores(y_true: Sequence[int], y_pred: Sequence[int]) -> dict[str, float]:
    """Macro-averaged F1, precision and recall over both classes."""
    kw: dict[str, Any] = {"average": "macro", "zero_division": 0, "labels": [0, 1]}
    return {
        "macro_f1": round(float(f1_score(y_true, y_pred, **kw)), 4),
        "precision": round(float(precision_score(y_true, y_pred, **kw)), 4),
        "recall": round(float(recall_score(y_true, y_pred, **kw)), 4),
    }


def evaluate_model(
    model: DetectorModel,
    texts: Sequence[str],
    labels: Sequence[str | int],
    task: str,
    *,
    threshold: float | None = None,
) -> dict[str, float | int]:
    """Score ``model`` on one binary task.

    Returns exactly ``{"macro_f1", "precision", "recall", "n", "posts_per_s"}``;
    precision and recall are macro-averaged like F1, and ``posts_per_s`` is
    the throughput of the full scoring path (features, glossary, all heads).
    """
    if task not in (*BINARY_TASKS, "extremism"):
        raise InvalidInput("err_task", f"unknown task {task!r}", "task")
    if not texts:
        raise InvalidInput("err_dataset_empty", "no rows to evaluate", "data")
    y = np.array([int(v) for v in labels])
    start = time.perf_counter()
    scored = model.score(list(texts))
    elapsed = max(time.perf_counter() - start, 1e-9)
    cut = model.thresholds[task] if threshold is None else threshold
    predicted = scored[task] >= cut
    if task == "violence":  # as the service labels it: head or glossary call to violence
        predicted |= scored["violence_lexicon"] >= model.incitement.threshold
    out: dict[str, float | int] = dict(scores(y, predicted.astype(int)))
    out["n"] = len(y)
    out["posts_per_s"] = round(len(y) / elapsed, 1)
    return out


def cross_dataset_report(
    datasets: Sequence[Dataset],
    task: str,
    *,
    test_size: float = 0.2,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    **train_kwargs: Any,
) -> dict[str, dict[str, dict[str, float | int]]]:
    """In-domain and leave-one-dataset-out scores for ``task``.

    ``in_domain[name]``: trained on every set's training split (80 %),
    tested on ``name``'s held-out 20 %. ``cross_dataset[name]``: trained on all
    the *other* sets in full, tested on all of ``name``.
    """
    say = progress or (lambda _m: None)
    train_parts: list[Dataset] = []
    test_parts: dict[str, Dataset] = {}
    for ds in datasets:
        tr_x, te_x, tr_y, te_y = train_test_split(
            ds.texts, ds.labels, test_size=test_size, random_state=seed, stratify=ds.labels
        )
        train_parts.append(Dataset(ds.name, tr_x, tr_y, ds.sha256))
        test_parts[ds.name] = Dataset(ds.name, te_x, te_y, ds.sha256)
    say(f"{task}: in-domain model on {len(train_parts)} sets")
    model = train_model({task: train_parts}, **train_kwargs)
    report: dict[str, dict[str, dict[str, float | int]]] = {"in_domain": {}, "cross_dataset": {}}
    for name, part in test_parts.items():
        report["in_domain"][name] = evaluate_model(model, part.texts, part.labels, task)
    if len(datasets) > 1:
        for held in datasets:
            others = [ds for ds in datasets if ds.name != held.name]
            say(f"{task}: leave out {held.name}")
            model = train_model({task: others}, **train_kwargs)
            report["cross_dataset"][held.name] = evaluate_model(
                model, held.texts, held.labels, task
            )
    return report
