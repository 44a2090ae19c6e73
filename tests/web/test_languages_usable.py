"""Messages in the user's language: the locale on the command line, the header in the API."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from marsad.coordination.cli import app as coordination

runner = CliRunner()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"MARSAD_LANGUAGE": "ar", "LANG": "en_US.UTF-8"}, "النافذة عدد من الثواني أو auto"),
        ({"LANG": "ar_IQ.UTF-8"}, "النافذة عدد من الثواني أو auto"),
        ({"LANG": "ckb_IQ.UTF-8"}, "ماوەکە ژمارەیەک چرکەیە یان auto"),
        ({"LANG": "C.UTF-8"}, "the window is a number of seconds or auto"),
    ],
)
def test_cli_errors_follow_marsad_language_or_the_locale(
    env: dict[str, str], expected: str, monkeypatch, tmp_path
) -> None:
    for name in ("MARSAD_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    posts = tmp_path / "p.csv"
    posts.write_text("post_id,account_id,timestamp\np1,a,1\n", encoding="utf-8")
    result = runner.invoke(coordination, ["detect", "--input", str(posts), "--window", "soon"])
    assert result.exit_code == 2
    assert expected in result.output and "--window" in result.output


def test_api_errors_follow_accept_language(admin_client) -> None:
    body = {"flag_ids": [], "decision": "rejected"}
    english = admin_client.post(
        "/api/v1/flags/review", json=body, headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    assert english.status_code == 422 and english.json()["message"] == "choose at least one flag"
    arabic = admin_client.post(
        "/api/v1/flags/review", json=body, headers={"Accept-Language": "ar-IQ"}
    )
    assert arabic.json()["message"] == "اختر منشوراً مُعلَّماً واحداً على الأقل"
    asked = admin_client.post(
        "/api/v1/flags/review?lang=ckb", json=body, headers={"Accept-Language": "en"}
    )
    assert asked.json()["message"] == "لانیکەم یەک پۆستی نیشانکراو هەڵبژێرە"
    assert arabic.json()["error"] == english.json()["error"] == "err_flag_none_chosen"
