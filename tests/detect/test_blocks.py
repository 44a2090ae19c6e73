"""Set blocks: sets that label the same word differently, mixed by a gate that guesses the set."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from marsad.detect.blocks import GatedHead, SetGate, expand
from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.heads import ConditionalHead
from marsad.detect.model import load_model
from marsad.detect.train import Dataset, train_model

IRAQI = ["شلونك", "اكو", "ماكو", "هواية", "شكو"]
TUNISIAN = ["برشا", "باهي", "توا", "ياسر", "فما"]
FILLER = ["اليوم", "الناس", "الطريق", "البيت", "العمل", "السوق", "المدرسة", "الشارع"]
SMALL = {"features": HashedNgramFeatures(n_features=2**12, min_df=1)}


def _posts(style: list[str], dog_is_an_insult: bool, seed: int, n: int = 160):
    """Posts in one dialect; ``كلب`` ("dog") is an insult in one set and a pet in the other."""
    rng = random.Random(seed)
    texts, offensive, hate = [], [], []
    for i in range(n):
        dog, vile, jew = i % 3 == 0, i % 4 == 1, i % 8 == 1
        words = rng.sample(style, 3) + rng.sample(FILLER, 2)
        words += ["كلب"] * dog + ["حقير"] * vile + ["يهودي"] * jew
        rng.shuffle(words)
        texts.append(" ".join(words))
        off = vile or (dog and dog_is_an_insult)
        offensive.append(str(int(off)))
        hate.append(str(int(off and jew)))
    return texts, offensive, hate


def _data() -> dict[str, list[Dataset]]:
    sets = {"iraqi": _posts(IRAQI, True, 1), "tunisian": _posts(TUNISIAN, False, 2)}
    return {
        task: [Dataset(name, texts, labels[k], "") for name, (texts, *labels) in sets.items()]
        for k, task in enumerate(("offensive", "hate"))
    }


def test_a_post_is_scored_by_the_conventions_of_the_set_it_reads_like() -> None:
    data = _data()
    blocked = train_model(data, **SMALL)
    plain = train_model(data, set_blocks=False, **SMALL)
    probes = ["شلونك اكو كلب البيت هواية", "برشا باهي كلب البيت توا"]

    dog = blocked.score(probes)["offensive"]
    cut = blocked.thresholds["offensive"]
    assert dog[0] >= cut > dog[1]  # an insult among Iraqi posts, a pet among Tunisian ones
    compromise = plain.score(probes)["offensive"]
    assert dog[0] - dog[1] > compromise[0] - compromise[1] + 0.2

    gate = blocked.heads["offensive"].gate
    assert gate.sets_ == ("iraqi", "tunisian")
    guessed = gate.predict_proba(blocked.features.transform(probes))
    np.testing.assert_allclose(guessed.sum(axis=1), 1.0, rtol=1e-6)
    assert guessed[0, 0] > 0.8 and guessed[1, 1] > 0.8


def test_blocked_heads_save_load_and_describe_themselves(tmp_path: Path) -> None:
    model = train_model(_data(), **SMALL)
    hate = model.heads["hate"]
    assert isinstance(model.heads["offensive"], GatedHead)
    assert isinstance(hate, ConditionalHead) and isinstance(hate.head, GatedHead)
    assert hate.given is model.heads["offensive"]
    probes = ["شلونك يهودي حقير", "باهي يهودي حقير برشا", "صباح الخير"]
    scores = model.score(probes)
    assert (scores["hate"] <= scores["offensive"] + 1e-12).all()
    params = json.loads(json.dumps(model.metadata["params"]))  # JSON-ready for the registry
    assert params["offensive"]["set_blocks"] == ["iraqi", "tunisian"]
    assert params["hate"]["conditional_on"] == "offensive"
    assert params["hate"]["set_blocks"] == ["iraqi", "tunisian"]

    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.heads["hate"].given is loaded.heads["offensive"]
    assert loaded.heads["hate"].head.gate is loaded.heads["offensive"].gate  # one gate
    np.testing.assert_allclose(loaded.score(probes)["hate"], scores["hate"])


def test_one_set_or_blocks_turned_off_train_plain_heads() -> None:
    data = _data()
    one = {task: sets[:1] for task, sets in data.items()}
    for model in (train_model(one, **SMALL), train_model(data, set_blocks=False, **SMALL)):
        assert isinstance(model.heads["offensive"], CalibratedLinearClassifier)
        assert isinstance(model.heads["hate"].head, CalibratedLinearClassifier)


def test_gated_scores_are_the_fitted_head_on_features_weighted_by_the_gate() -> None:
    texts, labels, _ = _posts(IRAQI, True, 3)
    more, more_labels, _ = _posts(TUNISIAN, False, 4)
    features = HashedNgramFeatures(n_features=2**10, min_df=1).fit(texts + more)
    X = features.transform(texts + more)
    groups = ["iraqi"] * len(texts) + ["tunisian"] * len(more)
    gate = SetGate().fit(X, groups)
    head = CalibratedLinearClassifier(threshold="auto", nb_alpha=1.0, class_weight=None)
    head.fit(expand(X, gate.one_hot(groups)), [int(v) for v in labels + more_labels])
    gated = GatedHead.from_fitted(gate, head)
    expected = head.predict_proba(expand(X, gate.predict_proba(X)))
    np.testing.assert_allclose(gated.predict_proba(X), expected, rtol=1e-4, atol=1e-6)
    assert (gated.predict(X) == (expected[:, 1] >= gated.threshold_)).mean() > 0.99
    assert gate.one_hot(["tunisian", "elsewhere"]).tolist() == [[0, 1], [0, 0]]

    with pytest.raises(ValueError, match="at least two sets"):
        SetGate().fit(X, ["iraqi"] * X.shape[0])
    with pytest.raises(ValueError, match="features"):
        gated.predict_proba(X[:, :100])


def test_heads_share_one_product_per_matrix_and_never_an_old_one(tmp_path: Path) -> None:
    model = train_model(_data(), **SMALL)
    first, second = ["شلونك اكو كلب"], ["برشا باهي كلب"]
    separately = [model.score(first)["offensive"], model.score(second)["offensive"]]
    together = model.score(first + second)["offensive"]
    np.testing.assert_allclose(np.concatenate(separately), together, rtol=1e-5)
    assert separately[0][0] > separately[1][0]  # a product kept for one batch is not reused

    gate = model.heads["offensive"].gate
    width = len(gate.sets_) + 2 * (1 + len(gate.sets_))  # the gate, offensive, hate | offensive
    assert gate.products(model.features.transform(first)).shape == (1, width)
    assert "_joint" in vars(gate)  # built when scoring, never stored
    assert not {"_heads", "_joint", "_memo"} & set(gate.__getstate__())
    model.save(tmp_path)
    loaded = load_model(tmp_path)
    assert "_joint" not in vars(loaded.heads["offensive"].gate)
    np.testing.assert_allclose(loaded.score(first + second)["offensive"], together)
