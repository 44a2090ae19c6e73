"""Levers tried after model 1.3: per-set blocks scored through a gate that guesses the set.

    nice python bench/detect_levers_14.py [DATA_DIR] --lever LEVER [--set-weights W,W,W,W,W]

LEVER is one of:

* ``gate``: "frustratingly easy" domain adaptation (each post's features copied
  into a shared block and its set's block), scored with the shared block plus
  the set blocks weighted by ``P(set | post)`` from a multinomial logistic
  regression on the same features (the gate); also the oracle that is told the
  set, and the shared block alone (1.3's ``augment`` lever).

Protocol as ``bench/detect_levers_13.py`` (out of fold, 5 folds per set,
calibration and threshold for fold k fitted on the other folds; the gate for
fold k is trained on the other folds too). Prints macro-F1 per set.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from detect_levers import NAMES, nb_ratio
from detect_levers_13 import Levers, show
from sklearn.linear_model import LogisticRegression

from marsad.detect.blocks import expand


class Gate(Levers):
    def gate_probabilities(self, features: str = "joint") -> np.ndarray:
        """Out-of-fold P(set | post), one column per set."""
        X = self.matrix(features)
        out = np.zeros((len(self.y), len(self.sets)))
        for k in range(5):
            train, test = np.flatnonzero(self.fold != k), np.flatnonzero(self.fold == k)
            gate = LogisticRegression(C=4.0, max_iter=300)
            gate.fit(X[train], self.set_of[train])
            out[test] = gate.predict_proba(X[test])
        return out

    def gated_scores(
        self,
        y: np.ndarray,
        gate: np.ndarray,
        *,
        C: float = 8.0,
        augment: float = 1.0,
        subset: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Out-of-fold raw scores: shared block only, oracle set block, gated set blocks."""
        X = self.matrix("joint")
        n_sets = len(self.sets)
        out = {name: np.full(len(y), np.nan) for name in ("shared", "oracle", "gated")}
        for k in range(5):
            train = np.flatnonzero(self.fold != k)
            if subset is not None:
                train = train[subset[train]]
            test = np.flatnonzero(self.fold == k)
            w = self.cell_weights(y, train)
            scale = sp.diags(nb_ratio(X[train], y[train], w).astype(np.float32))
            X_train, X_test = X[train] @ scale, X[test] @ scale
            own_set = np.eye(n_sets, dtype=np.float32)[self.set_of[train]] * augment
            model = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
            model.fit(expand(X_train, own_set), y[train], sample_weight=w)
            n = X_test.shape[1]
            coef = model.coef_[0]
            shared = X_test @ coef[:n] + model.intercept_[0]
            blocks = np.column_stack(
                [X_test @ coef[n * (i + 1) : n * (i + 2)] * augment for i in range(n_sets)]
            )
            out["shared"][test] = shared
            out["oracle"][test] = shared + blocks[np.arange(len(test)), self.set_of[test]]
            out["gated"][test] = shared + (blocks * gate[test]).sum(axis=1)
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default="../shared/datasets")
    parser.add_argument("--lever", required=True, choices=["gate"])
    parser.add_argument("--set-weights", default="1,1,1,1,1")
    parser.add_argument("--C", type=float, default=8.0)
    args = parser.parse_args()
    b = Gate(Path(args.data), [float(w) for w in args.set_weights.split(",")])
    start = time.perf_counter()
    print(f"set weights {b.set_weights}; task      variant " + " ".join(n[:9] for n in NAMES))
    gate = b.gate_probabilities()
    right = gate.argmax(axis=1) == b.set_of
    print(
        "gate: set guessed right "
        + " ".join(f"{right[b.set_of == i].mean():.3f}" for i in range(len(b.sets))),
        flush=True,
    )
    base_off = b.oof_scores(b.yo, C=args.C)
    show("offensive", f"NB-LR C{args.C:g} (no blocks)", b.score(b.yo, b.single(base_off, b.yo)))
    off = b.gated_scores(b.yo, gate, C=args.C)
    for name, s in off.items():
        show("offensive", f"C{args.C:g} blocks, {name}", b.score(b.yo, b.single(s, b.yo)))
    base_cond = b.oof_scores(b.yh, subset=b.yo == 1)
    show("hate", "1.3 off x (C4 | off)", b.score(b.yh, b.product(b.oof_scores(b.yo), base_cond)))
    cond = b.gated_scores(b.yh, gate, C=4.0, subset=b.yo == 1)
    for name in ("shared", "oracle", "gated"):
        show("hate", f"blocks {name}", b.score(b.yh, b.product(off[name], cond[name])))
    print(f"{time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
