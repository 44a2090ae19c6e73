"""Generated connectivity signals with planted outages, for tests and the benchmark.

Each network has a daily cycle (busy evenings, quiet nights), a weekly level,
multiplicative noise and random gaps; the country signal is the sum of the
networks. Planted outages cut a share of the signal for a span: ``national``
(every network and the country), ``regional`` (every network of one region)
or ``network`` (one network). The planted list is the truth to score against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marsad.connectivity.outages.detection import DAY, Series

SOURCES = ("bgp", "ping-slash24", "merit-nt")


@dataclass(frozen=True)
class Planted:
    """One outage written into the generated signals."""

    start: int
    end: int
    scope: str
    entities: tuple[str, ...]
    depth: float


@dataclass(frozen=True)
class Generated:
    series: list[Series]
    planted: list[Planted]
    networks: dict[str, str]  # ASN → region


def _network_regions(count: int) -> dict[str, str]:
    """``count`` made-up ASNs, a third of them in the Kurdistan Region."""
    return {f"AS{64512 + i}": ("kurdistan" if i % 3 == 0 else "federal") for i in range(count)}


def generate(
    *,
    networks: int = 6,
    days: int = 28,
    step: int = 300,
    sources: tuple[str, ...] = SOURCES,
    outages: int = 12,
    noise: float = 0.04,
    gap_share: float = 0.01,
    start: int = 1_780_000_000 - 1_780_000_000 % DAY,
    seed: int = 7,
    country: bool = True,
) -> Generated:
    """Signals for ``networks`` networks over ``days`` days with ``outages`` planted cuts."""
    rng = np.random.default_rng(seed)
    regions = _network_regions(networks)
    asns = list(regions)
    n = days * DAY // step
    ts = start + np.arange(n, dtype=np.int64) * step
    hours = (ts % DAY) / 3600.0
    # Baghdad is UTC+3: traffic is lowest near 04:00 local and peaks in the evening.
    diurnal = 1.0 + 0.45 * np.sin(2 * np.pi * (hours + 3 - 10) / 24)
    weekly = 1.0 + 0.05 * np.sin(2 * np.pi * (ts - start) / (7 * DAY))

    planted: list[Planted] = []
    factor = {asn: np.ones(n) for asn in asns}
    busy = np.zeros(n, dtype=bool)
    kinds = ("national", "regional", "network")
    tries = 0
    while len(planted) < outages and tries < outages * 50:
        tries += 1
        kind = kinds[len(planted) % 3]
        length = int(rng.integers(3, 48)) * 600 // step * step // step  # 30 min to 8 h
        first = int(rng.integers(8 * DAY // step, n - length - 1))
        window = slice(max(0, first - DAY // step // 8), first + length + DAY // step // 8)
        if busy[window].any():
            continue
        busy[window] = True
        depth = float(rng.uniform(0.6, 1.0)) if kind != "network" else float(rng.uniform(0.5, 1))
        if kind == "national":
            hit = asns
        elif kind == "regional":
            region = "kurdistan" if rng.random() < 0.6 else "federal"
            hit = [a for a in asns if regions[a] == region]
        else:
            hit = [asns[int(rng.integers(0, len(asns)))]]
        for asn in hit:
            factor[asn][first : first + length] *= 1.0 - depth
        codes = tuple(sorted(hit + (["IQ"] if kind == "national" and country else [])))
        planted.append(
            Planted(
                start=int(ts[first]),
                end=int(ts[first] + length * step),
                scope=kind,
                entities=codes,
                depth=round(depth, 3),
            )
        )

    series: list[Series] = []
    totals = {source: np.zeros(n) for source in sources}
    for i, asn in enumerate(asns):
        size = 200.0 * (1 + i % 4)
        for j, source in enumerate(sources):
            scale = size * (1.0 + 0.3 * j)
            clean = scale * diurnal * weekly * factor[asn]
            totals[source] += clean
            values = clean * (1 + noise * rng.standard_normal(n))
            series.append(_with_gaps("asn", asn, source, ts, values, gap_share, rng))
    if country:
        for source in sources:
            values = totals[source] * (1 + noise / 2 * rng.standard_normal(n))
            series.append(_with_gaps("country", "IQ", source, ts, values, gap_share, rng))
    planted.sort(key=lambda p: p.start)
    return Generated(series=series, planted=planted, networks=regions)


def _with_gaps(
    entity_type: str,
    code: str,
    source: str,
    ts: np.ndarray,
    values: np.ndarray,
    share: float,
    rng: np.random.Generator,
) -> Series:
    """Drop some runs of points (a collector down for 5 minutes to 2 hours)."""
    keep = np.ones(len(ts), dtype=bool)
    for _ in range(int(len(ts) * share / 8)):
        first = int(rng.integers(0, len(ts)))
        keep[first : first + int(rng.integers(1, 24))] = False
    return Series(entity_type, code, source, ts[keep], np.maximum(values[keep], 0.0))


def score(found: list[tuple[int, int, str]], planted: list[Planted], tolerance: int = 1200):
    """Precision and recall: a found event matches a planted one of its scope within tolerance."""
    matched_found: set[int] = set()
    matched_planted = 0
    for truth in planted:
        for i, (start, end, scope) in enumerate(found):
            if i in matched_found or scope != truth.scope:
                continue
            if abs(start - truth.start) <= tolerance and abs(end - truth.end) <= tolerance:
                matched_found.add(i)
                matched_planted += 1
                break
    precision = len(matched_found) / len(found) if found else 1.0
    recall = matched_planted / len(planted) if planted else 1.0
    return precision, recall


def write_csv(series: list[Series], path: str | object) -> int:
    """The series as an IODA-style CSV (the import format); returns the number of rows."""
    import csv

    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:  # noqa: PTH123
        writer = csv.writer(handle)
        writer.writerow(["entity_type", "entity_code", "source", "timestamp", "value"])
        for one in series:
            values = np.char.mod("%.3f", one.values)
            for ts, value in zip(one.timestamps.tolist(), values.tolist(), strict=True):
                writer.writerow((one.entity_type, one.entity_code, one.source, ts, value))
            rows += len(one.timestamps)
    return rows
