"""`marsad alerts add|list|remove|test` as a user runs them.

Exact JSON, clear errors, nothing half-stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.alerts.models import AlertRule
from marsad.cli.main import make_app
from marsad.core.settings import get_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
runner = CliRunner()


@pytest.fixture
def env(settings, engine, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_ENV", "test")
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MARSAD_MAIL_OUTBOX", str(settings.mail.mail_outbox))
    monkeypatch.setenv("MARSAD_ALERTS_TIMEOUT", "1")
    get_settings.cache_clear()
    yield make_app()
    get_settings.cache_clear()


def marsad(app, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def count_rules(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.execute(select(func.count()).select_from(AlertRule)).scalar_one()


def test_add_prints_id_and_secret_then_list_test_and_remove(
    env, sessions, receiver, outbox
) -> None:  # type: ignore[no-untyped-def]
    result = marsad(
        env,
        "alerts", "add", "--on", "flag.created",
        "--filter", "label=hate", "--filter", "label=incitement", "--filter", "watchlist=mps",
        "--email", "desk@example.org", "--webhook", receiver.url, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"id", "secret"}
    assert len(doc["secret"]) == 64

    listed = json.loads(marsad(env, "alerts", "list", "--json").stdout)
    (rule,) = listed["rules"]
    assert rule["id"] == doc["id"]
    assert rule["on"] == "flag.created"
    assert rule["filters"] == {"label": ["hate", "incitement"], "watchlist": ["mps"]}
    assert doc["secret"] not in json.dumps(listed)  # the secret is shown once, at add

    tested = marsad(env, "alerts", "test", doc["id"], "--json")
    assert tested.exit_code == 0, tested.output
    statuses = {d["channel"]: d["status"] for d in json.loads(tested.stdout)["deliveries"]}
    assert statuses == {"webhook": "delivered", "email": "delivered"}
    (hit,) = receiver.received
    assert (
        hit["headers"]["X-Marsad-Signature"]
        == "sha256=" + hmac.new(doc["secret"].encode(), hit["body"], hashlib.sha256).hexdigest()
    )
    assert json.loads(hit["body"])["test"] is True
    assert len(list(outbox.glob("*.eml"))) == 1

    removed = marsad(env, "alerts", "remove", doc["id"], "--json")
    assert removed.exit_code == 0
    assert json.loads(removed.stdout) == {"id": doc["id"], "removed": True}
    assert json.loads(marsad(env, "alerts", "list", "--json").stdout) == {"rules": []}


def test_test_exits_1_and_records_the_failure_when_the_receiver_is_down(env, receiver) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(
        marsad(
            env, "alerts", "add", "--on", "job.failed", "--webhook", receiver.url, "--json"
        ).stdout
    )
    receiver.down()
    result = marsad(env, "alerts", "test", doc["id"], "--json")
    assert result.exit_code == 1
    (item,) = json.loads(result.stdout)["deliveries"]
    assert item["status"] == "pending"
    assert item["tries"][0]["ok"] is False
    assert "ConnectError" in item["tries"][0]["error"]


BAD_ADDS = [
    (
        ["--on", "report.deleted", "--email", "a@example.org"],
        "there is no event 'report.deleted'",
    ),
    (
        ["--on", "report.received", "--filter", "label=hate"],
        "event 'report.received' cannot be filtered on 'label'; "
        "its filter keys: category, governorate",
    ),
    (["--on", "job.failed", "--filter", "kind"], "filter 'kind' is not KEY=VALUE"),
    (
        ["--on", "job.failed", "--webhook", "ftp://example.org/x"],
        "is not an http:// or https:// URL",
    ),
    (
        ["--on", "job.failed", "--webhook", "javascript:alert(1)"],
        "is not an http:// or https:// URL",
    ),
    (
        ["--on", "job.failed", "--email", "not-an-address"],
        "'not-an-address' is not an e-mail address",
    ),
]


def test_bad_input_exits_2_naming_the_fault_and_stores_nothing(env, sessions) -> None:  # type: ignore[no-untyped-def]
    for args, words in BAD_ADDS:
        result = marsad(env, "alerts", "add", *args, "--json")
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert words in result.stderr
        assert "Traceback" not in result.output
    assert count_rules(sessions) == 0


def test_remove_or_test_an_unknown_rule_exits_2(env) -> None:  # type: ignore[no-untyped-def]
    for command in ("remove", "test"):
        result = marsad(env, "alerts", command, "no-such-rule", "--json")
        assert result.exit_code == 2
        assert "there is no alert rule 'no-such-rule'" in result.stderr
