"""Estimators for the detectors, following the scikit-learn contract.

The text models are pipelines of small parts so that each part can be checked
on its own (``parametrize_with_checks`` needs numeric input):

* :class:`HashedNgramFeatures` — text → sparse TF-IDF of word-bounded
  character n-grams (2–5) and word n-grams (1–2) of the *normalised* text,
  hashed into a fixed number of columns. The n-grams are hashed with numpy over
  whole batches (no Python loop per n-gram), which is what makes ≥10,000
  posts/s on one core possible; a fixed column count also keeps the model
  file small and independent of the vocabulary.
* :class:`CalibratedLinearClassifier` — numeric features → logistic regression
  with Platt-scaled probabilities fitted on out-of-fold scores, and a
  configurable decision threshold (``"auto"`` picks the macro-F1-best one on
  out-of-fold scores).
* :class:`GlossaryFeatures` — text → counts of glossary hits per category and
  strength, and :class:`LexiconScorer` — those counts → a noisy-OR probability
  (no labels needed) or a fitted logistic model (when labels exist). Together
  they are the extremist-propaganda detector, for which no labelled data set
  exists here.
* :class:`TransformerClassifier` — optional: a local Hugging Face model.

Every estimator stores hyperparameters only in ``__init__``, validates in
``fit`` and returns ``self``, keeps learned state in attributes ending in ``_``
and returns ``predict_proba`` columns aligned with ``classes_``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from marsad.core.text import normalize
from marsad.detect.glossary import (
    CATEGORIES,
    Glossary,
    GlossaryMatch,
    GlossaryMatcher,
    load_default_glossary,
)

__all__ = [
    "CalibratedLinearClassifier",
    "GlossaryFeatures",
    "HashedNgramFeatures",
    "LexiconScorer",
    "TransformerClassifier",
]

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRIME = np.uint64(0x100000001B3)  # FNV prime: odd, so invertible mod 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)
_NONWORD = re.compile(r"[\W_]+")
_SEP = "\x01"  # separates documents in the batch string; never survives normalize()


def _as_texts(X: Any, name: str = "X") -> list[str]:
    """Validate a batch of texts (a list, tuple, 1-D array or Series of str)."""
    if isinstance(X, str):
        raise ValueError(f"{name} must be a sequence of texts, not one string")
    if hasattr(X, "ndim") and X.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (one text per row)")
    texts = list(X)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"{name}[{i}] is {type(t).__name__}, expected str")
    return texts


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _hash_windows(cp: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Hash every length-``n`` window of ``cp`` (uint64 arithmetic wraps on purpose)."""
    with np.errstate(over="ignore"):
        h = cp[: len(cp) - n + 1].copy()
        for k in range(1, n):
            h = h * _PRIME + cp[k : len(cp) - n + 1 + k]
        h ^= np.uint64(seed * 0x51ED27 + n)
        return h * _MIX


_SPACES = re.compile(r" {2,}")


@functools.cache
def _ignore_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word matcher of ``words`` in normalised text (longest first)."""
    forms = sorted({normalize(w) for w in words if normalize(w)}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)")


_POWERS: list[np.ndarray] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k mod 2**64 for k < n (cached, grown by doubling)."""
    if not _POWERS or len(_POWERS[0]) < n:
        size = max(n, 2 * len(_POWERS[0]) if _POWERS else 4096)
        inv = np.uint64(pow(int(_PRIME), -1, 2**64))
        with np.errstate(over="ignore"):
            one = np.ones(1, dtype=np.uint64)  # a Python int here would promote to float64
            fwd = np.concatenate((one, np.cumprod(np.full(size - 1, _PRIME, dtype=np.uint64))))
            back = np.concatenate((one, np.cumprod(np.full(size - 1, inv, dtype=np.uint64))))
        _POWERS[:] = [fwd, back]
    return _POWERS[0], _POWERS[1]


class HashedNgramFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of hashed character and word n-grams of normalised text.

    Parameters
    ----------
    char_ngram_range : tuple of int
        Lengths of the character n-grams, taken inside each word padded with
        one space on each side (``" كلب "``), like scikit-learn's ``char_wb``.
    word_ngram_range : tuple of int
        Lengths of the word n-grams (words are letter/digit runs).
    n_features : int
        Number of hashed columns (a power of two).
    min_df : int
        Columns seen in fewer training documents get zero weight.
    sublinear_tf : bool
        Use ``1 + log(tf)`` in place of raw counts.
    ignore_words : tuple of str
        Whole words deleted before any n-gram is taken. The default is the
        Arabic vocative particle يا (and its short spelling ي): OSACT 2020
        collected only tweets containing it (99.8 % do), and other sets have it
        mostly in insults, so a model that learns "يا" learns how a data set
        was collected, not what is offensive — with it, a model trained on the
        other Arabic sets flags two thirds of OSACT 2020 (macro-F1 0.49; 0.72
        without it), while in-domain scores do not change.
    """

    def __init__(
        self,
        char_ngram_range: tuple[int, int] = (2, 5),
        word_ngram_range: tuple[int, int] = (1, 2),
        n_features: int = 2**19,
        min_df: int = 2,
        sublinear_tf: bool = True,
        ignore_words: tuple[str, ...] = ("يا", "ي"),
    ) -> None:
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.n_features = n_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.ignore_words = ignore_words

    def _drop_ignored(self, norm: list[str]) -> list[str]:
        words = tuple(getattr(self, "ignore_words", ()))  # models saved before 1.1 lack it
        pattern = _ignore_pattern(words)
        if pattern is None:
            return norm
        return [_SPACES.sub(" ", pattern.sub(" ", t)).strip(" ") for t in norm]

    def _counts(self, texts: list[str], normalized: bool = False) -> sp.csr_matrix:
        n_docs = len(texts)
        bits = int(self.n_features).bit_length() - 1
        shift = np.uint64(64 - bits)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        norm = self._drop_ignored(texts if normalized else [normalize(t) for t in texts])

        # Character n-grams: one string " doc " + SEP per document.
        batch = "".join(f" {t} {_SEP}" for t in norm)
        cp = _codepoints(batch)
        doc_of = np.repeat(np.arange(n_docs), [len(t) + 3 for t in norm])
        space = np.concatenate(([0], np.cumsum(cp == 32)))
        sep = np.concatenate(([0], np.cumsum(cp == 1)))
        lo, hi = self.char_ngram_range
        for n in range(lo, hi + 1):
            if len(cp) < n:
                break
            starts = np.arange(len(cp) - n + 1)
            # no separator anywhere, no space strictly inside the window
            ok = (sep[starts + n] - sep[starts] == 0) & (
                space[starts + n - 1] - space[starts + 1] == 0
            )
            h = _hash_windows(cp, n, seed=1)[ok]
            rows.append(doc_of[starts[ok]])
            cols.append((h >> shift).astype(np.int64))

        # Word n-grams: polynomial hashes of words from prefix sums, combined for n > 1.
        wlo, whi = self.word_ngram_range
        if whi >= 1:
            batch = "".join(f"{_NONWORD.sub(' ', t)} {_SEP} " for t in norm)
            cp = _codepoints(batch)
            boundary = (cp == 32) | (cp == 1)
            starts = np.flatnonzero(~boundary & np.concatenate(([True], boundary[:-1])))
            ends = np.flatnonzero(~boundary & np.concatenate((boundary[1:], [True]))) + 1
            if len(starts):
                powers, inverse = _powers(len(cp) + 1)
                with np.errstate(over="ignore"):
                    terms = cp * powers[: len(cp)]
                    prefix = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum(terms)))
                    word_hash = (prefix[ends] - prefix[starts]) * inverse[starts]
                wdoc = np.cumsum(cp == 1)[starts]
                counts = np.bincount(wdoc, minlength=n_docs)
                pos = np.arange(len(starts)) - np.concatenate(([0], np.cumsum(counts)))[wdoc]
                with np.errstate(over="ignore"):
                    h = word_hash.copy()
                    for n in range(1, whi + 1):
                        if n > 1:
                            h = h[:-1] * _PRIME + word_hash[n - 1 :]
                        valid = pos[: len(h)] + n <= counts[wdoc[: len(h)]]
                        if n >= wlo:
                            mixed = (h ^ np.uint64(0xABCDEF + n)) * _MIX
                            rows.append(wdoc[: len(h)][valid])
                            cols.append((mixed[valid] >> shift).astype(np.int64))

        if rows:
            r = np.concatenate(rows)
            c = np.concatenate(cols)
        else:
            r = c = np.zeros(0, dtype=np.int64)
        data = np.ones(len(r), dtype=np.float32)
        X = sp.csr_matrix((data, (r, c)), shape=(n_docs, self.n_features), dtype=np.float32)
        X.sum_duplicates()
        return X

    def fit(self, X: Iterable[str], y: Any = None) -> HashedNgramFeatures:  # noqa: ARG002
        """Learn the inverse document frequencies of the hashed columns."""
        texts = _as_texts(X)
        if not texts:
            raise ValueError("cannot fit on zero texts")
        n = self.n_features
        if n < 2 or n & (n - 1):
            raise ValueError(f"n_features must be a power of two, got {n}")
        counts = self._counts(texts)
        df = np.bincount(counts.indices, minlength=self.n_features)
        idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        idf[df < self.min_df] = 0.0
        self.idf_ = idf.astype(np.float32)
        self.n_documents_ = len(texts)
        return self

    def transform(self, X: Iterable[str], *, normalized: bool = False) -> sp.csr_matrix:
        """Return the L2-normalised TF-IDF matrix of the texts.

        ``normalized=True`` says the texts are already ``normalize()``-d.
        """
        check_is_fitted(self, "idf_")
        X = self._counts(_as_texts(X), normalized=normalized)
        data = X.data
        if self.sublinear_tf:
            np.log1p(data, out=data)
        data *= self.idf_[X.indices]
        row_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=X.shape[0]))
        norms[norms == 0] = 1.0
        data /= norms[row_of].astype(np.float32)
        return X

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut that maximises macro-F1 for binary 0/1 ``y``."""
    best_t, best_f1 = 0.5, -1.0
    for t in np.linspace(0.05, 0.95, 91):
        pred = p >= t
        f1s = []
        for positive in (True, False):
            tp = np.sum((pred == positive) & (y == positive))
            fp = np.sum((pred == positive) & (y != positive))
            fn = np.sum((pred != positive) & (y == positive))
            f1s.append(2 * tp / max(2 * tp + fp + fn, 1))
        f1 = float(np.mean(f1s))
        if f1 > best_f1 + 1e-9:
            best_t, best_f1 = round(float(t), 2), f1
    return best_t


class CalibratedLinearClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression with Platt-scaled, out-of-fold calibrated probabilities.

    The linear model is trained on all the data; the sigmoid that maps its
    scores to probabilities is fitted on scores from ``cv`` out-of-fold models,
    so the probabilities are honest on unseen posts (the method of
    ``CalibratedClassifierCV(ensemble=False)``, with float32 weights so the
    shipped model stays small).

    Parameters
    ----------
    C : float
        Inverse regularisation strength.
    class_weight : "balanced" or None
        Weigh classes inversely to their frequency.
    cv : int or iterable of (train, test) splits
        Folds for the calibration scores (fewer when a class is rarer).
    threshold : float or "auto"
        For two classes: predict ``classes_[1]`` when its probability is at
        least this. ``"auto"`` picks the macro-F1-best cut on out-of-fold
        probabilities (stored in ``threshold_``).
    max_iter : int
        Solver iterations.
    nb_alpha : float or None
        When set, NB-LR (the "NBSVM" of Wang and Manning, 2012, with logistic
        regression): every column is first scaled by its naive-Bayes log-count
        ratio, ``log(p / |p|₁) - log(q / |q|₁)`` with ``p`` (``q``) the
        weighted number of positive (negative) rows where the column is
        non-zero, plus ``nb_alpha``. The ratio is folded into ``coef_``, so
        prediction costs exactly what plain logistic regression costs.
    """

    def __init__(
        self,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        cv: int = 3,
        threshold: float | str = 0.5,
        max_iter: int = 1000,
        nb_alpha: float | None = None,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.threshold = threshold
        self.max_iter = max_iter
        self.nb_alpha = nb_alpha

    def _nb_ratio(self, X: Any, target: np.ndarray, sample_weight: Any) -> np.ndarray | None:
        """Per-column NB log-count ratios of ``X`` for a 0/1 ``target`` (None: plain LR)."""
        alpha = getattr(self, "nb_alpha", None)  # models saved before 1.2 lack it
        if alpha is None:
            return None
        if not alpha > 0:
            raise ValueError(f"nb_alpha must be > 0 or None, got {alpha!r}")
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        present = (X != 0).astype(np.float64)
        pos = target == 1
        p = alpha + np.asarray(present[pos].T @ w[pos]).ravel()
        q = alpha + np.asarray(present[~pos].T @ w[~pos]).ravel()
        return np.log(p / p.sum()) - np.log(q / q.sum())

    def _fit_linear(
        self, X: Any, target: np.ndarray, sample_weight: Any
    ) -> tuple[LogisticRegression, np.ndarray]:
        """Fit the linear model; return it and its coefficients on the unscaled columns."""
        ratio = self._nb_ratio(X, target, sample_weight)
        if ratio is None:
            model = self._linear().fit(X, target, sample_weight=sample_weight)
            return model, model.coef_[0]
        scaled = X @ sp.diags(ratio) if sp.issparse(X) else X * ratio
        model = self._linear().fit(scaled, target, sample_weight=sample_weight)
        return model, model.coef_[0] * ratio

    def _linear(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, solver="liblinear"
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CalibratedLinearClassifier:
        """Fit the linear model and its calibration; return ``self``."""
        self._fit(X, y, sample_weight)
        return self

    def fit_oof(self, X: Any, y: Any, sample_weight: Any = None) -> np.ndarray:
        """Fit as :meth:`fit`; return the out-of-fold probabilities of ``classes_[1]``.

        Two classes only. They are the calibrated probabilities the threshold
        was chosen on: each row scored by a model that did not see it, so a
        head built on this one (:class:`ConditionalHead`) can choose its own
        threshold honestly.
        """
        proba = self._fit(X, y, sample_weight)
        if len(self.classes_) != 2:
            raise ValueError(f"fit_oof needs two classes, got {len(self.classes_)}")
        return proba[0]

    def _fit(self, X: Any, y: Any, sample_weight: Any) -> np.ndarray:
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=(np.float64, np.float32))
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        k = len(self.classes_)
        if k < 2:
            raise ValueError(
                "needs samples of at least 2 classes in the data, "
                f"got 1 class ({self.classes_[0]!r})"
            )
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if sample_weight.shape != (X.shape[0],):
                raise ValueError(
                    f"sample_weight.shape == {sample_weight.shape}, expected {(X.shape[0],)}"
                )
        targets = [y_idx] if k == 2 else [(y_idx == j).astype(int) for j in range(k)]
        columns = [1] if k == 2 else list(range(k))

        self.coef_ = np.zeros((len(targets), X.shape[1]), dtype=np.float32)
        self.intercept_ = np.zeros(len(targets))
        self.calibration_ = np.zeros((len(targets), 2))  # a, b of sigmoid(a * score + b)
        oof_proba = np.zeros((len(targets), X.shape[0]))
        self.n_iter_ = 1  # liblinear reports 0 when its starting point is optimal
        for row, (target, _col) in enumerate(zip(targets, columns, strict=True)):
            model, coef = self._fit_linear(X, target, sample_weight)
            self.coef_[row] = coef
            self.intercept_[row] = model.intercept_[0]
            self.n_iter_ = max(self.n_iter_, int(np.max(model.n_iter_)))
            scores = self._oof_scores(X, target, sample_weight)
            if scores is None:  # too few samples to calibrate out of fold
                scores = X @ coef + model.intercept_[0]
            platt = LogisticRegression(C=1e4, solver="lbfgs").fit(
                scores.reshape(-1, 1), target, sample_weight=sample_weight
            )
            self.calibration_[row] = platt.coef_[0][0], platt.intercept_[0]
            oof_proba[row] = _sigmoid(
                self.calibration_[row, 0] * scores + self.calibration_[row, 1]
            )

        if self.threshold == "auto":
            self.threshold_ = best_threshold(y_idx, oof_proba[0]) if k == 2 else 0.5
        else:
            threshold = float(self.threshold)
            if not 0.0 < threshold < 1.0:
                raise ValueError(f"threshold must be in (0, 1) or 'auto', got {self.threshold!r}")
            self.threshold_ = threshold
        return oof_proba

    def _oof_scores(self, X: Any, target: np.ndarray, sample_weight: Any) -> np.ndarray | None:
        if isinstance(self.cv, int | np.integer):
            folds = min(int(self.cv), int(np.bincount(target).min()))
            if folds < 2:
                return None
            split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
            splits = list(split.split(np.zeros(len(target)), target))
        else:  # an iterable of (train, test) index arrays, as scikit-learn's cv allows
            splits = list(self.cv)
        scores = np.zeros(X.shape[0])
        for train, test in splits:
            if len(np.unique(target[train])) < 2:
                return None
            weight = None if sample_weight is None else sample_weight[train]
            model, coef = self._fit_linear(X[train], target[train], weight)
            scores[test] = X[test] @ coef + model.intercept_[0]
        return scores

    def _calibrated_logits(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=(np.float64, np.float32))
        # One row per feature, C order: a sparse product reads a feature's weights for
        # every class in one run of memory (the hate type head: 3x faster than coef_.T).
        weights = np.ascontiguousarray(self.coef_.T, dtype=X.dtype)
        scores = np.asarray(X @ weights) + self.intercept_
        return scores * self.calibration_[:, 0] + self.calibration_[:, 1]

    def decision_function(self, X: Any) -> np.ndarray:
        """Calibrated log-odds; for two classes, shifted so that > 0 means "positive".

        Two classes: ``logit(p) - logit(threshold_)`` (one column), so the sign
        agrees with :meth:`predict`. More classes: one log-odds column per class.
        """
        logits = self._calibrated_logits(X)
        if logits.shape[1] == 1:
            t = self.threshold_
            return logits[:, 0] - np.log(t / (1 - t))
        return logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, one column per entry of ``classes_``."""
        p = _sigmoid(self._calibrated_logits(X))
        if p.shape[1] == 1:
            return np.column_stack([1 - p[:, 0], p[:, 0]])
        total = p.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        return p / total

    def predict(self, X: Any) -> np.ndarray:
        """Predicted classes (two classes: positive when p is over ``threshold_``).

        Decided on the sign of :meth:`decision_function`, as scikit-learn
        expects, so the two agree even on a tie (NB ratios make every score
        equal on data where every column is non-zero in every row).
        """
        check_is_fitted(self, "coef_")
        if len(self.classes_) == 2:
            return self.classes_[(self.decision_function(X) > 0).astype(int)]
        # The most probable class: the normalised sigmoids rank as the log-odds do.
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # NB ratios count where a column is non-zero: made for sparse text features,
        # they are all zero on dense data (every column non-zero in every row).
        tags.classifier_tags.poor_score = getattr(self, "nb_alpha", None) is not None
        return tags


