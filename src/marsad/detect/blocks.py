"""Set blocks: a head with a shared part and a part per data set, mixed by a gate.

The labelled sets disagree on what "offensive" and "hate" mean (OSACT's
offensive, MLMA's hostility, T-HSAB's abusive). One linear head over all of
them learns a compromise. Here each post's features are copied into a shared
block and into the block of its own set ("frustratingly easy" domain
adaptation, Daumé III 2007): the shared weights learn what every set agrees on,
a set's block how that set's labels differ. A post to score has no set, so a
gate, ``P(set | post)`` from a one-vs-rest logistic regression on the same
features, mixes the blocks::

    score(x) = x·w_shared + Σ_d P(d | x) · x·w_d + b

A post that reads like OSACT 2022 is scored mostly by OSACT 2022's
conventions; a post like none of the sets (an Iraqi one) by the shared part
and a blend of the rest. Local labels (``--include-reviewed``) get a block of
their own. Measured with ``bench/detect_levers_14.py --lever gate`` and the
full protocol (docs/model-card.md, "Changed in 1.4").
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from marsad.detect.classifiers import CalibratedLinearClassifier, _sigmoid

__all__ = ["GatedHead", "SetGate", "expand"]

_ATTACH = threading.Lock()
_RUNTIME = ("_heads", "_joint", "_memo")  # built on first use, never pickled


class SetGate:
    """``P(set | post)``: one logistic regression per data set, normalised.

    One-vs-rest with liblinear rather than a multinomial fit: as accurate on
    the five sets (89-100 % of posts put in their own set, out of fold) and
    several times faster, which matters in the cross-validation protocol.
    The weights are stored one row per feature (``weights_``, features × sets).

    Scoring: the gate keeps its weights and those of every :class:`GatedHead`
    it mixes side by side in one matrix (built on first use, not stored), so
    the offensive and hate heads and the gate cost one sparse product: a
    hashed column's weights then lie in one run of memory, and the product is
    twice as fast as one per matrix. The last product is kept for as long as
    its feature matrix lives, since the heads ask about the same one in turn.
    """

    def __init__(self, C: float = 4.0) -> None:
        self.C = C

    def fit(self, X: Any, groups: Sequence[str]) -> SetGate:
        """Fit on feature rows ``X`` and the set name of each row (two sets or more)."""
        self.sets_ = tuple(dict.fromkeys(groups))
        if len(self.sets_) < 2:
            raise ValueError(f"a gate needs at least two sets, got {self.sets_!r}")
        names = np.asarray(groups)
        weights = np.zeros((X.shape[1], len(self.sets_)), dtype=np.float32)
        self.intercept_ = np.zeros(len(self.sets_))
        for i, name in enumerate(self.sets_):
            model = LogisticRegression(C=self.C, solver="liblinear", max_iter=1000)
            model.fit(X, (names == name).astype(int))
            weights[:, i] = model.coef_[0]
            self.intercept_[i] = model.intercept_[0]
        self.weights_ = weights
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """One column per entry of ``sets_``; rows sum to 1."""
        return self.mix(np.asarray(X @ self.weights_.astype(X.dtype, copy=False)))

    def attach(self, weights: np.ndarray) -> int:
        """Put a head's ``weights`` beside the gate's; return their first column there."""
        with _ATTACH:
            heads = self.__dict__.setdefault("_heads", [])
            offset = len(self.sets_)
            for known in heads:
                if known is weights:
                    return offset
                offset += known.shape[1]
            heads.append(weights)
            self._joint = np.ascontiguousarray(np.hstack([self.weights_, *heads]))
            self._memo = None
            return offset

    def products(self, X: Any) -> np.ndarray:
        """``X`` times the gate's and every attached head's weights, side by side."""
        joint = self.__dict__["_joint"]
        memo = self.__dict__.get("_memo")
        if memo is not None and memo[0]() is X and memo[1] is joint:
            return memo[2]
        out = np.asarray(X @ joint.astype(X.dtype, copy=False))
        out.flags.writeable = False
        self._memo = (weakref.ref(X), joint, out)
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _RUNTIME}

    def mix(self, raw: np.ndarray) -> np.ndarray:
        """:meth:`predict_proba` from the products ``X @ weights_`` (computed by a head)."""
        p = _sigmoid(raw + self.intercept_)
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)

    def one_hot(self, groups: Sequence[str]) -> np.ndarray:
        """The weights of rows whose set is known: 1 for its block (none if the gate lacks it)."""
        index = {name: i for i, name in enumerate(self.sets_)}
        out = np.zeros((len(groups), len(self.sets_)), dtype=np.float32)
        for row, name in enumerate(groups):
            if name in index:
                out[row, index[name]] = 1.0
        return out


def expand(X: Any, weights: np.ndarray) -> sp.csr_matrix:
    """``[X, w_1·X, …, w_k·X]``: the shared block and each set's block, scaled per row."""
    X = sp.csr_matrix(X)
    blocks = [X] + [sp.diags(weights[:, d].astype(X.dtype)) @ X for d in range(weights.shape[1])]
    return sp.hstack(blocks, format="csr")


