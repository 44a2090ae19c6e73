"""``marsad detect queue``, ``marsad detect labels …`` and ``marsad detect models …``.

Mounted on the detect command group by :func:`mount` (from ``detect/cli.py``);
each command opens the database, calls the learning services and prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli.output import print_json, user_errors
from marsad.core.i18n import gettext as _
from marsad.detect.learning.labels import LABEL_TASKS

__all__ = ["labels_app", "models_app", "mount"]

labels_app = typer.Typer(
    help="Labels from analysts: import, export, agreement.", no_args_is_help=True
)
models_app = typer.Typer(
    help="The model registry: list, compare, promote, roll back.", no_args_is_help=True
)

CLI_ACTOR = "cli"
ActorOpt = Annotated[
    str, typer.Option("--actor", help="Who is doing this, for the labels and the audit trail.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
TASK_HELP = "Task: " + ", ".join(LABEL_TASKS) + "."


def mount(app: typer.Typer) -> None:
    """Add the loop's commands to ``marsad detect`` (once)."""
    if getattr(app, "_marsad_learning", False):
        return
    app.command("queue")(queue)
    app.add_typer(labels_app, name="labels")
    app.add_typer(models_app, name="models")
    app._marsad_learning = True  # type: ignore[attr-defined]


@user_errors
def queue(
    task: Annotated[str, typer.Option("--task", help=TASK_HELP)],
    size: Annotated[int, typer.Option("--size", help="How many posts (1 to 1000).")] = 50,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Model whose uncertainty chooses (default: the one in use)."),
    ] = None,
    actor: ActorOpt = CLI_ACTOR,
    json_: JsonOpt = False,
) -> None:
    """The posts to label next: the evaluation sample first, then the most uncertain, some random.

    Each post says why it is there (reason: evaluation, uncertain or random). The
    queue is stored, so the staff page offers the same posts.
    """
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.core.settings import load_settings
    from marsad.detect.learning import labels as label_service
    from marsad.detect.learning.queue import build_queue
    from marsad.detect.learning.registry import model_in_use

    label_service.check_task(task)
    settings = load_settings()
    with open_store(settings=settings) as store, session_scope(store.sessions) as session:
        detector = model_in_use(session, settings=settings, path=model)
        thresholds = settings.detect.thresholds(detector.thresholds)
        result = build_queue(
            session,
            task=task,
            size=size,
            model=detector,
            thresholds={**detector.thresholds, **thresholds},
            actor=actor,
            settings=settings,
        )
    if json_:
        print_json(result)
        return
    for post in result["posts"]:
        text = " ".join(post["text"].split())
        typer.echo(f"{post['id']}\t{post['reason']}\t{text}")


@labels_app.command("import")
@user_errors
def labels_import(
    source: Annotated[Path, typer.Argument(help="CSV file with columns post_id, task, value.")],
    actor: ActorOpt = CLI_ACTOR,
    json_: JsonOpt = False,
) -> None:
    """Load labels from a CSV (post_id as the queue prints it, task, value 0 or 1).

    Good rows are saved; each bad row is listed with its number (1 = the first
    row under the header) and the reason. A file missing a column imports
    nothing and exits 2.
    """
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.labels import import_labels

    with open_store() as store, session_scope(store.sessions) as session:
        result = import_labels(session, source=source, labelled_by=actor)
    header_problem = any(r["row"] == 0 for r in result["rejected"])
    if json_:
        print_json(result)
    else:
        typer.echo(
            _("imported {imported} labels, rejected {rejected} rows").format(
                imported=result["imported"], rejected=len(result["rejected"])
            )
        )
        for row in result["rejected"]:
            typer.echo(_("row {row}: {reason}").format(**row), err=True)
    if header_problem:
        raise typer.Exit(2)


