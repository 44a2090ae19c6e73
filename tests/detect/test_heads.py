"""Hate scored as P(offensive) · P(hate | offensive): trained, saved, evaluated."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.evaluate import cross_dataset_report
from marsad.detect.heads import ConditionalHead, fit_conditional
from marsad.detect.model import load_model
from marsad.detect.train import Dataset, read_dataset, train_model

DATA = Path(__file__).parent / "data"
PROBES = ["يا حيوان يا تافه", "صباح الخير", "اليهود خنازير", "الله يلعنك يا زبالة", "شكرا"]
SMALL = {"features": HashedNgramFeatures(n_features=2**12, min_df=1)}


def _tiny() -> dict[str, list[Dataset]]:
    return {
        task: [read_dataset(DATA / "tiny.tsv", label_col=task)] for task in ("offensive", "hate")
    }


def test_hate_is_conditioned_on_offensive_and_never_scores_above_it(tmp_path: Path) -> None:
    model = train_model(_tiny(), **SMALL)
    hate = model.heads["hate"]
    assert isinstance(hate, ConditionalHead)
    assert hate.given is model.heads["offensive"]
    scores = model.score(PROBES)
    # hate implies offensive: no post is more likely hate than offensive
    assert (scores["hate"] <= scores["offensive"] + 1e-12).all()
    # the model reuses its offensive scores: the same as the head scoring alone
    alone = hate.predict_proba(model.features.transform(PROBES))[:, 1]
    np.testing.assert_allclose(scores["hate"], alone)
    assert 0.0 < model.thresholds["hate"] < 1.0
    assert model.metadata["params"]["hate"]["conditional_on"] == "offensive"

    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.heads["hate"].given is loaded.heads["offensive"]  # stored once
    np.testing.assert_allclose(loaded.score(PROBES)["hate"], scores["hate"])


def test_hate_is_trained_directly_when_asked_or_without_offensive_data() -> None:
    direct = train_model(_tiny(), conditional=False, **SMALL)
    assert isinstance(direct.heads["hate"], CalibratedLinearClassifier)
    alone = train_model({"hate": _tiny()["hate"]}, **SMALL)
    assert isinstance(alone.heads["hate"], CalibratedLinearClassifier)


def test_too_few_offensive_posts_give_no_conditional_head() -> None:
    data = _tiny()
    features = HashedNgramFeatures(n_features=2**12, min_df=1).fit(data["hate"][0].texts)
    X = features.transform(data["hate"][0].texts)
    y = np.array([int(v) for v in data["hate"][0].labels])
    offensive = CalibratedLinearClassifier(threshold="auto").fit(
        X, [int(v) for v in data["offensive"][0].labels]
    )
    # only the hate rows imply offensive here: five posts, all hate, one class
    head = fit_conditional(
        offensive,
        CalibratedLinearClassifier(),
        X,
        y,
        given_labels=[None] * len(y),
        given_oof=[None] * len(y),
        weights=lambda mask: np.ones(int(mask.sum())),
    )
    assert head is None
    model = train_model(
        {"offensive": data["offensive"], "hate": data["hate"]},
        **SMALL,
        head=CalibratedLinearClassifier(cv=2, threshold="auto"),
    )
    assert isinstance(model.heads["hate"], ConditionalHead)  # 20 offensive posts are enough


def test_cross_dataset_report_trains_hate_on_offensive_when_given() -> None:
    hate = _tiny()["hate"][0]
    offensive = _tiny()["offensive"][0]
    halves = [
        Dataset(name, d.texts[i::2], d.labels[i::2], d.sha256)
        for d in (hate,)
        for i, name in enumerate(("first", "second"))
    ]
    given = [
        Dataset(name, offensive.texts[i::2], offensive.labels[i::2], offensive.sha256)
        for i, name in enumerate(("first", "second"))
    ]
    report = cross_dataset_report(halves, "hate", folds=2, given=given, **SMALL)
    for part in halves:
        assert report["in_domain"][part.name]["n"] == len(part.texts)
        assert report["cross_dataset"][part.name]["n"] == len(part.texts)


def test_the_threshold_is_chosen_on_the_posts_the_model_labels() -> None:
    from types import SimpleNamespace

    from marsad.detect.train import _threshold_where_labelled

    arabic = ["يا كلب يا حقير", "الله يلعنك", "صباح الخير", "الجو حلو"]
    english = ["you idiot", "you fool", "you clown", "you liar", "you moron", "you rat"]
    y = np.array([1, 1, 0, 0] + [1] * len(english))
    # English posts (advisory: the glossary labels them) scored low, as MLMA English is
    oof = np.array([0.8, 0.75, 0.6, 0.1] + [0.3] * len(english))
    head = SimpleNamespace(threshold_=0.5)
    _threshold_where_labelled(head, y, oof, arabic + english, ["en"])
    assert 0.6 < head.threshold_ <= 0.75  # the Arabic posts' best cut
    # no advisory language: the head keeps the cut it chose on all its rows
    head = SimpleNamespace(threshold_=0.3)
    _threshold_where_labelled(head, y, oof, arabic + english, [])
    assert head.threshold_ == 0.3
