"""The stored detector: shared text features, one calibrated head per task, metadata.

A :class:`DetectorModel` is what ``marsad detect train`` writes and what the
service loads. It is saved with joblib together with the provenance every Flag
must carry: the model version string, each head's ``get_params()``, the
glossary version it was trained with and a SHA-256 of the training data.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import time
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.detect.classifiers import (
    GlossaryFeatures,
    HashedNgramFeatures,
    LexiconScorer,
    TransformerClassifier,
)
from marsad.detect.glossary import Glossary
from marsad.detect.heads import positive_proba

__all__ = [
    "BINARY_TASKS",
    "DEFAULT_ADVISORY_LANGUAGES",
    "TASKS",
    "DetectorModel",
    "default_model_path",
    "load_configured_model",
    "load_default_model",
    "load_model",
]

log = logging.getLogger(__name__)

BINARY_TASKS = ("offensive", "hate", "violence")
TASKS = (*BINARY_TASKS, "extremism")
MODEL_FILE = "model.joblib"
# Languages with no reliable trained head (docs/model-card.md): no labelled Kurdish
# at all, English from one set (MLMA) on which every head scores near chance, and
# "other" (Latin script that is neither English nor Kurmanji, Persian, text without
# letters; MLMA's English, stripped of function words, is mostly "other" too).
# Their posts are labelled from the glossary alone; the heads' scores are advisory.
DEFAULT_ADVISORY_LANGUAGES = ("ckb", "kmr", "en", "other")
HF_CONFIG = "config.json"
FORMAT = 1

# Noisy-OR firing probabilities of GlossaryFeatures columns for the lexicon heads:
# (clear, ambiguous) evidence per category, per point of severity.
EXTREMISM_WEIGHTS = {"extremist_slogan": (0.35, 0.12), "incitement": (0.05, 0.0)}
INCITEMENT_WEIGHTS = {"incitement": (0.3, 0.08)}


def lexicon_scorer(weights: dict[str, tuple[float, float]], categories: tuple[str, ...]) -> Any:
    """Return an unsupervised (noisy-OR) :class:`LexiconScorer` over GlossaryFeatures columns."""
    per_column: list[float] = []
    for category in categories:
        clear, ambiguous = weights.get(category, (0.0, 0.0))
        per_column += [clear, ambiguous]
    return LexiconScorer(weights=per_column, base_rate=0.005)


def lexicon_heads(
    glossary: Glossary | None = None,
) -> tuple[GlossaryFeatures, LexiconScorer, LexiconScorer]:
    """Fitted glossary features and the extremism and incitement scorers over them."""
    lexicon = GlossaryFeatures(glossary=glossary).fit([""])
    categories = tuple(lexicon.categories)
    zeros = np.zeros((1, 2 * len(categories)))
    extremism = lexicon_scorer(EXTREMISM_WEIGHTS, categories).fit(zeros)
    incitement = lexicon_scorer(INCITEMENT_WEIGHTS, categories).fit(zeros)
    return lexicon, extremism, incitement


@dataclasses.dataclass
class DetectorModel:
    """Shared features + per-task heads + provenance.

    Attributes
    ----------
    version : str
        Model version string, e.g. ``"marsad-detect-1.0.0+a1b2c3d4"``.
    features : HashedNgramFeatures
        Fitted text featuriser shared by the heads.
    heads : dict
        ``task -> CalibratedLinearClassifier`` for the trained tasks, plus
        ``"hate_type"`` when the data had target types; since 1.3 ``"hate"`` is
        a :class:`~marsad.detect.heads.ConditionalHead` on the offensive head.
    lexicon : GlossaryFeatures
        Glossary hit counts used by the extremism and violence heads.
    extremism, incitement : LexiconScorer
        Unsupervised lexicon scorers (no labelled data for extremism here).
    metadata : dict
        ``glossary_version``, ``training_data_sha256``, ``datasets``,
        ``params`` (each head's ``get_params()``), ``trained_at`` (UTC), scores.
    """

    version: str
    features: HashedNgramFeatures
    heads: dict[str, Any]
    lexicon: GlossaryFeatures
    extremism: LexiconScorer
    incitement: LexiconScorer
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    format: int = FORMAT

    @property
    def tasks(self) -> tuple[str, ...]:
        """The tasks this model scores.

        Violence and extremism are always scored: without a trained violence
        head, violence comes from the glossary's incitement phrases alone.
        """
        return (*(t for t in BINARY_TASKS if t in self.heads or t == "violence"), "extremism")

    @property
    def thresholds(self) -> dict[str, float]:
        """The decision threshold per task."""
        out = {t: float(self.heads[t].threshold_) for t in BINARY_TASKS if t in self.heads}
        out["extremism"] = float(self.extremism.threshold)
        if "violence" not in out:
            out["violence"] = float(self.incitement.threshold)
        return out

    @property
    def advisory_languages(self) -> frozenset[str]:
        """Languages whose posts the trained heads do not label (their scores are advisory).

        Stored in the metadata by training; models that predate it use
        ``DEFAULT_ADVISORY_LANGUAGES``.
        """
        return frozenset(self.metadata.get("advisory_languages", DEFAULT_ADVISORY_LANGUAGES))

    @property
    def glossary_version(self) -> int | None:
        """The glossary version used at training time."""
        return self.metadata.get("glossary_version")

    def score(
        self,
        texts: list[str],
        *,
        lexicon: GlossaryFeatures | None = None,
        lexicon_features: np.ndarray | None = None,
        normalized: list[str] | None = None,
    ) -> dict[str, np.ndarray]:
        """Return ``task -> probabilities`` (one per text) and ``hate_type`` probabilities.

        Violence combines the trained head with the glossary's incitement
        phrases (noisy-OR); extremism is the lexicon scorer alone. ``lexicon``
        replaces the model's glossary features for this call (a curated glossary);
        ``lexicon_features`` passes them precomputed and ``normalized`` the
        texts already normalised (the service does both to normalise once).
        """
        out: dict[str, np.ndarray] = {}
        if lexicon_features is not None:
            lex = lexicon_features
        else:
            lex = (lexicon or self.lexicon).transform(texts)
        incitement = self.incitement.predict_proba(lex)[:, 1]
        # A model trained with --task hate_type alone has no binary head but still
        # needs the text features for its hate type head.
        if any(t in self.heads for t in (*BINARY_TASKS, "hate_type")):
            if normalized is not None:
                X = self.features.transform(normalized, normalized=True)
            else:
                X = self.features.transform(texts)
            for task in BINARY_TASKS:  # offensive first: hate may be conditioned on it
                if task in self.heads:
                    out[task] = positive_proba(self.heads[task], X, out.get("offensive"))
            if "hate_type" in self.heads:
                out["hate_type"] = self.heads["hate_type"].predict_proba(X)
        out["violence"] = 1 - (1 - out.get("violence", np.zeros(len(texts)))) * (1 - incitement)
        # The head's tuned threshold can sit far above what a glossary call to kill
        # scores alone; callers label violence when either source is over its own cut.
        out["violence_lexicon"] = incitement
        out["extremism"] = self.extremism.predict_proba(lex)[:, 1]
        return out

    def save(self, directory: str | Path) -> Path:
        """Write the model to ``directory/model.joblib`` and return the path."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        target = path / MODEL_FILE
        # The matcher (a C automaton) is rebuilt from the glossary at load time.
        lexicon, self.lexicon = self.lexicon, GlossaryFeatures(categories=self.lexicon.categories)
        try:
            joblib.dump(self, target, compress=3)
        finally:
            self.lexicon = lexicon
        return target


def _restore(model: DetectorModel, glossary: Glossary | None) -> DetectorModel:
    model.lexicon.glossary = glossary
    model.lexicon.fit([""])
    return model


def load_model(path: str | Path, *, glossary: Glossary | None = None) -> DetectorModel:
    """Load a model from a directory (or its ``model.joblib``).

    A directory holding a Hugging Face model (``config.json``, no
    ``model.joblib``) is loaded through :class:`TransformerClassifier` from the
    local files only (see :func:`load_transformer_model`).

    Only load model files you trust: joblib files can run code when loaded.

    Raises
    ------
    InvalidInput
        ``err_model_not_found`` / ``err_model_invalid`` naming the path.
    """
    p = Path(path)
    if p.is_dir():
        if not (p / MODEL_FILE).is_file() and (p / HF_CONFIG).is_file():
            return load_transformer_model(p, glossary=glossary)
        p = p / MODEL_FILE
    if not p.is_file():
        raise InvalidInput("err_model_not_found", "no model file here", str(p))
    start = time.perf_counter()
    try:
        model = joblib.load(p)
    except Exception as exc:  # a corrupt or foreign file: say so, do not crash
        raise InvalidInput("err_model_invalid", f"cannot read model ({exc})", str(p)) from None
    if not isinstance(model, DetectorModel) or model.format != FORMAT:
        raise InvalidInput("err_model_invalid", "not a Marsad detector model", str(p))
    log.debug("loaded %s in %.2fs", p, time.perf_counter() - start)
    return _restore(model, glossary)


class _Passthrough:
    """The "features" of a transformer head: the texts themselves (it tokenises them)."""

    def transform(self, texts: list[str], *, normalized: bool = False) -> list[str]:  # noqa: ARG002
        return list(texts)

    def get_params(self) -> dict[str, Any]:
        return {}


class TransformerHead:
    """A :class:`TransformerClassifier` as one binary head of a :class:`DetectorModel`.

    ``predict_proba`` returns (1 - p, p) with p the probability of the model's
    positive label, and ``threshold_`` is the decision threshold, as the
    linear heads have them.
    """

    def __init__(self, classifier: TransformerClassifier, positive: int, threshold: float) -> None:
        self.classifier = classifier
        self.positive_ = positive
        self.threshold_ = threshold
        self.classes_ = np.array(["0", "1"])

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = self.classifier.predict_proba(texts)[:, self.positive_]
        return np.column_stack([1 - p, p])

    def get_params(self) -> dict[str, Any]:
        return {**self.classifier.get_params(), "positive": self.positive_}


def _folder_digest(folder: Path) -> str:
    """SHA-256 over the folder's config, tokenizer and weight files (its identity)."""
    digest = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        if f.is_file():
            digest.update(f.name.encode() + b"\0")
            with f.open("rb") as handle:
                for block in iter(lambda h=handle: h.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def load_transformer_model(
    folder: str | Path, *, glossary: Glossary | None = None, device: str | None = None
) -> DetectorModel:
    """Wrap a local, fine-tuned Hugging Face classifier as a :class:`DetectorModel`.

    The folder is opened with ``local_files_only=True``: nothing is downloaded.
    It runs on the GPU when one is present (``device=None``).

    The model must have two labels. It scores the task named by
    ``marsad_task`` in its ``config.json`` (default ``offensive``); the positive
    label is the one named like the task, ``1``, ``OFF``, ``HS`` or
    ``LABEL_1``, else the second. ``marsad_threshold`` (default 0.5) is its
    decision threshold. Violence and extremism also come from the glossary, as
    with the shipped model.

    Raises
    ------
    InvalidInput
        ``err_model_invalid`` naming the folder (unreadable config, not two
        labels, unknown task, or the ``transformers`` extra missing).
    """
    path = Path(folder)
    where = str(path)
    try:
        config = json.loads((path / HF_CONFIG).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            "err_model_invalid",
            _("cannot read {file} ({error})").format(file=HF_CONFIG, error=exc),
            where,
        ) from None
    task = str(config.get("marsad_task", "offensive"))
    if task not in BINARY_TASKS:
        raise InvalidInput(
            "err_model_invalid",
            _("marsad_task must be one of {tasks}, got {task}").format(
                tasks=", ".join(BINARY_TASKS), task=repr(task)
            ),
            where,
        )
    threshold = float(config.get("marsad_threshold", 0.5))
    if not 0.0 < threshold < 1.0:
        raise InvalidInput(
            "err_model_invalid", _("marsad_threshold must be between 0 and 1"), where
        )
    classifier = TransformerClassifier(model_dir=str(path), device=device)
    start = time.perf_counter()
    try:
        classifier.fit()
    except ImportError as exc:
        raise InvalidInput("err_model_invalid", str(exc), where) from None
    except (OSError, ValueError) as exc:  # missing weights or tokenizer files
        raise InvalidInput(
            "err_model_invalid",
            _("cannot load the Hugging Face model ({error})").format(error=exc),
            where,
        ) from None
    names = [str(c) for c in classifier.classes_]
    if len(names) != 2:
        raise InvalidInput(
            "err_model_invalid",
            _("a Marsad head has two labels; this model has {n}").format(n=len(names)),
            where,
        )
    wanted = {task.lower(), "1", "off", "hs", "label_1", "true", "positive"}
    positive = next((i for i, n in enumerate(names) if n.lower() in wanted), 1)
    lexicon, extremism, incitement = lexicon_heads(glossary)
    digest = _folder_digest(path)
    version = f"hf-{path.resolve().name[:40]}+{digest[:8]}"
    log.debug("loaded %s in %.2fs", path, time.perf_counter() - start)
    return DetectorModel(
        version=version,
        features=_Passthrough(),  # type: ignore[arg-type]
        heads={task: TransformerHead(classifier, positive, threshold)},  # type: ignore[dict-item]
        lexicon=lexicon,
        extremism=extremism,
        incitement=incitement,
        metadata={
            "source": "huggingface",
            "path": str(path.resolve()),
            "task": task,
            "labels": names,
            "device": classifier.device_,
            "glossary_version": lexicon.glossary_version_,
            "folder_sha256": digest,
            "thresholds": {task: threshold},
        },
    )


def default_model_path() -> Path:
    """Path of the model shipped in the package."""
    return Path(str(resources.files("marsad.detect").joinpath("data", MODEL_FILE)))


@functools.cache
def load_default_model() -> DetectorModel:
    """Load (once per process) the model shipped in ``marsad/detect/data``."""
    return load_model(default_model_path())


def _stamp(path: Path) -> float:
    """When the model in ``path`` last changed (a retrained folder is loaded afresh)."""
    if path.is_dir():
        return max((f.stat().st_mtime for f in path.iterdir() if f.is_file()), default=0.0)
    return path.stat().st_mtime if path.exists() else 0.0


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, stamp: float) -> DetectorModel:  # noqa: ARG001 - the cache key
    return load_model(path)


def load_configured_model(path: str | Path | None = None, *, settings: Any = None) -> DetectorModel:
    """The model to flag with: ``path``, else ``MARSAD_DETECT_MODEL``, else the shipped one.

    ``settings`` is the settings tree in use (its ``detect`` section names the
    model); without it the settings are read from the environment and the file.
    Loaded once per process and folder (again when the folder's model file changes).
    """
    if path is None:
        if settings is None:
            from marsad.core.settings import load_settings

            settings = load_settings()
        path = settings.detect.detect_model
    if path is None or not str(path):
        return load_default_model()
    p = Path(path).resolve()
    return _load_cached(str(p), _stamp(p))
