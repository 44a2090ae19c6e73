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
