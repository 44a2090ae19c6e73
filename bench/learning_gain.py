"""What 500 analysts' labels bring to a dialect left out of training: queue vs random.

    nice python bench/learning_gain.py [DATA_DIR] [--labels 500] [--seeds 3] [--weight 3]

Leaves T-HSAB (Tunisian) out, trains the shipped recipe (``train_model``
defaults) on the other sets, cuts T-HSAB (deduplicated) at random into 1,500
held-out posts and a pool of the rest, then adds 500 labels of the pool chosen
by the labelling queue (``choose_for_labelling``: 20 % random, the rest the
most uncertain, spread over topics) or uniformly at random, weighted as
``MARSAD_LEARNING_LOCAL_WEIGHT``, and retrains. Prints macro-F1 on the held-out
posts before and after, per seed and averaged, as JSON. Each seed trains three
models: about 5 minutes per seed on one core.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from marsad.detect.learning.gain import simulate_gain, split_target
from marsad.detect.train import read_dataset

PUBLIC = ("osact2020_train", "osact2022_train", "mlma_ar", "mlma_en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="../shared/datasets")
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--weight", type=float, default=3.0)
    parser.add_argument("--task", default="offensive")
    parser.add_argument("--held-out", type=int, default=1500)
    args = parser.parse_args()
    root = Path(args.data)
    public = [read_dataset(root / f"{n}.tsv", label_col=args.task) for n in PUBLIC]
    target = read_dataset(root / "t_hsab.tsv", label_col=args.task)
    runs = []
    for seed in range(args.seeds):
        start = time.perf_counter()
        pool, held_out = split_target(target, held_out=args.held_out, seed=seed)
        for result in simulate_gain(
            public,
            pool,
            held_out,
            task=args.task,
            labels=args.labels,
            local_weight=args.weight,
            seed=seed,
        ):
            runs.append(
                {
                    "seed": seed,
                    "strategy": result.strategy,
                    "labels": result.labels,
                    "positives": result.positives,
                    "before": round(result.before, 4),
                    "after": round(result.after, 4),
                    "gain": round(result.gain, 4),
                }
            )
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
        print(f"seed {seed}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    summary = {}
    for strategy in ("queue", "random"):
        gains = [r["gain"] for r in runs if r["strategy"] == strategy]
        after = [r["after"] for r in runs if r["strategy"] == strategy]
        summary[strategy] = {
            "mean_gain": round(statistics.mean(gains), 4),
            "min_gain": round(min(gains), 4),
            "mean_after": round(statistics.mean(after), 4),
        }
    summary["mean_before"] = round(statistics.mean(r["before"] for r in runs), 4)
    print(
        json.dumps(
            {
                "task": args.task,
                "held_out": args.held_out,
                "labels": args.labels,
                "weight": args.weight,
                "runs": runs,
                "summary": summary,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
