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


@pytest.fixture
def file_report(sessions, settings):  # type: ignore[no-untyped-def]
    """File a citizen report through the reports service; return its id."""
    from marsad.core.blobs import BlobStore
    from marsad.core.db import session_scope
    from marsad.core.security import FieldCipher
    from marsad.reports import service
    from marsad.reports.settings import ReportSettings

    def factory(title: str = "No internet in Erbil since 6 am") -> str:
        with session_scope(sessions) as session:
            done = service.submit_report(
                session,
                submission=service.Submission(title=title, category="internet_shutdown"),
                channel="web",
                cipher=FieldCipher.from_settings(settings.field_key, settings.secret()),
                settings=ReportSettings(),
                blobs=BlobStore.from_settings(settings),
            )
        return done.id

    return factory
