"""Which levers lift the linear heads: NB-LR, char/word ensembles, per-language heads, thresholds.

    nice python bench/detect_levers.py [DATA_DIR] [--task offensive|hate] [--variants a,b]

Prints per-set macro-F1 (osact2020, osact2022, t_hsab, mlma_ar, mlma_en) for each
variant and combination, as in docs/model-card.md ("What was tried for 1.2").

Protocol, cheaper than ``bench/detect_crossval.py`` so that many variants fit in
an afternoon on one core:

* the five sets are deduplicated together (``train.dedupe``) and split into the
  same 5 stratified folds per set as ``evaluate.cross_dataset_report``;
* for each fold, one linear model per variant is trained on the other four folds
  of every set (balanced weights, as the shipped recipe) and scores its fold:
  every post gets one out-of-fold raw score per variant;
* the Platt calibration and the macro-F1 threshold used to predict fold k are
  fitted on the out-of-fold scores of the *other* folds, never on fold k;
  ensembles average the calibrated probabilities of their members;
* the hashed features' IDF is fitted once on all texts (no labels), so
  figures differ from ``detect_crossval.py`` by about ±0.005.

Variant names: a feature set (``joint`` = the shipped char 2-5 + word 1-2,
``char``, ``word``), then ``-nb`` for NB log-count-ratio scaling, ``-C<x>`` for
the regularisation, ``-ar``/``-en`` to train and test on one language only.
Combinations join variants with ``+``; a suffix ``:F`` uses the fixed threshold
0.5, ``:L`` one threshold per language (Arabic sets, English set).
About 2 minutes per variant and task on one core.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from marsad.detect.classifiers import HashedNgramFeatures
from marsad.detect.train import Dataset, balanced_weights, dedupe, read_dataset

NAMES = ["osact2020_train", "osact2022_train", "t_hsab", "mlma_ar", "mlma_en"]
ENGLISH = 4  # index of mlma_en
FEATURES = {
    "joint": {},
    "char": {"word_ngram_range": (0, 0)},
    "word": {"char_ngram_range": (1, 0)},
}
VARIANTS = "joint,joint-nb,char,word,char-nb,word-nb,joint-ar,joint-en,joint-nb-en"
REPORT = [
    "joint",
    "joint:F",
    "joint:L",
    "joint-nb",
    "joint-nb:F",
    "joint-nb:L",
    "char",
    "word",
    "char+word",
    "char-nb",
    "word-nb",
    "char-nb+word-nb",
    "joint-nb+char-nb+word-nb",
    "joint-ar",
    "joint-en",
    "joint-nb-en",
]


def nb_ratio(X: sp.csr_matrix, y: np.ndarray, w: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NB log-count ratio of each column (as ``CalibratedLinearClassifier(nb_alpha=...)``)."""
    present = (X != 0).astype(np.float64)
    p = alpha + np.asarray(present[y == 1].T @ w[y == 1]).ravel()
    q = alpha + np.asarray(present[y == 0].T @ w[y == 0]).ravel()
    return np.log(p / p.sum()) - np.log(q / q.sum())


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    cuts = np.linspace(0.05, 0.95, 91)
    f1s = [f1_score(y, p >= t, average="macro") for t in cuts]
    return float(cuts[int(np.argmax(f1s))])


