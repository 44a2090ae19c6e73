"""Benchmark: adding a large file as evidence (MB/s), and `evidence verify` over many items.

Run with ``nice python bench/evidence_store.py [SIZE_MB] [ITEMS]`` (default 512 MB
and 10,000 items) in a temporary folder with a fresh SQLite database at head.

1. A file of SIZE_MB pseudo-random MiB is added through ``service.add_file``
   from its path: streamed, hashed, stored under its SHA-256, catalogued, its
   custody chain started, committed. Goal: at least 200 MB/s.
2. ITEMS small items (1 KiB each, every one distinct) are added, and then
   ``verify_all`` re-hashes every blob and checks every chain (with its MACs).
   Goal: under 60 s for 10,000 items.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from marsad.core.blobs import BlobStore
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.migrate import upgrade
from marsad.core.settings import Settings
from marsad.evidence import service
from marsad.evidence.verify import verify_all


def _write_source(path: Path, size_mb: int) -> None:
    block = os.urandom(1024 * 1024)
    with path.open("wb") as out:
        for i in range(size_mb):
            out.write(i.to_bytes(8, "big") + block[8:])


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 512
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(env="test", data_dir=root / "data", secret_key="bench-" + "x" * 40)
        engine = make_engine(settings)
        upgrade(engine)
        sessions = session_factory(engine, settings)
        store = BlobStore.from_settings(settings)

        source = root / "large.bin"
        _write_source(source, size_mb)
        started = time.perf_counter()
        with session_scope(sessions) as session:
            service.add_file(
                session, store, path=source, name="large.bin", media_type=None, actor="bench"
            )
        seconds = time.perf_counter() - started
        sys.stdout.write(
            f"add_file {size_mb} MB: {seconds:.2f} s, {size_mb / seconds:.0f} MB/s (goal ≥ 200)\n"
        )
        source.unlink()

        started = time.perf_counter()
        noise = os.urandom(1024)
        for start in range(0, count, 1000):
            with session_scope(sessions) as session:
                for n in range(start, min(start + 1000, count)):
                    service.add_file(
                        session,
                        store,
                        stream=n.to_bytes(8, "big") + noise,
                        name=f"{n}.bin",
                        media_type=None,
                        actor="bench",
                    )
        sys.stdout.write(f"added {count} small items in {time.perf_counter() - started:.1f} s\n")

        started = time.perf_counter()
        with session_scope(sessions) as session:
            result = verify_all(session, store)
        seconds = time.perf_counter() - started
        sys.stdout.write(
            f"verify over {result['checked']} items (and the {size_mb} MB one): {seconds:.1f} s, "
            f"ok={result['ok']} (goal < 60 s for 10,000)\n"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
