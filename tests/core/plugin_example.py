"""A third-party plugin for the tests: a page, a command, a job kind and a settings section.

Loaded with ``MARSAD_PLUGINS=tests.core.plugin_example``; nothing in ``core/``,
``web/`` or ``cli/`` knows about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from marsad.core.jobs.kinds import JobKind
from marsad.core.plugins import NavEntry, hookimpl

NAME = "example"
HERE = Path(__file__).resolve().parent
GREETING_PAGE = "A page from the example plugin"


class ExampleSettings(BaseSettings):
    """The example plugin's settings."""

    model_config = SettingsConfigDict(env_prefix="MARSAD_", extra="ignore")

    example_greeting: str = Field("hello", description="What the example command says.")
    example_repeat: int = Field(1, description="How many times it says it.")


router = APIRouter(include_in_schema=False)


@router.get("/example")
def example_page(request: Request) -> HTMLResponse:
    from marsad.web.templating import render

    section = request.app.state.settings.example
    return render(request, "example/page.html", {"greeting": section.example_greeting})


cli = typer.Typer(help="The example plugin's commands.", no_args_is_help=True)


@cli.command("hello")
def hello(json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Say the configured greeting."""
    from marsad.cli.output import print_json
    from marsad.core.settings import load_settings

    section = load_settings().example
    words = [section.example_greeting] * section.example_repeat
    if json_:
        print_json({"said": words})
    else:
        typer.echo(" ".join(words))


class CountParams(BaseModel):
    upto: int = Field(ge=1)


def count(context: Any, params: BaseModel) -> dict[str, Any]:  # noqa: ARG001 - the contract
    assert isinstance(params, CountParams)
    return {"total": sum(range(params.upto + 1))}


@hookimpl
def marsad_routers() -> list[Any]:
    return [router]


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "example_templates"]


@hookimpl
def marsad_static() -> list[tuple[str, Path]]:
    return [("example", HERE / "example_templates" / "example")]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry("/example", "Example page", "public", 90)]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    app.add_typer(cli, name="example")


@hookimpl
def marsad_settings() -> list[tuple[str, type[BaseModel]]]:
    return [("example", ExampleSettings)]


@hookimpl
def marsad_job_kinds() -> list[JobKind]:
    return [JobKind("example.count", CountParams, count, description="Add up 1..upto.")]