class GlossaryFeatures(TransformerMixin, BaseEstimator):
    """Count glossary hits per category, split into clear and ambiguous terms.

    Column ``2*i`` counts clear hits of ``categories[i]`` weighted by severity
    (1–3), column ``2*i+1`` the ambiguous ones. ``glossary=None`` uses the
    shipped glossary.
    """

    def __init__(
        self, glossary: Glossary | None = None, categories: Sequence[str] = CATEGORIES
    ) -> None:
        self.glossary = glossary
        self.categories = categories

    def fit(self, X: Iterable[str], y: Any = None) -> GlossaryFeatures:  # noqa: ARG002
        """Build the matcher; return ``self``."""
        _as_texts(X)
        unknown = set(self.categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown glossary categories: {sorted(unknown)}")
        glossary = self.glossary if self.glossary is not None else load_default_glossary()
        self.matcher_ = GlossaryMatcher(glossary)
        self.glossary_version_ = glossary.version
        self.n_features_out_ = 2 * len(self.categories)
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Return the hit-count matrix (n_texts × 2·len(categories))."""
        check_is_fitted(self, "matcher_")
        return self.from_hits([self.matcher_.find(t) for t in _as_texts(X)])

    def from_hits(self, hits: Sequence[Sequence[GlossaryMatch]]) -> np.ndarray:
        """Build the matrix from hits already found (one list of hits per text)."""
        check_is_fitted(self, "n_features_out_")
        index = {c: i for i, c in enumerate(self.categories)}
        out = np.zeros((len(hits), self.n_features_out_))
        for row, found in enumerate(hits):
            for hit in found:
                i = index.get(hit.category)
                if i is not None:
                    out[row, 2 * i + hit.ambiguous] += hit.severity
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


class LexiconScorer(ClassifierMixin, BaseEstimator):
    """Probability of a label from non-negative lexicon evidence.

    Without labels (``fit(X)``) it is a noisy-OR: each unit of evidence in
    column ``j`` independently "fires" with probability ``weights[j]``::

        p(positive) = 1 - (1 - base_rate) * prod_j (1 - weights[j]) ** X[:, j]

    With labels of two classes it fits a logistic model on ``log1p(X)`` in place
    of the fixed weights, so analysts' confirmed flags can recalibrate it.

    Parameters
    ----------
    weights : sequence of float or None
        Per-column firing probabilities in [0, 1); ``None`` means 0.5 for all.
    base_rate : float
        Probability when there is no evidence at all.
    threshold : float
        Predict the positive class when its probability is at least this.
    C : float
        Inverse regularisation of the fitted model (labelled mode only).
    """

    def __init__(
        self,
        weights: Sequence[float] | None = None,
        base_rate: float = 0.01,
        threshold: float = 0.5,
        C: float = 1.0,
    ) -> None:
        self.weights = weights
        self.base_rate = base_rate
        self.threshold = threshold
        self.C = C

    def fit(self, X: Any, y: Any = None) -> LexiconScorer:
        """Fix the noisy-OR weights (no ``y``) or fit them to labels; return ``self``."""
        if y is None:
            X = validate_data(self, X)
            self.classes_ = np.array([0, 1])
            self.model_ = None
        else:
            X, y = validate_data(self, X, y)
            check_classification_targets(y)
            y_type = type_of_target(y, input_name="y", raise_unknown=True)
            if y_type != "binary":
                raise ValueError(
                    f"Only binary classification is supported. The type of the target is {y_type}."
                )
            self.classes_ = np.unique(y)
            self.model_ = LogisticRegression(C=self.C).fit(np.log1p(np.maximum(X, 0)), y)
        if np.any(X < 0):
            raise ValueError("Negative values in data passed to LexiconScorer (evidence counts)")
        weights = np.full(X.shape[1], 0.5) if self.weights is None else np.asarray(self.weights)
        if weights.shape != (X.shape[1],) or np.any((weights < 0) | (weights >= 1)):
            raise ValueError(f"weights must be {X.shape[1]} values in [0, 1)")
        if not 0 <= self.base_rate < 1:
            raise ValueError("base_rate must be in [0, 1)")
        self.log_keep_ = np.log1p(-weights)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities aligned with ``classes_``."""
        check_is_fitted(self, "log_keep_")
        X = validate_data(self, X, reset=False)
        if np.any(X < 0):
            raise ValueError("Negative values in data passed to LexiconScorer (evidence counts)")
        if self.model_ is not None:
            return self.model_.predict_proba(np.log1p(X))
        p = 1 - (1 - self.base_rate) * np.exp(X @ self.log_keep_)
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """Predicted classes."""
        proba = self.predict_proba(X)
        return self.classes_[(proba[:, 1] >= self.threshold).astype(int)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.classifier_tags.multi_class = False
        tags.target_tags.required = False
        return tags


class TransformerClassifier(ClassifierMixin, BaseEstimator):
    """A fine-tuned Hugging Face sequence classifier read from a local folder.

    Optional: needs the ``transformers`` extra (torch, transformers). Nothing is
    downloaded: the folder is opened with ``local_files_only=True``. Runs on
    the GPU when one is present. ``fit`` loads the model (it does not train);
    fine-tune with Hugging Face tooling, save the folder, then point here.

    Parameters
    ----------
    model_dir : str
        Folder with ``config.json``, weights and tokenizer files.
    batch_size : int
        Texts per forward pass.
    max_length : int
        Tokens per text (longer texts are truncated).
    device : str or None
        ``"cuda"``, ``"cpu"`` or None (GPU when available).
    """

    def __init__(
        self,
        model_dir: str = "",
        batch_size: int = 64,
        max_length: int = 128,
        device: str | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device

    def fit(self, X: Any = None, y: Any = None) -> TransformerClassifier:  # noqa: ARG002
        """Load the model and tokenizer from ``model_dir``; return ``self``."""
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # the optional extra is not installed
            raise ImportError(
                "TransformerClassifier needs the 'transformers' extra: "
                "pip install 'marsad[transformers]'"
            ) from exc
        if not self.model_dir:
            raise ValueError("model_dir is required (a local Hugging Face model folder)")
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer_ = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            self.model_dir, local_files_only=True
        )
        self.model_ = model.to(device).eval()
        self.device_ = device
        labels = model.config.id2label
        self.classes_ = np.array([labels[i] for i in range(len(labels))])
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Softmax probabilities aligned with ``classes_`` (the model's id2label)."""
        import torch

        check_is_fitted(self, "model_")
        texts = [normalize(t) for t in _as_texts(X)]
        out: list[np.ndarray] = []
        with torch.no_grad():
            for start in range(0, len(texts), self.batch_size):
                batch = self.tokenizer_(
                    texts[start : start + self.batch_size],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device_)
                logits = self.model_(**batch).logits
                out.append(torch.softmax(logits.float(), dim=-1).cpu().numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.classes_)))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Most probable class per text."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags
