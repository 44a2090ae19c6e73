"""Deduplication before training and splitting, and the cross-validation report."""

from __future__ import annotations

from pathlib import Path

from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.evaluate import cross_dataset_report
from marsad.detect.train import Dataset, dedupe, dedupe_key, read_dataset, train_model

DATA = Path(__file__).parent / "data"


def test_copies_share_a_key_and_other_posts_do_not() -> None:
    post = "يا كلب يا حقير"
    copies = [
        "@USER يا كلب يا حقير",
        "@USER @USER يا كـــلب، يا حقير!! URL",
        "يا كلب يا حقير 😡<LF>",
        "@someone: يا كلب يا حقير https://t.co/x",
    ]
    key = dedupe_key(post)
    assert all(dedupe_key(c) == key for c in copies)
    assert dedupe_key("يا كلب يا تافه") != key


def test_dedupe_keeps_the_first_copy_across_sets() -> None:
    a = Dataset("a", ["يا كلب يا حقير", "صباح الخير", "صباح الخير!!"], ["1", "0", "0"], "x")
    b = Dataset("b", ["@USER يا كلب  يا حقير", "مساء الخير", "😂", "😂"], ["0", "0", "1", "0"], "y")
    first, second = dedupe([a, b])
    assert first.texts == ["يا كلب يا حقير", "صباح الخير"] and first.labels == ["1", "0"]
    # emoji-only posts have no key: they are kept, not taken for copies of each other
    assert second.texts == ["مساء الخير", "😂", "😂"] and second.labels == ["0", "1", "0"]
    assert (first.name, first.sha256, second.name) == ("a", "x", "b")


def test_train_model_trains_on_one_copy_of_each_post() -> None:
    ds = read_dataset(DATA / "tiny.tsv", label_col="offensive")
    doubled = Dataset(ds.name, ds.texts * 2, ds.labels * 2, ds.sha256)
    kwargs = {
        "features": HashedNgramFeatures(n_features=2**12, min_df=1),
        "head": CalibratedLinearClassifier(cv=2, threshold=0.5),
    }
    once = train_model({"offensive": [ds]}, **kwargs)
    twice = train_model({"offensive": [doubled]}, **kwargs)
    probe = ["يا حيوان يا تافه", "صباح الخير"]
    assert (once.score(probe)["offensive"] == twice.score(probe)["offensive"]).all()


def test_cross_dataset_report_predicts_every_post_out_of_fold() -> None:
    ds = read_dataset(DATA / "tiny.tsv", label_col="offensive")
    sets = [
        Dataset("first", ds.texts[::2], ds.labels[::2], ds.sha256),
        Dataset("second", ds.texts[1::2], ds.labels[1::2], ds.sha256),
    ]
    report = cross_dataset_report(
        sets,
        "offensive",
        folds=2,
        features=HashedNgramFeatures(n_features=2**12, min_df=1),
        head=CalibratedLinearClassifier(cv=2, threshold=0.5),
    )
    assert set(report["in_domain"]) == set(report["cross_dataset"]) == {"first", "second"}
    deduped = dedupe(sets)
    for part in deduped:
        for where in ("in_domain", "cross_dataset"):
            result = report[where][part.name]
            assert result["n"] == len(part.texts)
            assert 0.0 <= result["macro_f1"] <= 1.0
