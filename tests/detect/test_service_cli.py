"""The service function and the `marsad detect` commands, as a user drives them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.core.errors import InvalidInput
from marsad.detect.cli import app
from marsad.detect.glossary import Glossary
from marsad.detect.model import default_model_path
from marsad.detect.service import classify_texts

DATA = Path(__file__).parent / "data"
runner = CliRunner()
shipped = pytest.mark.skipif(not default_model_path().is_file(), reason="no shipped model built")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(DATA / "tiny.tsv"),
            "--task",
            "offensive",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["rows"] == 40 and doc["model_version"].startswith("marsad-detect-")
    return out


def test_eval_json_has_exactly_the_contract_keys(tiny_model: Path) -> None:
    result = runner.invoke(
        app,
        [
            "eval",
            "--data",
            str(DATA / "tiny.tsv"),
            "--task",
            "offensive",
            "--text-col",
            "text",
            "--label-col",
            "offensive",
            "--model",
            str(tiny_model),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {
        *("macro_f1", "precision", "recall", "n", "posts_per_s"),
        *("scoring", "glossary_only"),  # added since: how the rows were labelled
    }
    assert doc["scoring"] == "service"
    assert doc["n"] == 40 and doc["macro_f1"] > 0.8  # its own training data
    assert doc["posts_per_s"] > 0


def test_text_json_with_a_model(tiny_model: Path) -> None:
    result = runner.invoke(app, ["text", "اقتلوهم يا حيوان", "--model", str(tiny_model), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"labels", "scores", "spans", "model_version", "glossary_version"} <= set(doc)
    assert doc["spans"][0]["text"] == "اقتلوهم"
    assert doc["spans"][0]["category"] == "incitement"
    assert "violence" in doc["labels"]  # the glossary's call to kill


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--data", str(DATA / "bad_label.tsv"), "--task", "offensive"], "row 2, column offensive"),
        (["--data", str(DATA / "tiny.tsv"), "--task", "violence"], "missing column 'violence'"),
        (
            ["--data", str(DATA / "tiny.tsv"), "--task", "offensive", "--text-col", "body"],
            "missing column 'body'",
        ),
        (["--data", str(DATA / "one_class.tsv"), "--task", "offensive"], "only one class"),
        (["--data", str(DATA / "nope.tsv"), "--task", "offensive"], "no such file"),
        (["--data", str(DATA / "tiny.tsv"), "--task", "extremism"], "needs no training"),
        (["--shared-data", str(DATA), "--task", "offensive"], "leave out --data, --task"),
        (["--shared-data", str(DATA)], "osact2020_train.tsv: no such file"),
    ],
)
def test_train_rejects_bad_data_in_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", *args, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "needle"),
    [("", "empty"), ("   \n", "empty"), ("x" * 1_000_000, "limit is")],
)
def test_text_rejects_empty_and_huge_input(text: str, needle: str) -> None:
    result = runner.invoke(app, ["text", text, "--json"])
    assert result.exit_code == 2
    assert needle in result.stderr and "TEXT" in result.stderr


def test_model_path_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["text", "hello", "--model", str(tmp_path)])
    assert result.exit_code == 2 and "no model file" in result.stderr
    (tmp_path / "model.joblib").write_bytes(b"not a model")
    result = runner.invoke(app, ["text", "hello", "--model", str(tmp_path)])
    assert result.exit_code == 2 and "cannot read model" in result.stderr


@shipped
@pytest.mark.parametrize("text", ["😂😂🔥", "hello يا حبيبي ئەمڕۆ baş", "\u200b\u200b"])
def test_text_handles_emoji_only_and_mixed_scripts(text: str) -> None:
    result = runner.invoke(app, ["text", text, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    if text.startswith("😂") or text.startswith("\u200b"):
        assert doc["labels"] == []


def test_glossary_commands(tmp_path: Path) -> None:
    exported = runner.invoke(
        app, ["glossary", "export", "--format", "csv", "--out", str(tmp_path / "g.csv")]
    )
    assert exported.exit_code == 0
    imported = runner.invoke(
        app, ["glossary", "import", str(tmp_path / "g.csv"), "--check", "--version", "2", "--json"]
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["version"] == 2
    bad = (tmp_path / "g.csv").read_text(encoding="utf-8").replace(",published", ",maybe", 1)
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    result = runner.invoke(
        app, ["glossary", "import", str(tmp_path / "bad.csv"), "--check", "--version", "2"]
    )
    assert result.exit_code == 2 and "row 1, column status" in result.stderr
    match = runner.invoke(app, ["glossary", "match", "باقية وتتمدد", "--json"])
    assert json.loads(match.stdout)["spans"][0]["category"] == "extremist_slogan"


@shipped
def test_classify_texts_contract_and_thresholds() -> None:
    texts = ["اقتلوا الروافض كلهم", "صباح الخير", ""]
    results = classify_texts(texts)
    assert len(results) == 3
    assert results[0]["spans"] and results[0]["model_version"].startswith("marsad-detect-")
    assert "violence" in results[0]["labels"]  # a glossary call to kill is enough
    assert set(results[1]["scores"]) == {"offensive", "hate", "violence", "extremism"}
    assert results[2]["labels"] == []
    everything = classify_texts(texts[:2], thresholds=dict.fromkeys(results[0]["scores"], 0.001))
    assert set(everything[1]["labels"]) == {"offensive", "hate", "violence", "extremism"}


@shipped
def test_classify_texts_with_a_curated_glossary() -> None:
    glossary = Glossary.from_yaml(
        "version: 9\nterms:\n- {id: x, term: بطيخ, language: ar, target_group: sect,"
        " category: extremist_slogan, severity: 3, status: published}\n"
    )
    [result] = classify_texts(["البطيخ الاحمر"], glossary=glossary)
    assert result["glossary_version"] == 9
    assert result["spans"][0]["term_id"] == "x"
    assert result["scores"]["extremism"] > 0.5


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"texts": "a string"}, "err_classify_input"),
        ({"texts": [1]}, "err_classify_input"),
        ({"texts": ["x" * 30_000]}, "err_text_too_long"),
        ({"texts": ["x"], "thresholds": {"nope": 0.5}}, "err_threshold"),
        ({"texts": ["x"], "thresholds": {"hate": 1.5}}, "err_threshold"),
    ],
)
def test_classify_texts_rejects_bad_input(kwargs: dict, code: str) -> None:
    if "thresholds" in kwargs and not default_model_path().is_file():
        pytest.skip("no shipped model built")
    with pytest.raises(InvalidInput) as err:
        classify_texts(**kwargs)
    assert err.value.code == code
