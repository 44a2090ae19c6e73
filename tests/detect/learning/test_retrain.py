"""Retraining with local labels, the frozen sample kept out, and the model registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect.cli import app
from marsad.detect.learning import labels, registry
from marsad.detect.learning.models import ModelVersion
from marsad.detect.learning.retrain import local_datasets
from marsad.detect.model import load_default_model
from tests.detect.learning.conftest import freeze, iraqi, label_posts, store_posts

runner = CliRunner()


def test_the_frozen_sample_and_its_copies_never_reach_training(sessions) -> None:
    ids = label_posts(sessions, [*iraqi(6, 1), *iraqi(6, 0)])
    copy_of_frozen = store_posts(sessions, [f"@x {iraqi(6, 1)[0][0]}!!"], start=5000)[0]
    with session_scope(sessions) as session:
        labels.record_label(
            session,
            post_pk=copy_of_frozen,
            task="offensive",
            value=1,
            labelled_by="ali",
            source="import",
        )
    freeze(sessions, [ids[0], ids[6]], task="hate")  # any task's sample counts
    with session_scope(sessions) as session:
        texts = [t for t, _v in labels.training_examples(session, task="offensive")]
        frozen = {t for _pk, t, _v in labels.evaluation_examples(session, task="hate")}
    assert len(texts) == 10
    assert not frozen  # the hate sample has no hate labels yet
    assert iraqi(6, 1)[0][0] not in texts and iraqi(6, 0)[0][0] not in texts
    assert all("@x" not in t for t in texts)  # the near-copy of a frozen post is left out too


def test_ties_between_labellers_are_left_out_and_majorities_kept(sessions) -> None:
    [a, b] = store_posts(sessions, ["منشور اول", "منشور ثان"])
    with session_scope(sessions) as session:
        for who, va, vb in (("mona", 1, 1), ("ali", 0, 1), ("sara", 0, 0)):
            labels.record_label(
                session, post_pk=a, task="hate", value=va, labelled_by=who, source="queue"
            )
            if who != "sara":
                labels.record_label(
                    session, post_pk=b, task="hate", value=vb, labelled_by=who, source="queue"
                )
        labels.record_label(
            session, post_pk=b, task="offensive", value=1, labelled_by="mona", source="queue"
        )
        labels.record_label(
            session, post_pk=b, task="offensive", value=0, labelled_by="ali", source="queue"
        )
        assert labels.training_examples(session, task="hate") == [
            ("منشور اول", 0),
            ("منشور ثان", 1),
        ]
        assert labels.training_examples(session, task="offensive") == []  # a tie


def test_retraining_with_too_few_labels_says_so_and_keeps_the_model(
    cli_database, shared_data: Path, tmp_path: Path
) -> None:
    label_posts(cli_database, [*iraqi(25, 0), *iraqi(3, 1)])
    out = tmp_path / "candidate"
    args = ["train", "--shared-data", str(shared_data), "--include-reviewed", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "3 labels of 1 and 25 of 0" in result.stderr and "at least 20" in result.stderr
    assert not out.exists()
    with session_scope(cli_database) as session:
        assert session.execute(select(ModelVersion)).first() is None


def test_retrain_weights_local_labels_registers_and_promotes(
    cli_database, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARSAD_LEARNING_MIN_LABELS", "5")
    monkeypatch.setenv("MARSAD_LEARNING_LOCAL_WEIGHT", "4")
    ids = label_posts(cli_database, [*iraqi(12, 1), *iraqi(12, 0)])
    freeze(cli_database, [ids[0], ids[1], ids[12], ids[13]])
    out = tmp_path / "candidate"
    args = ["train", "--shared-data", str(shared_data), "--include-reviewed", "--out", str(out)]
    result = runner.invoke(app, [*args, "--actor", "mona", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["local_labels"]["offensive"] == {"0": 10, "1": 10}  # four are frozen
    assert set(doc["left_out"]) == {"hate", "violence"}  # no labels for those
    assert doc["metrics"]["offensive"]["n"] == 4 and "macro_f1" in doc["metrics"]["offensive"]
    assert (out / "model.joblib").is_file()
    with session_scope(cli_database) as session:
        local, _counts, _why = local_datasets(
            session, tasks=("offensive",), weight=4.0, min_per_class=5
        )
    assert local["offensive"].weight == 4.0 and len(local["offensive"].texts) == 20

    listed = json.loads(runner.invoke(app, ["models", "list", "--json"]).stdout)
    assert listed["in_use"] == "shipped"
    [row] = listed["versions"]
    assert (row["version"], row["status"], row["trained_by"]) == (
        doc["model_version"],
        "candidate",
        "mona",
    )
    compared = json.loads(runner.invoke(app, ["models", "compare", "--json"]).stdout)
    assert compared["candidate"]["version"] == doc["model_version"]
    assert compared["current"]["version"] == load_default_model().version
    assert compared["current"]["metrics"]["offensive"]["n"] == 4
    assert "offensive" in compared["gain"]

    # Promoted: the detector in use is the candidate, for `detect text` too.
    promoted = runner.invoke(app, ["models", "promote", doc["model_version"], "--actor", "ali"])
    assert promoted.exit_code == 0, promoted.output
    text = json.loads(runner.invoke(app, ["text", "سرسري", "--json"]).stdout)
    assert text["model_version"] == doc["model_version"]
    again = runner.invoke(app, ["models", "promote", doc["model_version"]])
    assert again.exit_code == 2 and "already in use" in again.stderr

    back = json.loads(runner.invoke(app, ["models", "rollback", "--json"]).stdout)
    assert back == {"in_use": "shipped"}
    text = json.loads(runner.invoke(app, ["text", "سرسري", "--json"]).stdout)
    assert text["model_version"] == load_default_model().version
    nothing = runner.invoke(app, ["models", "rollback"])
    assert nothing.exit_code == 2 and "nothing to roll back" in nothing.stderr
    with session_scope(cli_database) as session:
        actions = session.execute(
            select(AuditRecord.action, AuditRecord.actor).order_by(AuditRecord.seq)
        ).all()
        assert ("model.registered", "mona") in actions
        assert ("model.promoted", "ali") in actions and ("model.rolled_back", "cli") in actions


def test_rollback_returns_to_the_version_in_use_before(sessions, settings, tmp_path) -> None:
    from tests.detect.conftest import train_tiny

    versions = []
    for task in ("offensive", "hate"):
        folder = tmp_path / task
        train_tiny(folder, task)
        model = registry.load_configured_model(folder)
        with session_scope(sessions) as session:
            registry.register_candidate(
                session, model=model, path=folder, trained_by="mona", local_labels={}
            )
        versions.append(model.version)
    with session_scope(sessions) as session:
        registry.promote(session, version=versions[0], actor="mona")
        registry.promote(session, version=versions[1], actor="mona")
        assert registry.model_in_use(session, settings=settings).version == versions[1]
        assert registry.rollback(session, actor="ali") == versions[0]
        assert registry.model_in_use(session, settings=settings).version == versions[0]
        states = {r["version"]: r["status"] for r in registry.list_versions(session)}
    assert states == {versions[0]: "current", versions[1]: "retired"}


def test_the_frozen_sample_is_measured_as_the_service_labels_it(sessions) -> None:
    from marsad.detect.evaluate import evaluate_as_service, evaluate_model

    english = "You are a filthy pig and a liar"  # no glossary term: never labelled in English
    posts = [*iraqi(3, 1), *iraqi(3, 0), (english, 1)]
    ids = label_posts(sessions, posts)
    freeze(sessions, ids)
    model = load_default_model()
    with session_scope(sessions) as session:
        metrics = registry.evaluate_on_frozen(session, model)
    texts, values = [t for t, _v in posts], [v for _t, v in posts]
    assert metrics["offensive"] == {
        k: v
        for k, v in evaluate_as_service(model, texts, values, "offensive").items()
        if k != "posts_per_s"
    }
    assert metrics["offensive"]["n"] == 7 and metrics["offensive"]["glossary_only"] == 1
    # The model alone calls the English insult offensive; the service, and the figure, do not.
    alone = evaluate_model(model, [english], [1], "offensive")
    assert alone["recall"] > 0
    assert evaluate_as_service(model, [english], [1], "offensive")["recall"] == 0
