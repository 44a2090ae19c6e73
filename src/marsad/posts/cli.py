"""CLI commands of the posts capability, mounted as `marsad posts` by marsad.cli.main."""

import typer

app = typer.Typer(help="posts", no_args_is_help=True)
