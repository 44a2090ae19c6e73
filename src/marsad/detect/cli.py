"""CLI commands of the detect capability, mounted as `marsad detect` by marsad.cli.main."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from marsad.cli.output import print_json, user_errors
from marsad.core.errors import InvalidInput
from marsad.detect.glossary import Glossary, load_default_glossary
from marsad.detect.model import DetectorModel, load_default_model, load_model
from marsad.detect.service import MAX_TEXT_CHARS, classify_texts
from marsad.detect.train import Dataset, load_default_data, read_dataset, train_model

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


def _model(path: Path | None) -> DetectorModel:
    return load_model(path) if path is not None else load_default_model()


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
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Train one task's model from labelled files, or the shipped model (--shared-data)."""
    if shared_data is not None:
        _train_default(shared_data, out, data, task, include_reviewed, json_)
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
        typer.echo(f"wrote {path} ({model.version}, {result['rows']} rows)")


def _train_default(
    shared_data: Path,
    out: Path | None,
    data: list[Path] | None,
    task: TrainTask | None,
    include_reviewed: bool,
    json_: bool,
) -> None:
    """``train --shared-data DIR``: the shipped model's recipe (``train.DEFAULT_DATA``)."""
    if out is None:
        raise InvalidInput("err_out", "say which folder to write the model to", "--out")
    if data or task is not None or include_reviewed:
        raise InvalidInput(
            "err_train_options",
            "--shared-data trains every head from the project's data sets; "
            "leave out --data, --task and --include-reviewed",
            "--shared-data",
        )
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
    """Analysts' decisions on flags as one more labelled data set."""
    import hashlib

    from marsad.core.db import make_engine, session_factory, session_scope
    from marsad.core.settings import load_settings
    from marsad.detect.flagging import reviewed_examples

    if task == "hate_type":
        raise InvalidInput(
            "err_task", "reviewed flags carry labels, not hate types", "--include-reviewed"
        )
    settings = load_settings()  # afresh per command, not the cached one
    with session_scope(session_factory(make_engine(settings), settings)) as session:
        rows = reviewed_examples(session, task=task)
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
    batch_size: Annotated[int, typer.Option(help="Posts per transaction.")] = 2000,
    limit: Annotated[int | None, typer.Option(help="Stop after this many posts.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Flag stored posts not yet looked at with the current model and glossary versions."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from marsad.core.db import make_engine, session_factory
    from marsad.core.settings import load_settings
    from marsad.detect.flagging import run_detection

    settings = load_settings()  # afresh per command, not the cached one
    sessions = session_factory(make_engine(settings), settings)
    columns = (TextColumn("flagging posts"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=_err, disable=json_, transient=True) as bar:
        job = bar.add_task("run", total=None)
        result = run_detection(
            sessions=sessions,
            batch_size=batch_size,
            limit=limit,
            progress=lambda n: bar.advance(job, n),
        )
    if json_:
        print_json(result.to_json())
    else:
        typer.echo(
            f"looked at {result.processed} posts, flagged {result.flagged} "
            f"({result.model_version}, glossary {result.glossary_version})"
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
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Evaluate a model: macro-F1, macro precision and recall, rows, posts per second."""
    from marsad.detect.evaluate import evaluate_model

    ds = read_dataset(data, text_col=text_col, label_col=label_col or task.value)
    detector = _model(model)
    if task.value not in detector.tasks:
        raise InvalidInput("err_task", f"this model has no {task.value} head", "--task")
    result = evaluate_model(detector, ds.texts, ds.labels, task.value)
    if json_:
        print_json(result)
    else:
        typer.echo(
            f"{task.value}: macro-F1 {result['macro_f1']:.3f}  precision {result['precision']:.3f}"
            f"  recall {result['recall']:.3f}  n={result['n']}  {result['posts_per_s']:.0f} posts/s"
        )


@app.command()
@user_errors
def text(
    post: Annotated[str, typer.Argument(help="The post to classify.", show_default=False)],
    model: Annotated[
        Path | None, typer.Option(help="Model folder (default: the shipped model).")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Classify one post: labels, scores, glossary spans, model and glossary versions."""
    if not post.strip():
        raise InvalidInput("err_text_empty", "the text is empty", "TEXT")
    if len(post) > MAX_TEXT_CHARS:
        raise InvalidInput(
            "err_text_too_long",
            f"the text has {len(post)} characters; the limit is {MAX_TEXT_CHARS}",
            "TEXT",
        )
    result = classify_texts([post], model=_model(model))[0]
    if json_:
        print_json(result)
        return
    labels = ", ".join(result["labels"]) or "none"
    typer.echo(f"labels: {labels}")
    for task, score in result["scores"].items():
        typer.echo(f"  {task:<10} {score:.3f}")
    for span in result["spans"]:
        typer.echo(f"  [{span['start']}:{span['end']}] {span['text']} → {span['term_id']}")


@glossary_app.command("export")
@user_errors
def glossary_export(
    fmt: Annotated[
        GlossaryFormat, typer.Option("--format", help="yaml or csv.")
    ] = GlossaryFormat.yaml,
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Export the shipped glossary as YAML or CSV."""
    glossary = load_default_glossary()
    body = glossary.to_yaml() if fmt is GlossaryFormat.yaml else glossary.to_csv()
    if out is None:
        typer.echo(body, nl=False)
    else:
        out.write_text(body, encoding="utf-8")


@glossary_app.command("import")
@user_errors
def glossary_import(
    source: Annotated[Path, typer.Argument(help="A glossary .yaml/.yml or .csv file.")],
    version: Annotated[
        int | None, typer.Option(help="Version to give a CSV import (YAML carries its own).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the validated glossary as YAML here.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Validate a glossary file (errors name the row and column) and optionally save it as YAML."""
    if not source.is_file():
        raise InvalidInput("err_glossary_not_found", "no such file", str(source))
    if source.suffix.lower() == ".csv":
        if version is None:
            raise InvalidInput("err_glossary_version", "a CSV import needs --version", "--version")
        glossary = Glossary.from_csv(source, version=version)
    else:
        glossary = Glossary.from_yaml(source)
    if out is not None:
        out.write_text(glossary.to_yaml(), encoding="utf-8")
    summary = {
        "version": glossary.version,
        "terms": len(glossary.terms),
        "published": sum(t.status == "published" for t in glossary.terms),
    }
    if json_:
        print_json(summary)
    else:
        typer.echo(
            f"glossary v{summary['version']}: {summary['terms']} terms, "
            f"{summary['published']} published"
        )


@glossary_app.command("match")
@user_errors
def glossary_match(
    post: Annotated[
        str, typer.Argument(help="Text to search for glossary terms.", show_default=False)
    ],
    json_: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """Show which glossary terms a text contains, as spans of the text."""
    if not post.strip():
        raise InvalidInput("err_text_empty", "the text is empty", "TEXT")
    if len(post) > MAX_TEXT_CHARS:
        raise InvalidInput("err_text_too_long", f"the limit is {MAX_TEXT_CHARS} characters", "TEXT")
    glossary = load_default_glossary()
    hits = [m.to_dict() for m in glossary.matcher().find(post)]
    if json_:
        print_json({"glossary_version": glossary.version, "spans": hits})
        return
    for hit in hits:
        typer.echo(
            f"[{hit['start']}:{hit['end']}] {hit['text']} → {hit['term_id']} "
            f"({hit['category']}, {hit['target_group']}, severity {hit['severity']})"
        )
