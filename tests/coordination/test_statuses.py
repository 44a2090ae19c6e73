"""Account statuses: recorded from compliance files or by staff, audited, current by time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.main import app
from marsad.coordination import statuses
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput
from marsad.core.models import AuditRecord
from tests.conftest import csrf_from, shared_path

runner = CliRunner()
TWARC = ("formats", "twitter", "twarc2_v2")


def _actions(session) -> list[str]:  # type: ignore[no-untyped-def]
    return list(session.execute(select(AuditRecord.action)).scalars())


def test_record_history_and_current_by_observed_time(sessions) -> None:
    with session_scope(sessions) as session:
        statuses.record_status(
            session,
            account="x:1",
            status="active",
            actor="mona",
            observed_at="2026-11-20T10:00:00+03:00",
        )
        # A late import of an older suspension does not hide the newer observation.
        statuses.record_status(
            session,
            account="x:1",
            status="suspended",
            actor="system",
            source="data",
            observed_at="2026-10-01T00:00:00Z",
            reason="compliance delete: suspended",
        )
        statuses.record_status(session, account="x:2", status="suspended", actor="mona")
        statuses.record_status(session, account="x:3", status="deleted", actor="mona")
    with session_scope(sessions) as session:
        assert statuses.current_status(session, account="x:1").status == "active"
        history = statuses.status_history(session, account="x:1")
        assert [r.status for r in history] == ["active", "suspended"]
        assert history[0].observed_at == datetime(2026, 11, 20, 7, tzinfo=UTC)
        assert history[1].source == "data" and history[0].recorded_by == "mona"
        suspended = statuses.list_accounts_with_status(session, status="suspended")
        assert [r.account for r in suspended] == ["x:2"]
        gone = statuses.list_accounts_with_status(session, status=statuses.GONE)
        assert {r.account for r in gone} == {"x:2", "x:3"}
        assert len(statuses.list_accounts_with_status(session)) == 3
        assert statuses.current_status(session, account="x:404") is None
        assert _actions(session).count("account_status.recorded") == 4


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"account": "12345", "status": "suspended"}, "err_status_account"),
        ({"account": "x:1", "status": "banned"}, "err_status_value"),
        ({"account": "x:1", "status": "active", "source": "rumour"}, "err_status_source"),
        ({"account": "x:1", "status": "active", "observed_at": "yesterday"}, "err_status_time"),
        ({"account": "x:1", "status": "active", "observed_at": "2999-01-01"}, "err_status_time"),
    ],
)
def test_bad_status_is_refused(session, kwargs, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        statuses.record_status(session, actor="mona", **kwargs)
    assert caught.value.code == code


def test_the_same_observation_twice_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    at = "2026-11-01T12:00:00Z"
    statuses.record_status(session, account="x:1", status="suspended", actor="a", observed_at=at)
    with pytest.raises(InvalidInput) as caught:
        statuses.record_status(
            session, account="x:1", status="suspended", actor="a", observed_at=at
        )
    assert caught.value.code == "err_status_duplicate"


# --- compliance files -----------------------------------------------------------------


@pytest.fixture
def cli_env(engine, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    return settings


def _cli(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["coordination", *args])
    doc = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, doc, result.stderr


def test_import_twarc2_users_compliance_is_idempotent(cli_env, sessions) -> None:  # type: ignore[no-untyped-def]
    users = shared_path(*TWARC, "users_compliance.jsonl")
    code, doc, _err = _cli("statuses", "import", str(users), "--platform", "x", "--json")
    # The sample lists the same account twice: one record, one duplicate.
    assert code == 0, doc
    assert doc == {"read": 2, "recorded": 1, "duplicates": 1, "rejected": 0, "errors": []}
    code, doc, _err = _cli("statuses", "import", str(users), "--json")
    assert code == 0 and doc["recorded"] == 0 and doc["duplicates"] == 2
    with session_scope(sessions) as session:
        now = statuses.current_status(session, account="x:1482680858")
        assert now.status == "protected" and now.source == "data"
        assert now.observed_at == datetime(2013, 6, 4, 16, 25, 4, tzinfo=UTC)
        assert _actions(session).count("account_status.recorded") == 1


def test_tweet_compliance_file_is_refused_as_a_whole(cli_env) -> None:  # type: ignore[no-untyped-def]
    tweets = shared_path(*TWARC, "tweets_compliance.jsonl")
    code, doc, _err = _cli("statuses", "import", str(tweets), "--json")
    assert code == 2
    assert doc["read"] == 2 and doc["recorded"] == 0 and doc["rejected"] == 2
    [error] = doc["errors"]
    assert error["position"] is None and "concern tweets, not accounts" in error["reason"]


def test_bad_lines_are_named_and_the_rest_recorded(cli_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "compliance.jsonl"
    lines = [
        '{"id":"11","action":"delete","created_at":"2026-11-02T08:00:00Z","reason":"suspended"}',
        "not json",
        '{"id":"12","action":"delete","created_at":"2026-11-02T08:00:00Z","reason":"bored"}',
        '{"id":"13","action":"delete","created_at":"when?","reason":"deleted"}',
        '{"id":"14","action":"delete","created_at":"2026-11-02T08:00:00Z","reason":"deleted",'
        '"redacted_at":"2026-11-03T00:00:00Z"}',
        '{"action":"delete","created_at":"2026-11-02T08:00:00Z","reason":"deleted"}',
        "[1, 2]",
        "",
        '{"id":"15","action":"delete","created_at":"2026-11-02T09:00:00Z","reason":"deactivated"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, doc, _err = _cli("statuses", "import", str(path), "--kind", "users", "--json")
    assert code == 3
    assert (doc["read"], doc["recorded"], doc["rejected"]) == (8, 2, 6)
    assert [e["position"] for e in doc["errors"]] == [2, 3, 4, 5, 6, 7]
    assert all(e["file"] == str(path) for e in doc["errors"])
    assert "not JSON" in doc["errors"][0]["reason"]
    assert "redacted_at" in doc["errors"][3]["reason"]
    # Without --json: a summary, then one line per error, never a traceback.
    text = runner.invoke(app, ["coordination", "statuses", "import", str(path), "--kind", "users"])
    assert text.exit_code == 3
    assert "0 statuses recorded, 2 already recorded, 6 rejected" in text.stdout
    assert f"error: {path}: line 2: not JSON" in text.stderr
    assert "Traceback" not in text.output
    # Left to itself, the redacted_at line makes the file a tweet compliance file.
    code, doc, _err = _cli("statuses", "import", str(path), "--json")
    assert code == 2 and doc["rejected"] == 8 and doc["errors"][0]["position"] is None
    missing = runner.invoke(app, ["coordination", "statuses", "import", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_set_and_list_from_the_cli(cli_env, sessions) -> None:  # type: ignore[no-untyped-def]
    code, doc, _err = _cli(
        "statuses", "set", "x:77", "--status", "suspended", "--note", "seen on X", "--json"
    )
    assert code == 0 and doc["status"] == "suspended" and doc["source"] == "staff"
    assert doc["note"] == "seen on X" and doc["recorded_by"] == "cli"
    _cli("statuses", "set", "x:78", "--status", "protected", "--json")
    code, doc, _err = _cli("statuses", "list", "--status", "suspended", "--json")
    assert code == 0 and [r["account"] for r in doc["items"]] == ["x:77"]
    code, doc, _err = _cli("statuses", "list", "--account", "x:77", "--json")
    assert len(doc["items"]) == 1
    code, _doc, err = _cli("statuses", "set", "77", "--status", "suspended")
    assert code == 2 and "platform" in err and "Traceback" not in err
    code, _doc, err = _cli("statuses", "list", "--status", "gone")
    assert code == 2 and "err_status_value" in err
    with session_scope(sessions) as session:
        assert _actions(session).count("account_status.recorded") == 2


# --- successors for every suspended account ----------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_successors_all_suspended(cli_env, engine, sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from marsad.posts.ingest import ingest_files

    start = datetime(2026, 9, 1, 18, tzinfo=UTC)
    rows = []
    for n in range(8):
        for author, name, text, days in [
            ("ali_basri", "علي البصري", "#البصرة_تنتفض #الماء حقنا", 0),
            ("ali_basri2", "علي البصري", "#البصرة_تنتفض #الماء حقنا مرة ثانية", 40),
            ("news_desk", "Newsroom", "Morning bulletin #news", 0),
        ]:
            at = start + timedelta(days=days + n, hours=-12 if author == "news_desk" else 0)
            rows.append(
                {
                    "id": f"{author}-{n}",
                    "author": author,
                    "author_name": name,
                    "text": f"{text} {n}",
                    "created_at": at.isoformat(),
                }
            )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    mapping = "id=id,author=author,author_name=author_name,text=text,created_at=created_at"
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=mapping)
    code, _doc, err = _cli("successors", "--all-suspended", "--json")
    assert code == 2 and "no stored account is currently suspended" in err
    with session_scope(sessions) as session:
        statuses.record_status(session, account="other:ali_basri", status="suspended", actor="a")
        statuses.record_status(session, account="x:999", status="deleted", actor="a")
        # Suspended, then back: not ranked.
        statuses.record_status(
            session,
            account="other:news_desk",
            status="suspended",
            actor="a",
            observed_at="2026-01-01T00:00:00Z",
        )
        statuses.record_status(session, account="other:news_desk", status="active", actor="a")
    code, doc, err = _cli("successors", "--all-suspended", "--json")
    assert code == 0, err
    assert [e["account_id"] for e in doc["suspended"]] == ["other:ali_basri"]
    assert doc["suspended"][0]["candidates"][0]["account_id"] == "other:ali_basri2"
    assert "x:999" in err  # named on stderr: it has no stored posts
    # --suspended works as before, and alone gives the same document.
    code, alone, _err = _cli("successors", "--suspended", "other:ali_basri", "--json")
    assert code == 0 and alone == doc


# --- staff pages and API -------------------------------------------------------------


def test_staff_account_page_records_a_status(admin_client, sessions) -> None:  # type: ignore[no-untyped-def]
    page = admin_client.get("/staff/coordination/accounts/x:55?lang=en")
    assert page.status_code == 200 and "No status recorded" in page.text
    form = {"account": "x:55", "status": "suspended", "note": "gone since Friday"}
    refused = admin_client.post("/staff/coordination/statuses", data=form)
    assert refused.status_code in (400, 403)
    done = admin_client.post(
        "/staff/coordination/statuses",
        data={**form, "csrf_token": csrf_from(page.text), "observed_at": "2026-11-27T15:30"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/coordination/accounts/x%3A55"
    page = admin_client.get("/staff/coordination/accounts/x:55?lang=en")
    assert "gone since Friday" in page.text and "2026-11-27 15:30" in page.text
    with session_scope(sessions) as session:
        row = statuses.current_status(session, account="x:55")
        # Typed in Baghdad time, stored in UTC.
        assert row.observed_at == datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
        assert row.recorded_by == "boss" and "account_status.recorded" in _actions(session)
    listing = admin_client.get("/staff/coordination/successors?lang=en")
    assert "/staff/coordination/successors?suspended=x%3A55" in listing.text
    bad = admin_client.post(
        "/staff/coordination/statuses",
        data={"account": "x:55", "status": "vanished", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422


def test_status_api(admin_client, client) -> None:  # type: ignore[no-untyped-def]
    made = admin_client.post(
        "/api/v1/coordination/statuses",
        json={"account": "x:9", "status": "deactivated", "observed_at": "2026-11-01T00:00:00"},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["status"] == "deactivated" and body["observed_at"].startswith("2026-11-01T00:00")
    assert body["recorded_by"] == "boss" and body["source"] == "staff"
    admin_client.post("/api/v1/coordination/statuses", json={"account": "x:10", "status": "active"})
    listed = admin_client.get("/api/v1/coordination/statuses?status=deactivated").json()
    assert [r["account"] for r in listed["items"]] == ["x:9"]
    history = admin_client.get("/api/v1/coordination/accounts/x:9/statuses").json()
    assert history["current"]["status"] == "deactivated" and len(history["history"]) == 1
    bad = admin_client.post("/api/v1/coordination/statuses", json={"account": "x:9", "status": "?"})
    assert bad.status_code == 422 and bad.json()["error"] == "err_status_value"
    assert "active, suspended" in bad.json()["message"]
    bad = admin_client.get("/api/v1/coordination/statuses?status=gone")
    assert bad.status_code == 422 and bad.json()["error"] == "err_status_value"
    admin_client.cookies.clear()
    assert client.get("/api/v1/coordination/statuses").status_code in (401, 403)
