"""The `marsad coordination` commands as a user runs them: JSON shape, exports, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.coordination.cli import app

runner = CliRunner()


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    rows: list[list[object]] = []
    n = 0
    for e in range(5):
        for k, acc in enumerate(["a1", "a2", "a3", "a4"]):
            rows.append(
                [f"p{n}", acc, 10_000 * e + 5 * k, f"https://site.example/story{e}?utm_source=x"]
            )
            n += 1
    for k in range(60):
        rows.append([f"p{n}", f"o{k % 20}", 977 * k, f"https://news.example/{k}"])
        n += 1
    return _write_csv(tmp_path / "posts.csv", ["post_id", "account_id", "timestamp", "url"], rows)


def test_detect_json_lists_the_group_and_its_evidence(campaign: Path, tmp_path: Path) -> None:
    export = tmp_path / "net.graphml"
    result = runner.invoke(
        app,
        [
            "detect",
            "--input",
            str(campaign),
            "--method",
            "links",
            "--export",
            str(export),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [c["accounts"] for c in doc["clusters"]] == [["a1", "a2", "a3", "a4"]]
    cluster = doc["clusters"][0]
    assert cluster["methods"] == ["links"] and cluster["method"] == "links"
    assert {"id", "method", "accounts", "score", "evidence"} <= set(cluster)
    assert "site.example/story0" in cluster["objects"]
    story = next(ev for ev in cluster["evidence"] if ev["object"] == "site.example/story0")
    assert {s["account"] for s in story["shares"]} == {"a1", "a2", "a3", "a4"}
    assert all(set(s) == {"account", "post_id", "timestamp"} for s in story["shares"])
    assert doc["edges"][0]["methods"] == ["links"]
    assert doc["parameters"]["window"] == 60
    assert {"source", "target", "weight", "methods", "objects"} <= set(doc["edges"][0])
    assert "<graphml" in export.read_text()


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_exports(campaign: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"net{suffix}"
    result = runner.invoke(
        app,
        ["detect", "--input", str(campaign), "--method", "links", "--export", str(out), "--json"],
    )
    assert result.exit_code == 0, result.output
    if suffix == ".json":
        doc = json.loads(out.read_text())
        assert {n["id"] for n in doc["nodes"]} == {"a1", "a2", "a3", "a4"}
        assert len(doc["links"]) == 6
    else:
        assert len(out.read_text().splitlines()) == 7
        nodes = tmp_path / "net.nodes.csv"
        assert "a1," in nodes.read_text()


def _error(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.output


def test_bad_inputs_give_one_clear_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, out = _error(["detect", "--input", str(empty), "--json"])
    assert code == 2 and "empty" in out and "Traceback" not in out

    no_time = _write_csv(tmp_path / "t.csv", ["account_id", "url"], [["a", "x.com/1"]])
    code, out = _error(["detect", "--input", str(no_time), "--json"])
    assert code == 2 and "timestamp" in out and "header has account_id, url" in out

    bad_time = _write_csv(
        tmp_path / "b.csv",
        ["account_id", "timestamp", "url"],
        [["a", "1700000000", "x.com/1"], ["b", "yesterday", "x.com/1"]],
    )
    code, out = _error(["detect", "--input", str(bad_time), "--json"])
    assert code == 2 and "row 2" in out and "'yesterday'" in out

    dup = _write_csv(
        tmp_path / "d.csv",
        ["post_id", "account_id", "timestamp", "url"],
        [["p1", "a", 1, "x.com/1"], ["p1", "b", 2, "x.com/1"]],
    )
    code, out = _error(["detect", "--input", str(dup), "--json"])
    assert code == 2 and "post_id 'p1'" in out and "row 2" in out

    single = _write_csv(
        tmp_path / "s.csv",
        ["account_id", "timestamp", "url"],
        [["a", 1, "x.com/1"], ["a", 2, "x.com/2"]],
    )
    code, out = _error(["detect", "--input", str(single), "--json"])
    assert code == 2 and "two accounts" in out

    code, out = _error(["detect", "--input", str(tmp_path / "missing.csv"), "--json"])
    assert code == 2 and "no such file" in out

    code, out = _error(["detect", "--input", str(single), "--time-col", "when", "--json"])
    assert code == 2 and "'when'" in out


def test_coortweet_mode_on_renamed_columns(tmp_path: Path) -> None:
    rows = [
        [f"c{n}", acc, f"obj{n // 3}", 100 * (n // 3) + n % 3]
        for n, acc in enumerate(["x", "y", "z"] * 6)
    ]
    path = _write_csv(tmp_path / "rt.csv", ["tweet", "user", "retweeted", "when"], rows)
    result = runner.invoke(
        app,
        [
            "detect",
            "--input",
            str(path),
            "--method",
            "shares",  # alone, shares defaults to CooRTweet's count weighting
            "--window",
            "10",
            "--min-repeat",
            "2",
            "--account-col",
            "user",
            "--object-col",
            "retweeted",
            "--time-col",
            "when",
            "--post-col",
            "tweet",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    weights = {
        (e["source"], e["target"]): e["method_stats"]["shares"]["pairs"] for e in doc["edges"]
    }
    assert weights == {("x", "y"): 6, ("x", "z"): 6, ("y", "z"): 6}


def test_successors_ranks_the_recreated_account_first(tmp_path: Path) -> None:
    posts = _write_csv(
        tmp_path / "posts.csv",
        ["post_id", "account_id", "timestamp", "hashtags"],
        [
            [f"p{n}", acc, 1_700_000_000 + 3600 * n + (0 if acc != "new" else 86_400 * 40), tags]
            for n, (acc, tags) in enumerate(
                [("old", "#حشد #بغداد")] * 5
                + [("new", "#حشد #بغداد")] * 5
                + [("other", "#كرة")] * 5
            )
        ],
    )
    accounts = _write_csv(
        tmp_path / "accounts.csv",
        ["account_id", "handle", "display_name", "created_at"],
        [
            ["old", "abu_ali_iq", "أبو علي العراقي", "2020-01-01T00:00:00Z"],
            ["new", "abu_ali_iq2", "ابو علي العراقي", "2023-12-20T00:00:00Z"],
            ["other", "sports_fan", "Sports fan", "2023-12-20T00:00:00Z"],
        ],
    )
    result = runner.invoke(
        app,
        [
            "successors",
            "--suspended",
            "old",
            "--input",
            str(posts),
            "--accounts",
            str(accounts),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    ranked = doc["suspended"][0]["candidates"]
    assert [c["account_id"] for c in ranked] == ["new", "other"]
    top = ranked[0]
    assert top["score"] > 0.8 > ranked[1]["score"]
    assert abs(sum(top["contributions"].values()) - top["score"]) < 1e-3
    assert top["similarities"]["handle"] > 0.9

    code, out = _error(
        ["successors", "--suspended", "ghost", "--accounts", str(accounts), "--json"]
    )
    assert code == 2 and "ghost" in out


def test_detect_shares_on_coortweets_sample_prints_coortweets_edges() -> None:
    """The documented command gives the edge list CooRTweet itself wrote (data/README.md)."""
    sample = (
        Path(__file__).resolve().parents[2].parent
        / "shared/formats/cib_coordination/cooRTweet_russian_coord_tweets.csv"
    )
    if not sample.exists():
        pytest.skip("needs ../shared/formats/cib_coordination")
    args = ["detect", "--input", str(sample), "--method", "shares", "--window", "10"]
    result = runner.invoke(app, [*args, "--min-repeat", "5", "--json"])
    assert result.exit_code == 0, result.output
    ours = {
        tuple(sorted((e["source"], e["target"]))): e["weight"]
        for e in json.loads(result.stdout)["edges"]
    }
    golden = Path(__file__).resolve().parent / "data" / "coortweet_edges_loops_removed.csv"
    with golden.open(newline="") as handle:
        theirs = {
            tuple(sorted((r["from"], r["to"]))): int(r["weight"]) for r in csv.DictReader(handle)
        }
    assert ours == theirs
