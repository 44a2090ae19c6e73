"""The posts capability as the registry sees it: ingest, the posts store, search, watchlists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from marsad.core.i18n.markers import N_
from marsad.core.plugins import DemoContext, NavEntry, hookimpl

if TYPE_CHECKING:
    import typer

HERE = Path(__file__).resolve().parent


@hookimpl
def marsad_models() -> list[str]:
    return ["marsad.posts.models"]


@hookimpl
def marsad_routers() -> list[Any]:
    from marsad.posts import api, views

    return [api.router, views.router]


@hookimpl
def marsad_cli(app: typer.Typer) -> None:
    from marsad.posts.cli import app as posts_app
    from marsad.posts.cli import ingest_command

    app.add_typer(posts_app, name="posts")
    app.command("ingest")(ingest_command)


@hookimpl
def marsad_templates() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def marsad_nav() -> list[NavEntry]:
    return [NavEntry("/posts", N_("Posts"), "staff", 30)]


@hookimpl
def marsad_demo_data(context: DemoContext) -> list[str]:
    from marsad.demo_posts import write_sample_posts
    from marsad.posts.service import ingest_files

    path = write_sample_posts(context.settings.data_dir / "sample-posts.jsonl")
    result = ingest_files(
        fmt="jsonl",
        paths=[path],
        engine=context.engine,
        platform="demo",
        mapping="id=id,author=author,author_name=author_name,text=text,created_at=created_at",
    )
    return [f"sample posts: {result.read} read, {result.inserted} new"]


@hookimpl
def marsad_references() -> list[Any]:
    from marsad.posts.refs import REF_TYPES

    return list(REF_TYPES)


@hookimpl
def marsad_job_kinds() -> list[Any]:
    from marsad.posts.jobs import JOB_KINDS

    return list(JOB_KINDS)
