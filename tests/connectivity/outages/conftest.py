"""Fixtures of the outages tests: the `marsad` CLI on a migrated database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

runner = CliRunner()


@pytest.fixture
def cli_env(engine, settings, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    return settings


def run_cli(*args: str) -> tuple[int, Any, str]:
    """``marsad connectivity ARGS``: exit code, the JSON on stdout (or None), stderr."""
    from marsad.cli.main import app

    result = runner.invoke(app, ["connectivity", *args])
    text = result.stdout.strip()
    document = json.loads(text) if text.startswith(("{", "[")) else None
    return result.exit_code, document, result.stderr
