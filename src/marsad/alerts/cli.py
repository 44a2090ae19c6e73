"""CLI of the alerts capability, mounted as ``marsad alerts``.

``add`` prints the rule's id and webhook secret (the only time the secret is
shown); ``list``, ``remove`` and ``test`` name rules by id. Errors are one line
on stderr with exit code 2, nothing stored.
"""

from __future__ import annotations

from typing import Annotated

import typer

from marsad.alerts import rules, service
from marsad.cli.output import print_json, user_errors
from marsad.cli.store import open_store
from marsad.core.db import session_scope
from marsad.core.events import EVENT_NAMES

app = typer.Typer(
    help="Alerts to staff: rules on events, sent by e-mail and signed webhooks.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
ACTOR = "cli"


@app.command("add")
@user_errors
def add(
    on: Annotated[str, typer.Option("--on", help=f"The event: {', '.join(EVENT_NAMES)}.")],
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="KEY=VALUE the event must match (repeat it; one key given twice matches "
            "either value).",
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Send alerts to this address.")
    ] = None,
    webhook: Annotated[
        str | None,
        typer.Option("--webhook", help="POST alerts as signed JSON to this http(s) URL."),
    ] = None,
    digest: Annotated[
        bool, typer.Option("--digest", help="Send one daily digest instead of each alert at once.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Add an alert rule; print its id and the secret that signs its webhooks."""
    with open_store() as store, session_scope(store.sessions) as session:
        new = rules.add_rule(
            session,
            settings=store.settings,
            event=on,
            filters=filter_ or [],
            email=email,
            webhook=webhook,
            mode="digest" if digest else "immediate",
            actor=ACTOR,
        )
    if json_:
        print_json({"id": new.id, "secret": new.secret})
    else:
        typer.echo(f"alert rule {new.id} added")
        typer.echo(f"webhook secret (shown once): {new.secret}")


@app.command("list")
@user_errors
def list_(json_: JsonOpt = False) -> None:
    """List the alert rules (never their secrets)."""
    with open_store() as store, store.sessions() as session:
        items = service.rules_overview(session)
    if json_:
        print_json({"rules": items})
        return
    if not items:
        typer.echo("no alert rules")
    for item in items:
        filters = " ".join(f"{k}={'|'.join(v)}" for k, v in item["filters"].items())
        to = ", ".join(
            x
            for x in [item["webhook"], item["email"], *(s["email"] for s in item["subscribers"])]
            if x
        )
        typer.echo(f"{item['id']}  {item['on']}  {item['mode']}  {filters or '-'}  → {to or '-'}")


@app.command("remove")
@user_errors
def remove(
    rule_id: Annotated[str, typer.Argument(help="The rule's id.")], json_: JsonOpt = False
) -> None:
    """Remove an alert rule with its subscriptions and deliveries."""
    with open_store() as store, session_scope(store.sessions) as session:
        rules.remove_rule(session, rule_id=rule_id, actor=ACTOR)
    if json_:
        print_json({"id": rule_id, "removed": True})
    else:
        typer.echo(f"alert rule {rule_id} removed")


@app.command("test")
@user_errors
def test(
    rule_id: Annotated[str, typer.Argument(help="The rule's id.")], json_: JsonOpt = False
) -> None:
    """Send a test alert to each receiver of a rule now and show what each answered.

    Exits 1 when a receiver could not be reached (the delivery is retried later).
    """
    with open_store() as store:
        results = service.send_test(
            sessions=store.sessions, settings=store.settings, rule_id=rule_id, actor=ACTOR
        )
    if json_:
        print_json({"id": rule_id, "deliveries": results})
    else:
        if not results:
            typer.echo("the rule has no receiver")
        for item in results:
            answer = item["last_status_code"] or item["last_error"] or ""
            typer.echo(f"{item['channel']}  {item['target']}  {item['status']}  {answer}")
    if any(item["status"] != "delivered" for item in results):
        raise typer.Exit(1)
