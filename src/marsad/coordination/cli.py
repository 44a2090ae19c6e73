"""CLI commands of the coordination capability, mounted as `marsad coordination` by marsad.cli.main."""

import typer

app = typer.Typer(help="coordination", no_args_is_help=True)
