"""Outage detection in connectivity signals: pure numpy, no database, no web.

A signal is one series of (epoch second, value) for one entity (the country,
a region, a network by ASN) and one source (``bgp``, ``ping-slash24``,
``merit-nt``). Detection, for each series:

1. lay the points on a regular grid of the series' step; a missing point is
   NaN, and NaN is never an outage (a gap in a source is not a cut);
2. the baseline of a point is an upper quantile of the same time-of-day slot
   on the days around it (up to ``window_days`` before and after). Outages
   only push values down, so an upper quantile stays at the normal level even
   when several nearby days were cut at the same hour (exam shutdowns repeat
   daily at the same time);
3. a point is down when its ratio to the baseline (a 3-point median) is below 75 % of the
   usual ratio for its time of day and more than ``k`` robust spreads (1.4826 × MAD, taken
   per time-of-day slot over all days) below it;
4. runs of down points, bridged over short interruptions and over silences of the source,
   lasting at least ``min_minutes`` are the series' outages.

Then the sources of one entity are merged (``sources`` says which agree), and
entities whose outages start together and overlap are merged into events with
a scope: ``national`` (the country entity, or most of the networks seen),
``regional`` (several networks or a region entity, all in one region) or
``network``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DAY = 86400


@dataclass(frozen=True)
class Series:
    """One signal: an entity's values from one source, timestamps ascending and unique."""

    entity_type: str
    entity_code: str
    source: str
    timestamps: np.ndarray  # int64 epoch seconds
    values: np.ndarray  # float64; NaN for a point known to be missing


@dataclass(frozen=True)
class Params:
    """Detection thresholds; the defaults are what the tests and benchmark measure."""

    min_drop: float = 0.25
    k: float = 4.0
    min_minutes: int = 15
    bridge_minutes: int = 10
    window_days: int = 7
    quantile: float = 0.75
    min_history: int = 3
    national_share: float = 0.5
    join_minutes: int = 30
    smooth: bool = True


@dataclass
class Outage:
    """A drop in one entity's signal, from one or more sources."""

    entity_type: str
    entity_code: str
    start: int
    end: int
    depth: float
    sources: list[str] = field(default_factory=list)
    # False when the edge was placed inside a gap of the source (a guess, not a measurement).
    start_exact: bool = True
    end_exact: bool = True


@dataclass
class Event:
    """Simultaneous outages of one or more entities, with their scope."""

    start: int
    end: int
    entities: list[str]
    sources: list[str]
    depth: float
    scope: str
    region: str | None = None
    outages: list[Outage] = field(default_factory=list)


def series_step(timestamps: np.ndarray) -> int:
    """The series' sampling step in seconds: the most common gap between points."""
    if len(timestamps) < 2:
        return 300
    diffs = np.diff(timestamps)
    diffs = diffs[diffs > 0]
    values, counts = np.unique(diffs, return_counts=True)
    return int(values[np.argmax(counts)])


def _upper_quantile(stack: np.ndarray, q: float, min_count: int) -> np.ndarray:
    """Column-wise quantile of ``stack`` (rows = neighbouring days) ignoring NaN, by sorting."""
    ordered = np.sort(stack, axis=0)  # NaN sort last
    n = np.sum(~np.isnan(stack), axis=0)
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    low = np.take_along_axis(ordered, lo[None, ...], axis=0)[0]
    high = np.take_along_axis(ordered, hi[None, ...], axis=0)[0]
    result = low + (high - low) * frac
    result[n < min_count] = np.nan
    return result


def baseline(grid: np.ndarray, slots: int, params: Params) -> np.ndarray:
    """The time-of-day baseline of each point of a day-aligned grid (length days × slots)."""
    days = len(grid) // slots
    matrix = grid.reshape(days, slots).astype(np.float32)
    w = params.window_days
    padded = np.full((days + 2 * w, slots), np.nan, dtype=np.float32)
    padded[w : w + days] = matrix
    offsets = [o for o in range(-w, w + 1) if o != 0]
    stack = np.stack([padded[w + o : w + o + days] for o in offsets])
    return _upper_quantile(stack, params.quantile, params.min_history).reshape(-1)


