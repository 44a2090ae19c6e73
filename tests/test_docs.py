"""The docs say what the code does: every setting and every command is documented."""

from __future__ import annotations

import typer.main

from marsad.cli.main import app
from marsad.core.settings import section_docs, setting_docs
from tests.conftest import REPO


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    sections = section_docs()
    # Every capability that declares settings has its own table, named by its section.
    assert {"reports", "detect"} <= {name for name, _summary, _rows in sections}
    for section, _summary, _rows in sections:
        assert f"[{section}]" in text, f"section [{section}] is missing from the docs"
    for name, _default, help_text in [
        *setting_docs(),
        *(row for _section, _summary, rows in sections for row in rows),
    ]:
        assert help_text, f"{name} has no description"
        assert f"`{name}`" in text, f"{name} is missing from docs/configuration.md (run make docs)"


def test_every_command_is_documented() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")

    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for path in walk(typer.main.get_command(app), []):
        heading = "## `" + " ".join(["marsad", *path]) + "`"
        assert heading in text, f"{heading} is missing from docs/cli.md (run make docs)"


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
