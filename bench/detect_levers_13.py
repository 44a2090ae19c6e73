"""The levers tried for model 1.3: hate conditioned on offensive, set weights, C, more features.

    nice python bench/detect_levers_13.py [DATA_DIR] --lever LEVER [--set-weights W,W,W,W,W]

LEVER is one of:

* ``conditional``: hate scored directly (NB-LR, plain LR, both averaged) against
  ``P(offensive) · P(hate | offensive)``, the second factor from a head trained
  on the offensive posts only (NB-LR at C 4 or 16, plain LR), and averages;
* ``weights``: the offensive head at C 4, 8, 16 and hate conditioned on each,
  under ``--set-weights`` (osact2020, osact2022, t_hsab, mlma_ar, mlma_en);
* ``features``: offensive with other features: 2^21 hashed columns, emoji as
  tokens, character n-grams across word boundaries, char 2-6, word 1-3;
* ``augment``: "frustratingly easy" domain adaptation: each post's features
  copied into a shared block and its set's block, scored on the shared block;
* ``thresholds``: the threshold chosen on all sets pooled (shipped), on the
  Arabic sets only, on the mean of the Arabic sets' macro-F1, and per set
  (an oracle that needs to know the set: how much a threshold could give).

Protocol as ``bench/detect_levers.py`` (out of fold, 5 folds per set, stratified
here on the hate label; calibration and threshold for fold k fitted on the other
folds), so figures of one run compare with each other; moving the folds moves a
per-set score by up to ±0.01. Prints macro-F1 per set.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from detect_levers import NAMES, Bench, nb_ratio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from marsad.core.text import normalize
from marsad.detect.classifiers import HashedNgramFeatures
from marsad.detect.train import dedupe, read_dataset

CUTS = np.linspace(0.02, 0.95, 94)
FEATURE_NAMES = [
    "joint",
    "hashed-2^21",
    "joint+emoji",
    "joint+cross-word-char",
    "char-2-6",
    "word-1-3",
    "min-df-1",
    "binary",
]
MORE_FEATURES = {
    "joint": {},
    "hashed-2^21": {"n_features": 2**21},
    "char-2-6": {"char_ngram_range": (2, 6)},
    "word-1-3": {"word_ngram_range": (1, 3)},
    "min-df-1": {"min_df": 1},
}


class Levers(Bench):
    def __init__(self, root: Path, set_weights: list[float]) -> None:
        super().__init__(root, "hate")
        offensive = dedupe([read_dataset(root / f"{n}.tsv", label_col="offensive") for n in NAMES])
        assert [t for s in offensive for t in s.texts] == self.texts
        self.yo = np.array([int(v) for s in offensive for v in s.labels])
        self.yh = self.y
        self.set_weights = set_weights

    def cell_weights(self, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Each (set, class) cell the same total weight times its set's weight; mean 1."""
        w = np.zeros(len(idx))
        for i in np.unique(self.set_of[idx]):
            for c in (0, 1):
                cell = (self.set_of[idx] == i) & (y[idx] == c)
                if cell.any():
                    w[cell] = self.set_weights[i] / cell.sum()
        return w * len(w) / w.sum()

    def matrix(self, name: str) -> sp.csr_matrix:
        if name in self.matrices:
            return self.matrices[name]
        if name in MORE_FEATURES:
            feats = HashedNgramFeatures(**MORE_FEATURES[name]).fit(self.texts)
            X = feats.transform(self.texts).tocsr()
        elif name == "binary":  # presence, L2-normalised, no IDF (NBSVM's own features)
            X = self.matrix("joint").copy()
            X.data[:] = 1.0
            X = sp.diags(1.0 / np.sqrt(np.maximum(X.getnnz(axis=1), 1))) @ X
        elif name == "joint+emoji":  # every pictograph a token of its own
            emoji = TfidfVectorizer(
                analyzer=lambda t: _PICTOGRAPH.findall(t), sublinear_tf=True, min_df=2
            )
            X = sp.hstack([self.matrix("joint"), emoji.fit_transform(self.texts)]).tocsr()
        elif name == "joint+cross-word-char":  # char 3-5 across word boundaries
            norm = HashedNgramFeatures()._drop_ignored([normalize(t) for t in self.texts])
            chars = TfidfVectorizer(
                analyzer="char", ngram_range=(3, 5), sublinear_tf=True, min_df=2, dtype=np.float32
            )
            X = sp.hstack([self.matrix("joint"), chars.fit_transform(norm)]).tocsr()
        else:
            raise SystemExit(f"unknown features {name!r}")
        self.matrices[name] = X
        return X

    def oof_scores(
        self,
        y: np.ndarray,
        *,
        features: str = "joint",
        C: float = 4.0,
        nb: bool = True,
        subset: np.ndarray | None = None,
        augment: float = 0.0,
    ) -> np.ndarray:
        """Out-of-fold raw scores of a head of ``y``; ``subset`` limits the training rows."""
        X = self.matrix(features)
        scores = np.full(len(y), np.nan)
        for k in range(5):
            train = np.flatnonzero(self.fold != k)
            if subset is not None:
                train = train[subset[train]]
            test = np.flatnonzero(self.fold == k)
            w = self.cell_weights(y, train)
            X_train, X_test = X[train], X[test]
            if nb:
                scale = sp.diags(nb_ratio(X_train, y[train], w).astype(np.float32))
                X_train, X_test = X_train @ scale, X_test @ scale
            if augment:
                own = [
                    sp.diags((self.set_of[train] == i).astype(np.float32) * augment) @ X_train
                    for i in range(len(self.sets))
                ]
                X_train = sp.hstack([X_train, *own]).tocsr()
            model = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
            model.fit(X_train, y[train], sample_weight=w)
            n = X_test.shape[1]
            scores[test] = X_test @ model.coef_[0][:n] + model.intercept_[0]
        return scores

    def platt(self, s, y, fit, test, rows=None):
        """Calibrated probabilities of ``fit`` and ``test`` rows (sigmoid fitted on ``fit``)."""
        on = fit if rows is None else fit[rows[fit]]
        platt = LogisticRegression(C=1e4).fit(
            s[on, None], y[on], sample_weight=self.cell_weights(y, on)
        )
        return platt.predict_proba(s[fit, None])[:, 1], platt.predict_proba(s[test, None])[:, 1]

    def single(self, s, y):
        return lambda fit, test: self.platt(s, y, fit, test)

    def product(self, offensive, conditional):
        def probabilities(fit, test):
            of, ot = self.platt(offensive, self.yo, fit, test)
            cf, ct = self.platt(conditional, self.yh, fit, test, rows=self.yo == 1)
            return of * cf, ot * ct

        return probabilities

    @staticmethod
    def mean(*members):
        def probabilities(fit, test):
            parts = [m(fit, test) for m in members]
            return np.mean([p[0] for p in parts], 0), np.mean([p[1] for p in parts], 0)

        return probabilities

    def score(self, y, probabilities, objective="pooled"):
        """Per-set macro-F1 with the threshold for fold k chosen on the other folds."""
        predicted = np.zeros(len(y), dtype=bool)
        arabic = self.set_of != len(self.sets) - 1
        for k in range(5):
            fit, test = np.flatnonzero(self.fold != k), np.flatnonzero(self.fold == k)
            p_fit, p_test = probabilities(fit, test)
            if objective == "per set":
                for i in range(len(self.sets)):
                    f, t = self.set_of[fit] == i, self.set_of[test] == i
                    cut = _best(y[fit][f], p_fit[f])
                    predicted[test[t]] = p_test[t] >= cut
                continue
            if objective == "Arabic pooled":
                cut = _best(y[fit][arabic[fit]], p_fit[arabic[fit]])
            elif objective == "Arabic mean":
                sets = [self.set_of[fit] == i for i in range(len(self.sets) - 1)]
                f1s = [np.mean([_f1(y[fit][s], p_fit[s] >= c) for s in sets]) for c in CUTS]
                cut = CUTS[int(np.argmax(f1s))]
            else:
                cut = _best(y[fit], p_fit)
            predicted[test] = p_test >= cut
        return [
            _f1(y[self.set_of == i], predicted[self.set_of == i]) for i in range(len(self.sets))
        ]


