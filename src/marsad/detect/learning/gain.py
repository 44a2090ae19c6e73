"""What analysts' labels bring: a simulation over labelled data sets (no database).

A dialect is left out of training; part of it stands in for the local posts
analysts could label (the pool) and the rest is held out. The model trained on
the other sets picks ``labels`` posts of the pool, either as the labelling
queue does (:func:`~marsad.detect.learning.sampling.choose_for_labelling`) or
uniformly at random; their true labels are added as a local data set weighted
``local_weight``, the model is trained again, and both models are scored
(macro-F1) on the held-out rows. ``bench/learning_gain.py`` prints the figures;
a test runs a small version.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.evaluate import evaluate_model
from marsad.detect.learning.sampling import choose_for_labelling
from marsad.detect.model import DetectorModel
from marsad.detect.train import Dataset, dedupe, train_model

__all__ = ["GainResult", "simulate_gain", "split_target"]


@dataclass
class GainResult:
    """Macro-F1 on the held-out rows before and after adding the chosen labels."""

    strategy: str
    labels: int
    before: float
    after: float
    positives: int  # how many of the chosen labels are 1

    @property
    def gain(self) -> float:
        return self.after - self.before


def split_target(target: Dataset, *, held_out: int, seed: int = 0) -> tuple[Dataset, Dataset]:
    """The target set deduplicated and cut at random into (pool, held-out)."""
    [unique] = dedupe([target])
    order = list(range(len(unique.texts)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a repeatable sample, not a secret
    test_idx, pool_idx = order[:held_out], order[held_out:]

    def part(idx: list[int], name: str) -> Dataset:
        return Dataset(
            name,
            [unique.texts[i] for i in idx],
            [unique.labels[i] for i in idx],
            f"{unique.sha256}:{name}",
        )

    return part(pool_idx, "pool"), part(test_idx, "held_out")


def _macro_f1(model: DetectorModel, task: str, data: Dataset) -> float:
    """Macro-F1 as ``marsad detect eval`` measures it."""
    return float(evaluate_model(model, data.texts, data.labels, task)["macro_f1"])


def simulate_gain(
    public: Sequence[Dataset],
    pool: Dataset,
    held_out: Dataset,
    *,
    task: str = "offensive",
    labels: int = 500,
    strategies: Sequence[str] = ("queue", "random"),
    local_weight: float = 3.0,
    random_share: float = 0.2,
    seed: int = 0,
    features: HashedNgramFeatures | None = None,
    head: CalibratedLinearClassifier | None = None,
) -> list[GainResult]:
    """Train without the target dialect, add ``labels`` chosen labels, score both models."""
    base = train_model({task: list(public)}, features=features, head=head)
    before = _macro_f1(base, task, held_out)
    scores = base.score(pool.texts)[task]
    out: list[GainResult] = []
    for strategy in strategies:
        if strategy == "queue":
            picks = choose_for_labelling(
                pool.texts,
                scores,
                threshold=base.thresholds[task],
                size=labels,
                random_share=random_share,
                seed=seed,
            )
            chosen = [p.index for p in picks]
        elif strategy == "random":
            chosen = random.Random(seed).sample(range(len(pool.texts)), labels)  # noqa: S311 - a repeatable sample, not a secret
        else:
            raise ValueError(f"unknown strategy {strategy!r}")
        local = Dataset(
            "local",
            [pool.texts[i] for i in chosen],
            [pool.labels[i] for i in chosen],
            f"local:{strategy}:{len(chosen)}",
            weight=local_weight,
        )
        retrained = train_model({task: [*public, local]}, features=features, head=head)
        out.append(
            GainResult(
                strategy=strategy,
                labels=len(chosen),
                before=before,
                after=_macro_f1(retrained, task, held_out),
                positives=sum(label == "1" for label in local.labels),
            )
        )
    return out