@labels_app.command("export")
@user_errors
def labels_export(
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    task: Annotated[str | None, typer.Option("--task", help=TASK_HELP)] = None,
) -> None:
    """Every label as CSV: post_id, task, value, labelled_by, source, labelled_at (UTC)."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.labels import export_labels

    with open_store() as store, session_scope(store.sessions) as session:
        body = export_labels(session, task=task)
    if out is None:
        sys.stdout.write(body)
    else:
        out.write_text(body, encoding="utf-8")


@labels_app.command("agreement")
@user_errors
def labels_agreement(
    task: Annotated[str | None, typer.Option("--task", help=TASK_HELP)] = None,
    json_: JsonOpt = False,
) -> None:
    """How far labellers agree per task: Krippendorff's alpha (nominal), doubly labelled posts."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.labels import agreement

    with open_store() as store, session_scope(store.sessions) as session:
        result = agreement(session, task=task)
    if json_:
        print_json(result)
        return
    for name, row in result["tasks"].items():
        alpha = "-" if row["alpha"] is None else f"{row['alpha']:.3f}"
        typer.echo(
            _("{task}: alpha {alpha} over {posts} posts labelled by two or more").format(
                task=name, alpha=alpha, posts=row["posts"]
            )
        )


@models_app.command("list")
@user_errors
def models_list(json_: JsonOpt = False) -> None:
    """The registered model versions, newest first, and which one is in use."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.registry import SHIPPED, current_version, list_versions

    with open_store() as store, session_scope(store.sessions) as session:
        rows = list_versions(session)
        current = current_version(session)
        in_use = current.version if current is not None else SHIPPED
    if json_:
        print_json({"in_use": in_use, "versions": rows})
        return
    typer.echo(_("in use: {version}").format(version=in_use))
    for row in rows:
        f1 = ", ".join(
            f"{t} {m['macro_f1']:.3f}" for t, m in row["metrics"].items() if "macro_f1" in m
        )
        typer.echo(f"{row['version']}\t{row['status']}\t{row['trained_at']}\t{f1}")


@models_app.command("compare")
@user_errors
def models_compare(
    version: Annotated[
        str | None, typer.Argument(help="Candidate version (default: the newest candidate).")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Score a candidate and the model in use on the frozen evaluation samples."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.registry import compare

    with open_store() as store, session_scope(store.sessions) as session:
        result = compare(session, settings=store.settings, candidate=version)
    if json_:
        print_json(result)
        return
    for task in result["candidate"]["metrics"]:
        theirs = result["candidate"]["metrics"][task]
        ours = result["current"]["metrics"].get(task, {})
        if "macro_f1" not in theirs:
            continue
        typer.echo(
            f"{task}: {result['candidate']['version']} {theirs['macro_f1']:.3f} · "
            f"{result['current']['version']} {ours.get('macro_f1', float('nan')):.3f} "
            f"(n={theirs['n']})"
        )


@models_app.command("promote")
@user_errors
def models_promote(
    version: Annotated[str, typer.Argument(help="The version to put in use.")],
    actor: ActorOpt = CLI_ACTOR,
    json_: JsonOpt = False,
) -> None:
    """Put a registered version in use (the one it replaces is retired); audited."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.registry import promote, version_view

    with open_store() as store, session_scope(store.sessions) as session:
        row = version_view(promote(session, version=version, actor=actor))
    if json_:
        print_json(row)
    else:
        typer.echo(_("in use: {version}").format(version=row["version"]))


@models_app.command("rollback")
@user_errors
def models_rollback(actor: ActorOpt = CLI_ACTOR, json_: JsonOpt = False) -> None:
    """Put back the version in use before the current one (the shipped model if none)."""
    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.registry import rollback

    with open_store() as store, session_scope(store.sessions) as session:
        back_to = rollback(session, actor=actor)
    if json_:
        print_json({"in_use": back_to})
    else:
        typer.echo(_("in use: {version}").format(version=back_to))


def train_with_labels(
    *, shared_data: Path, out: Path, actor: str, progress: Any = None
) -> dict[str, Any]:
    """``detect train --shared-data DIR --include-reviewed``: train and register a candidate."""
    from marsad.cli.store import open_store
    from marsad.detect.learning.retrain import train_candidate

    with open_store() as store:
        return train_candidate(
            sessions=store.sessions,
            settings=store.settings,
            shared_data=shared_data,
            out=out,
            actor=actor,
            progress=progress,
        )
