"""Detect's CLI reads the database and MARSAD_DETECT_* settings: keep each test's own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads a developer's data/marsad.db, .env or detect settings."""
    for name in (
        "MARSAD_DATABASE_URL",
        "MARSAD_DETECT_MODEL",
        "MARSAD_DETECT_THRESHOLDS",
        "MARSAD_CONFIG_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(tmp_path / "no-database"))
    monkeypatch.chdir(tmp_path)  # no .env file of the working tree is read


DATA = Path(__file__).parent / "data"


def train_tiny(out: Path, task: str = "offensive") -> str:
    """Train a small model with `marsad detect train` into ``out``; return its version."""
    import json

    from typer.testing import CliRunner

    from marsad.detect.cli import app

    args = ["train", "--data", str(DATA / "tiny.tsv"), "--task", task, "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["model_version"]


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Two models trained by the CLI, for two tasks (so two versions): task -> (dir, version)."""
    out = {}
    for task in ("offensive", "hate"):
        folder = tmp_path_factory.mktemp(f"model-{task}")
        out[task] = (folder, train_tiny(folder, task))
    return out


@pytest.fixture
def cli_database(settings, sessions, monkeypatch):  # type: ignore[no-untyped-def]
    """Point the CLI at the test's migrated database; return its sessions."""
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    return sessions


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    """CLI messages in English (Arabic is the default language)."""
    from marsad.core.i18n import current_language

    token = current_language.set("en")
    yield
    current_language.reset(token)
