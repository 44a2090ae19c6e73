"""Labels as analysts make them: import, export, flag decisions, agreement, audit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.core.db import session_scope
from marsad.core.models import AuditRecord
from marsad.detect import flagging
from marsad.detect.cli import app
from marsad.detect.learning import labels
from marsad.detect.learning.agreement import nominal_alpha
from marsad.detect.learning.models import Label
from tests.detect.learning.conftest import store_posts

runner = CliRunner()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_saves_good_rows_and_names_each_bad_one(cli_database, tmp_path: Path) -> None:
    a, b = store_posts(cli_database, ["منشور اول", "منشور ثان"])
    source = write_csv(
        tmp_path / "labels.csv",
        "post_id,task,value\n"
        f"{a},offensive,1\n"
        f"post:{b},hate,0\n"
        "999999,offensive,1\n"  # no such post
        f"{a},sarcasm,1\n"  # no such task
        f"{b},offensive,2\n"  # not 0/1
        f"{b},offensive,\n",  # empty value
    )
    result = runner.invoke(app, ["labels", "import", str(source), "--actor", "mona", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"imported", "rejected"}
    assert body["imported"] == 2
    rejected = {row["row"]: row["reason"] for row in body["rejected"]}
    assert set(rejected) == {3, 4, 5, 6}
    assert "999999" in rejected[3]
    assert "sarcasm" in rejected[4]
    assert "'2'" in rejected[5] and "0 or 1" in rejected[5]
    with session_scope(cli_database) as session:
        rows = {(r.post_pk, r.task): r for r in session.execute(select(Label)).scalars()}
        assert set(rows) == {(a, "offensive"), (b, "hate")}
        assert rows[(a, "offensive")].value == 1 and rows[(a, "offensive")].labelled_by == "mona"
        assert rows[(a, "offensive")].source == "import"
        actions = session.execute(select(AuditRecord.action)).scalars().all()
        assert "labels.imported" in actions


def test_import_of_a_file_missing_a_column_imports_nothing_and_says_which(
    cli_database, tmp_path: Path
) -> None:
    [a] = store_posts(cli_database, ["منشور"])
    source = write_csv(tmp_path / "labels.csv", f"post_id,task\n{a},offensive\n")
    result = runner.invoke(app, ["labels", "import", str(source), "--json"])
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["imported"] == 0
    [problem] = body["rejected"]
    assert problem["row"] == 0 and "value" in problem["reason"]
    with session_scope(cli_database) as session:
        assert session.execute(select(Label)).first() is None


def test_export_round_trips_through_import(cli_database, tmp_path: Path) -> None:
    a, b = store_posts(cli_database, ["منشور اول", "منشور ثان"])
    with session_scope(cli_database) as session:
        labels.record_label(
            session, post_pk=a, task="offensive", value=1, labelled_by="mona", source="queue"
        )
        labels.record_label(
            session, post_pk=b, task="hate", value=0, labelled_by="ali", source="queue"
        )
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["labels", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["post_id"], r["task"], r["value"], r["labelled_by"]) for r in rows] == [
        (str(a), "offensive", "1", "mona"),
        (str(b), "hate", "0", "ali"),
    ]
    assert rows[0]["labelled_at"].endswith("+00:00")  # UTC
    stdout = runner.invoke(app, ["labels", "export", "--task", "hate"]).stdout
    assert stdout.splitlines()[1].startswith(f"{b},hate,0,ali")
    again = runner.invoke(app, ["labels", "import", str(out), "--actor", "mona", "--json"])
    assert json.loads(again.stdout) == {"imported": 2, "rejected": []}


def test_flag_decisions_become_labels_and_undo_takes_them_back(sessions) -> None:
    [pk] = store_posts(sessions, ["يا كلب يا حقير الله يلعنك"])
    flagging.run_detection(sessions=sessions)
    with session_scope(sessions) as session:
        [card] = flagging.list_flags(session)
        flagging.review_flag(
            session, flag_id=card["id"], decision="confirmed", reviewer="mona", labels=["hate"]
        )
    with session_scope(sessions) as session:
        found = {r.task: r.value for r in session.execute(select(Label)).scalars()}
        assert found == {"offensive": 0, "hate": 1, "violence": 0, "extremism": 0}
        assert labels.training_examples(session, task="hate") == [("يا كلب يا حقير الله يلعنك", 1)]
        flagging.undo_review(session, flag_id=card["id"], reviewer="mona")
    with session_scope(sessions) as session:
        assert session.execute(select(Label)).first() is None
        flagging.review_flag(session, flag_id=card["id"], decision="rejected", reviewer="ali")
    with session_scope(sessions) as session:
        found = {(r.task, r.labelled_by): r.value for r in session.execute(select(Label)).scalars()}
        assert found == {(t, "ali"): 0 for t in ("offensive", "hate", "violence", "extremism")}
        assert labels.training_examples(session, task="offensive") == [
            ("يا كلب يا حقير الله يلعنك", 0)
        ]


def test_alpha_matches_krippendorffs_worked_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal data:
    # 4 observers, 12 units, missing values; alpha = 0.743.
    table = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units: dict[int, dict[str, int]] = {}
    for observer, row in enumerate(table):
        for unit, value in enumerate(row):
            if value is not None:
                units.setdefault(unit, {})[f"o{observer}"] = value
    result = nominal_alpha(units)
    assert result["alpha"] == pytest.approx(0.743, abs=0.001)
    assert result["posts"] == 11  # the unit only one observer coded does not count
    assert nominal_alpha({1: {"a": 1}})["alpha"] is None


def test_agreement_per_task_in_json(cli_database) -> None:
    ids = store_posts(cli_database, [f"منشور رقم {i}" for i in range(6)])
    first = [1, 1, 0, 0, 1, 0]
    second = [1, 1, 0, 0, 0, 0]  # they disagree on one post of six
    with session_scope(cli_database) as session:
        for pk, x, y in zip(ids, first, second, strict=True):
            for who, value in (("mona", x), ("ali", y)):
                labels.record_label(
                    session,
                    post_pk=pk,
                    task="offensive",
                    value=value,
                    labelled_by=who,
                    source="queue",
                )
        labels.record_label(
            session, post_pk=ids[0], task="hate", value=1, labelled_by="mona", source="queue"
        )
    result = runner.invoke(app, ["labels", "agreement", "--json"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(result.stdout)["tasks"]
    offensive = tasks["offensive"]
    assert offensive["posts"] == 6 and offensive["labellers"] == 2
    # Nominal alpha, by hand: n = 12 values (5 ones, 7 zeros); the one split post gives
    # o(0,1) = o(1,0) = 1, so alpha = 1 - (n - 1) * 2 / (2 * 5 * 7) = 1 - 22/70.
    assert offensive["alpha"] == pytest.approx(1 - 22 / 70, abs=1e-3)
    assert tasks["hate"] == {"alpha": None, "posts": 0, "labellers": 0, "labels": 0}
    bad = runner.invoke(app, ["labels", "agreement", "--task", "sarcasm"])
    assert bad.exit_code == 2 and "sarcasm" in bad.output


def test_a_label_is_replaced_not_doubled_and_every_change_is_audited(sessions) -> None:
    [pk] = store_posts(sessions, ["منشور"])
    with session_scope(sessions) as session:
        for value in (1, 0):
            labels.record_label(
                session,
                post_pk=pk,
                task="offensive",
                value=value,
                labelled_by="mona",
                source="queue",
            )
        assert [r.value for r in session.execute(select(Label)).scalars()] == [0]
        assert labels.withdraw_label(session, post_pk=pk, task="offensive", labelled_by="mona")
        audit = session.execute(
            select(AuditRecord.action, AuditRecord.details).order_by(AuditRecord.seq)
        ).all()
    assert [a for a, _d in audit] == ["label.recorded", "label.recorded", "label.withdrawn"]
    assert all("منشور" not in (d or "") for _a, d in audit)  # the post's text stays out
