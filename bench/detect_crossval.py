"""Print the model card's tables: in-domain k-fold and leave-one-dataset-out scores.

    nice python bench/detect_crossval.py [DATA_DIR] [--before] > /tmp/crossval.json

Trains with the shipped recipe (``train_model`` defaults: NB-LR heads since 1.2).
``--before`` trains the 1.1 recipe (plain logistic regression heads) for the
before/after comparison in the model card. Takes about 25 minutes on one core.
"""

import json
import sys
import time
from pathlib import Path

from marsad.detect.classifiers import CalibratedLinearClassifier
from marsad.detect.evaluate import cross_dataset_report
from marsad.detect.train import read_dataset

ARABIC = ["osact2020_train", "osact2022_train", "t_hsab", "mlma_ar"]
ALL = [*ARABIC, "mlma_en"]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = Path(args[0] if args else "../shared/datasets")
    before = {"head": CalibratedLinearClassifier(threshold="auto")}
    kwargs = before if "--before" in sys.argv else {}
    say = lambda m: print(time.strftime("%H:%M:%S"), m, file=sys.stderr, flush=True)  # noqa: E731
    out = {}
    for task in ("offensive", "hate"):
        sets = [read_dataset(root / f"{n}.tsv", label_col=task) for n in ALL]
        out[task] = cross_dataset_report(sets, task, progress=say, **kwargs)
        # Arabic-only leave-one-out too: does English help or hurt Arabic transfer?
        ar = [s for s in sets if s.name in ARABIC]
        out[f"{task}_arabic_only"] = cross_dataset_report(ar, task, folds=0, **kwargs)[
            "cross_dataset"
        ]
    violence = read_dataset(root / "osact2022_train.tsv", label_col="violence")
    out["violence"] = cross_dataset_report([violence], "violence", **kwargs)["in_domain"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
