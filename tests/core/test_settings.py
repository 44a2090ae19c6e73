"""Bad configuration: one line naming the setting and the fix, exit code 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.core.db import make_engine
from marsad.core.errors import ConfigError
from marsad.core.settings import Settings, load_settings


def run_marsad(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")}
    return subprocess.run(
        [sys.executable, "-m", "marsad.cli", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"MARSAD_DATABASE_URL": "not a url at all"}, "MARSAD_DATABASE_URL"),
        ({"MARSAD_DATABASE_URL": "mysql://x@127.0.0.1/db"}, "MARSAD_DATABASE_URL"),
        (
            {"MARSAD_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
            "MARSAD_DATABASE_URL",
        ),
        ({"MARSAD_ENV": "production"}, "MARSAD_SECRET_KEY"),
        ({"MARSAD_ENV": "production", "MARSAD_SECRET_KEY": "short"}, "MARSAD_SECRET_KEY"),
        ({"MARSAD_PORT": "eighty"}, "MARSAD_PORT"),
        ({"MARSAD_REPORTS_MAX_FILES": "many"}, "MARSAD_REPORTS_MAX_FILES"),
        ({"MARSAD_DISABLED_PLUGINS": "nonesuch"}, "MARSAD_DISABLED_PLUGINS"),
    ],
)
def test_bad_setting_is_one_line_exit_2_and_writes_nothing(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    data = tmp_path / "data"
    result = run_marsad("db", "upgrade", env={"MARSAD_DATA_DIR": str(data), **env}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr
    assert not (data / "marsad.db").exists()


def test_unwritable_data_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be")
    result = run_marsad(
        "db", "upgrade", env={"MARSAD_DATA_DIR": str(blocker / "data")}, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "MARSAD_DATA_DIR" in result.stderr
    assert "not writable" in result.stderr


def test_production_requires_secret_key(tmp_path: Path) -> None:
    settings = Settings(env="production", data_dir=tmp_path)
    with pytest.raises(ConfigError) as caught:
        settings.validate_for_use()
    assert caught.value.where == "MARSAD_SECRET_KEY"
    assert not any(tmp_path.iterdir())


def test_development_keeps_one_generated_secret(tmp_path: Path) -> None:
    first = Settings(env="dev", data_dir=tmp_path).secret()
    second = Settings(env="dev", data_dir=tmp_path).secret()
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MARSAD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MARSAD_DEFAULT_LANGUAGE", "en")
    settings = load_settings()
    assert settings.default_language == "en"
    assert settings.resolved_database_url.endswith(f"{tmp_path}/marsad.db")


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path, secret_key="k" * 40))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


# --- the settings tree: the core plus each capability's section ---------------------------


def test_capability_sections_keep_their_variable_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MARSAD_DETECT_MODEL", str(tmp_path / "model"))
    monkeypatch.setenv("MARSAD_DETECT_THRESHOLDS", "hate=0.6")
    monkeypatch.setenv("MARSAD_REPORTS_MAX_FILE_MB", "2.5")
    monkeypatch.setenv("MARSAD_IMAP_HOST", "imap.example.org")
    settings = load_settings()
    assert settings.detect.detect_model == tmp_path / "model"
    assert settings.detect.thresholds() == {"hate": 0.6}
    assert settings.reports.max_file_bytes == int(2.5 * 1024 * 1024)
    assert settings.reports.imap_host == "imap.example.org"
    assert {"mail", "reports", "detect"} <= set(settings.sections())


def test_the_toml_file_sets_core_and_section_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "marsad.toml"
    config.write_text(
        "[marsad]\n"
        'default_language = "ckb"\n'
        "reports_max_files = 2\n"  # a section's key at the top level
        "[marsad.reports]\n"
        "reports_lock_minutes = 30\n"
        "[marsad.detect]\n"
        'detect_thresholds = "offensive=0.8"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MARSAD_CONFIG_FILE", str(config))
    settings = load_settings()
    assert settings.default_language == "ckb"
    assert (settings.reports.reports_max_files, settings.reports.reports_lock_minutes) == (2, 30)
    assert settings.detect.thresholds() == {"offensive": 0.8}
    # A variable in the environment wins over the file, for the core and for sections.
    monkeypatch.setenv("MARSAD_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("MARSAD_REPORTS_LOCK_MINUTES", "5")
    again = load_settings()
    assert again.default_language == "en" and again.reports.reports_lock_minutes == 5
    # Settings made without load_settings() find their sections from the same sources.
    assert Settings(data_dir=tmp_path).reports.reports_max_files == 2


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("[reports]\nreports_max_files = 'many'\n", "MARSAD_REPORTS_MAX_FILES", "integer"),
        ("[report]\nreports_max_files = 2\n", "MARSAD_CONFIG_FILE", "[report]"),
    ],
)
def test_a_bad_section_in_the_file_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, where: str, words: str
) -> None:
    config = tmp_path / "marsad.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MARSAD_CONFIG_FILE", str(config))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.where == where and words in caught.value.message


def test_the_settings_given_to_create_app_are_the_ones_its_capabilities_use(
    settings: Settings, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from marsad.reports.settings import ReportSettings
    from marsad.web.app import create_app

    # The environment says otherwise; the app must not read it behind its settings' back.
    monkeypatch.setenv("MARSAD_REPORTS_MAX_FILES", "9")
    tree = Settings(**settings.model_dump(), reports=ReportSettings(reports_max_files=1))
    client = TestClient(create_app(tree, engine=engine))
    files = [("files", (f"{i}.txt", b"plain words", "text/plain")) for i in range(2)]
    refused = client.post(
        "/api/v1/reports", data={"title": "two files", "category": "threat"}, files=files
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["where"] == "files"
    accepted = client.post(
        "/api/v1/reports", data={"title": "one file", "category": "threat"}, files=files[:1]
    )
    assert accepted.status_code == 201, accepted.text


def test_cli_commands_refuse_a_database_behind_its_migrations(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"MARSAD_DATA_DIR": str(data), "MARSAD_SECRET_KEY": "k" * 40}
    # Never migrated: the database file is there, its tables are not.
    for args in (("users", "list"), ("posts", "search", "x"), ("reports", "export")):
        result = run_marsad(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "marsad db upgrade" in lines[0], (args, result.stderr)
        assert "MARSAD_DATABASE_URL" in lines[0] and "Traceback" not in result.stderr
    assert run_marsad("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    assert run_marsad("users", "list", "--json", env=env, cwd=tmp_path).returncode == 0