def _f1(y, predicted) -> float:
    return float(f1_score(y, predicted, average="macro"))


def _best(y, p) -> float:
    return float(CUTS[int(np.argmax([_f1(y, p >= c) for c in CUTS]))])


def _pictographs():
    import regex

    return regex.compile(r"\p{Extended_Pictographic}")


_PICTOGRAPH = _pictographs()


def show(task: str, name: str, cells: list[float]) -> None:
    print(f"{task:9s} {name:36s} " + " ".join(f"{c:9.3f}" for c in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default="../shared/datasets")
    parser.add_argument(
        "--lever",
        required=True,
        choices=["conditional", "weights", "features", "augment", "thresholds"],
    )
    parser.add_argument("--set-weights", default="1,1,1,1,1")
    parser.add_argument("--features", default=",".join(FEATURE_NAMES), help="for --lever features")
    args = parser.parse_args()
    b = Levers(Path(args.data), [float(w) for w in args.set_weights.split(",")])
    start = time.perf_counter()
    print(f"set weights {b.set_weights}; task      variant " + " ".join(n[:9] for n in NAMES))
    offensive_rows = b.yo == 1
    if args.lever == "conditional":
        offensive = b.oof_scores(b.yo)
        direct, plain = b.oof_scores(b.yh), b.oof_scores(b.yh, nb=False)
        show("hate", "NB-LR direct", b.score(b.yh, b.single(direct, b.yh)))
        show("hate", "plain LR direct", b.score(b.yh, b.single(plain, b.yh)))
        show(
            "hate",
            "NB-LR + plain",
            b.score(b.yh, b.mean(b.single(direct, b.yh), b.single(plain, b.yh))),
        )
        for name, options in (
            ("NB-LR C4", {}),
            ("NB-LR C16", {"C": 16.0}),
            ("plain", {"nb": False}),
        ):
            conditional = b.oof_scores(b.yh, subset=offensive_rows, **options)
            product = b.product(offensive, conditional)
            show("hate", f"off x ({name} | off)", b.score(b.yh, product))
            show(
                "hate",
                f"off x ({name} | off) + plain",
                b.score(b.yh, b.mean(product, b.single(plain, b.yh))),
            )
    elif args.lever == "weights":
        conditional = b.oof_scores(b.yh, subset=offensive_rows)
        for C in (4.0, 8.0, 16.0):
            offensive = b.oof_scores(b.yo, C=C)
            show("offensive", f"NB-LR C{C:g}", b.score(b.yo, b.single(offensive, b.yo)))
            show(
                "hate", f"off C{C:g} x (C4 | off)", b.score(b.yh, b.product(offensive, conditional))
            )
    elif args.lever == "features":
        for name in args.features.split(","):
            offensive = b.oof_scores(b.yo, features=name, C=8.0)
            show("offensive", f"{name} C8", b.score(b.yo, b.single(offensive, b.yo)))
    elif args.lever == "augment":
        for augment in (0.0, 1.0):
            offensive = b.oof_scores(b.yo, C=8.0, augment=augment)
            show("offensive", f"C8 augment {augment:g}", b.score(b.yo, b.single(offensive, b.yo)))
            conditional = b.oof_scores(b.yh, subset=offensive_rows, augment=augment)
            show(
                "hate",
                f"off x (C4 | off) augment {augment:g}",
                b.score(b.yh, b.product(offensive, conditional)),
            )
    else:
        offensive = b.oof_scores(b.yo)
        conditional = b.oof_scores(b.yh, subset=offensive_rows)
        direct = b.oof_scores(b.yh)
        for objective in ("pooled", "Arabic pooled", "Arabic mean", "per set"):
            show(
                "offensive",
                f"NB-LR, {objective}",
                b.score(b.yo, b.single(offensive, b.yo), objective),
            )
            show(
                "hate",
                f"NB-LR direct, {objective}",
                b.score(b.yh, b.single(direct, b.yh), objective),
            )
            show(
                "hate",
                f"off x (C4 | off), {objective}",
                b.score(b.yh, b.product(offensive, conditional), objective),
            )
    print(f"{time.perf_counter() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
