"""Read labelled TSV/CSV data and train a :class:`~marsad.detect.model.DetectorModel`.

Build the shipped model (about 2 minutes on one core; run it with ``nice``)::

    marsad detect train --shared-data ../shared/datasets --out src/marsad/detect/data

or, the same recipe, ``python -m marsad.detect.train ../shared/datasets src/marsad/detect/data``.
Every task's data sets are deduplicated (:func:`dedupe`) before anything is fitted.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import logging
import re
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone

from marsad.core.errors import InvalidInput
from marsad.core.text import detect_language, normalize
from marsad.detect.blocks import GatedHead, SetGate, expand
from marsad.detect.classifiers import (
    CalibratedLinearClassifier,
    HashedNgramFeatures,
    best_threshold,
)
from marsad.detect.glossary import Glossary, load_default_glossary
from marsad.detect.heads import ConditionalHead, fit_conditional
from marsad.detect.model import DEFAULT_ADVISORY_LANGUAGES, DetectorModel, lexicon_heads

__all__ = ["Dataset", "MODEL_VERSION", "dedupe", "dedupe_key", "read_dataset", "train_model"]

log = logging.getLogger(__name__)

MODEL_VERSION = "1.4.0"
# Tasks whose heads get set blocks (marsad.detect.blocks) when trained on two sets or more.
BLOCKED_TASKS = ("offensive", "hate")
# The offensive head's C with set blocks: the weight is shared by the shared block and a
# set's block, so it is regularised twice; measured at 8 (bench/detect_levers_14.py).
BLOCKED_OFFENSIVE_C = 8.0
MAX_FIELD = 1_000_000
TRUE_VALUES = {"1", "true", "yes"}
FALSE_VALUES = {"0", "false", "no"}

# Which files of /work/shared/datasets train which head of the shipped model.
DEFAULT_DATA = {
    "offensive": ("osact2020_train", "osact2022_train", "t_hsab", "mlma_ar", "mlma_en"),
    "hate": ("osact2020_train", "osact2022_train", "t_hsab", "mlma_ar", "mlma_en"),
    "violence": ("osact2022_train",),
    "hate_type": ("osact2022_train",),
}


@dataclasses.dataclass
class Dataset:
    """Texts and labels read from one file (``name`` is the file's stem)."""

    name: str
    texts: list[str]
    labels: list[str]
    sha256: str
    #: How much this set counts against the others: analysts' local labels are few but
    #: are the only Iraqi data, so retraining weights them up (see :func:`balanced_weights`).
    weight: float = 1.0


def read_dataset(
    path: str | Path,
    *,
    text_col: str = "text",
    label_col: str,
    binary: bool = True,
    skip_empty_labels: bool = False,
) -> Dataset:
    """Read one UTF-8 TSV (or ``.csv``) file with a header row.

    Binary labels must be 0/1 (or true/false, yes/no); ``binary=False`` keeps
    any non-empty label (e.g. ``hate_type``). ``skip_empty_labels`` drops rows
    whose label cell is empty in place of rejecting them.

    Raises
    ------
    InvalidInput
        Naming the file and the missing column, or the row (1 = first data
        row) and column of a bad value.
    """
    p = Path(path)
    where = str(p)
    if not p.is_file():
        raise InvalidInput("err_dataset_not_found", "no such file", where)
    delimiter = "," if p.suffix.lower() == ".csv" else "\t"
    csv.field_size_limit(MAX_FIELD)
    texts: list[str] = []
    labels: list[str] = []
    digest = hashlib.sha256()
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            header = reader.fieldnames or []
            for col in (text_col, label_col):
                if col not in header:
                    raise InvalidInput(
                        "err_dataset_column",
                        f"missing column {col!r} (columns: {', '.join(header) or 'none'})",
                        where,
                    )
            for row_number, row in enumerate(reader, start=1):
                text = row.get(text_col) or ""
                raw = (row.get(label_col) or "").strip()
                if not raw and skip_empty_labels:
                    continue
                if binary:
                    value = raw.lower()
                    if value in TRUE_VALUES:
                        label = "1"
                    elif value in FALSE_VALUES:
                        label = "0"
                    else:
                        raise InvalidInput(
                            "err_dataset_label",
                            f"bad label value {raw!r} (expected 0 or 1)",
                            f"{where}: row {row_number}, column {label_col}",
                        )
                elif raw:
                    label = raw
                else:
                    raise InvalidInput(
                        "err_dataset_label",
                        "empty label",
                        f"{where}: row {row_number}, column {label_col}",
                    )
                texts.append(text)
                labels.append(label)
                digest.update(f"{text}\t{label}\n".encode())
    except UnicodeDecodeError as exc:
        raise InvalidInput("err_dataset_encoding", f"not UTF-8 ({exc.reason})", where) from None
    except csv.Error as exc:
        raise InvalidInput("err_dataset_format", f"cannot parse ({exc})", where) from None
    if not texts:
        raise InvalidInput("err_dataset_empty", "no labelled rows", where)
    return Dataset(name=p.stem, texts=texts, labels=labels, sha256=digest.hexdigest())


_PLACEHOLDER = re.compile(r"@\w+|https?://\S+|\b(?:url|user|lf)\b")
_NOT_LETTER = re.compile(r"[\W_]+")


def dedupe_key(text: str) -> str:
    """The key two posts share when they are the same post for training purposes.

    The letters and digits of the normalised text, without user handles, links
    and the ``@USER``/``URL``/``<LF>`` placeholders of the OSACT sets: retweets,
    copies with another mention, or another spacing or emoji, get one key.
    """
    return _NOT_LETTER.sub("", _PLACEHOLDER.sub(" ", normalize(text)))


def dedupe(datasets: Sequence[Dataset]) -> list[Dataset]:
    """Drop every post whose :func:`dedupe_key` was already seen, in this set or an earlier one.

    Run before any train/test split, so that no copy of a test post is in
    training; the first copy (and its label) is kept. Posts with no letters or
    digits at all (emoji only) are all kept: they are not copies of one another.
    """
    seen: set[str] = set()
    out: list[Dataset] = []
    for ds in datasets:
        texts: list[str] = []
        labels: list[str] = []
        for text, label in zip(ds.texts, ds.labels, strict=True):
            key = dedupe_key(text)
            if key and key in seen:
                continue
            seen.add(key)
            texts.append(text)
            labels.append(label)
        out.append(Dataset(ds.name, texts, labels, ds.sha256, ds.weight))
    return out


def balanced_weights(datasets: Sequence[Dataset]) -> np.ndarray:
    """Weights giving each (dataset, class) cell the same total weight.

    Data sets differ in size and in how often they label a post offensive
    (MLMA English is 88 % offensive, OSACT 2020 20 %); balancing within each
    set stops the model from learning "this dialect is offensive" and keeps a
    large set from drowning a small one. Mean weight is 1.
    """
    weights: list[np.ndarray] = []
    for ds in datasets:
        labels = np.asarray(ds.labels)
        values, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        weights.append(ds.weight / (counts[inverse] * len(values)))
    w = np.concatenate(weights)
    return w * (len(w) / w.sum())


def _check_two_classes(task: str, datasets: Sequence[Dataset]) -> None:
    classes = {label for ds in datasets for label in ds.labels}
    if len(classes) < 2:
        names = ", ".join(ds.name for ds in datasets)
        raise InvalidInput(
            "err_dataset_one_class",
            f"only one class ({', '.join(sorted(classes))}) for task {task}; need both 0 and 1",
            names,
        )


def default_head() -> CalibratedLinearClassifier:
    """The binary heads' recipe: NB-LR (log-count-ratio scaled logistic regression).

    Measured against plain logistic regression with ``bench/detect_levers.py``
    (docs/model-card.md): +0.02 macro-F1 offensive on OSACT 2020 and 2022 in-domain,
    at no cost in speed (the ratios are folded into the weights).
    """
    return CalibratedLinearClassifier(threshold="auto", nb_alpha=1.0)


def _conditional(
    offensive: CalibratedLinearClassifier,
    prototype: CalibratedLinearClassifier,
    X: Any,
    y: np.ndarray,
    texts: list[str],
    datasets: Sequence[Dataset],
    given: dict[str, tuple[int, float]],
) -> ConditionalHead | None:
    """The hate head conditioned on the offensive one (None: not enough offensive posts)."""
    known = [given.get(t) for t in texts]
    sizes = np.cumsum([0] + [len(ds.texts) for ds in datasets])

    def weights(mask: np.ndarray) -> np.ndarray:
        parts = []
        for ds, start, end in zip(datasets, sizes[:-1], sizes[1:], strict=True):
            rows = mask[start:end]
            if rows.any():
                kept = [label for label, keep in zip(ds.labels, rows, strict=True) if keep]
                parts.append(Dataset(ds.name, [""] * len(kept), kept, ds.sha256, ds.weight))
        return balanced_weights(parts)

    return fit_conditional(
        offensive,
        prototype,
        X,
        y,
        given_labels=[None if k is None else k[0] for k in known],
        given_oof=[None if k is None else k[1] for k in known],
        weights=weights,
    )


def _threshold_where_labelled(
    head: Any, y: np.ndarray, oof: np.ndarray, texts: list[str], advisory: Sequence[str]
) -> None:
    """Choose the head's threshold on the posts it will label (not in an advisory language).

    The service labels posts in an advisory language from the glossary alone, so
    their out-of-fold probabilities (MLMA English, near chance) should not move
    the cut for the others. Measured with ``bench/detect_levers_13.py --lever
    thresholds`` ("Arabic pooled"): +0.007 offensive on OSACT 2020, +0.010 on T-HSAB.
    """
    rows = np.array([detect_language(t) not in advisory for t in texts])
    if rows.all() or len(np.unique(y[rows])) < 2:
        return
    head.threshold_ = best_threshold(y[rows], oof[rows])


def _params(head: Any) -> dict[str, Any]:
    return head.describe() if hasattr(head, "describe") else head.get_params()


def _fit_gate(features: HashedNgramFeatures, data: dict[str, Sequence[Dataset]]) -> SetGate | None:
    """The gate over the sets of the blocked tasks (None: fewer than two sets)."""
    rows: dict[str, str] = {}
    for task in BLOCKED_TASKS:
        for ds in data.get(task, ()):
            for text in ds.texts:
                rows.setdefault(text, ds.name)
    if len(set(rows.values())) < 2:
        return None
    return SetGate().fit(features.transform(list(rows)), list(rows.values()))


def _gated(gate: SetGate, head: Any, offensive: Any) -> Any:
    """The head fitted on expanded features, made to score plain ones through the gate."""
    if isinstance(head, ConditionalHead):
        conditional = GatedHead.from_fitted(gate, head.head)
        return ConditionalHead(given=offensive, head=conditional, threshold=head.threshold_).fit(
            None, None
        )
    return GatedHead.from_fitted(gate, head)


def train_model(
    data: dict[str, Sequence[Dataset]],
    *,
    glossary: Glossary | None = None,
    features: HashedNgramFeatures | None = None,
    head: CalibratedLinearClassifier | None = None,
    progress: Callable[[str], None] | None = None,
    advisory_languages: Sequence[str] = DEFAULT_ADVISORY_LANGUAGES,
    conditional: bool = True,
    set_blocks: bool = True,
) -> DetectorModel:
    """Train a model with one head per task in ``data`` (``offensive``, ``hate``,
    ``violence``, ``hate_type``); ``extremism`` needs no data (lexicon).

    Parameters
    ----------
    data : dict
        ``task -> datasets``. Binary tasks need labels 0/1 with both present.
    glossary : Glossary, optional
        Glossary for the lexicon heads (default: the shipped one).
    features, head : optional
        Unfitted featuriser and head prototypes (defaults tuned for tweets:
        :class:`HashedNgramFeatures` and :func:`default_head`).
    progress : callable, optional
        Called with a short message before each step.
    advisory_languages : sequence of str
        Languages the heads are not reliable for: the service labels their
        posts from the glossary only and shows the heads' scores as advisory.
    conditional : bool
        With an offensive head, score hate as ``P(offensive) · P(hate |
        offensive)`` (:mod:`marsad.detect.heads`); False trains hate directly.
    set_blocks : bool
        Give the offensive and hate heads a shared block and a block per data
        set, mixed by a gate that guesses a post's set (:mod:`marsad.detect.blocks`),
        when they are trained on two sets or more. With the offensive head, hate
        gets blocks only if offensive has them too.
    """
    say = progress or (lambda _msg: None)
    glossary = glossary or load_default_glossary()
    for task, datasets in data.items():
        if task not in ("offensive", "hate", "violence", "hate_type"):
            raise InvalidInput("err_task", f"unknown task {task!r}", "task")
        if not datasets:
            raise InvalidInput("err_dataset_empty", f"no data for task {task}", "task")
        _check_two_classes(task, datasets)
    # One copy of each post per task: duplicates would count twice in the weights
    # and in the out-of-fold calibration (a copy in the other fold is a leak).
    data = {task: dedupe(datasets) for task, datasets in data.items()}

    # Fit the shared features on every distinct text once.
    all_texts: dict[str, None] = {}
    digest = hashlib.sha256()
    names: dict[str, list[str]] = {}
    for task, datasets in sorted(data.items()):
        names[task] = [ds.name for ds in datasets]
        for ds in datasets:
            all_texts.update(dict.fromkeys(ds.texts))
            digest.update(f"{task}:{ds.name}:{ds.sha256}\n".encode())
    say(f"features on {len(all_texts)} texts")
    # A copy: the prototype may be reused for another model (folds of a report).
    features = clone(features) if features is not None else HashedNgramFeatures()
    features.fit(list(all_texts))

    gate = _fit_gate(features, data) if set_blocks else None
    if gate is not None:
        say(f"gate over {len(gate.sets_)} sets")
    heads: dict[str, Any] = {}
    inner: dict[str, Any] = {}  # blocked heads as fitted, on expanded features
    given: dict[str, tuple[int, float]] = {}  # text -> (offensive label, out-of-fold p)
    # Offensive first: the hate head is conditioned on it.
    for task in sorted(data, key=lambda t: t != "offensive"):
        datasets = data[task]
        say(f"head {task} on {sum(len(ds.texts) for ds in datasets)} rows")
        texts = [t for ds in datasets for t in ds.texts]
        labels = np.array([label for ds in datasets for label in ds.labels])
        X = features.transform(texts)
        prototype = head if head is not None else default_head()
        clf = CalibratedLinearClassifier(**prototype.get_params())
        if task == "hate_type":
            # Five classes from 959 posts: NB ratios were not measured there.
            clf.set_params(class_weight="balanced", threshold=0.5, nb_alpha=None)
            clf.fit(X, labels)
            heads[task] = clf
            continue
        clf.set_params(class_weight=None)
        y = labels.astype(int)
        weights = balanced_weights(datasets)
        blocked = gate is not None and task in BLOCKED_TASKS
        blocked &= task == "offensive" or not conditional or "offensive" in inner
        if blocked:  # a row's own set's block: the gate mixes them only when scoring
            X = expand(X, gate.one_hot([ds.name for ds in datasets for _ in ds.texts]))
            if task == "offensive" and head is None:
                clf.set_params(C=BLOCKED_OFFENSIVE_C)
        fitted = None
        if task == "hate" and "offensive" in heads and conditional:
            offensive = inner.get("offensive", heads["offensive"])
            fitted = _conditional(offensive, prototype, X, y, texts, datasets, given)
        fitted_head, oof = fitted or (clf, clf.fit_oof(X, y, sample_weight=weights))
        if prototype.threshold == "auto":
            _threshold_where_labelled(fitted_head, y, oof, texts, advisory_languages)
        if task == "offensive":
            given = {t: (int(v), float(p)) for t, v, p in zip(texts, y, oof, strict=True)}
        if blocked:
            inner[task] = fitted_head
            fitted_head = _gated(gate, fitted_head, heads.get("offensive"))
        heads[task] = fitted_head

    lexicon, extremism, incitement = lexicon_heads(glossary)
    data_hash = digest.hexdigest()
    model = DetectorModel(
        version=f"marsad-detect-{MODEL_VERSION}+{data_hash[:8]}",
        features=features,
        heads=heads,
        lexicon=lexicon,
        extremism=extremism,
        incitement=incitement,
        metadata={
            "glossary_version": glossary.version,
            "training_data_sha256": data_hash,
            "datasets": names,
            "params": {
                "features": features.get_params(),
                **{task: _params(clf) for task, clf in heads.items()},
                "extremism": extremism.get_params(),
                "incitement": incitement.get_params(),
            },
            "thresholds": {t: float(c.threshold_) for t, c in heads.items()},
            "advisory_languages": sorted(advisory_languages),
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
    return model


def load_default_data(directory: str | Path) -> dict[str, list[Dataset]]:
    """Read the project's data sets (``DEFAULT_DATA``) from ``directory``."""
    root = Path(directory)
    out: dict[str, list[Dataset]] = {}
    for task, names in DEFAULT_DATA.items():
        label_col = task if task != "hate_type" else "hate_type"
        out[task] = [
            read_dataset(
                root / f"{name}.tsv",
                label_col=label_col,
                binary=task != "hate_type",
                skip_empty_labels=task in ("violence", "hate_type"),
            )
            for name in names
        ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Build the shipped model: ``python -m marsad.detect.train DATA_DIR OUT_DIR``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        sys.stderr.write("usage: python -m marsad.detect.train DATA_DIR OUT_DIR\n")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    model = train_model(load_default_data(args[0]), progress=log.info)
    path = model.save(args[1])
    log.info("wrote %s (%s)", path, model.version)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
