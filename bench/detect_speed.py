"""Throughput of the batch path (glossary + classifier) on one core, model size, load time.

    taskset -c 0 python bench/detect_speed.py [TSV] [--batch 1000]

Uses the shipped model. Posts come from TSV's text column (default: the
Tunisian set, so the numbers are on real, unseen-dialect tweets); the posts are
repeated to 20,000 if the file is shorter.
"""

import argparse
import csv
import os
import time
from pathlib import Path

from marsad.detect.model import default_model_path, load_model
from marsad.detect.service import classify_texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tsv", nargs="?", default="../shared/datasets/t_hsab.tsv")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    path = default_model_path()
    start = time.perf_counter()
    model = load_model(path)
    load_s = time.perf_counter() - start

    with Path(args.tsv).open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    classify_texts(texts[:100], model=model)  # warm up (glossary automaton, caches)

    for language in (False, True):
        start = time.perf_counter()
        for i in range(0, len(texts), args.batch):
            classify_texts(texts[i : i + args.batch], model=model, language=language)
        elapsed = time.perf_counter() - start
        what = "glossary + classifier" + (" + language id" if language else "")
        print(f"{what}: {len(texts) / elapsed:,.0f} posts/s (batch {args.batch}, one core)")
    print(f"model file: {path.stat().st_size / 2**20:.1f} MiB")
    print(f"load time: {load_s:.2f} s")


if __name__ == "__main__":
    main()
