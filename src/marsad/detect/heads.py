"""A head for a label that implies another: hate speech is always offensive.

``P(hate) = P(offensive) · P(hate | offensive)``. The second factor comes from a
head trained only on the offensive posts, where hate is a quarter of the rows
rather than a twentieth and the head learns what tells hate apart from other
insults, instead of relearning what is offensive. Measured with
``bench/detect_levers_13.py --lever conditional`` (docs/model-card.md, "Changed in 1.3").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from marsad.detect.classifiers import CalibratedLinearClassifier, best_threshold

__all__ = ["ConditionalHead", "fit_conditional", "positive_proba"]


class ConditionalHead(ClassifierMixin, BaseEstimator):
    """Scores ``P(given) · P(label | given)`` with two fitted binary heads.

    Parameters
    ----------
    given : CalibratedLinearClassifier or GatedHead
        The fitted head of the implied label (the model's own offensive head:
        pickled once, as one object, with the model).
    head : CalibratedLinearClassifier or GatedHead
        The fitted head of the label among the rows where ``given`` holds
        (:mod:`marsad.detect.blocks`: with set blocks since model 1.4).
    threshold : float
        Predict the label when the product is at least this (chosen on
        out-of-fold products by :func:`fit_conditional`).
    """

    def __init__(
        self,
        given: Any = None,
        head: Any = None,
        threshold: float = 0.5,
    ) -> None:
        self.given = given
        self.head = head
        self.threshold = threshold

    def fit(self, X: Any, y: Any) -> ConditionalHead:  # noqa: ARG002 - both heads come fitted
        """Take the classes and threshold of the fitted heads; use :func:`fit_conditional`."""
        for part in (self.given, self.head):  # a CalibratedLinearClassifier or a GatedHead
            if not hasattr(part, "threshold_"):
                raise ValueError(f"{type(part).__name__} is not fitted")
        self.classes_ = self.head.classes_
        self.threshold_ = float(self.threshold)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Two columns, ``1 - p`` and ``p``, with ``p = P(given) · P(label | given)``."""
        p = self.positive_proba(X, self.given.predict_proba(X)[:, 1])
        return np.column_stack([1 - p, p])

    def positive_proba(self, X: Any, given: np.ndarray) -> np.ndarray:
        """``P(label)`` when ``given`` (the implied label's probabilities) is already scored."""
        check_is_fitted(self, "threshold_")
        return given * self.head.predict_proba(X)[:, 1]

    def predict(self, X: Any) -> np.ndarray:
        """The label where the product reaches ``threshold_``."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= self.threshold_).astype(int)]

    def describe(self) -> dict[str, Any]:
        """JSON-ready parameters for the model's metadata (the heads' own ``get_params``)."""
        head = self.head.describe() if hasattr(self.head, "describe") else self.head.get_params()
        return {"conditional_on": "offensive", **head}


def positive_proba(head: Any, X: Any, offensive: np.ndarray | None = None) -> np.ndarray:
    """A head's probabilities of the label; ``offensive``: that head's scores, already computed."""
    if isinstance(head, ConditionalHead):
        if offensive is None:
            offensive = head.given.predict_proba(X)[:, 1]
        return head.positive_proba(X, offensive)
    return head.predict_proba(X)[:, 1]


def fit_conditional(
    given: CalibratedLinearClassifier,
    prototype: CalibratedLinearClassifier,
    X: Any,
    y: np.ndarray,
    *,
    given_labels: Sequence[int | None],
    given_oof: Sequence[float | None],
    weights: Any,
) -> tuple[ConditionalHead, np.ndarray] | None:
    """Fit the head of ``y`` on the rows where the implied label holds; None if it cannot.

    Returns the head and its out-of-fold probabilities of ``y`` (what its
    threshold was chosen on).

    Parameters
    ----------
    given : CalibratedLinearClassifier
        The fitted head of the implied label.
    prototype : CalibratedLinearClassifier
        Unfitted parameters for the conditional head; a fixed ``threshold`` is
        the product's, ``"auto"`` chooses it.
    X, y : the rows of the task and their 0/1 labels.
    given_labels : per row, the implied label when known (None: unknown). A row
        labelled 1 counts as implying it whatever this says.
    given_oof : per row, the out-of-fold probability ``given`` was calibrated
        on, when the row was in its training data (None: score it with ``given``).
    weights : callable
        ``weights(mask) -> sample weights`` for the rows selected by ``mask``
        (balanced per data set, as every head is trained).

    The threshold maximises macro-F1 of the product on rows no head saw in
    training: out-of-fold for the rows each head was trained on, and the
    conditional head's own score for the rows it was not (those not implying
    the label).
    """
    y = np.asarray(y, dtype=int)
    implied = np.array([label == 1 for label in given_labels]) | (y == 1)
    if implied.sum() < 10 or len(np.unique(y[implied])) < 2:
        return None  # too few posts implying the label to learn the difference
    head = CalibratedLinearClassifier(**prototype.get_params())
    head.set_params(threshold="auto", class_weight=None)
    p_head = np.zeros(len(y))
    p_head[implied] = head.fit_oof(X[implied], y[implied], sample_weight=weights(implied))
    if (~implied).any():
        p_head[~implied] = head.predict_proba(X[~implied])[:, 1]
    p_given = np.array([np.nan if p is None else float(p) for p in given_oof])
    unknown = np.isnan(p_given)
    if unknown.any():
        p_given[unknown] = given.predict_proba(X[unknown])[:, 1]
    auto = prototype.threshold == "auto"
    threshold = best_threshold(y, p_given * p_head) if auto else float(prototype.threshold)
    fitted = ConditionalHead(given=given, head=head, threshold=threshold).fit(X, y)
    return fitted, p_given * p_head
