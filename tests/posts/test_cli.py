"""`marsad ingest` and `marsad posts …` as a monitor runs them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app

from .helpers import DATA, GENERIC_MAP, flag_channel_fixture, sample


@pytest.fixture
def cli(settings, engine, monkeypatch):
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args])

    return invoke


def test_ingest_json_result_and_exit_codes(cli, tmp_path):
    ok = cli("ingest", "telegram", DATA / "tg_channel", "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {
        "read": 4,
        "inserted": 4,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
    }
    again = json.loads(cli("ingest", "telegram", DATA / "tg_channel", "--json").stdout)
    assert again["inserted"] == 0 and again["duplicates"] == 4

    partial = cli("ingest", "x", sample("twitter/v1_1/spark-test-tweets.jsonl"), "--json")
    assert partial.exit_code == 3
    body = json.loads(partial.stdout)
    assert body["rejected"] == 1 and body["errors"][0]["position"] == "line 7"

    empty = tmp_path / "empty.json"
    empty.write_text("")
    nothing = cli("ingest", "youtube", empty, "--json")
    assert nothing.exit_code == 2 and json.loads(nothing.stdout)["read"] == 0


def test_ingest_human_output_and_bad_arguments(cli):
    human = cli("ingest", "x", sample("twitter/twarc2_v2/streaming_output_with_error.jsonl"))
    assert human.exit_code == 3 and "inserted" in human.stdout, human.output
    assert "line 8" in human.stderr
    for args, words in (
        (("ingest", "myspace", DATA / "generic.csv"), "unknown format"),
        (("ingest", "csv", DATA / "generic.csv"), "--map"),
        (("ingest", "csv", DATA / "generic.csv", "--map", "id=post_id"), "needs text"),
        (
            ("ingest", "csv", DATA / "generic.csv", "--map", GENERIC_MAP, "--platform", "x" * 17),
            "--platform",
        ),
        (("ingest", "jsonl", DATA / "generic.csv", "--platform", "Face Book"), "--platform"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "Traceback" not in result.output


def test_search_show_and_watchlists(cli):
    cli(
        "ingest",
        "csv",
        DATA / "generic.csv",
        "--platform",
        "facebook",
        "--map",
        GENERIC_MAP,
        "--watchlist",
        "basra-monitor",
    )
    cli("ingest", "telegram", DATA / "tg_channel")
    found = json.loads(cli("posts", "search", "حكومة", "--json").stdout)
    assert found["total"] == 1 and found["items"][0]["post_id"] == "1500000001/3"
    human = cli("posts", "search", "البصرة")
    assert human.exit_code == 0 and "خبر عاجل" in human.stdout

    shown = json.loads(cli("posts", "show", "telegram:1500000001/3", "--json").stdout)
    assert shown["reply_to"] == "1500000001/2" and shown["raw"]["id"] == 3
    missing = cli("posts", "show", "telegram:404")
    assert missing.exit_code == 2 and "err_post_not_found" in missing.stderr

    listed = json.loads(cli("posts", "watchlist", "list", "--json").stdout)
    assert listed == [{"name": "basra-monitor", "description": None, "accounts": 2, "keywords": 0}]
    created = cli(
        "posts",
        "watchlist",
        "create",
        "channels",
        "--account",
        "telegram:channel1500000001",
        "--keyword",
        "تظاهرة",
        "--json",
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["keywords"] == ["تظاهرة"]
    by_list = json.loads(cli("posts", "search", "--watchlist", "channels", "--json").stdout)
    assert by_list["total"] == 4
    unknown = cli("posts", "watchlist", "add", "channels", "--account", "x:nobody")
    assert unknown.exit_code == 2 and "nobody" in unknown.stderr
    assert cli("posts", "watchlist", "delete", "channels").exit_code == 0
    bad_date = cli("posts", "search", "x", "--since", "last tuesday")
    assert bad_date.exit_code == 2 and "--since" in bad_date.stderr
    assert "2024-05-01" in bad_date.stderr


def test_reindex_keeps_search_working(cli):
    cli("ingest", "telegram", DATA / "tg_channel")
    result = cli("posts", "reindex", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(cli("posts", "search", "حكومة", "--json").stdout)["total"] == 1


def test_search_flagged_posts_and_by_label(cli, session):
    cli("ingest", "telegram", DATA / "tg_channel")
    flag_channel_fixture(session)

    def found(*args: str) -> list[str]:
        result = cli("posts", "search", *args, "--json")
        assert result.exit_code == 0, result.output
        return sorted(p["post_id"] for p in json.loads(result.stdout)["items"])

    assert found("--flagged") == ["1500000001/2", "1500000001/3"]
    assert found("--label", "violence") == ["1500000001/3"]  # the reviewer's label
    assert found("حكومة", "--label", "hate") == []  # the reviewer took "hate" off
    human = cli("posts", "search", "--flagged")
    assert human.exit_code == 0 and "2 posts" in human.stdout and "تظاهرة" in human.stdout
    unknown = cli("posts", "search", "--label", "spam")
    assert unknown.exit_code == 2 and "unknown label" in unknown.stderr
    assert "Traceback" not in unknown.output


def test_ingest_map_reply_to_and_search_until(cli, tmp_path):
    path = tmp_path / "thread.csv"
    path.write_text(
        "id,user,body,time,parent\n"
        "t1,u1,خبر أول عن الانتخابات,2024-03-01 23:59:59,\n"
        "t2,u2,رد: خبر ثان,2024-03-02 00:00:00,t1\n"
        "t3,u1,خبر ثالث,2024-03-03 12:00:00,t2\n",
        encoding="utf-8",
    )
    mapping = "id=id,author=user,text=body,created_at=time,reply_to=parent"
    done = cli("ingest", "csv", path, "--map", mapping, "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["inserted"] == 3, done.output
    shown = json.loads(cli("posts", "show", "other:t2", "--json").stdout)
    assert shown["reply_to"] == "t1"
    assert json.loads(cli("posts", "show", "other:t1", "--json").stdout)["reply_to"] is None

    def found(*args: str) -> list[str]:
        result = cli("posts", "search", *args, "--json")
        assert result.exit_code == 0, result.output
        return [p["post_id"] for p in json.loads(result.stdout)["items"]]

    # --until is exclusive; a date alone is its midnight, UTC
    assert found("--until", "2024-03-02") == ["t1"]
    assert found("--until", "2024-03-02T00:00:01") == ["t2", "t1"]
    assert found("--until", "2024-03-02T03:00:00+03:00") == ["t1"]  # the zone is kept
    assert found("--since", "2024-03-02", "--until", "2024-03-03") == ["t2"]
    # with words, the full-text index's time range does the same
    assert found("خبر", "--until", "2024-03-02") == ["t1"]
    assert found("خبر", "--since", "2024-03-02", "--until", "2024-03-04") == ["t3", "t2"]
    bad = cli("posts", "search", "--until", "next week")
    assert bad.exit_code == 2 and "--until" in bad.stderr and "Traceback" not in bad.output


def test_actor_command_attaches_accounts_on_several_platforms(cli, tmp_path):
    cli("ingest", "telegram", DATA / "tg_channel")
    cli("ingest", "csv", DATA / "generic.csv", "--platform", "facebook", "--map", GENERIC_MAP)
    made = cli(
        "posts", "actor", "قناة الرصد", "telegram:channel1500000001", "facebook:u1",
        "--kind", "media", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    actor = json.loads(made.stdout)
    assert actor["name"] == "قناة الرصد" and actor["kind"] == "media"
    assert {(a["platform"], a["account_id"]) for a in actor["accounts"]} == {
        ("telegram", "channel1500000001"),
        ("facebook", "u1"),
    }
    human = cli("posts", "actor", "قناة الرصد", "@u2")
    assert human.exit_code == 0 and "kind: media" in human.stdout
    assert "account_id=u2" in human.stdout and "account_id=u1" in human.stdout
    unknown = cli("posts", "actor", "أحد", "x:nobody", "--json")
    assert unknown.exit_code == 2 and "x:nobody" in unknown.stderr
    assert "Traceback" not in unknown.output


def test_ingest_from_the_cli_is_audited_by_the_service(cli, session):
    from sqlalchemy import select

    from marsad.core.models import AuditRecord

    assert cli("ingest", "telegram", DATA / "tg_channel", "--json").exit_code == 0
    (audit,) = session.execute(
        select(AuditRecord).where(AuditRecord.action == "posts.ingested")
    ).scalars()
    assert audit.actor == "system" and json.loads(audit.details)["inserted"] == 4
