"""Deduplication before training and splitting, and the cross-validation report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.detect.classifiers import CalibratedLinearClassifier, HashedNgramFeatures
from marsad.detect.cli import app
from marsad.detect.evaluate import cross_dataset_report
from marsad.detect.model import default_model_path, load_model
from marsad.detect.service import classify_texts
from marsad.detect.train import Dataset, dedupe, dedupe_key, read_dataset, train_model
from tests.conftest import shared_path

runner = CliRunner()
TYPES = {
    "religion": ["الكفار الصليبيين اعداء الدين", "اليهود خنازير", "المجوس لا دين لهم"],
    "gender": ["النسوان مكانها المطبخ", "البنات ناقصات عقل", "المرة ما تفتهم"],
    "race": ["العبيد السود ما يستاهلون", "هذولة الزنوج وسخين", "الاعاجم اقل منا"],
}

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


def _types_tsv(path: Path) -> Path:
    rows = ["text\thate\thate_type"]
    for kind, texts in TYPES.items():
        rows += [f"{t}\t1\t{kind}" for t in texts * 2]
    rows += ["صباح الخير على الجميع\t0\t", "الجو حلو اليوم\t0\t", "شكرا الك\t0\t"] * 2
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_train_hate_type_on_a_tiny_tsv_writes_a_working_head(tmp_path: Path) -> None:
    data = _types_tsv(tmp_path / "types.tsv")
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(data),
            "--task",
            "hate_type",
            "--out",
            str(tmp_path / "m"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 18  # rows without a type are skipped
    model = load_model(tmp_path / "m")
    assert sorted(model.heads["hate_type"].classes_) == sorted(TYPES)
    proba = model.score(["اليهود خنازير", "صباح الخير"])["hate_type"]
    assert proba.shape == (2, 3)


def test_hate_type_is_reported_with_a_hate_label() -> None:
    texts = [t for group in TYPES.values() for t in group]
    hate = Dataset(
        "h",
        texts * 2 + ["صباح الخير", "الجو حلو", "شكرا", "مساء النور"] * 3,
        ["1"] * 18 + ["0"] * 12,
        "h",
    )
    types = Dataset("t", texts * 2, [k for k, g in TYPES.items() for _ in g] * 2, "t")
    model = train_model(
        {"hate": [hate], "hate_type": [types]},
        features=HashedNgramFeatures(n_features=2**12, min_df=1),
        head=CalibratedLinearClassifier(cv=2, threshold=0.5),
    )
    [labelled] = classify_texts(["اليهود خنازير"], model=model, thresholds={"hate": 0.01})
    assert "hate" in labelled["labels"]
    assert set(labelled["hate_type"]) == set(TYPES)
    assert abs(sum(labelled["hate_type"].values()) - 1.0) < 0.01
    [not_hate] = classify_texts(["اليهود خنازير"], model=model, thresholds={"hate": 0.99})
    assert "hate" not in not_hate["labels"] and "hate_type" not in not_hate


def test_train_reads_every_data_file_given(tmp_path: Path) -> None:
    second = tmp_path / "second.tsv"
    second.write_text("text\toffensive\nيا وسخ\t1\nصباح النور\t0\nيا زبالة\t1\n", "utf-8")
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(DATA / "tiny.tsv"),
            "--data",
            str(second),
            "--task",
            "offensive",
            "--out",
            str(tmp_path / "m"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 43
    assert load_model(tmp_path / "m").metadata["datasets"] == {"offensive": ["tiny", "second"]}


@pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")
def test_eval_without_model_uses_the_shipped_model(tmp_path: Path) -> None:
    """A few rows of a shared data set, read at test time and written to a temporary file."""
    source = shared_path("datasets", "osact2022_train.tsv")
    ds = read_dataset(source, label_col="offensive")
    sample = tmp_path / "sample.tsv"
    with sample.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["text", "offensive"])
        writer.writerows(zip(ds.texts[:80], ds.labels[:80], strict=True))
    args = ["eval", "--data", str(sample), "--task", "offensive", "--json"]
    default = runner.invoke(app, args)
    assert default.exit_code == 0, default.output
    doc = json.loads(default.stdout)
    assert {"macro_f1", "precision", "recall", "n", "posts_per_s"} <= set(doc) and doc["n"] == 80
    explicit = json.loads(runner.invoke(app, [*args, "--model", str(default_model_path())]).stdout)
    assert explicit["macro_f1"] == doc["macro_f1"]  # the default is the shipped model


# An English insult with no glossary term, which the service leaves unlabelled (its row is
# labelled 0 here), and an Arabic one the model labels.
ENGLISH = "you are a stupid idiot and everybody hates you"
ARABIC = "يا كلب يا حقير الله يلعنك"


@pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")
def test_eval_labels_rows_as_the_service_does() -> None:
    from marsad.detect.evaluate import evaluate_as_service, evaluate_model

    model = load_model(default_model_path())
    texts, labels = [ENGLISH, ARABIC], [0, 1]
    # A cut so low that the model's score alone labels any post.
    service = evaluate_as_service(model, texts, labels, "offensive", threshold=0.01)
    raw = evaluate_model(model, texts, labels, "offensive", threshold=0.01)
    assert service["macro_f1"] == 1.0 and service["glossary_only"] == 1
    assert raw["macro_f1"] < 0.5  # the English row labelled offensive by its score
    assert [service["n"], raw["n"]] == [2, 2]


@pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")
def test_eval_cli_scores_as_the_service_unless_asked_for_the_model_scores(
    tmp_path: Path,
) -> None:
    from marsad.detect.evaluate import evaluate_model

    sample = tmp_path / "two.tsv"
    sample.write_text(f"text\toffensive\n{ENGLISH}\t0\n{ARABIC}\t1\n", encoding="utf-8")
    args = ["eval", "--data", str(sample), "--task", "offensive"]
    service = runner.invoke(app, [*args, "--json"])
    assert service.exit_code == 0, service.output
    doc = json.loads(service.stdout)
    assert doc["scoring"] == "service" and doc["glossary_only"] == 1
    assert doc["macro_f1"] == 1.0 and doc["n"] == 2
    raw = runner.invoke(app, [*args, "--model-scores", "--json"])
    assert raw.exit_code == 0, raw.output
    doc = json.loads(raw.stdout)
    assert set(doc) == {"macro_f1", "precision", "recall", "n", "posts_per_s", "scoring"}
    assert doc["scoring"] == "model"
    model = load_model(default_model_path())
    expected = evaluate_model(model, [ENGLISH, ARABIC], [0, 1], "offensive")
    assert {k: doc[k] for k in ("macro_f1", "precision", "recall")} == {
        k: expected[k] for k in ("macro_f1", "precision", "recall")
    }
    said = runner.invoke(app, args)
    assert said.exit_code == 0 and "from the glossary alone: 1" in said.stdout
