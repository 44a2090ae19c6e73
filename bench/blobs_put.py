"""Benchmark: the blob store's ``put`` streaming a large file, in MB/s and peak memory.

Run with ``nice python bench/blobs_put.py [SIZE_MB] [FOLDER]`` (default 512 MB,
a temporary folder). The file is generated on disk first (pseudo-random bytes,
so nothing compresses or deduplicates), then put from an open file handle, then
put again (the second put hashes the stream and finds the blob already there).
Peak Python memory is taken with ``tracemalloc``: it stays near the 1 MiB
chunk whatever the file's size, which is what ``put`` promises.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from marsad.core.blobs import BlobStore


def _write_source(path: Path, size_mb: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as out:
        for i in range(size_mb):
            # A different block each MiB (cheaply), so no two chunks are equal.
            out.write(i.to_bytes(8, "big") + block[8:])


def _timed_put(store: BlobStore, source: Path) -> tuple[float, int, bool]:
    tracemalloc.start()
    started = time.perf_counter()
    with source.open("rb") as handle:
        put = store.put(handle)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, put.created


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 512
    with tempfile.TemporaryDirectory(dir=sys.argv[2] if len(sys.argv) > 2 else None) as tmp:
        source = Path(tmp) / "source.bin"
        _write_source(source, size_mb)
        store = BlobStore(Path(tmp) / "blobs")
        for label in ("new blob", "same bytes again"):
            seconds, peak, created = _timed_put(store, source)
            sys.stdout.write(
                f"put {size_mb} MB ({label}): {seconds:.2f} s, {size_mb / seconds:.0f} MB/s, "
                f"peak Python memory {peak / 1048576:.1f} MiB, stored={created}\n"
            )


if __name__ == "__main__":
    main()
