"""The `marsad` command as a script or a person uses it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marsad.cli.main import app


@pytest.fixture
def cli(settings, engine, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]  # noqa: A002
        return runner.invoke(app, list(args), input=input)

    return invoke


def test_users_add_list_token_disable(cli) -> None:
    added = cli(
        "users", "add", "huda", "--role", "reviewer", "--password", "a-long-password", "--json"
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["role"] == "reviewer"
    listed = json.loads(cli("users", "list", "--json").stdout)
    assert [u["username"] for u in listed["users"]] == ["huda"]
    token = json.loads(cli("users", "token", "huda", "--json").stdout)
    assert set(token) == {"token"} and len(token["token"]) > 30
    assert cli("users", "disable", "huda").exit_code == 0
    assert json.loads(cli("users", "list", "--json").stdout)["users"][0]["active"] is False
    refused = cli("users", "token", "huda", "--json")
    assert refused.exit_code == 2 and "disabled" in refused.stderr


def test_users_add_prompts_for_a_password_when_absent(cli) -> None:
    added = cli("users", "add", "zaid", "--role", "analyst", input="piped-password-123\n")
    assert added.exit_code == 0, added.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("users", "add", "x", "--role", "king", "--password", "a-long-password"), "role"),
        (("users", "add", "x", "--password", "short"), "password"),
        (("users", "disable", "ghost"), "ghost"),
        (("users", "reset-2fa", "ghost"), "ghost"),
    ],
)
def test_bad_input_is_one_clear_line(cli, args, words) -> None:
    result = cli(*args)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.output


def test_every_command_has_help() -> None:
    runner = CliRunner()
    import typer.main

    group = typer.main.get_command(app)

    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    paths = list(walk(group, []))
    assert (
        ["users", "token"] in paths and ["audit", "verify"] in paths and ["db", "upgrade"] in paths
    )
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


@pytest.mark.parametrize("port", ["0", "65536", "99999"])
def test_serve_refuses_a_port_out_of_range_before_binding(cli, port: str) -> None:
    result = cli("serve", "--port", port)
    assert result.exit_code == 2, result.output
    assert "--port" in result.output
    assert not isinstance(result.exception, OverflowError)