class Bench:
    def __init__(self, root: Path, task: str) -> None:
        self.task = task
        self.sets = dedupe([read_dataset(root / f"{n}.tsv", label_col=task) for n in NAMES])
        self.texts = [t for s in self.sets for t in s.texts]
        self.y = np.array([int(v) for s in self.sets for v in s.labels])
        self.set_of = np.concatenate([np.full(len(s.texts), i) for i, s in enumerate(self.sets)])
        self.fold = np.zeros(len(self.y), dtype=int)
        start = 0
        for s in self.sets:
            split = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
            for k, (_, test) in enumerate(split.split(np.zeros(len(s.labels)), s.labels)):
                self.fold[start + test] = k
            start += len(s.texts)
        self.matrices: dict[str, sp.csr_matrix] = {}
        self.oof: dict[str, np.ndarray] = {}

    def features(self, name: str) -> sp.csr_matrix:
        if name not in self.matrices:
            feats = HashedNgramFeatures(**FEATURES[name]).fit(self.texts)
            self.matrices[name] = feats.transform(self.texts).tocsr()
        return self.matrices[name]

    def weights(self, idx: np.ndarray) -> np.ndarray:
        """The shipped recipe's balanced weights for the rows ``idx`` (sorted by set)."""
        parts = []
        for i, s in enumerate(self.sets):
            rows = idx[self.set_of[idx] == i]
            if len(rows):
                parts.append(Dataset(s.name, [""] * len(rows), [str(v) for v in self.y[rows]], ""))
        return balanced_weights(parts)

    def run_variant(self, variant: str) -> None:
        """Out-of-fold raw scores of one variant (NaN where the variant does not score)."""
        name, *options = variant.split("-")
        nb = "nb" in options
        C = next((float(o[1:]) for o in options if o.startswith("C")), 4.0)
        language = next((o for o in options if o in ("ar", "en")), None)
        X = self.features(name)
        scores = np.full(len(self.y), np.nan)
        for k in range(5):
            train = np.flatnonzero(self.fold != k)
            test = np.flatnonzero(self.fold == k)
            if language is not None:  # train and test on one language's sets only
                english = language == "en"
                train = train[(self.set_of[train] == ENGLISH) == english]
                test = test[(self.set_of[test] == ENGLISH) == english]
            w = self.weights(train)
            X_train, X_test = X[train], X[test]
            if nb:
                scale = sp.diags(nb_ratio(X_train, self.y[train], w).astype(np.float32))
                X_train, X_test = X_train @ scale, X_test @ scale
            model = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
            model.fit(X_train, self.y[train], sample_weight=w)
            scores[test] = model.decision_function(X_test)
        self.oof[variant] = scores

    def balanced(self, idx: np.ndarray) -> np.ndarray:
        w = np.zeros(len(idx))
        for i in range(len(self.sets)):
            for c in (0, 1):
                cell = (self.set_of[idx] == i) & (self.y[idx] == c)
                if cell.any():
                    w[cell] = 1.0 / cell.sum()
        return w * len(w) / w.sum()

    def report(self, spec: str) -> list[float | None]:
        """Per-set macro-F1 of a variant or ensemble, thresholds fitted off the fold."""
        combo, _, mode = spec.partition(":")
        parts = [self.oof[v] for v in combo.split("+")]
        ok = np.all([~np.isnan(p) for p in parts], axis=0)
        predicted = np.zeros(len(self.y), dtype=bool)
        english = self.set_of == ENGLISH
        groups = [english, ~english] if mode == "L" else [np.ones(len(self.y), dtype=bool)]
        for k in range(5):
            for group in groups:
                fit = np.flatnonzero(ok & group & (self.fold != k))
                test = np.flatnonzero(ok & group & (self.fold == k))
                if not len(test):
                    continue
                w = self.balanced(fit)
                p_fit, p_test = [], []
                for s in parts:
                    platt = LogisticRegression(C=1e4)
                    platt.fit(s[fit, None], self.y[fit], sample_weight=w)
                    p_fit.append(platt.predict_proba(s[fit, None])[:, 1])
                    p_test.append(platt.predict_proba(s[test, None])[:, 1])
                cut = 0.5 if mode == "F" else best_threshold(self.y[fit], np.mean(p_fit, axis=0))
                predicted[test] = np.mean(p_test, axis=0) >= cut
        out: list[float | None] = []
        for i in range(len(self.sets)):
            rows = ok & (self.set_of == i)
            out.append(
                round(float(f1_score(self.y[rows], predicted[rows], average="macro")), 3)
                if rows.any()
                else None
            )
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default="../shared/datasets")
    parser.add_argument("--task", default="offensive", choices=["offensive", "hate"])
    parser.add_argument("--variants", default=VARIANTS)
    parser.add_argument("--report", default=",".join(REPORT))
    args = parser.parse_args()
    bench = Bench(Path(args.data), args.task)
    for variant in args.variants.split(","):
        start = time.perf_counter()
        bench.run_variant(variant)
        took = time.perf_counter() - start
        print(f"{variant}: {took:.0f} s", file=sys.stderr, flush=True)
    print(f"{args.task:10s} {'variant':28s} " + " ".join(f"{n[:9]:>9s}" for n in NAMES))
    for spec in args.report.split(","):
        if all(v in bench.oof for v in spec.partition(":")[0].split("+")):
            cells = ["-" if f is None else f"{f:.3f}" for f in bench.report(spec)]
            print(f"{args.task:10s} {spec:28s} " + " ".join(f"{c:>9s}" for c in cells))


if __name__ == "__main__":
    main()
