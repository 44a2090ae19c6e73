"""Checks against the shared research data sets (skipped where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.evaluate import evaluate_model
from marsad.detect.train import Dataset, read_dataset, train_model

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
pytestmark = pytest.mark.skipif(
    not (SHARED / "osact2020_train.tsv").is_file(),
    reason=f"shared data sets not found at {SHARED} (research data, never copied into the repo)",
)


def _head(ds: Dataset, n: int) -> Dataset:
    return Dataset(ds.name, ds.texts[:n], ds.labels[:n], ds.sha256)


def test_every_shared_file_reads_with_its_labels() -> None:
    for name in ("osact2020_train", "osact2022_train", "t_hsab", "mlma_ar", "mlma_en"):
        for column in ("offensive", "hate"):
            ds = read_dataset(SHARED / f"{name}.tsv", label_col=column)
            assert set(ds.labels) == {"0", "1"}
    types = read_dataset(
        SHARED / "osact2022_train.tsv", label_col="hate_type", binary=False, skip_empty_labels=True
    )
    assert {"gender", "race", "religion"} <= set(types.labels)


def test_a_small_model_transfers_across_data_sets() -> None:
    """Train on 3,000 OSACT 2020 tweets, test on 1,500 OSACT 2022 tweets (other authors' labels)."""
    train = _head(read_dataset(SHARED / "osact2020_train.tsv", label_col="offensive"), 3000)
    test = _head(read_dataset(SHARED / "osact2022_train.tsv", label_col="offensive"), 1500)
    model = train_model(
        {"offensive": [train]},
        features=HashedNgramFeatures(n_features=2**17),
        head=CalibratedLinearClassifier(cv=2, threshold="auto"),
    )
    result = evaluate_model(model, test.texts, test.labels, "offensive")
    assert result["macro_f1"] > 0.6  # measured 0.65; chance is about 0.45


def test_the_vocative_ya_is_not_learned_as_offensive() -> None:
    """OSACT 2020 kept only tweets with يا; elsewhere يا is mostly in insults.

    A model trained on other sets that learns يا flags most of OSACT 2020; the
    default features ignore the word, and transfer to OSACT 2020 is far better.
    """
    train = [
        _head(read_dataset(SHARED / f"{name}.tsv", label_col="offensive"), 2500)
        for name in ("osact2022_train", "t_hsab")
    ]
    test = _head(read_dataset(SHARED / "osact2020_train.tsv", label_col="offensive"), 1500)
    f1 = {}
    for ignore in ((), ("يا", "ي")):
        model = train_model(
            {"offensive": train},
            features=HashedNgramFeatures(n_features=2**17, ignore_words=ignore),
            head=CalibratedLinearClassifier(cv=2, threshold="auto"),
        )
        f1[ignore] = evaluate_model(model, test.texts, test.labels, "offensive")["macro_f1"]
    # measured 0.63 without يا and 0.49 with it (it flags most posts); chance is about 0.45
    assert f1[("يا", "ي")] > 0.6
    assert f1[("يا", "ي")] > f1[()] + 0.08, f1