class GatedHead:
    """A binary head fitted on expanded features, scored through the gate.

    Built by :meth:`from_fitted` from a :class:`CalibratedLinearClassifier`
    trained on ``expand(X, gate.one_hot(sets))``; keeps only the weights as a
    ``(n_features, 1 + n_sets)`` matrix, scored in the gate's one product
    (:meth:`SetGate.products`).
    """

    def __init__(
        self,
        gate: SetGate,
        weights: np.ndarray,
        intercept: float,
        calibration: tuple[float, float],
        threshold: float,
        classes: np.ndarray,
        params: dict[str, Any],
    ) -> None:
        self.gate = gate
        self.weights_ = weights
        self.intercept_ = intercept
        self.calibration_ = calibration
        self.threshold_ = threshold
        self.classes_ = classes
        self.params = params

    @classmethod
    def from_fitted(cls, gate: SetGate, head: CalibratedLinearClassifier) -> GatedHead:
        """Take ``head`` (two classes, fitted on expanded features) apart for scoring."""
        blocks = 1 + len(gate.sets_)
        coef = head.coef_[0]
        if coef.shape[0] % blocks:
            raise ValueError(f"{coef.shape[0]} weights do not split into {blocks} blocks")
        weights = np.ascontiguousarray(coef.reshape(blocks, -1).T, dtype=np.float32)
        a, b = head.calibration_[0]
        return cls(
            gate,
            weights,
            float(head.intercept_[0]),
            (float(a), float(b)),
            float(head.threshold_),
            head.classes_,
            head.get_params(),
        )

    def _logits(self, X: Any) -> np.ndarray:
        if X.shape[1] != self.weights_.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features, expected {self.weights_.shape[0]}")
        start = self.gate.attach(self.weights_)
        products = self.gate.products(X)
        blocks = self.weights_.shape[1]
        mine = products[:, start : start + blocks]
        mix = self.gate.mix(products[:, : len(self.gate.sets_)])
        scores = mine[:, 0] + (mine[:, 1:] * mix).sum(axis=1) + self.intercept_
        a, b = self.calibration_
        return a * scores + b

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, columns ``1 - p`` and ``p``."""
        p = _sigmoid(self._logits(X))
        return np.column_stack([1 - p, p])

    def decision_function(self, X: Any) -> np.ndarray:
        """``logit(p) - logit(threshold_)``: positive where :meth:`predict` says positive."""
        t = self.threshold_
        return self._logits(X) - np.log(t / (1 - t))

    def predict(self, X: Any) -> np.ndarray:
        """The label where the probability reaches ``threshold_``."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def describe(self) -> dict[str, Any]:
        """JSON-ready parameters for the model's metadata."""
        return {**self.params, "set_blocks": list(self.gate.sets_)}
