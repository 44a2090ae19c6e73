"""`coordination detect --window auto`: the window estimated from the data (CooRnet-style)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from marsad.coordination.cli import app
from marsad.coordination.interval import estimate_window
from marsad.coordination.table import PostTable

from .test_cli import _write_csv, campaign  # noqa: F401 - the fixture

runner = CliRunner()


def test_window_is_the_low_quantile_of_second_share_delays() -> None:
    rows = []
    # Ten links: each re-shared after 2, 4, … 20 seconds, then once more an hour later.
    for k in range(10):
        url = f"https://site.example/{k}"
        rows.append({"account_id": "a", "timestamp": 1000 * k, "url": url})
        rows.append({"account_id": "b", "timestamp": 1000 * k + 2 * (k + 1), "url": url})
        rows.append({"account_id": "c", "timestamp": 1000 * k + 3600, "url": url})
    rows.append({"account_id": "d", "timestamp": 5, "url": "https://once.example/"})
    table = PostTable.from_rows(rows)
    assert estimate_window(table) == 3  # the 0.1 quantile of 2, 4, … 20
    assert estimate_window(table, quantile=0.5) == 11


def test_detect_window_auto_runs_with_the_estimate(campaign: Path) -> None:  # noqa: F811
    result = runner.invoke(
        app, ["detect", "--input", str(campaign), "--method", "links", "--window", "auto", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # The four accounts share each story 5 seconds apart: the window is 5 seconds.
    assert doc["parameters"]["window"] == 5
    # Within 5 seconds only neighbours in the sharing order coincide; the unrelated
    # accounts (o0…o19) form no group.
    assert [c["accounts"] for c in doc["clusters"]] == [["a1", "a2"], ["a3", "a4"]]


def test_window_errors_name_the_option(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "p.csv", ["post_id", "account_id", "timestamp"], [["p1", "a", 1]])
    for value, words in (("soon", "number of seconds or auto"), ("auto", "cannot be estimated")):
        result = runner.invoke(app, ["detect", "--input", str(path), "--window", value, "--json"])
        assert result.exit_code == 2, result.output
        assert "--window" in result.output and words in result.output
        assert "Traceback" not in result.output
