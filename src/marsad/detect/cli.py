"""CLI commands of the detect capability, mounted as `marsad detect` by marsad.cli.main."""

import typer

app = typer.Typer(help="detect", no_args_is_help=True)
