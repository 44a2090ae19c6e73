"""Benchmark: writing and verifying a case bundle of many evidence items.

Run with ``nice python bench/evidence_bundle.py [ITEMS] [KIB_PER_ITEM]`` (default
1,000 items of 64 KiB). A fresh SQLite database in a temporary folder gets
ITEMS items (pseudo-random bytes, each with a ``create`` custody event); then
``write_bundle`` puts them all in one zip (and appends an ``export`` event to
each) and ``verify_bundle`` checks it alone: manifest hashes, every custody
chain, every item's recorded SHA-256. Prints seconds, items/s and MB/s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from marsad.core import migrate
from marsad.core.blobs import BlobStore, store_blob
from marsad.core.db import make_engine, session_factory, session_scope, utcnow
from marsad.core.settings import Settings
from marsad.evidence import custody
from marsad.evidence.bundle import verify_bundle, write_bundle
from marsad.evidence.models import EvidenceItem


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    kib = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test",
            data_dir=Path(tmp) / "data",
            secret_key="bench-secret-key-that-is-long-enough-0123456789",
        )
        settings.ensure_data_dir()
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)
        store = BlobStore.from_settings(settings)
        started = time.perf_counter()
        ids = []
        with session_scope(sessions) as session:
            for _ in range(count):
                blob = store_blob(session, store, os.urandom(kib * 1024), media_type="image/jpeg")
                item = EvidenceItem(
                    kind="file", sha256=blob.sha256, media_type="image/jpeg", size=blob.size,
                    created_by="bench", captured_at=utcnow(),
                )  # fmt: skip
                session.add(item)
                session.flush()
                custody.record(session, item_id=item.id, action="create", actor="bench")
                ids.append(item.id)
        _say(f"stored {count} items of {kib} KiB in {time.perf_counter() - started:.1f} s")
        out = Path(tmp) / "case.zip"
        megabytes = count * kib / 1024
        started = time.perf_counter()
        with session_scope(sessions) as session:
            result = write_bundle(session, store, ids, out, "bench")
        seconds = time.perf_counter() - started
        _say(
            f"bundle: {seconds:.2f} s, {count / seconds:,.0f} items/s, "
            f"{megabytes / seconds:,.1f} MB/s, {result['files']} files, "
            f"{result['size'] / 2**20:,.1f} MiB zip"
        )
        started = time.perf_counter()
        checked = verify_bundle(out)
        seconds = time.perf_counter() - started
        _say(
            f"verify-bundle: {seconds:.2f} s, {count / seconds:,.0f} items/s, "
            f"{megabytes / seconds:,.1f} MB/s, ok={checked['ok']}, "
            f"{checked['checked']} files checked"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
