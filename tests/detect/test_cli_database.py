"""`marsad detect` commands on the curated glossary and stored posts, as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import curation, flagging
from marsad.detect.cli import app
from marsad.detect.glossary import Glossary, load_default_glossary
from marsad.detect.models import Flag
from tests.detect.test_curation import ZARZOUR
from tests.detect.test_flagging import POSTS, add_posts

runner = CliRunner()


def _version(sessions) -> int:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        return curation.glossary_version(session)


def _add_staff_term(sessions) -> int:  # type: ignore[no-untyped-def]
    with session_scope(sessions) as session:
        curation.save_term(session, data=ZARZOUR, actor="mona", note="seen this week")
        return curation.glossary_version(session)


# ------------------------------------------------------------------ glossary export / import


@pytest.mark.parametrize("name", ["glossary.yaml", "glossary.csv"])
def test_export_writes_the_curated_glossary(cli_database, tmp_path: Path, name: str) -> None:
    version = _add_staff_term(cli_database)
    out = tmp_path / name
    result = runner.invoke(app, ["glossary", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = out.read_text(encoding="utf-8")
    assert "زرزور" in body  # the term staff added, not only the shipped ones
    if name.endswith(".csv"):
        assert body.startswith("id,term,variants,")  # CSV chosen from the extension
    else:
        assert yaml.safe_load(body)["version"] == version
    shipped = runner.invoke(app, ["glossary", "export", "--shipped"])
    assert "زرزور" not in shipped.stdout and shipped.stdout.startswith("version: ")


def test_export_format_option_wins_over_the_extension(cli_database, tmp_path: Path) -> None:
    out = tmp_path / "terms.txt"
    result = runner.invoke(app, ["glossary", "export", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("id,term,")


def test_yaml_round_trip_changes_a_term_with_history_and_audit(
    cli_database, tmp_path: Path
) -> None:
    path = tmp_path / "g.yaml"
    assert runner.invoke(app, ["glossary", "export", "--out", str(path)]).exit_code == 0
    before = _version(cli_database)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = doc["terms"][0]
    first["notes"] = "reviewed by the network"
    doc["terms"].append({**ZARZOUR, "variants": ["زرازير"]})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    result = runner.invoke(app, ["glossary", "import", str(path), "--actor", "mona", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["changed"] == 2 and summary["version"] == before + 2
    assert summary["terms"] == len(doc["terms"])
    with session_scope(cli_database) as session:
        assert curation.get_term(session, term_id=first["id"]).notes.en == "reviewed by the network"
        assert curation.get_term(session, term_id=ZARZOUR["id"]).variants == ("زرازير",)
        [newest, *_] = curation.history(session, term_id=first["id"])
        assert (newest.changed_by, newest.note, newest.glossary_version) == (
            "mona",
            "import",
            before + 1,
        )
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "glossary.term_changed" in actions and "glossary.term_created" in actions

    again = runner.invoke(app, ["glossary", "import", str(path), "--json"])
    assert json.loads(again.stdout)["changed"] == 0  # the same file twice is no new version
    assert _version(cli_database) == before + 2


def test_csv_round_trip_adds_a_term(cli_database, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    assert runner.invoke(app, ["glossary", "export", "--out", str(path)]).exit_code == 0
    with path.open("a", encoding="utf-8") as handle:
        handle.write("ar-test-zarzour,زرزور,زرازير,ar,iraqi,ethnicity,slur,3,false,,,published\n")
    result = runner.invoke(app, ["glossary", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changed"] == 1  # the other rows are unchanged
    exported = runner.invoke(app, ["glossary", "export", "--format", "csv"])
    in_database = Glossary.from_csv(exported.stdout, version=1).terms
    in_file = Glossary.from_csv(path, version=1).terms
    assert sorted(in_database, key=str) == sorted(in_file, key=str)  # term for term


def test_a_bad_file_names_row_and_column_and_imports_nothing(cli_database, tmp_path: Path) -> None:
    shipped = load_default_glossary()
    good = shipped.terms[0].model_dump(mode="json")
    rows = ["id,term,language,target_group,category,severity,status,notes"]
    rows.append(f"{good['id']},{good['term']},ar,sect,slur,2,published,changed by the file")
    rows.append("ar-new-one,كلمةجديدة,ar,sect,slur,9,published,")  # severity 9
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = _version(cli_database)
    result = runner.invoke(app, ["glossary", "import", str(path)])
    assert result.exit_code == 2
    assert "row 2, column severity" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert _version(cli_database) == before
    with session_scope(cli_database) as session:
        assert curation.get_term(session, term_id=good["id"]).notes.model_dump() == good["notes"]
        assert not curation.term_exists(session, term_id="ar-new-one")


def test_check_only_validates(cli_database, tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(
        "version: 7\nterms:\n- {id: ar-test-zarzour, term: زرزور, language: ar,"
        " target_group: ethnicity, category: slur, severity: 3, status: published}\n",
        encoding="utf-8",
    )
    before = _version(cli_database)
    result = runner.invoke(app, ["glossary", "import", str(path), "--check", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"version": 7, "terms": 1, "published": 1}
    assert _version(cli_database) == before
    with session_scope(cli_database) as session:
        assert not curation.term_exists(session, term_id="ar-test-zarzour")


def test_import_without_a_database_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(load_default_glossary().to_yaml(), encoding="utf-8")
    result = runner.invoke(app, ["glossary", "import", str(path)])
    assert result.exit_code == 2 and "MARSAD_DATABASE_URL" in result.stderr
    assert "[err_config]" in result.stderr


# ------------------------------------------------------------------ the curated glossary in use


def test_text_and_match_find_a_term_staff_added(cli_database) -> None:
    version = _add_staff_term(cli_database)
    text = "هذا المنشور فيه كلمة زرزور الجديدة"
    result = runner.invoke(app, ["text", text, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [s["term_id"] for s in doc["spans"]] == ["ar-test-zarzour"]
    assert doc["glossary_version"] == version
    match = runner.invoke(app, ["glossary", "match", text, "--json"])
    assert json.loads(match.stdout) == {"glossary_version": version, "spans": doc["spans"]}


def test_text_and_the_api_agree(cli_database, client, make_user) -> None:
    from marsad.core import users

    _add_staff_term(cli_database)
    make_user("bot")
    with session_scope(cli_database) as session:
        token = users.create_token(session, username="bot", actor="test")
    text = "يا زرزور يا حقير"
    api = client.post(
        "/api/v1/classify", json={"texts": [text]}, headers={"Authorization": f"Bearer {token}"}
    ).json()["results"][0]
    cli = json.loads(runner.invoke(app, ["text", text, "--json"]).stdout)
    assert cli == api


def test_without_a_database_the_shipped_glossary_is_used() -> None:
    result = runner.invoke(app, ["glossary", "match", "باقية وتتمدد", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["glossary_version"] == load_default_glossary().version
    assert result.stderr.strip()  # a note says so


# ------------------------------------------------------------------ models and thresholds


def test_run_flags_with_a_trained_model_and_reflags_when_it_changes(
    cli_database, trained_models
) -> None:
    add_posts(cli_database, POSTS)
    (first_dir, first_version), (second_dir, second_version) = trained_models.values()
    ran = runner.invoke(app, ["run", "--model", str(first_dir), "--json"])
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["model_version"] == first_version
    assert json.loads(ran.stdout)["processed"] == len(POSTS)
    again = runner.invoke(app, ["run", "--model", str(first_dir), "--json"])
    assert json.loads(again.stdout)["processed"] == 0

    other = runner.invoke(app, ["run", "--model", str(second_dir), "--json"])
    assert json.loads(other.stdout)["processed"] == len(POSTS)  # a new model looks again
    with session_scope(cli_database) as session:
        versions = session.execute(
            select(Flag.model_version, func.count()).group_by(Flag.model_version)
        ).all()
    assert dict(versions) == {first_version: len(POSTS), second_version: len(POSTS)}


def test_the_model_setting_is_used_by_run_text_and_the_api(
    cli_database, trained_models, monkeypatch, client, make_user
) -> None:
    from marsad.core import users

    folder, version = trained_models["offensive"]
    monkeypatch.setenv("MARSAD_DETECT_MODEL", str(folder))
    add_posts(cli_database, POSTS[:2])
    ran = runner.invoke(app, ["run", "--json"])
    assert json.loads(ran.stdout)["model_version"] == version
    with session_scope(cli_database) as session:
        flags = flagging.list_flags(session, status="all")
        assert flags and {f["model_version"] for f in flags} == {version}
    text = runner.invoke(app, ["text", POSTS[0], "--json"])
    assert json.loads(text.stdout)["model_version"] == version
    make_user("bot")
    with session_scope(cli_database) as session:
        token = users.create_token(session, username="bot", actor="test")
    body = client.post(
        "/api/v1/classify",
        json={"texts": [POSTS[0]]},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert body["model_version"] == version


def test_a_missing_model_setting_is_one_line(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MARSAD_DETECT_MODEL", str(tmp_path / "nowhere"))
    result = runner.invoke(app, ["text", "hello", "--json"])
    assert result.exit_code == 2 and "no model file" in result.stderr


def test_threshold_option_changes_the_labels(trained_models) -> None:
    folder, _version = trained_models["offensive"]
    text = "صباح الخير على الجميع"
    plain = json.loads(runner.invoke(app, ["text", text, "--model", str(folder), "--json"]).stdout)
    assert "offensive" not in plain["labels"]
    low = runner.invoke(
        app,
        ["text", text, "--model", str(folder), "--threshold", "offensive=0.001", "--json"],
    )
    assert low.exit_code == 0, low.output
    assert "offensive" in json.loads(low.stdout)["labels"]
    assert json.loads(low.stdout)["scores"] == plain["scores"]  # the cut moved, not the score


def test_the_thresholds_setting_is_a_default_the_option_overrides(monkeypatch) -> None:
    from marsad.detect.model import default_model_path

    if not default_model_path().is_file():
        pytest.skip("no shipped model built")
    text = "صباح الخير على الجميع"
    monkeypatch.setenv("MARSAD_DETECT_THRESHOLDS", "offensive=0.001, hate=0.001")
    doc = json.loads(runner.invoke(app, ["text", text, "--json"]).stdout)
    assert {"offensive", "hate"} <= set(doc["labels"])
    args = ["text", text, "--threshold", "hate=0.99", "--json"]
    doc = json.loads(runner.invoke(app, args).stdout)
    assert "offensive" in doc["labels"] and "hate" not in doc["labels"]


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("hate", "LABEL=VALUE"),
        ("nope=0.5", "'nope'"),
        ("offensive=1.5", "between 0 and 1"),
        ("offensive=abc", "between 0 and 1"),
        ("offensive=0", "between 0 and 1"),
    ],
)
@pytest.mark.parametrize("command", ["text", "run"])
def test_bad_thresholds_exit_2_naming_the_option(
    command: str, value: str, needle: str, trained_models
) -> None:
    folder, _version = trained_models["offensive"]
    args = [command, *(["hello"] if command == "text" else []), "--model", str(folder)]
    result = runner.invoke(app, [*args, "--threshold", value])
    assert result.exit_code == 2
    assert "--threshold" in result.stderr and "[err_threshold]" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # The messages are translated (Arabic by default); the value at fault is quoted as given.
    if needle.startswith("'"):
        assert needle in result.stderr


def test_a_bad_thresholds_setting_names_the_setting(monkeypatch, trained_models) -> None:
    folder, _version = trained_models["offensive"]
    monkeypatch.setenv("MARSAD_DETECT_THRESHOLDS", "offensive=2")
    result = runner.invoke(app, ["text", "hello", "--model", str(folder)])
    assert result.exit_code == 2 and "MARSAD_DETECT_THRESHOLDS" in result.stderr


# ------------------------------------------------------------------ progress


def test_run_knows_how_many_posts_are_pending(cli_database, trained_models) -> None:
    from marsad.detect.model import load_model

    folder, version = trained_models["offensive"]
    model = load_model(folder)
    add_posts(cli_database, POSTS)
    with session_scope(cli_database) as session:
        glossary_version = str(curation.current_glossary(session).version)
        count = flagging.pending_count(
            session, model_version=version, glossary_version=glossary_version
        )
    assert count == len(POSTS)
    totals: list[int] = []
    flagging.run_detection(
        sessions=cli_database, model=model, batch_size=2, limit=3, on_start=totals.append
    )
    assert totals == [3]  # at most the limit
    flagging.run_detection(sessions=cli_database, model=model, on_start=totals.append)
    assert totals == [3, 2]  # what the first run left
    with session_scope(cli_database) as session:
        done = {"model_version": version, "glossary_version": glossary_version}
        assert flagging.pending_count(session, **done) == 0
        assert flagging.pending_count(session, **{**done, "model_version": "other"}) == 5


def test_run_gives_the_progress_bar_its_total(
    cli_database, trained_models, monkeypatch, english
) -> None:
    from rich.progress import Progress

    folder, _version = trained_models["offensive"]
    add_posts(cli_database, POSTS)
    totals: list[float | None] = []
    update = Progress.update

    def spy(self, task_id, **kwargs):  # type: ignore[no-untyped-def]
        if "total" in kwargs:
            totals.append(kwargs["total"])
        return update(self, task_id, **kwargs)

    monkeypatch.setattr(Progress, "update", spy)
    ran = runner.invoke(app, ["run", "--model", str(folder), "--batch-size", "2"])
    assert ran.exit_code == 0, ran.output
    assert totals == [len(POSTS)]  # known before the first batch: "0/5", not a spinner
    assert f"scored {len(POSTS)} posts" in ran.stdout


def test_an_empty_model_setting_means_the_shipped_model(monkeypatch) -> None:
    from marsad.detect.model import default_model_path, load_default_model

    if not default_model_path().is_file():
        pytest.skip("no shipped model built")
    monkeypatch.setenv("MARSAD_DETECT_MODEL", "")
    result = runner.invoke(app, ["text", "hello", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model_version"] == load_default_model().version


def test_a_model_retrained_in_the_same_folder_is_loaded_afresh(tmp_path: Path) -> None:
    import os

    from marsad.detect.model import load_configured_model
    from tests.detect.conftest import train_tiny

    first = train_tiny(tmp_path, "offensive")
    assert load_configured_model(tmp_path).version == first
    second = train_tiny(tmp_path, "hate")
    model_file = tmp_path / "model.joblib"
    later = model_file.stat().st_mtime + 5  # file systems with coarse timestamps
    os.utime(model_file, (later, later))
    assert load_configured_model(tmp_path).version == second != first


def test_run_flags_with_a_hugging_face_folder(cli_database, tmp_path: Path) -> None:
    import importlib.util

    if (
        importlib.util.find_spec("torch") is None
        or importlib.util.find_spec("transformers") is None
    ):
        pytest.skip("torch/transformers not installed (optional 'transformers' extra)")
    from tests.detect.test_classifiers import tiny_hf_model

    (tmp_path / "hf-model").mkdir()
    folder = tiny_hf_model(tmp_path / "hf-model")
    add_posts(cli_database, POSTS)
    ran = runner.invoke(app, ["run", "--model", str(folder), "--json"])
    assert ran.exit_code == 0, ran.output
    doc = json.loads(ran.stdout)
    assert doc["model_version"].startswith("hf-hf-model+") and doc["processed"] == len(POSTS)
    with session_scope(cli_database) as session:
        slogan = next(f for f in flagging.list_flags(session) if f["text"] == POSTS[4])
    assert slogan["model_version"] == doc["model_version"] and slogan["spans"]
