"""Outage detection on generated signals with planted outages (the Quality goal)."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.connectivity.outages.detection import (
    DAY,
    Scoping,
    Series,
    detect_events,
    events_document,
)
from marsad.connectivity.outages.synthetic import generate, score


def _scoping(regions: dict[str, str]) -> Scoping:
    return Scoping(networks=len(regions), region_of=regions.get)


@pytest.mark.parametrize("seed", [11, 12])
def test_planted_outages_are_found_with_their_scope_and_times(seed: int) -> None:
    generated = generate(networks=6, days=28, outages=15, seed=seed, noise=0.05, gap_share=0.02)
    assert {p.scope for p in generated.planted} == {"national", "regional", "network"}
    events = detect_events(generated.series, _scoping(generated.networks))
    precision, recall = score([(e.start, e.end, e.scope) for e in events], generated.planted)
    assert precision >= 0.9
    assert recall >= 0.9


@pytest.mark.parametrize(
    ("label", "options", "additive"),
    [
        ("heavy noise", {"noise": 0.10}, 0.0),
        ("noise that does not scale with traffic", {"noise": 0.0}, 0.10),
        ("one source with many gaps", {"sources": ("bgp",), "gap_share": 0.05}, 0.0),
        ("10-minute steps", {"step": 600}, 0.0),
    ],
)
def test_harder_signals_keep_precision_and_recall(
    label: str, options: dict, additive: float
) -> None:  # type: ignore[type-arg]
    generated = generate(networks=6, days=28, outages=15, seed=2, **options)
    rng = np.random.default_rng(2)
    series = []
    for s in generated.series:
        noise = additive * s.values.mean() * rng.standard_normal(len(s.values))
        series.append(
            Series(
                s.entity_type,
                s.entity_code,
                s.source,
                s.timestamps,
                np.maximum(0, s.values + noise),
            )
        )
    events = detect_events(series, _scoping(generated.networks))
    precision, recall = score([(e.start, e.end, e.scope) for e in events], generated.planted)
    assert precision >= 0.9, label
    assert recall >= 0.9, label


def test_a_network_outage_names_its_network_and_sources() -> None:
    generated = generate(networks=6, days=21, outages=6, seed=5)
    events = detect_events(generated.series, _scoping(generated.networks))
    network_events = [e for e in events if e.scope == "network"]
    truths = [p for p in generated.planted if p.scope == "network"]
    assert network_events and len(network_events) == len(truths)
    for event, truth in zip(network_events, truths, strict=True):
        assert event.entities == list(truth.entities)
        assert event.sources == ["bgp", "merit-nt", "ping-slash24"]
        assert 0.3 <= event.depth <= 1.0


def _series(values: np.ndarray, *, step: int = 300, code: str = "AS50710") -> Series:
    ts = 1_780_000_000 - 1_780_000_000 % DAY + np.arange(len(values), dtype=np.int64) * step
    return Series("asn", code, "bgp", ts, values)


def _diurnal(days: int, step: int = 300, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = days * DAY // step
    hours = (np.arange(n) * step % DAY) / 3600
    return 1000 * (1 + 0.4 * np.sin(2 * np.pi * hours / 24)) * (1 + 0.03 * rng.standard_normal(n))


def test_a_gap_is_not_an_outage() -> None:
    values = _diurnal(21)
    keep = np.ones(len(values), dtype=bool)
    keep[15 * 288 + 40 : 15 * 288 + 100] = False  # five hours of nothing from the source
    series = _series(values)
    gapped = Series("asn", "AS50710", "bgp", series.timestamps[keep], series.values[keep])
    assert detect_events([gapped], _scoping({"AS50710": "federal"})) == []


def test_exam_shutdowns_repeated_every_morning_are_each_found() -> None:
    """Iraq cuts the internet at the same hours on exam days; the baseline must not learn it."""
    values = _diurnal(35)
    exam_days = [14, 15, 16, 17, 19, 20, 21, 22, 24, 25]
    for day in exam_days:  # 03:00-08:00 UTC, nearly total
        values[day * 288 + 36 : day * 288 + 96] *= 0.03
    events = detect_events([_series(values)], _scoping({"AS50710": "federal"}))
    assert len(events) == len(exam_days)
    base = int(_series(values).timestamps[0])
    for event, day in zip(events, exam_days, strict=True):
        assert abs(event.start - (base + day * DAY + 3 * 3600)) <= 600
        assert abs(event.end - (base + day * DAY + 8 * 3600)) <= 600
        assert event.depth > 0.9


def test_the_document_has_exactly_the_promised_shape() -> None:
    generated = generate(networks=3, days=14, outages=3, seed=3)
    document = events_document(detect_events(generated.series, _scoping(generated.networks)))
    assert document["events"]
    for event in document["events"]:
        assert list(event) == ["start", "end", "entities", "sources", "depth", "scope"]
        assert event["start"].endswith("Z") and event["start"] < event["end"]
        assert event["scope"] in {"national", "regional", "network"}
