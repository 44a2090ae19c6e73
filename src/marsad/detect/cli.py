"""CLI commands of the detect capability, mounted as `marsad detect` by marsad.cli.main."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from marsad.cli.output import BomOpt, print_json, user_errors
from marsad.core.errors import ConfigError, InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.i18n import nformat
from marsad.core.jobs.cli import QueueOpt, print_queued, queue_jobs
from marsad.core.settings import Settings, load_settings
from marsad.core.spreadsheets import with_bom
from marsad.detect.glossary import Glossary, load_default_glossary
from marsad.detect.model import (
    DetectorModel,
    load_configured_model,
    load_default_model,
    load_model,
)
from marsad.detect.service import MAX_TEXT_CHARS, classify_texts
from marsad.detect.settings import merged_thresholds, parse_thresholds
from marsad.detect.train import Dataset, load_default_data, read_dataset, train_model

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

app = typer.Typer(
    help="Detect hate speech, incitement and extremist propaganda.", no_args_is_help=True
)
glossary_app = typer.Typer(
    help="Export, import and try the glossary of hate speech.", no_args_is_help=True
)
app.add_typer(glossary_app, name="glossary")

_err = Console(stderr=True)


class TrainTask(StrEnum):
    offensive = "offensive"
    hate = "hate"
    violence = "violence"
    extremism = "extremism"
    hate_type = "hate_type"


class EvalTask(StrEnum):
    offensive = "offensive"
    hate = "hate"
    violence = "violence"


class GlossaryFormat(StrEnum):
    yaml = "yaml"
    csv = "csv"


CLI_ACTOR = "cli"

ModelOpt = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Model folder: one written by 'detect train', or a local Hugging Face folder "
        "(default: MARSAD_DETECT_MODEL, else the shipped model).",
    ),
]
ThresholdOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--threshold",
        metavar="LABEL=VALUE",
        help="Decision threshold of one label, e.g. hate=0.6 (repeatable; overrides "
        "MARSAD_DETECT_THRESHOLDS and the model's).",
    ),
]


def _model(path: Path | None) -> DetectorModel:
    return load_model(path) if path is not None else load_default_model()


def _thresholds(
    model: DetectorModel, given: list[str] | None, settings: Settings
) -> dict[str, float]:
    """The settings' threshold overrides, then the command line's, checked against the model."""
    explicit = parse_thresholds(given or [], where="--threshold", labels=model.thresholds)
    return merged_thresholds(settings.detect.thresholds(model.thresholds), explicit)


@contextlib.contextmanager
def _database() -> Iterator[sessionmaker[Session] | None]:
    """Sessions on the configured database, or None where it holds no glossary yet.

    No database file (SQLite) or a database without the glossary tables (never
    migrated) means nobody has curated anything: the shipped glossary is then
    the curated one, as the database would be seeded from it.
    """
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from marsad.cli.store import open_store

    settings = load_settings()  # afresh per command, not the cached one
    url = make_url(settings.resolved_database_url)
    if (
        url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
        and not Path(url.database).is_file()
    ):
        yield None
        return
    # Not refused when behind on migrations: a database without the glossary tables
    # means nobody has curated anything yet.
    with open_store(settings=settings, check_current=False) as store:
        if inspect(store.engine).has_table("glossary_entries"):
            yield store.sessions
        else:
            yield None


def _model_in_use(path: Path | None, settings: Settings) -> DetectorModel:
    """``--model``, else MARSAD_DETECT_MODEL, else the registry's promoted model, else shipped."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from marsad.detect.learning.registry import model_in_use

    if path is not None or settings.detect.detect_model is not None:
        return load_configured_model(path, settings=settings)
    with _database() as sessions:
        if sessions is None:
            return load_default_model()
        try:
            return model_in_use(sessions, settings=settings)
        except (OperationalError, ProgrammingError):  # a database from before the registry
            return load_default_model()


def _curated_glossary() -> Glossary:
    """The glossary staff curate in the database, as the API and 'detect run' use it."""
    from marsad.core.db import session_scope
    from marsad.detect.curation import current_glossary

    with _database() as sessions:
        if sessions is not None:
            with session_scope(sessions) as session:
                return current_glossary(session)
    typer.echo(_("note: no database with a glossary here; using the shipped glossary"), err=True)
    return load_default_glossary()


