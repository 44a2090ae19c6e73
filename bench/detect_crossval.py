"""Print the model card's tables: in-domain and leave-one-dataset-out scores.

nice python bench/detect_crossval.py [DATA_DIR] > /tmp/crossval.json
"""

import json
import sys
from pathlib import Path

from marsad.detect.evaluate import cross_dataset_report
from marsad.detect.train import read_dataset

ARABIC = ["osact2020_train", "osact2022_train", "t_hsab", "mlma_ar"]
ALL = [*ARABIC, "mlma_en"]


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets")
    out = {}
    for task in ("offensive", "hate"):
        sets = [read_dataset(root / f"{n}.tsv", label_col=task) for n in ALL]
        out[task] = cross_dataset_report(sets, task, progress=lambda m: print(m, file=sys.stderr))
        # Arabic-only leave-one-out too: does English help or hurt Arabic transfer?
        ar = [s for s in sets if s.name in ARABIC]
        out[f"{task}_arabic_only"] = cross_dataset_report(ar, task)["cross_dataset"]
    violence = read_dataset(root / "osact2022_train.tsv", label_col="violence")
    out["violence"] = cross_dataset_report([violence], "violence")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
