"""CLI of the publish capability, mounted as ``marsad publish``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.output import print_json, user_errors
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat

app = typer.Typer(help="Dashboards and the weekly monitoring report.", no_args_is_help=True)


@app.command()
@user_errors
def report(
    week: Annotated[str, typer.Option("--week", help="The ISO week, e.g. 2026-W05.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the report.")],
    lang: Annotated[str, typer.Option("--lang", help="ar, ckb or en.")] = "ar",
    fmt: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
    json_: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Write the weekly monitoring report of one ISO week as PDF or HTML."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.publish import weekly
    from marsad.publish.sections import Period

    weekly.check_format(fmt)
    weekly.check_language(lang)
    Period.parse(week)  # refuse a week that does not exist before opening anything
    with open_store() as store, session_scope(store.sessions) as session:
        result = weekly.write_report(
            session, settings=store.settings, week=week, lang=lang, fmt=fmt, out=out
        )
    if json_:
        print_json(result)
    else:
        size = nformat("%(num)s byte", "%(num)s bytes", result["bytes"])
        typer.echo(
            _("{out}: {size}, week {week}").format(
                out=result["out"], size=size, week=result["week"]
            )
        )
