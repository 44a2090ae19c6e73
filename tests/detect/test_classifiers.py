"""Estimator contract, calibration, and robustness of verdicts to obfuscation."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from marsad.detect.classifiers import (
    CalibratedLinearClassifier,
    GlossaryFeatures,
    HashedNgramFeatures,
    LexiconScorer,
    TransformerClassifier,
)
from marsad.detect.model import default_model_path, load_model
from marsad.detect.train import read_dataset, train_model

DATA = Path(__file__).parent / "data"


def _expected_failures(estimator) -> dict[str, str]:
    # NB-LR passes these (the checks' dense data makes its ratios all zero).
    if isinstance(estimator, CalibratedLinearClassifier) and estimator.nb_alpha is None:
        weights = (
            "class_weight='balanced' counts rows, not weights, and liblinear's "
            "solution differs slightly between repeated rows and weights"
        )
        return {
            "check_sample_weight_equivalence_on_dense_data": weights,
            "check_sample_weight_equivalence_on_sparse_data": weights,
            "check_class_weight_classifiers": (
                "by design the Platt calibration maps scores back to observed class "
                "frequencies, which undoes class_weight; move the threshold instead"
            ),
        }
    return {}


@parametrize_with_checks(
    [CalibratedLinearClassifier(), CalibratedLinearClassifier(nb_alpha=1.0), LexiconScorer()],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_contract(estimator, check) -> None:
    check(estimator)


def test_text_estimators_clone_and_keep_params() -> None:
    for est in (HashedNgramFeatures(n_features=2**10), GlossaryFeatures(), TransformerClassifier()):
        assert clone(est).get_params() == est.get_params()


def test_hashed_features_see_through_obfuscation() -> None:
    feats = HashedNgramFeatures(n_features=2**16, min_df=1).fit(["اقتلوهم كلهم", "kill them all"])
    plain = feats.transform(["اقتلوهم كلهم", "kill them all"]).toarray()
    disguised = feats.transform(["اقـــتُلُوهُم\u200b كلهم", "K\u0456LL\u200c them ALL"]).toarray()
    assert np.allclose(plain, disguised)
    other = feats.transform(["صباح الخير"]).toarray()
    assert not np.allclose(plain[0], other[0])


def test_hashed_features_do_not_depend_on_the_batch() -> None:
    texts = ["يا كلب يا حقير", "صباح الخير", "", "kill them all now", "يا كلب يا حقير"]
    feats = HashedNgramFeatures(n_features=2**14, min_df=1).fit(texts)
    batch = feats.transform(texts).toarray()
    for i, text in enumerate(texts):
        assert np.allclose(batch[i], feats.transform([text]).toarray()[0])
    assert np.allclose(batch[0], batch[4])


def test_hashed_features_rows_are_unit_length_and_empty_text_is_zero() -> None:
    feats = HashedNgramFeatures(n_features=2**12, min_df=1).fit(["a b c", "كلمة اخرى"])
    X = feats.transform(["a b c", "", "😂"]).toarray()
    assert np.isclose(np.linalg.norm(X[0]), 1.0)
    assert not X[1].any()


def test_calibrated_probabilities_track_frequencies() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 2))
    p_true = 1 / (1 + np.exp(-(2 * X[:, 0])))
    y = (rng.random(3000) < p_true).astype(int)
    clf = CalibratedLinearClassifier(C=1.0, class_weight=None).fit(X, y)
    p = clf.predict_proba(X)[:, 1]
    for lo in (0.1, 0.3, 0.5, 0.7):
        band = (p >= lo) & (p < lo + 0.2)
        assert abs(y[band].mean() - p[band].mean()) < 0.08


def test_auto_threshold_is_learned_and_used() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] + rng.normal(scale=1.0, size=600) > 1.2).astype(int)  # rare positives
    clf = CalibratedLinearClassifier(class_weight=None, threshold="auto").fit(X, y)
    assert 0.05 <= clf.threshold_ < 0.5
    manual = CalibratedLinearClassifier(class_weight=None, threshold=0.9).fit(X, y)
    assert manual.predict(X).sum() < clf.predict(X).sum()


def test_nb_lr_weighs_columns_by_log_count_ratio_at_no_cost_in_prediction() -> None:
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = sp.csr_matrix((rng.random((400, 30)) < 0.2).astype(float))
    informative = X[:, 0].toarray().ravel() + X[:, 1].toarray().ravel()
    y = (informative + rng.random(400) > 1.0).astype(int)
    clf = CalibratedLinearClassifier(class_weight=None, nb_alpha=1.0).fit(X, y)
    present = X.toarray() > 0
    p = 1 + present[y == 1].sum(axis=0)
    q = 1 + present[y == 0].sum(axis=0)
    ratio = np.log(p / p.sum()) - np.log(q / q.sum())
    assert ratio[0] > 0.5 and ratio[1] > 0.5 and np.abs(ratio[2:]).max() < ratio[:2].min()
    # Logistic regression on the scaled columns, its weights folded back onto the
    # plain columns: the stored model predicts from unscaled features.
    scaled = LogisticRegression(C=4.0, solver="liblinear", max_iter=1000).fit(
        X @ sp.diags(ratio), y
    )
    assert np.allclose(clf.coef_[0], scaled.coef_[0] * ratio, atol=1e-4)
    plain = CalibratedLinearClassifier(class_weight=None).fit(X, y)
    assert not np.allclose(clf.coef_[0], plain.coef_[0], atol=1e-3)
    with pytest.raises(ValueError, match="nb_alpha"):
        CalibratedLinearClassifier(nb_alpha=0.0).fit(X, y)


def test_lexicon_scorer_noisy_or() -> None:
    scorer = LexiconScorer(weights=[0.5, 0.0], base_rate=0.0).fit(np.zeros((1, 2)))
    p = scorer.predict_proba(np.array([[0, 0], [1, 0], [2, 5]]))[:, 1]
    assert np.allclose(p, [0.0, 0.5, 0.75])


def test_tiny_model_learns_the_tiny_set() -> None:
    ds = read_dataset(DATA / "tiny.tsv", label_col="offensive")
    model = train_model(
        {"offensive": [ds]},
        features=HashedNgramFeatures(n_features=2**14, min_df=1),
        head=CalibratedLinearClassifier(cv=2, threshold=0.5),
    )
    p = model.score(["يا حيوان يا تافه", "صباح الخير على الجميع"])["offensive"]
    assert p[0] > p[1]
    assert model.metadata["glossary_version"] >= 1
    assert len(model.metadata["training_data_sha256"]) == 64
    assert model.metadata["params"]["offensive"]["cv"] == 2


needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None or importlib.util.find_spec("transformers") is None,
    reason="torch/transformers not installed (optional 'transformers' extra)",
)


def tiny_hf_model(folder: Path, num_labels: int = 2, **extra: object) -> Path:
    """Save a tiny randomly initialised BERT classifier and its tokenizer in ``folder``."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "كلب", "kill", "hello", "صباح"]
    (folder / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    labels = {i: str(i) for i in range(num_labels)}
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=num_labels,
        id2label=labels,
        label2id={v: k for k, v in labels.items()},
        **extra,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@needs_torch
def test_transformer_classifier_on_a_tiny_random_model(tmp_path: Path) -> None:
    tiny_hf_model(tmp_path)
    clf = TransformerClassifier(model_dir=str(tmp_path), device="cpu").fit()
    proba = clf.predict_proba(["kill", "صباح الخير", "hello"])
    assert proba.shape == (3, 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(clf.classes_) == ["0", "1"]


@needs_torch
def test_load_model_reads_a_hugging_face_folder(tmp_path: Path) -> None:
    import torch

    from marsad.detect.service import classify_texts

    tiny_hf_model(tmp_path, marsad_task="hate", marsad_threshold=0.7)
    model = load_model(tmp_path)
    assert model.version.startswith(f"hf-{tmp_path.name}+")
    assert model.metadata["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    assert model.thresholds["hate"] == 0.7 and "offensive" not in model.tasks
    results = classify_texts(["kill them all", "صباح الخير", "باقية وتتمدد"], model=model)
    for result in results:
        assert result["model_version"] == model.version
        assert 0.0 <= result["scores"]["hate"] <= 1.0
    assert results[2]["spans"] and "extremism" in results[2]["labels"]  # the glossary still
    assert load_model(tmp_path).version == model.version  # the same files, the same version


@needs_torch
def test_detect_text_takes_a_hugging_face_folder(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from marsad.detect.cli import app

    tiny_hf_model(tmp_path)
    result = CliRunner().invoke(app, ["text", "hello kill", "--model", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["model_version"].startswith("hf-") and "offensive" in doc["scores"]


@needs_torch
def test_a_hugging_face_folder_must_have_two_labels(tmp_path: Path) -> None:
    from marsad.core.errors import InvalidInput

    tiny_hf_model(tmp_path, num_labels=3)
    with pytest.raises(InvalidInput) as err:
        load_model(tmp_path)
    assert err.value.code == "err_model_invalid" and "3" in err.value.message


@pytest.mark.skipif(
    importlib.util.find_spec("transformers") is not None, reason="transformers is installed"
)
def test_a_hugging_face_folder_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    from marsad.core.errors import InvalidInput

    (tmp_path / "config.json").write_text('{"id2label": {"0": "0", "1": "1"}}', encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        load_model(tmp_path)
    assert err.value.code == "err_model_invalid" and "marsad[transformers]" in err.value.message


# ------------------------------------------------------------------ shipped model

shipped = pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")


@shipped
def test_shipped_model_is_small_loads_fast_and_carries_provenance() -> None:
    path = default_model_path()
    assert path.stat().st_size < 50 * 1024 * 1024
    start = time.perf_counter()
    model = load_model(path)
    assert time.perf_counter() - start < 2.0
    assert model.version.startswith("marsad-detect-")
    assert set(model.metadata["params"]) >= {"features", "offensive", "hate"}
    assert model.metadata["glossary_version"] >= 1
    assert len(model.metadata["training_data_sha256"]) == 64
    assert set(model.tasks) == {"offensive", "hate", "violence", "extremism"}


OBFUSCATIONS = [
    lambda s: s.replace(" ", " \u200b"),  # zero-width spaces
    lambda s: "".join(c + ("\u0640" if c in "بتثجحخسشصضطظعغفقكلمنهي" else "") for c in s),
    lambda s: "".join(c + ("\u064e" if "\u0621" <= c <= "\u064a" else "") for c in s),  # fatha
    lambda s: s + s[-1] * 4,  # elongation of the last letter
    lambda s: s.replace("ك", "ک").replace("ي", "ی"),  # Persian/Kurdish lookalikes
    lambda s: s.replace("ا", "أ", 1).replace("ه", "ة", 1),
    lambda s: "\u200f" + s + "\u200e",  # bidi marks
]
SENTENCES = [
    "يا كلب يا حقير",
    "اقتلوا الروافض كلهم",
    "الله يحفظك يا غالي",
    "الانتخابات راح تكون الشهر الجاي",
    "هذولة الحرامية باكوا البلد",
    "you stupid idiot",
]


@shipped
@pytest.mark.parametrize("sentence", SENTENCES)
def test_obfuscation_does_not_change_the_verdict(sentence: str) -> None:
    from marsad.detect.service import classify_texts

    variants = [sentence] + [f(sentence) for f in OBFUSCATIONS]
    results = classify_texts(variants, language=False)
    assert all(r["labels"] == results[0]["labels"] for r in results), [r["labels"] for r in results]
    for r in results[1:]:
        for task, score in r["scores"].items():
            assert abs(score - results[0]["scores"][task]) < 0.02, task
