"""Throughput of the batch path (glossary + classifier) on one core, model size, load time.

    taskset -c 0 python bench/detect_speed.py [TSV] [--batch 1000] [--model PATH]

Uses the shipped model, or ``--model`` (a folder or model.joblib: an older model
for a side-by-side run on the same machine). Posts come from TSV's text column (default: the
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
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    path = args.model or default_model_path()
    if path.is_dir():
        path = path / "model.joblib"
    start = time.perf_counter()
    model = load_model(path)
    load_s = time.perf_counter() - start

    with Path(args.tsv).open(encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh, delimiter="\t")]
    texts = (texts * (args.n // len(texts) + 1))[: args.n]
    classify_texts(texts[:100], model=model)  # warm up (glossary automaton, caches)

    for language in (False, True):
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), args.batch):
            classify_texts(texts[i : i + args.batch], model=model, language=language)
        elapsed = time.perf_counter() - start
        # CPU time too: on a shared machine the wall clock counts other people's work.
        cpu = time.process_time() - cpu
        what = "glossary + classifier" + (" + language id" if language else "")
        print(
            f"{what}: {len(texts) / elapsed:,.0f} posts/s (batch {args.batch}, one core); "
            f"{len(texts) / cpu:,.0f} posts per CPU-second"
        )
    print(f"model file: {path.stat().st_size / 2**20:.1f} MiB")
    print(f"load time: {load_s:.2f} s")


if __name__ == "__main__":
    main()
