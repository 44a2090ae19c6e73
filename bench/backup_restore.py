"""Benchmark: audit anchoring's cost per record, and backup / restore time, on SQLite.

Run with ``nice python bench/backup_restore.py [REPORTS]`` (default 2,000). In a
temporary folder it files REPORTS reports (each with its audit record), then prints:
audit records per second with the default anchoring (every 100 records or 5 s) and
with an anchor at every commit; the seconds and MB/s of ``backup`` (SQLite backup
API, tar, age encryption) and of ``restore`` (decryption, row counts, blob hashes,
the audit chain walk).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from marsad.core import audit, backup, migrate
from marsad.core.blobs import BlobStore
from marsad.core.db import make_engine, session_factory, session_scope
from marsad.core.security import FieldCipher
from marsad.core.settings import Settings
from marsad.reports import service
from marsad.reports.settings import ReportSettings

SECRET = "bench-secret-key-long-enough-0123456789abcdef"


def _records_per_second(settings: Settings, n: int) -> float:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    sessions = session_factory(engine, settings)
    started = time.perf_counter()
    for i in range(n):
        with session_scope(sessions) as session:
            audit.record(session, actor="b", action="b.x", subject_type="b", subject_id=str(i))
    rate = n / (time.perf_counter() - started)
    engine.dispose()
    return rate


def main() -> None:
    reports = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        default = Settings(env="test", data_dir=root / "a", secret_key=SECRET)
        eager = Settings(
            env="test", data_dir=root / "b", secret_key=SECRET, audit_anchor_seconds=0,
            audit_anchor_every=1,
        )  # fmt: skip
        print(f"audit records/s, default anchoring: {_records_per_second(default, 2000):.0f}")  # noqa: T201
        print(f"audit records/s, anchor every commit: {_records_per_second(eager, 2000):.0f}")  # noqa: T201
        settings = Settings(env="test", data_dir=root / "data", secret_key=SECRET)
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = session_factory(engine, settings)
        cipher = FieldCipher.from_settings(settings.field_key, settings.secret())
        for i in range(reports):
            with session_scope(sessions) as session:
                service.submit_report(
                    session,
                    submission=service.Submission(
                        title=f"report {i}", category="threat", description="x" * 500,
                        contact="someone@example.org",
                    ),
                    channel="web", cipher=cipher, settings=ReportSettings(),
                    blobs=BlobStore.from_settings(settings),
                )  # fmt: skip
        recipient = backup.new_identity(root / "id.txt")
        started = time.perf_counter()
        made = backup.backup(
            settings=settings, engine=engine, out=root / "b.age", recipients=[recipient]
        )
        took = time.perf_counter() - started
        mb = made.size / 1e6
        print(f"backup: {reports} reports, {mb:.1f} MB in {took:.2f} s ({mb / took:.1f} MB/s)")  # noqa: T201
        engine.dispose()
        target = Settings(env="test", data_dir=root / "restored", secret_key=SECRET)
        started = time.perf_counter()
        done = backup.restore(settings=target, path=root / "b.age", identity=root / "id.txt")
        took = time.perf_counter() - started
        print(f"restore: {mb:.1f} MB in {took:.2f} s, ok={done.ok}")  # noqa: T201


if __name__ == "__main__":
    main()