def _slot_spread(ratio: np.ndarray, slots: int) -> tuple[np.ndarray, np.ndarray]:
    """The ratio's usual level (median, at most 1) and robust spread (1.4826 × MAD) for each
    time-of-day slot, for every point.

    Noise differs by hour (a quiet night is relatively noisier than a busy evening when
    part of the noise does not scale with traffic), so each slot gets its own spread,
    taken over all days and eased over the neighbouring half hour.
    """
    matrix = ratio.reshape(-1, slots)
    centre = _column_median(matrix)
    spread = 1.4826 * _column_median(np.abs(matrix - centre))
    days = len(matrix)
    return (
        np.tile(np.minimum(_ease(centre, 1.0), 1.0), days),
        np.tile(np.maximum(_ease(spread, 0.0), 0.0), days),
    )


def _column_median(matrix: np.ndarray) -> np.ndarray:
    """Each column's median ignoring NaN (NaN where a column has no value); by sorting,
    which is much faster than ``np.nanmedian`` on short columns."""
    ordered = np.sort(matrix, axis=0)  # NaN sort last
    n = np.sum(~np.isnan(matrix), axis=0)
    low = np.take_along_axis(ordered, (np.maximum(n - 1, 0) // 2)[None, :], axis=0)[0]
    high = np.take_along_axis(ordered, (np.maximum(n, 1) // 2)[None, :], axis=0)[0]
    high = np.where(n % 2 == 0, high, low)
    result = (low + high) / 2
    result[n == 0] = np.nan
    return result


def _ease(values: np.ndarray, fallback: float) -> np.ndarray:
    """A circular running mean over 7 slots (missing slots take the overall median)."""
    overall = float(np.nanmedian(values)) if np.isfinite(values).any() else fallback
    values = np.where(np.isfinite(values), values, overall)
    width = min(7, len(values))
    padded = np.concatenate((values[-(width // 2) :], values, values[: width // 2]))
    return np.convolve(padded, np.ones(width) / width, mode="valid")[: len(values)]


def _median3(values: np.ndarray) -> np.ndarray:
    """Each point's median with its two neighbours (NaN-aware): one noisy point neither starts
    nor breaks an outage, and an edge moves by at most one step."""
    padded = np.concatenate(([np.nan], values, [np.nan]))
    stack = np.stack((padded[:-2], padded[1:-1], padded[2:]))
    ordered = np.sort(stack, axis=0)
    n = np.sum(~np.isnan(stack), axis=0)
    middle = np.take_along_axis(ordered, ((np.maximum(n, 1) - 1) // 2)[None, :], axis=0)[0]
    two = n == 2
    middle[two] = (ordered[0, two] + ordered[1, two]) / 2
    middle[np.isnan(values)] = np.nan  # a missing point stays missing: gaps are not outages
    return middle


def _gap_length(missing: np.ndarray, index: int, direction: int) -> int:
    """How many missing points in a row from ``index`` going ``direction`` (±1)."""
    count = 0
    while 0 <= index < len(missing) and missing[index]:
        count += 1
        index += direction
    return count


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indexes of the runs of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2], edges[1::2]


def detect_series(series: Series, params: Params | None = None) -> list[Outage]:
    """The outages of one series."""
    params = params or Params()
    ts = series.timestamps
    if len(ts) < 2:
        return []
    step = series_step(ts)
    if step <= 0 or DAY % step:
        return []
    slots = DAY // step
    first_day = (int(ts[0]) // DAY) * DAY
    index = (ts - first_day) // step
    aligned = (ts - first_day) % step == 0
    days = int(index[-1]) // slots + 1
    grid = np.full(days * slots, np.nan, dtype=np.float64)
    grid[index[aligned]] = series.values[aligned]
    base = baseline(grid, slots, params).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(base > 0, grid / base, np.nan)
    finite = np.isfinite(ratio)
    if not finite.any():
        return []
    # Noise in these signals grows with their level (counts of addresses, packets), so it is
    # measured on the ratio to the baseline: one threshold fits busy evenings and quiet nights.
    smooth = _median3(ratio) if params.smooth else ratio
    seen = np.isfinite(smooth)
    centre, sigma = _slot_spread(smooth, slots)
    threshold = np.minimum(centre * (1.0 - params.min_drop), centre - params.k * sigma)
    with np.errstate(invalid="ignore"):
        down = finite & seen & (smooth < threshold)
    starts, ends = _runs(down)
    if not len(starts):
        return []
    # Bridge short interruptions (a noisy point) inside one outage, and silences of the
    # source (up to two hours) with the outage on both sides.
    bridge = max(1, params.bridge_minutes * 60 // step)
    seen_before = np.concatenate(([0], np.cumsum(np.isfinite(grid))))
    between = starts[1:] - ends[:-1]
    silent = seen_before[starts[1:]] - seen_before[ends[:-1]] == 0
    joined = (between <= bridge) | (silent & (between <= 2 * 3600 // step))
    keep = np.concatenate(([True], ~joined))
    group = np.cumsum(keep) - 1
    run_starts = starts[keep]
    run_ends = np.maximum.reduceat(ends, np.flatnonzero(keep))
    counts = np.bincount(group, weights=ends - starts)
    minimum = max(1, params.min_minutes * 60 // step)
    outages = []
    missing = np.isnan(grid)
    longest_gap = 2 * 3600 // step
    for s, e, c in zip(run_starts, run_ends, counts, strict=True):
        if c < minimum:
            continue
        # When the source was silent just before (after) the drop, the cut began (ended)
        # somewhere in that gap: take its middle rather than its edge.
        before = _gap_length(missing, int(s) - 1, -1)
        after = _gap_length(missing, int(e), 1)
        start_guess = 0 < before <= longest_gap and s - before > 0
        end_guess = 0 < after <= longest_gap and e + after < len(grid)
        s = s - (before + 1) // 2 if start_guess else s
        e = e + (after + 1) // 2 if end_guess else e
        window = slice(int(s), int(e))
        ok = np.isfinite(grid[window]) & (base[window] > 0)
        seen = float(np.sum(grid[window][ok]))
        expected = float(np.sum(base[window][ok]))
        depth = 0.0 if expected <= 0 else min(1.0, max(0.0, 1.0 - seen / expected))
        outages.append(
            Outage(
                entity_type=series.entity_type,
                entity_code=series.entity_code,
                start=first_day + int(s) * step,
                end=first_day + int(e) * step,
                depth=round(depth, 3),
                sources=[series.source],
                start_exact=not start_guess,
                end_exact=not end_guess,
            )
        )
    return outages


def merge_sources(outages: Iterable[Outage]) -> list[Outage]:
    """One outage per entity and overlapping time, listing every source that saw it.

    Its start is the earliest start a source measured (a start guessed inside a source's
    gap counts only when no source measured one); the same for the end.
    """
    by_entity: dict[tuple[str, str], list[Outage]] = {}
    for outage in outages:
        by_entity.setdefault((outage.entity_type, outage.entity_code), []).append(outage)
    merged: list[Outage] = []
    for items in by_entity.values():
        items.sort(key=lambda o: o.start)
        groups: list[list[Outage]] = []
        for item in items:
            if groups and item.start < max(o.end for o in groups[-1]):
                groups[-1].append(item)
            else:
                groups.append([item])
        for group in groups:
            exact_starts = [o.start for o in group if o.start_exact]
            exact_ends = [o.end for o in group if o.end_exact]
            first = group[0]
            merged.append(
                Outage(
                    first.entity_type,
                    first.entity_code,
                    min(exact_starts) if exact_starts else min(o.start for o in group),
                    max(exact_ends) if exact_ends else max(o.end for o in group),
                    max(o.depth for o in group),
                    sorted({s for o in group for s in o.sources}),
                    bool(exact_starts),
                    bool(exact_ends),
                )
            )
    return merged


@dataclass(frozen=True)
class Scoping:
    """What the event merge needs to know about networks and regions.

    ``region_of`` maps an entity code (``AS50710``, a region code) to its region
    (``kurdistan`` or ``federal``), or None when unknown.
    """

    networks: int
    region_of: Callable[[str], str | None]
    country_codes: frozenset[str] = frozenset({"IQ"})


def _scope(group: Sequence[Outage], scoping: Scoping, params: Params) -> tuple[str, str | None]:
    """national, regional or network, and the region of a regional event.

    Networks that all belong to one region make it regional, even when they are
    most of the networks. A regional cut or one big network's cut also dents the
    country's signal, so the country entity makes an event national only when no
    network says otherwise or the country lost at least half its signal.
    """
    networks = {o.entity_code for o in group if o.entity_type == "asn"}
    country = [o for o in group if o.entity_type == "country"]
    others = [o for o in group if o.entity_type != "country"]
    regions = [scoping.region_of(o.entity_code) for o in others]
    known = set(regions) - {None}
    regional_entities = any(o.entity_type == "region" for o in others)
    if len(known) == 1 and None not in regions and (len(others) > 1 or regional_entities):
        return "regional", next(iter(known))
    if scoping.networks >= 2 and len(networks) >= max(2, params.national_share * scoping.networks):
        return "national", None
    if country and (not others or max(o.depth for o in country) >= 0.5):
        return "national", None
    # Entities whose region is unknown (a network not in the list, one serving both regions)
    # go with whichever region the others share.
    if len(known) <= 1 and (len(others) > 1 or regional_entities):
        return "regional", next(iter(known), None)
    return "network", None


def merge_events(
    outages: Iterable[Outage], scoping: Scoping, params: Params | None = None
) -> list[Event]:
    """Entities' outages that start together and overlap become one event."""
    params = params or Params()
    join = params.join_minutes * 60
    events: list[Event] = []
    groups: list[list[Outage]] = []
    for outage in sorted(outages, key=lambda o: (o.start, o.entity_code)):
        group = groups[-1] if groups else None
        group_end = max(o.end for o in group) if group else 0
        inside = min(outage.end, group_end) - outage.start
        if (
            group is not None
            and inside > 0
            and (outage.start - group[0].start <= join or inside >= (outage.end - outage.start) / 2)
        ):
            group.append(outage)
        else:
            groups.append([outage])
    for group in groups:
        scope, region = _scope(group, scoping, params)
        starts = sorted(o.start for o in group if o.start_exact) or sorted(o.start for o in group)
        ends = sorted(o.end for o in group if o.end_exact) or sorted(o.end for o in group)
        covered = [o for o in group if scope == "national" or o.entity_type != "country"]
        events.append(
            Event(
                start=starts[0],
                end=ends[-1],
                entities=sorted({o.entity_code for o in covered}),
                sources=sorted({s for o in group for s in o.sources}),
                depth=round(float(np.median([o.depth for o in group])), 3),
                scope=scope,
                region=region,
                outages=group,
            )
        )
    return events


def detect_events(
    series: Iterable[Series], scoping: Scoping, params: Params | None = None
) -> list[Event]:
    """Every event in a set of signals."""
    params = params or Params()
    found: list[Outage] = []
    for one in series:
        found.extend(detect_series(one, params))
    return merge_events(merge_sources(found), scoping, params)


def iso(epoch: int) -> str:
    """An epoch second as ISO 8601 UTC (``2026-06-13T03:00:00Z``)."""
    return np.datetime_as_string(np.datetime64(int(epoch), "s"), unit="s") + "Z"


def events_document(events: Iterable[Event]) -> dict[str, Any]:
    """The ``{"events": [...]}`` document ``detect-outages --json`` prints."""
    return {
        "events": [
            {
                "start": iso(e.start),
                "end": iso(e.end),
                "entities": e.entities,
                "sources": e.sources,
                "depth": e.depth,
                "scope": e.scope,
            }
            for e in events
        ]
    }
