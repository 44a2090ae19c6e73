"""Benchmark: Marsad's CooRTweet mode against CooRTweet itself, on CooRTweet's sample.

Run with ``nice python bench/coordination_coortweet.py [REPEATS]``. Marsad's
``coortweet_pairs`` + ``coortweet_edges`` are always timed. CooRTweet is timed too
when ``Rscript`` (with data.table and igraph) is on the PATH and its R sources
(``detect_groups.R``, ``calc_group_combinations.R``,
``generate_coordinated_network.R`` from github.com/nicolarighetti/CooRTweet) lie in
the folder named by ``MARSAD_COORTWEET_R`` (default ``/tmp/coortweet/R``); they are
never part of this repository. Otherwise that part is skipped with a message.
Both sides are timed on the table already in memory, median of the repeats.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from marsad.coordination.io import read_table
from marsad.coordination.shares import coortweet_edges, coortweet_pairs

SAMPLE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/formats/cib_coordination/cooRTweet_russian_coord_tweets.csv"
)
GOLDEN = Path(__file__).resolve().parents[1] / "tests/coordination/data"

R_DRIVER = r"""
suppressPackageStartupMessages({library(data.table); library(igraph)})
args <- commandArgs(trailingOnly = TRUE)
for (f in list.files(args[1], pattern = "[.][Rr]$", full.names = TRUE)) source(f)
setDTthreads(1)
x0 <- fread(args[2], colClasses = c(object_id = "character", account_id = "character",
            content_id = "character", timestamp_share = "integer"))
times <- numeric(as.integer(args[3]))
for (i in seq_along(times)) {
  x <- copy(x0)
  times[i] <- system.time({
    result <- detect_groups(x, min_participation = 5, time_window = 10, remove_loops = TRUE)
    g <- generate_coordinated_network(result)
  })[["elapsed"]]
}
el <- igraph::as_data_frame(g, what = "edges")
fwrite(el[, c("from", "to", "weight")], args[4])
cat(R.version.string, "\n", sep = "")
cat(times, "\n")
"""


def _edges_of(path: Path) -> dict[tuple[str, str], int]:
    with path.open(newline="") as handle:
        return {
            tuple(sorted((r["from"], r["to"]))): int(r["weight"]) for r in csv.DictReader(handle)
        }


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not SAMPLE.exists():
        print(f"skipped: {SAMPLE} is absent")
        return
    table = read_table(SAMPLE)
    ours_s = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        edges = coortweet_edges(
            table, coortweet_pairs(table, time_window=10, min_participation=5, remove_loops=True)
        )
        ours_s.append(time.perf_counter() - t0)
    ours = statistics.median(ours_s)
    print(f"Marsad: {len(edges)} edges, median {ours:.4f} s over {repeats} runs")
    same = edges == _edges_of(GOLDEN / "coortweet_edges_loops_removed.csv")
    print(f"  equal to the golden CooRTweet edge list: {same}")

    r_dir = Path(os.environ.get("MARSAD_COORTWEET_R", "/tmp/coortweet/R"))
    if shutil.which("Rscript") is None or not (r_dir / "detect_groups.R").exists():
        print(f"CooRTweet: skipped (needs Rscript and CooRTweet's R sources in {r_dir})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp) / "driver.R"
        driver.write_text(R_DRIVER)
        out = Path(tmp) / "edges.csv"
        run = subprocess.run(  # noqa: S603 - fixed arguments, our own driver
            ["Rscript", str(driver), str(r_dir), str(SAMPLE), str(repeats), str(out)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            print(f"CooRTweet: R failed: {run.stderr.strip().splitlines()[-1:]}")
            return
        version, seconds = run.stdout.strip().splitlines()[-2:]
        r_times = [float(s) for s in seconds.split()]
        theirs = _edges_of(out)
    r_median = statistics.median(r_times)
    print(f"CooRTweet ({version}): {len(theirs)} edges, median {r_median:.3f} s over {repeats}")
    print(f"  same edges and weights as Marsad: {theirs == edges}")
    print(f"  ratio CooRTweet / Marsad: {r_median / ours:,.0f}x")


if __name__ == "__main__":
    main()
