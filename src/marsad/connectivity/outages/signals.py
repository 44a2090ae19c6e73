"""Reading connectivity signals from files (CSV, JSON, JSONL, IODA API JSON).

A row is ``entity_type, entity_code, source, timestamp, value``: IODA's
vocabulary (``country``/``region``/``asn``; ``bgp``, ``ping-slash24``,
``merit-nt``…). Timestamps are epoch seconds or ISO 8601 (UTC when no offset is
given). An empty or null value is a missing point (a gap, never an outage).

Each bad row is rejected with a reason naming the file and the row (or the
JSON position); the rest of the file is kept. Points of a series that arrive
out of order are sorted; a second point at a timestamp already seen in the
same file is rejected as a duplicate.
"""

from __future__ import annotations

import csv
import io
import json
import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from marsad.connectivity.outages.detection import Series
from marsad.core.errors import InvalidInput

ENTITY_TYPES = ("country", "region", "asn")
COLUMNS = ("entity_type", "entity_code", "source", "timestamp", "value")
MAX_ERRORS = 100
# IODA's and the field's spellings of the entity types.
_TYPE_ALIASES = {"country": "country", "region": "region", "asn": "asn", "as": "asn"}


@dataclass
class Rejected:
    where: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass
class ParsedSignals:
    """The series read from one file, with what was refused and why."""

    name: str
    series: list[Series] = field(default_factory=list)
    rows: int = 0
    gaps: int = 0
    reordered: int = 0
    rejected: int = 0
    errors: list[Rejected] = field(default_factory=list)

    def reject(self, where: str, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(Rejected(where, reason))

    @property
    def points(self) -> int:
        return sum(len(s.timestamps) for s in self.series)


def parse_timestamp(value: Any) -> int:
    """Epoch seconds from an int, a numeric string or ISO 8601; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite timestamp")
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a timestamp: {text[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _normal_code(entity_type: str, code: str) -> str:
    code = code.strip()
    if entity_type == "asn":
        digits = code.upper().removeprefix("AS").strip()
        if not digits.isdigit():
            raise ValueError(f"not an ASN: {code[:40]!r}")
        return f"AS{int(digits)}"
    if entity_type == "country":
        return code.upper()
    return code


class _Collector:
    """Points per series in compact arrays (8 bytes a number, not a Python object)."""

    def __init__(self, result: ParsedSignals) -> None:
        self.result = result
        self.data: dict[tuple[str, str, str], tuple[array, array, array]] = {}

    def add(self, row_number: int, where: str, etype: Any, code: Any, source: Any, ts: Any,
            value: Any) -> None:  # fmt: skip
        result = self.result
        result.rows += 1
        try:
            entity_type = _TYPE_ALIASES.get(str(etype or "").strip().lower())
            if entity_type is None:
                raise ValueError(
                    f"entity_type must be one of {', '.join(ENTITY_TYPES)}, not {str(etype)[:20]!r}"
                )
            if not code or not str(code).strip():
                raise ValueError("entity_code is empty")
            if not source or not str(source).strip():
                raise ValueError("source is empty")
            epoch = parse_timestamp(ts)
            if value is None or (isinstance(value, str) and not value.strip()):
                number = math.nan
            else:
                number = float(value)
                if math.isinf(number) or number < 0:
                    raise ValueError(f"value must be a number ≥ 0, not {str(value)[:20]!r}")
            key = (entity_type, _normal_code(entity_type, str(code)), str(source).strip().lower())
        except (TypeError, ValueError) as exc:
            result.reject(where, str(exc))
            return
        if math.isnan(number):
            result.gaps += 1
            return
        arrays = self.data.get(key)
        if arrays is None:
            arrays = self.data[key] = (array("q"), array("d"), array("q"))
        arrays[0].append(epoch)
        arrays[1].append(number)
        arrays[2].append(row_number)

    def finish(self, position: str) -> ParsedSignals:
        result = self.result
        for (etype, code, source), (ts_a, val_a, row_a) in self.data.items():
            ts = np.frombuffer(ts_a, dtype=np.int64)
            values = np.frombuffer(val_a, dtype=np.float64)
            rows = np.frombuffer(row_a, dtype=np.int64)
            if len(ts) > 1 and np.any(np.diff(ts) < 0):
                order = np.argsort(ts, kind="stable")
                result.reordered += int(np.sum(np.diff(ts) < 0))
                ts, values, rows = ts[order], values[order], rows[order]
            duplicate = np.concatenate(([False], np.diff(ts) == 0)) if len(ts) else ts.astype(bool)
            for row in rows[duplicate][:MAX_ERRORS]:
                result.reject(
                    f"{result.name}: {position} {int(row)}",
                    f"duplicate timestamp for {etype} {code} {source}",
                )
            result.rejected += max(0, int(duplicate.sum()) - MAX_ERRORS)
            keep = ~duplicate
            result.series.append(Series(etype, code, source, ts[keep].copy(), values[keep].copy()))
        result.series.sort(key=lambda s: (s.entity_type, s.entity_code, s.source))
        return result


def read_csv(text: Iterable[str], name: str) -> ParsedSignals:
    """Rows of a CSV with a header naming at least the five columns."""
    result = ParsedSignals(name)
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        raise InvalidInput("err_signals_empty", "the file is empty", where=name)
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise InvalidInput(
            "err_signals_columns",
            f"missing column(s) {', '.join(missing)}; the header must name {', '.join(COLUMNS)}",
            where=f"{name}: row 1",
        )
    i_type, i_code, i_src, i_ts, i_val = (names.index(c) for c in COLUMNS)
    width = max(i_type, i_code, i_src, i_ts, i_val) + 1
    collector = _Collector(result)
    add = collector.add
    for number, row in enumerate(reader, start=2):
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                continue
            result.rows += 1
            result.reject(f"{name}: row {number}", f"{len(row)} cells, expected {len(names)}")
            continue
        add(number, f"{name}: row {number}", row[i_type], row[i_code], row[i_src], row[i_ts],
            row[i_val])  # fmt: skip
    return collector.finish("row")


def _ioda_series(item: dict[str, Any], where: str, collector: _Collector) -> None:
    """One IODA API series: ``from``, ``step`` and a list of values (null for missing)."""
    try:
        start = parse_timestamp(item["from"])
        step = int(item["step"])
        values = item["values"]
        if step <= 0 or not isinstance(values, list):
            raise ValueError("step must be > 0 and values a list")
    except (KeyError, TypeError, ValueError) as exc:
        collector.result.rows += 1
        collector.result.reject(where, f"not an IODA series: {exc}")
        return
    etype, code = item.get("entityType"), item.get("entityCode")
    source = item.get("datasource")
    for i, value in enumerate(values):
        collector.add(i, f"{where}.values[{i}]", etype, code, source, start + i * step, value)


def _json_rows(document: Any) -> Iterator[tuple[str, Any]]:
    """``(position, item)`` of rows, ``{"signals": [...]}`` or an IODA ``{"data": ...}``."""
    if isinstance(document, dict) and "data" in document:
        data = document["data"]
        groups = data if isinstance(data, list) else [data]
        for i, group in enumerate(groups):
            items = group if isinstance(group, list) else [group]
            for j, item in enumerate(items):
                yield f"data[{i}][{j}]", item
        return
    if isinstance(document, dict) and "signals" in document:
        document = document["signals"]
    if not isinstance(document, list):
        raise InvalidInput(
            "err_signals_format",
            'expected a list of rows, {"signals": [...]} or an IODA response {"data": [...]}',
        )
    for i, item in enumerate(document):
        yield f"[{i}]", item


def _add_json_item(collector: _Collector, number: int, where: str, item: Any) -> None:
    if not isinstance(item, dict):
        collector.result.rows += 1
        collector.result.reject(where, "not an object")
    elif "values" in item and "from" in item:
        _ioda_series(item, where, collector)
    else:
        collector.add(number, where, item.get("entity_type"), item.get("entity_code"),
                      item.get("source"), item.get("timestamp"), item.get("value"))  # fmt: skip


def read_json(text: str, name: str) -> ParsedSignals:
    """A JSON document (rows or IODA series), or JSON Lines (one row per line)."""
    result = ParsedSignals(name)
    collector = _Collector(result)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if document is not None:
        for number, (position, item) in enumerate(_json_rows(document)):
            _add_json_item(collector, number, f"{name}: {position}", item)
        return collector.finish("item")
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        where = f"{name}: line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            result.rows += 1
            result.reject(where, f"not JSON ({exc.msg})")
            continue
        _add_json_item(collector, number, where, item)
    return collector.finish("line")


def read_signals(path: Path) -> ParsedSignals:
    """A signals file by its extension (.csv, .json, .jsonl); errors name the file."""
    name = path.name
    if not path.is_file():
        raise InvalidInput("err_file_missing", "no such file", where=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                return read_csv(handle, name)
        if suffix in (".json", ".jsonl", ".ndjson"):
            return read_json(path.read_text(encoding="utf-8-sig"), name)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "err_signals_encoding", f"not UTF-8 text (byte {exc.start})", where=name
        ) from None
    raise InvalidInput("err_signals_format", "expected a .csv, .json or .jsonl file", where=name)
