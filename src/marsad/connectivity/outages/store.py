"""Signal storage: series kept as weekly chunks of packed arrays (see ``models``).

Writing merges into what is stored: a point at a timestamp already stored
replaces it (a corrected value), others are added, so importing the same file
twice changes nothing.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from marsad.connectivity.outages.detection import Series
from marsad.connectivity.outages.models import SignalChunk
from marsad.core.db import utcnow

CHUNK = 7 * 86400


@dataclass
class WriteResult:
    points: int = 0
    chunks: int = 0


def _pack(ts: np.ndarray, values: np.ndarray, chunk_start: int) -> tuple[bytes, bytes]:
    offsets = (ts - chunk_start).astype("<i4").tobytes()
    return zlib.compress(offsets, 1), values.astype("<f8").tobytes()


def _unpack(chunk: SignalChunk) -> tuple[np.ndarray, np.ndarray]:
    return _unpack_raw(chunk.chunk_start, chunk.offsets, chunk.values)


def _unpack_raw(chunk_start: int, offsets: bytes, values: bytes) -> tuple[np.ndarray, np.ndarray]:
    seconds = np.frombuffer(zlib.decompress(offsets), dtype="<i4").astype(np.int64)
    return seconds + chunk_start, np.frombuffer(values, dtype="<f8")


# Signal writers take this PostgreSQL advisory lock for their transaction, so two imports
# (or an import and a fetch job) of the same series never both insert one chunk; SQLite
# already serialises writers (BEGIN IMMEDIATE).
WRITE_LOCK = 0x4D415253_4F555447  # "MARSOUTG"


def serialise_writers(session: Session) -> None:
    """Wait for other connectivity writers on PostgreSQL (a no-op on SQLite).

    An import of a year of signals holds the lock for longer than the
    connection's ``lock_timeout`` (``MARSAD_POSTGRES_LOCK_TIMEOUT``), which is
    meant for web requests; a writer queued behind it waits its turn instead.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL lock_timeout = 0"))
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def write_series(session: Session, series: Iterable[Series]) -> WriteResult:
    """Merge series into the stored chunks (one SELECT per series, bulk writes)."""
    serialise_writers(session)
    result = WriteResult()
    inserts = []
    for one in series:
        if not len(one.timestamps):
            continue
        starts = one.timestamps - one.timestamps % CHUNK
        bounds = np.flatnonzero(np.diff(starts)) + 1
        pieces = np.split(np.arange(len(starts)), bounds)
        existing = {
            c.chunk_start: c
            for c in session.scalars(
                select(SignalChunk).where(
                    SignalChunk.entity_type == one.entity_type,
                    SignalChunk.entity_code == one.entity_code,
                    SignalChunk.source == one.source,
                    SignalChunk.chunk_start.in_({int(starts[p[0]]) for p in pieces}),
                )
            )
        }
        for piece in pieces:
            chunk_start = int(starts[piece[0]])
            ts, values = one.timestamps[piece], one.values[piece]
            stored = existing.get(chunk_start)
            if stored is not None:
                old_ts, old_values = _unpack(stored)
                keep = ~np.isin(old_ts, ts)
                ts = np.concatenate((old_ts[keep], ts))
                values = np.concatenate((old_values[keep], values))
                order = np.argsort(ts, kind="stable")
                ts, values = ts[order], values[order]
                stored.offsets, stored.values = _pack(ts, values, chunk_start)
                stored.points = len(ts)
                stored.updated_at = utcnow()
            else:
                offsets, packed = _pack(ts, values, chunk_start)
                inserts.append(
                    {
                        "entity_type": one.entity_type,
                        "entity_code": one.entity_code,
                        "source": one.source,
                        "chunk_start": chunk_start,
                        "points": len(ts),
                        "offsets": offsets,
                        "values": packed,
                        "updated_at": utcnow(),
                    }
                )
            result.points += len(piece)
            result.chunks += 1
    if inserts:
        session.execute(SignalChunk.__table__.insert(), inserts)
    session.flush()
    return result


def read_series(
    session: Session,
    *,
    since: int | None = None,
    until: int | None = None,
    entities: Iterable[str] | None = None,
) -> list[Series]:
    """Stored series, whole or between ``since`` and ``until`` (epoch seconds)."""
    # Plain rows, not ORM objects: a year of signals is thousands of chunks.
    query = select(
        SignalChunk.entity_type, SignalChunk.entity_code, SignalChunk.source,
        SignalChunk.chunk_start, SignalChunk.offsets, SignalChunk.values,
    ).order_by(
        SignalChunk.entity_type, SignalChunk.entity_code, SignalChunk.source,
        SignalChunk.chunk_start,
    )  # fmt: skip
    if since is not None:
        query = query.where(SignalChunk.chunk_start > since - CHUNK)
    if until is not None:
        query = query.where(SignalChunk.chunk_start < until)
    wanted = set(entities or ())
    if wanted:
        query = query.where(SignalChunk.entity_code.in_(wanted))
    parts: dict[tuple[str, str, str], list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    for etype, code, source, chunk_start, offsets, values in session.execute(query):
        parts[(etype, code, source)].append(_unpack_raw(chunk_start, offsets, values))
    series = []
    for (etype, code, source), pieces in parts.items():
        ts = np.concatenate([p[0] for p in pieces])
        values = np.concatenate([p[1] for p in pieces])
        window = np.ones(len(ts), dtype=bool)
        if since is not None:
            window &= ts >= since
        if until is not None:
            window &= ts < until
        series.append(Series(etype, code, source, ts[window], values[window]))
    return series


def series_summary(session: Session) -> list[dict[str, object]]:
    """Each stored series: entity, source and how many points."""
    rows = session.execute(
        select(
            SignalChunk.entity_type,
            SignalChunk.entity_code,
            SignalChunk.source,
            func.sum(SignalChunk.points),
        ).group_by(SignalChunk.entity_type, SignalChunk.entity_code, SignalChunk.source)
    )
    return [
        {
            "entity_type": r[0],
            "entity_code": r[1],
            "source": r[2],
            "points": int(r[3] or 0),
        }
        for r in rows
    ]
