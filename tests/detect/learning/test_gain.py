"""Measured gain: labels chosen by the queue lift a dialect left out of training.

T-HSAB (Tunisian) is left out; the model learns from the other Arabic sets, then
from them plus 500 of its posts picked by the labelling queue. A small feature
space and a subsample keep this to seconds; ``bench/learning_gain.py`` runs the
full recipe and compares with 500 random labels (figures in docs/model-card.md).
"""

from __future__ import annotations

import random

from marsad.detect.classifiers import HashedNgramFeatures
from marsad.detect.learning.gain import simulate_gain, split_target
from marsad.detect.train import Dataset, read_dataset
from tests.conftest import shared_path


def subsample(ds: Dataset, n: int) -> Dataset:
    rows = list(zip(ds.texts, ds.labels, strict=True))
    random.Random(0).shuffle(rows)  # noqa: S311 - a repeatable sample
    rows = rows[:n]
    return Dataset(ds.name, [t for t, _l in rows], [lab for _t, lab in rows], ds.sha256)


def test_500_queue_labels_lift_a_dialect_left_out_of_training() -> None:
    public = [
        subsample(read_dataset(shared_path("datasets", f"{name}.tsv"), label_col="offensive"), 1200)
        for name in ("osact2020_train", "osact2022_train", "mlma_ar")
    ]
    target = read_dataset(shared_path("datasets", "t_hsab.tsv"), label_col="offensive")
    pool, held_out = split_target(target, held_out=1500, seed=0)
    [result] = simulate_gain(
        public,
        pool,
        held_out,
        labels=500,
        strategies=("queue",),
        features=HashedNgramFeatures(n_features=2**16),
    )
    assert result.labels == 500
    assert 0 < result.positives < 500  # the queue asked about both kinds of post
    assert result.gain >= 0.04, (result.before, result.after)
