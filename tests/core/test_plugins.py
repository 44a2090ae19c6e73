"""The capability registry: a plugin adds a page, a command, a job kind and settings through
the same hooks as the built-ins, and a capability switched off leaves the app running."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer.main
from fastapi.testclient import TestClient

from marsad.cli.main import make_app
from marsad.core import i18n
from marsad.core.errors import ConfigError
from marsad.core.plugins import DEFAULT_PLUGINS, get_registry
from marsad.core.settings import Settings
from tests.conftest import REPO, login

EXAMPLE = "tests.core.plugin_example"


def with_plugins(settings: Settings, **changes: str) -> Settings:
    """The test's settings with other plugin choices."""
    return Settings(**{**settings.model_dump(), **changes})


def run_marsad(
    *args: str, path: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    """`marsad` in a fresh process, with this checkout, the tests and ``path`` importable."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("MARSAD_")}
    base["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO), *path])
    return subprocess.run(
        [sys.executable, "-m", "marsad.cli", *args],
        env={**base, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_plugin_page_is_served_inside_the_site_layout(settings, engine) -> None:
    from marsad.web.app import create_app

    app = create_app(with_plugins(settings, plugins=EXAMPLE), engine=engine)
    with TestClient(app) as client:
        page = client.get("/example?lang=en")
        assert page.status_code == 200
        assert "A page from the example plugin" in page.text
        assert '<header class="site">' in page.text  # base.html's header and footer
        assert "Marsad is free software" in page.text
        assert '<p class="greeting">hello</p>' in page.text  # its settings section's default
        # Its header link sits among the built-ins' public links, on every page.
        home = client.get("/?lang=en").text
        assert '<a href="/example">Example page</a>' in home
        assert home.index('href="/glossary"') < home.index('href="/example"')
        served = client.get("/static/example/page.html")
        assert served.status_code == 200 and "{% extends" in served.text
        assert client.get("/static/css/marsad.css").status_code == 200
    # Without the plugin the same page does not exist.
    with TestClient(create_app(settings, engine=engine)) as plain:
        assert plain.get("/example").status_code == 404
        assert 'href="/example"' not in plain.get("/?lang=en").text


def test_a_plugin_command_runs_through_the_marsad_cli() -> None:
    said = run_marsad(
        "example", "hello", "--json", MARSAD_PLUGINS=EXAMPLE, MARSAD_EXAMPLE_REPEAT="2"
    )
    assert said.returncode == 0, said.stderr
    assert json.loads(said.stdout) == {"said": ["hello", "hello"]}
    without = run_marsad("example", "hello")
    assert without.returncode == 2 and "No such command" in without.stderr


def test_an_installed_package_is_found_through_its_entry_point(tmp_path) -> None:
    # What `pip install` leaves for a package that declares the entry point.
    dist = tmp_path / "marsad_example-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: marsad-example\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[marsad.plugins]\nexample = {EXAMPLE}\n")
    said = run_marsad("example", "hello", path=(str(tmp_path),))
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip() == "hello"
    gone = run_marsad("example", "hello", path=(str(tmp_path),), MARSAD_DISABLED_PLUGINS="example")
    assert gone.returncode == 2 and "No such command" in gone.stderr


def test_a_plugin_job_kind_is_in_the_registry(settings) -> None:
    kinds = get_registry(with_plugins(settings, plugins=EXAMPLE)).job_kinds()
    kind = kinds["example.count"]
    assert kind.run(None, kind.params(upto=4)) == {"total": 10}
    assert "example.count" not in get_registry(settings).job_kinds()


def test_a_plugin_settings_section_reads_its_variables_and_the_file(tmp_path, monkeypatch) -> None:
    from marsad.core.settings import load_settings

    config = tmp_path / "marsad.toml"
    config.write_text('plugins = ["tests.core.plugin_example"]\n[example]\nexample_repeat = 3\n')
    monkeypatch.setenv("MARSAD_CONFIG_FILE", str(config))
    monkeypatch.setenv("MARSAD_EXAMPLE_GREETING", "salam")
    section = load_settings().example
    assert (section.example_greeting, section.example_repeat) == ("salam", 3)


def test_a_capability_switched_off_is_gone_and_the_app_still_starts(
    settings, engine, make_user
) -> None:
    from marsad.web.app import create_app

    off = with_plugins(settings, disabled_plugins="coordination")
    make_user("boss", "admin")
    with TestClient(create_app(off, engine=engine)) as client:
        assert client.get("/health").status_code == 200
        assert login(client, "boss", "a-long-password-1").status_code == 303
        staff = client.get("/staff?lang=en")
        assert staff.status_code == 200
        assert 'href="/posts"' in staff.text and 'href="/staff/coordination"' not in staff.text
        assert client.get("/staff/coordination").status_code == 404
        assert client.get("/api/v1/coordination/runs").status_code == 404
        assert client.get("/posts").status_code == 200  # the others keep working
    commands = typer.main.get_command(make_app(off)).commands  # type: ignore[attr-defined]
    assert "posts" in commands and "coordination" not in commands
    # With everything on, the same staff page links to coordination.
    with TestClient(create_app(settings, engine=engine)) as client:
        login(client, "boss", "a-long-password-1")
        assert 'href="/staff/coordination"' in client.get("/staff").text


def test_switched_off_on_the_command_line_too() -> None:
    gone = run_marsad("coordination", "--help", MARSAD_DISABLED_PLUGINS="coordination")
    assert gone.returncode == 2 and "No such command" in gone.stderr
    assert run_marsad("posts", "--help", MARSAD_DISABLED_PLUGINS="coordination").returncode == 0


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        ({"plugins": "tests.core.plugin_broken"}, "MARSAD_PLUGINS", "tests.core.plugin_broken"),
        ({"plugins": "no_such_module_here"}, "MARSAD_PLUGINS", "no_such_module_here"),
        (
            {"plugins": f"{EXAMPLE},tests.core.plugin_example_twin"},
            "MARSAD_PLUGINS",
            "job kind 'example.count'",
        ),
        ({"plugins": "tests.core.plugin_typo"}, "MARSAD_PLUGINS", "marsad_router"),
        ({"disabled_plugins": "coordinaton"}, "MARSAD_DISABLED_PLUGINS", "coordinaton"),
        ({"disabled_plugins": "posts"}, "MARSAD_DISABLED_PLUGINS", "detect needs posts"),
        ({"disabled_plugins": "core"}, "MARSAD_DISABLED_PLUGINS", "core"),
    ],
)
def test_a_bad_plugin_choice_is_a_config_error_naming_it(settings, changes, where, words) -> None:
    with pytest.raises(ConfigError) as caught:
        get_registry(with_plugins(settings, **changes)).job_kinds()
    assert caught.value.where == where
    assert words in caught.value.message


def test_a_plugin_that_cannot_be_imported_stops_the_cli_with_one_line() -> None:
    result = run_marsad("users", "list", MARSAD_PLUGINS="tests.core.plugin_broken")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "tests.core.plugin_broken" in lines[0], result.stderr
    assert "MARSAD_PLUGINS" in lines[0] and "Traceback" not in result.stderr


def test_the_built_ins_are_plugins_like_any_other(settings) -> None:
    registry = get_registry(settings)
    assert registry.names[:6] == ("core", "jobs", "reports", "posts", "detect", "coordination")
    assert {"evidence", "declaration", "connectivity", "publish", "alerts"} <= set(registry.names)
    assert [p.module_name for p in registry.plugins] == list(DEFAULT_PLUGINS)
    assert {"mail", "reports", "detect"} <= set(registry.settings_sections())
    tables = set(registry.models())
    assert {"marsad.reports.models", "marsad.coordination.models"} <= tables


@pytest.mark.parametrize("lang", ["ar", "ckb", "en"])
def test_header_links_are_translated_when_the_page_is_rendered(client, lang) -> None:
    page = client.get(f"/?lang={lang}").text
    token = i18n.current_language.set(lang)
    try:
        expected = [i18n.gettext(label) for label in ("Report a violation", "Published reports")]
    finally:
        i18n.current_language.reset(token)
    for label in expected:
        assert f">{label}</a>" in page
    if lang != "en":
        assert ">Published reports</a>" not in page
