"""Measure a detector on labelled data: macro-F1, precision, recall, speed.

Also the protocol the model card reports: in-domain k-fold cross-validation
(out-of-fold predictions) of each set, and cross-dataset transfer: train on
every set but one, test on the one left out (leave-one-dataset-out). Both
deduplicate the sets first, so that no copy of a test post is in training.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold

from marsad.core.errors import InvalidInput
from marsad.core.text import normalize
from marsad.detect.model import BINARY_TASKS, DetectorModel
from marsad.detect.service import MAX_BATCH, MAX_TEXT_CHARS, classify_texts
from marsad.detect.train import Dataset, dedupe, train_model

__all__ = ["cross_dataset_report", "evaluate_as_service", "evaluate_model", "scores"]


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
    """Score ``model``'s own labels on one binary task, every post as if it were Arabic.

    What the heads say, in every language: the figure for comparing models
    (the model card, the registry). :func:`evaluate_as_service` measures what
    the service labels instead.

    Returns exactly ``{"macro_f1", "precision", "recall", "n", "posts_per_s"}``;
    precision and recall are macro-averaged like F1, and ``posts_per_s`` is
    the throughput of the full scoring path (features, glossary, all heads).
    """
    y = _labels(texts, labels, task)
    start = time.perf_counter()
    scored = _score(model, list(texts))
    elapsed = max(time.perf_counter() - start, 1e-9)
    cut = model.thresholds[task] if threshold is None else threshold
    predicted = scored[task] >= cut
    if task == "violence":  # as the service labels it: head or glossary call to violence
        predicted |= scored["violence_lexicon"] >= model.incitement.threshold
    return _measured(y, predicted.astype(int), elapsed)


def evaluate_as_service(
    model: DetectorModel,
    texts: Sequence[str],
    labels: Sequence[str | int],
    task: str,
    *,
    threshold: float | None = None,
) -> dict[str, float | int]:
    """Score ``model`` on one binary task as the service labels posts.

    Each row goes through :func:`~marsad.detect.service.classify_texts`, the
    path ``detect run`` and the classify API take: a post in one of the
    model's ``advisory_languages`` (Kurdish, English, ``other``) is labelled
    from the glossary alone, any other by the model's scores. The glossary is
    the one the model was trained with, as in :func:`evaluate_model`; texts
    are cut at ``MAX_TEXT_CHARS``, as ``detect run`` cuts them.

    Parameters
    ----------
    model : DetectorModel
        The model to measure.
    texts, labels : sequence
        The rows and their 0/1 labels for ``task``.
    task : str
        ``offensive``, ``hate``, ``violence`` or ``extremism``.
    threshold : float, optional
        The task's decision threshold (default: the model's).

    Returns
    -------
    dict
        ``{"macro_f1", "precision", "recall", "n", "posts_per_s"}`` as
        :func:`evaluate_model` gives them (``posts_per_s`` now with language
        identification), and ``glossary_only``: how many rows were in an
        advisory language, so labelled from the glossary alone.

    Raises
    ------
    InvalidInput
        An unknown task, no rows, or a threshold outside (0, 1).
    """
    y = _labels(texts, labels, task)
    thresholds = None if threshold is None else {task: threshold}
    rows = [t[:MAX_TEXT_CHARS] for t in texts]
    verdicts: list[dict[str, Any]] = []
    start = time.perf_counter()
    for at in range(0, len(rows), MAX_BATCH):
        verdicts += classify_texts(
            rows[at : at + MAX_BATCH],
            model=model,
            glossary=model.lexicon.glossary,
            thresholds=thresholds,
        )
    elapsed = max(time.perf_counter() - start, 1e-9)
    predicted = np.array([int(task in v["labels"]) for v in verdicts])
    out = _measured(y, predicted, elapsed)
    out["glossary_only"] = sum(bool(v["scores_advisory"]) for v in verdicts)
    return out


def _labels(texts: Sequence[str], labels: Sequence[str | int], task: str) -> np.ndarray:
    """The 0/1 labels as an array, once the task and the rows are checked."""
    if task not in (*BINARY_TASKS, "extremism"):
        raise InvalidInput("err_task", f"unknown task {task!r}", "task")
    if not texts:
        raise InvalidInput("err_dataset_empty", "no rows to evaluate", "data")
    return np.array([int(v) for v in labels])


def _measured(y: np.ndarray, predicted: np.ndarray, elapsed: float) -> dict[str, float | int]:
    out: dict[str, float | int] = dict(scores(y, predicted))
    out["n"] = len(y)
    out["posts_per_s"] = round(len(y) / elapsed, 1)
    return out


def _score(model: DetectorModel, texts: list[str]) -> dict[str, np.ndarray]:
    """``model.score`` the way the service calls it: normalise once, glossary once."""
    normalized = [normalize(t) for t in texts]
    matcher = model.lexicon.matcher_
    hits = [matcher.find(t, normalized=n) for t, n in zip(texts, normalized, strict=True)]
    return model.score(texts, lexicon_features=model.lexicon.from_hits(hits), normalized=normalized)


def _predict(model: DetectorModel, texts: Sequence[str], task: str) -> np.ndarray:
    scored = _score(model, list(texts))
    predicted = scored[task] >= model.thresholds[task]
    if task == "violence":
        predicted |= scored["violence_lexicon"] >= model.incitement.threshold
    return predicted.astype(int)


def cross_dataset_report(
    datasets: Sequence[Dataset],
    task: str,
    *,
    folds: int = 5,
    seed: int = 0,
    cross: bool = True,
    progress: Callable[[str], None] | None = None,
    given: Sequence[Dataset] = (),
    **train_kwargs: Any,
) -> dict[str, dict[str, dict[str, float | int]]]:
    """In-domain (k-fold, out of fold) and leave-one-dataset-out scores for ``task``.

    The sets are first deduplicated together (:func:`~marsad.detect.train.dedupe`),
    so no copy of a test post is ever in training. ``in_domain[name]``: each of
    ``folds`` models is trained on the other folds of *every* set (stratified
    per set) and predicts its own fold; the scores are over ``name``'s
    out-of-fold predictions, so every post is predicted once by a model that
    never saw it, thresholds included (each model picks its own on its
    training data). ``cross_dataset[name]``: trained on all the *other* sets,
    tested on all of ``name`` (when ``cross`` and there is more than one set).
    ``folds=0`` skips the in-domain part. ``given``: the same sets labelled
    ``offensive``, for a hate model conditioned on it (the shipped recipe);
    every model then also trains an offensive head on the same training rows.
    """
    say = progress or (lambda _m: None)
    datasets = dedupe(datasets)
    implied = {ds.name: dict(zip(ds.texts, ds.labels, strict=True)) for ds in given}

    def data(parts: list[Dataset]) -> dict[str, list[Dataset]]:
        if not implied:
            return {task: parts}
        offensive = [
            Dataset(ds.name, ds.texts, [implied[ds.name][t] for t in ds.texts], "", ds.weight)
            for ds in parts
        ]
        return {task: parts, "offensive": offensive}

    splits = {
        ds.name: []
        if folds < 2
        else list(
            StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(
                np.zeros(len(ds.labels)), ds.labels
            )
        )
        for ds in datasets
    }
    predicted = {ds.name: np.zeros(len(ds.labels), dtype=int) for ds in datasets}
    for fold in range(folds if folds >= 2 else 0):
        say(f"{task}: in-domain fold {fold + 1}/{folds}")
        parts = []
        for ds in datasets:
            train = splits[ds.name][fold][0]
            texts, labels = [ds.texts[i] for i in train], [ds.labels[i] for i in train]
            parts.append(Dataset(ds.name, texts, labels, "", ds.weight))
        model = train_model(data(parts), **train_kwargs)
        for ds in datasets:
            test = splits[ds.name][fold][1]
            predicted[ds.name][test] = _predict(model, [ds.texts[i] for i in test], task)
    report: dict[str, dict[str, dict[str, float | int]]] = {"in_domain": {}, "cross_dataset": {}}
    for ds in datasets if folds >= 2 else []:
        y = [int(v) for v in ds.labels]
        report["in_domain"][ds.name] = {**scores(y, predicted[ds.name]), "n": len(y)}
    if cross and len(datasets) > 1:
        for held in datasets:
            others = [ds for ds in datasets if ds.name != held.name]
            say(f"{task}: leave out {held.name}")
            model = train_model(data(others), **train_kwargs)
            y = [int(v) for v in held.labels]
            report["cross_dataset"][held.name] = {
                **scores(y, _predict(model, held.texts, task)),
                "n": len(y),
            }
    return report
