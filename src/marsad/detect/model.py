"""The stored detector: shared text features, one calibrated head per task, metadata.

A :class:`DetectorModel` is what ``marsad detect train`` writes and what the
service loads. It is saved with joblib together with the provenance every Flag
must carry: the model version string, each head's ``get_params()``, the
glossary version it was trained with and a SHA-256 of the training data.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from marsad.core.errors import InvalidInput
from marsad.detect.classifiers import (
    CalibratedLinearClassifier,
    GlossaryFeatures,
    HashedNgramFeatures,
    LexiconScorer,
)
from marsad.detect.glossary import Glossary

__all__ = [
    "BINARY_TASKS",
    "TASKS",
    "DetectorModel",
    "default_model_path",
    "load_default_model",
    "load_model",
]

log = logging.getLogger(__name__)

BINARY_TASKS = ("offensive", "hate", "violence")
TASKS = (*BINARY_TASKS, "extremism")
MODEL_FILE = "model.joblib"
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
        ``"hate_type"`` when the data had target types.
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
    heads: dict[str, CalibratedLinearClassifier]
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
        if any(t in self.heads for t in BINARY_TASKS):
            if normalized is not None:
                X = self.features.transform(normalized, normalized=True)
            else:
                X = self.features.transform(texts)
            for task in BINARY_TASKS:
                if task in self.heads:
                    out[task] = self.heads[task].predict_proba(X)[:, 1]
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

    Only load model files you trust: joblib files can run code when loaded.

    Raises
    ------
    InvalidInput
        ``err_model_not_found`` / ``err_model_invalid`` naming the path.
    """
    p = Path(path)
    if p.is_dir():
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


def default_model_path() -> Path:
    """Path of the model shipped in the package."""
    return Path(str(resources.files("marsad.detect").joinpath("data", MODEL_FILE)))


@functools.cache
def load_default_model() -> DetectorModel:
    """Load (once per process) the model shipped in ``marsad/detect/data``."""
    return load_model(default_model_path())
