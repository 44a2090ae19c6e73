"""Print the model card's tables: in-domain k-fold and leave-one-dataset-out scores.

    nice python bench/detect_crossval.py [DATA_DIR] [--before] [--task T] [--no-arabic-only]

Trains with the shipped recipe (``train_model`` defaults: NB-LR heads since 1.2).
``--before`` trains the 1.1 recipe (plain logistic regression heads) for the
before/after comparison in the model card. ``--task offensive|hate|violence`` runs one
part (run them side by side on two cores). Takes about 35 minutes on one core: hate
trains an offensive head in every model too, as the shipped recipe conditions hate on it.
``--no-arabic-only`` skips the Arabic-only leave-one-out part (four models a task fewer).
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


def read(root: Path, name: str, label: str):
    return read_dataset(root / f"{name}.tsv", label_col=label)


def main() -> None:
    args = sys.argv[1:]
    only = args[args.index("--task") + 1] if "--task" in args else None
    args = [a for a in args if not a.startswith("--") and a != only]
    root = Path(args[0] if args else "../shared/datasets")
    before = {"head": CalibratedLinearClassifier(threshold="auto"), "conditional": False}
    kwargs = before if "--before" in sys.argv else {}
    say = lambda m: print(time.strftime("%H:%M:%S"), m, file=sys.stderr, flush=True)  # noqa: E731
    out = {}
    for task in [t for t in ("offensive", "hate") if only in (None, t)]:
        sets = [read(root, n, task) for n in ALL]
        # hate is conditioned on offensive: every model trains both heads
        given = [read(root, n, "offensive") for n in ALL] if task == "hate" else []
        out[task] = cross_dataset_report(sets, task, progress=say, given=given, **kwargs)
        if "--no-arabic-only" in sys.argv:
            continue
        # Arabic-only leave-one-out too: does English help or hurt Arabic transfer?
        ar = [s for s in sets if s.name in ARABIC]
        ar_given = [s for s in given if s.name in ARABIC]
        out[f"{task}_arabic_only"] = cross_dataset_report(
            ar, task, folds=0, given=ar_given, **kwargs
        )["cross_dataset"]
    if only in (None, "violence"):
        violence = read(root, "osact2022_train", "violence")
        out["violence"] = cross_dataset_report([violence], "violence", **kwargs)["in_domain"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