@app.command()
@user_errors
def train(
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Labelled TSV/CSV file (repeatable).")
    ] = None,
    task: Annotated[TrainTask | None, typer.Option(help="What the labels mean.")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write model.joblib to.")] = None,
    text_col: Annotated[str, typer.Option(help="Column holding the post text.")] = "text",
    label_col: Annotated[
        str | None, typer.Option(help="Column holding the label (default: the task name).")
    ] = None,
    include_reviewed: Annotated[
        bool,
        typer.Option(
            "--include-reviewed",
            help="Also learn from the flags analysts confirmed or rejected in the database.",
        ),
    ] = False,
    shared_data: Annotated[
        Path | None,
        typer.Option(
            "--shared-data",
            help="Build the shipped model: every head from the project's data sets in this "
            "folder (osact2020_train.tsv, osact2022_train.tsv, t_hsab.tsv, mlma_ar.tsv, "
            "mlma_en.tsv); no --data or --task.",
        ),
    ] = None,
    actor: Annotated[
        str, typer.Option("--actor", help="Who trains, for the model registry and the audit trail.")
    ] = CLI_ACTOR,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Train one task's model from labelled files, or the shipped model (--shared-data).

    --shared-data with --include-reviewed adds the analysts' labels (weighted by
    MARSAD_LEARNING_LOCAL_WEIGHT, never the frozen evaluation sample) and registers
    the result as a candidate in the model registry.
    """
    if shared_data is not None:
        _train_default(shared_data, out, data, task, include_reviewed, json_, actor)
        return
    if task is None:
        raise InvalidInput("err_task", "say which task to train", "--task")
    if out is None:
        raise InvalidInput("err_out", "say which folder to write the model to", "--out")
    if not data and not include_reviewed:
        raise InvalidInput("err_dataset_empty", "give --data FILE or --include-reviewed", "--data")
    if task is TrainTask.extremism:
        raise InvalidInput(
            "err_task",
            "extremism is scored from the glossary and needs no training; "
            "curate glossary terms of category extremist_slogan instead",
            "--task",
        )
    column = label_col or task.value
    with _err.status("reading data") as status:
        datasets = [
            read_dataset(
                p,
                text_col=text_col,
                label_col=column,
                binary=task is not TrainTask.hate_type,
                skip_empty_labels=task is TrainTask.hate_type,
            )
            for p in data or []
        ]
        if include_reviewed:
            datasets.append(_reviewed_dataset(task.value))
        model = train_model(
            {task.value: datasets}, progress=lambda msg: status.update(f"training: {msg}")
        )
        status.update("saving")
        path = model.save(out)
    result = {
        "model": str(path),
        "model_version": model.version,
        "task": task.value,
        "rows": sum(len(d.texts) for d in datasets),
        "thresholds": model.thresholds,
        "training_data_sha256": model.metadata["training_data_sha256"],
    }
    if json_:
        print_json(result)
    else:
        rows = nformat("%(num)s row", "%(num)s rows", result["rows"])
        typer.echo(
            _("wrote {path} ({version}, {rows})").format(
                path=path, version=model.version, rows=rows
            )
        )


def _train_default(
    shared_data: Path,
    out: Path | None,
    data: list[Path] | None,
    task: TrainTask | None,
    include_reviewed: bool,
    json_: bool,
    actor: str = CLI_ACTOR,
) -> None:
    """``train --shared-data DIR``: the shipped model's recipe (``train.DEFAULT_DATA``).

    With ``--include-reviewed``: plus the local labels, registered as a candidate.
    """
    if out is None:
        raise InvalidInput("err_out", "say which folder to write the model to", "--out")
    if data or task is not None:
        raise InvalidInput(
            "err_train_options",
            "--shared-data trains every head from the project's data sets; "
            "leave out --data, --task (--include-reviewed adds the local labels)",
            "--shared-data",
        )
    if include_reviewed:
        from marsad.detect.learning.cli import train_with_labels

        with _err.status("reading labels") as status:
            result = train_with_labels(
                shared_data=shared_data, out=out, actor=actor, progress=status.update
            )
        if json_:
            print_json(result)
        else:
            typer.echo(
                _("wrote {model} ({model_version}), registered as a candidate").format(**result)
            )
            for why in result["left_out"].values():
                typer.echo(_("public data only for {why}").format(why=why), err=True)
        return
    with _err.status("reading data") as status:
        datasets = load_default_data(shared_data)
        model = train_model(datasets, progress=lambda msg: status.update(f"training: {msg}"))
        status.update("saving")
        path = model.save(out)
    result = {
        "model": str(path),
        "model_version": model.version,
        "tasks": sorted(datasets),
        "rows": {t: sum(len(d.texts) for d in sets) for t, sets in datasets.items()},
        "thresholds": model.thresholds,
        "training_data_sha256": model.metadata["training_data_sha256"],
    }
    if json_:
        print_json(result)
    else:
        typer.echo(f"wrote {path} ({model.version})")


def _reviewed_dataset(task: str) -> Dataset:
    """Analysts' labels (answers, imports, flag decisions) as one more labelled data set.

    Each post's majority label; never a post of the frozen evaluation sample.
    """
    import hashlib

    from marsad.cli.store import open_store
    from marsad.core.db import session_scope
    from marsad.detect.learning.labels import training_examples

    if task == "hate_type":
        raise InvalidInput(
            "err_task", "reviewed flags carry labels, not hate types", "--include-reviewed"
        )
    with open_store() as store, session_scope(store.sessions) as session:
        rows = training_examples(session, task=task)
    digest = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()
    return Dataset(
        name="reviewed",
        texts=[text for text, _ in rows],
        labels=[str(label) for _, label in rows],
        sha256=digest,
    )


@app.command()
@user_errors
def run(
    batch_size: Annotated[
        int, typer.Option(help="Posts per transaction.", min=1, max=10_000)
    ] = 2000,
    limit: Annotated[int | None, typer.Option(help="Stop after this many posts.", min=1)] = None,
    model: ModelOpt = None,
    threshold: ThresholdOpt = None,
    queue: QueueOpt = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Score the stored posts the current model and glossary versions have not scored yet.

    A new model or glossary version scores every post again; each post keeps one
    current flag (see docs/detect.md). With --queue the 'detect.run' job does the
    same work in post-id shards on background workers.
    """
    if queue:
        params: dict[str, Any] = {"batch_size": batch_size, "limit": limit}
        if model is not None:
            params["model"] = str(model.resolve())
        if threshold:
            params["thresholds"] = ",".join(threshold)
        print_queued("detect.run", queue_jobs("detect.run", [params]), json_)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from marsad.cli.store import open_store
    from marsad.detect.flagging import run_detection

    settings = load_settings()  # afresh per command, not the cached one
    detector = _model_in_use(model, settings)
    cuts = _thresholds(detector, threshold, settings)
    columns = (TextColumn(_("scoring posts")), BarColumn(), MofNCompleteColumn())
    with (
        open_store(settings=settings) as store,
        Progress(*columns, console=_err, disable=json_, transient=True) as bar,
    ):
        job = bar.add_task("run", total=None)
        result = run_detection(
            sessions=store.sessions,
            settings=settings,
            model=detector,
            thresholds=cuts,
            batch_size=batch_size,
            limit=limit,
            progress=lambda n: bar.advance(job, n),
            on_start=lambda total: bar.update(job, total=total),
        )
    if json_:
        print_json(result.to_json())
    else:
        done = result.to_json()
        typer.echo(
            _(
                "scored {posts}, flagged {flagged}, superseded {older} "
                "({model_version}, glossary {glossary_version})"
            ).format(
                **done,
                posts=nformat("%(num)s post", "%(num)s posts", done["processed"]),
                older=nformat("%(num)s older flag", "%(num)s older flags", done["superseded"]),
            )
        )


@app.command()
@user_errors
def status(
    model: ModelOpt = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """How many stored posts the current model and glossary versions have scored and flagged."""
    from marsad.cli.store import open_store
    from marsad.detect.flagging import detection_status

    settings = load_settings()  # afresh per command, not the cached one
    detector = _model_in_use(model, settings)
    with open_store(settings=settings) as store:
        counts = detection_status(sessions=store.sessions, model=detector, settings=settings)
    if json_:
        print_json(counts)
        return
    typer.echo(_("model {model_version}, glossary version {glossary_version}").format(**counts))
    typer.echo(_("stored posts: {posts}").format(**counts))
    typer.echo(
        _("scored by these versions: {scored} ({left} still to score)").format(
            scored=counts["scored"], left=counts["posts"] - counts["scored"]
        )
    )
    typer.echo(
        _(
            "posts with a current flag: {flagged} ({pending} waiting for review, "
            "{confirmed} confirmed, {rejected} rejected)"
        ).format(**counts)
    )


@app.command("eval")
@user_errors
def eval_(
    data: Annotated[Path, typer.Option(help="Labelled TSV/CSV file.")],
    task: Annotated[EvalTask, typer.Option(help="Which score to evaluate.")],
    text_col: Annotated[str, typer.Option(help="Column holding the post text.")] = "text",
    label_col: Annotated[
        str | None, typer.Option(help="Column holding the 0/1 label (default: the task name).")
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped model).")
    ] = None,
    model_scores: Annotated[
        bool,
        typer.Option(
            "--model-scores",
            help="Label every row by the model's scores, as if every post were Arabic "
            "(how models are compared), instead of as the service labels posts: those in "
            "the model's advisory languages (Kurdish, English, other) from the glossary only.",
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Evaluate a model: macro-F1, macro precision and recall, rows, posts per second.

    Rows are labelled as 'detect run' labels posts, unless --model-scores.
    """
    from marsad.detect.evaluate import evaluate_as_service, evaluate_model

    ds = read_dataset(data, text_col=text_col, label_col=label_col or task.value)
    detector = _model(model)
    if task.value not in detector.tasks:
        raise InvalidInput("err_task", f"this model has no {task.value} head", "--task")
    measure = evaluate_model if model_scores else evaluate_as_service
    result = {
        **measure(detector, ds.texts, ds.labels, task.value),
        "scoring": "model" if model_scores else "service",
    }
    if json_:
        print_json(result)
        return
    typer.echo(
        f"{task.value}: macro-F1 {result['macro_f1']:.3f}  precision {result['precision']:.3f}"
        f"  recall {result['recall']:.3f}  n={result['n']}  {result['posts_per_s']:.0f} posts/s"
    )
    if model_scores:
        typer.echo(_("labelled by the model's scores alone, every post as if it were Arabic"))
    else:
        typer.echo(
            _(
                "labelled as the service labels posts; rows in an advisory language, "
                "labelled from the glossary alone: {n}"
            ).format(n=result["glossary_only"])
        )


@app.command()
@user_errors
def text(
    post: Annotated[str, typer.Argument(help="The post to classify.", show_default=False)],
    model: ModelOpt = None,
    threshold: ThresholdOpt = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Classify one post with the curated glossary: labels, scores, spans, versions."""
    if not post.strip():
        raise InvalidInput("err_text_empty", "the text is empty", "TEXT")
    if len(post) > MAX_TEXT_CHARS:
        raise InvalidInput(
            "err_text_too_long",
            f"the text has {len(post)} characters; the limit is {MAX_TEXT_CHARS}",
            "TEXT",
        )
    settings = load_settings()  # afresh per command, not the cached one
    detector = _model_in_use(model, settings)
    cuts = _thresholds(detector, threshold, settings)
    glossary = _curated_glossary()
    [result] = classify_texts([post], model=detector, glossary=glossary, thresholds=cuts)
    if json_:
        print_json(result)
        return
    labels = ", ".join(result["labels"]) or "none"
    typer.echo(f"labels: {labels}")
    for task, score in result["scores"].items():
        typer.echo(f"  {task:<10} {score:.3f}")
    for span in result["spans"]:
        typer.echo(f"  [{span['start']}:{span['end']}] {span['text']} → {span['term_id']}")


def _format_of(fmt: GlossaryFormat | None, path: Path | None) -> GlossaryFormat:
    """--format when given, else the file's extension (.csv or YAML)."""
    if fmt is not None:
        return fmt
    if path is not None and path.suffix.lower() == ".csv":
        return GlossaryFormat.csv
    return GlossaryFormat.yaml


@glossary_app.command("export")
@user_errors
def glossary_export(
    fmt: Annotated[
        GlossaryFormat | None,
        typer.Option("--format", help="yaml or csv (default: from --out's extension, else yaml)."),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    shipped: Annotated[
        bool,
        typer.Option("--shipped", help="Export the starter glossary shipped with Marsad instead."),
    ] = False,
    bom: BomOpt = False,
) -> None:
    """Export the curated glossary in the database (every status) as YAML or CSV."""
    glossary = load_default_glossary() if shipped else _curated_glossary()
    kind = _format_of(fmt, out)
    body = glossary.to_yaml() if kind is GlossaryFormat.yaml else with_bom(glossary.to_csv(), bom)
    if out is None:
        typer.echo(body, nl=False)
    else:
        out.write_text(body, encoding="utf-8")


@glossary_app.command("import")
@user_errors
def glossary_import(
    source: Annotated[Path, typer.Argument(help="A glossary .yaml/.yml or .csv file.")],
    check: Annotated[
        bool,
        typer.Option("--check", help="Only validate the file; change nothing in the database."),
    ] = False,
    version: Annotated[
        int | None,
        typer.Option(help="Version to give a CSV file with --check (YAML carries its own)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the validated glossary as YAML here.")
    ] = None,
    actor: Annotated[
        str, typer.Option(help="Name recorded in the terms' history and the audit trail.")
    ] = CLI_ACTOR,
    json_: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Load a glossary file into the curated glossary (errors name the row and column).

    Every new or changed term is saved as staff edits are: a new glossary
    version, a revision in the term's history, an audit record. Terms absent
    from the file are kept. A bad file changes nothing.
    """
    if not source.is_file():
        raise InvalidInput("err_glossary_not_found", "no such file", str(source))
    if source.suffix.lower() == ".csv":
        if check and version is None:
            raise InvalidInput("err_glossary_version", "a CSV import needs --version", "--version")
        glossary = Glossary.from_csv(source, version=version or 1)
    else:
        glossary = Glossary.from_yaml(source)
    if out is not None:
        out.write_text(glossary.to_yaml(), encoding="utf-8")
    summary = {
        "version": glossary.version,
        "terms": len(glossary.terms),
        "published": sum(t.status == "published" for t in glossary.terms),
    }
    if not check:
        summary.update(_import_into_database(glossary, actor))
    if json_:
        print_json(summary)
    elif check:
        typer.echo(
            _("glossary v{version}: {terms}, {published} published").format(
                version=summary["version"],
                terms=nformat("%(num)s term", "%(num)s terms", summary["terms"]),
                published=summary["published"],
            )
        )
    else:
        typer.echo(
            _(
                "imported {terms} ({changed} new or changed): "
                "the curated glossary is now version {version}"
            ).format(
                terms=nformat("%(num)s term", "%(num)s terms", summary["terms"]),
                changed=summary["changed"],
                version=summary["version"],
            )
        )


def _import_into_database(glossary: Glossary, actor: str) -> dict[str, int]:
    """Save the file's terms in one transaction: all of them or, on an error, none."""
    from marsad.core.db import session_scope
    from marsad.detect import curation

    with _database() as sessions:
        if sessions is None:
            raise ConfigError(
                "MARSAD_DATABASE_URL",
                _(
                    "the database has no glossary tables; run 'marsad db upgrade' first, "
                    "or use --check to only validate the file"
                ),
            )
        with session_scope(sessions) as session:
            changed = curation.import_glossary(session, glossary=glossary, actor=actor)
            now = curation.glossary_version(session)
    return {"version": now, "changed": changed, "file_version": glossary.version}


@glossary_app.command("match")
@user_errors
def glossary_match(
    post: Annotated[
        str, typer.Argument(help="Text to search for glossary terms.", show_default=False)
    ],
    json_: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """Show which curated glossary terms a text contains, as spans of the text."""
    if not post.strip():
        raise InvalidInput("err_text_empty", "the text is empty", "TEXT")
    if len(post) > MAX_TEXT_CHARS:
        raise InvalidInput("err_text_too_long", f"the limit is {MAX_TEXT_CHARS} characters", "TEXT")
    glossary = _curated_glossary()
    hits = [m.to_dict() for m in glossary.matcher().find(post)]
    if json_:
        print_json({"glossary_version": glossary.version, "spans": hits})
        return
    for hit in hits:
        typer.echo(
            f"[{hit['start']}:{hit['end']}] {hit['text']} → {hit['term_id']} "
            f"({hit['category']}, {'/'.join(hit['target_groups'])}, severity {hit['severity']})"
        )


# The labelling loop's commands: `detect queue`, `detect labels …`, `detect models …`.
from marsad.detect.learning.cli import mount as _mount_learning  # noqa: E402

_mount_learning(app)
