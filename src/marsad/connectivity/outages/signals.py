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
from collections.abc import Iterator
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

    def key(self, etype: str, code: str, source: str) -> tuple[str, str, str] | None:
        """The normalised series key, or None when the row path should explain what is wrong."""
        entity_type = _TYPE_ALIASES.get(etype.strip().lower())
        if entity_type is None or not code.strip() or not source.strip():
            return None
        try:
            return (entity_type, _normal_code(entity_type, code), source.strip().lower())
        except ValueError:
            return None

    def extend(self, key: tuple[str, str, str], ts: np.ndarray, values: np.ndarray,
               rows: np.ndarray) -> None:  # fmt: skip
        arrays = self.data.get(key)
        if arrays is None:
            arrays = self.data[key] = (array("q"), array("d"), array("q"))
        arrays[0].frombytes(ts.astype(np.int64).tobytes())
        arrays[1].frombytes(values.astype(np.float64).tobytes())
        arrays[2].frombytes(rows.astype(np.int64).tobytes())

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


def _fast_block(block: bytes, first: int, columns: tuple[int, ...], width: int,
                collector: _Collector) -> bool:  # fmt: skip
    """Parse whole lines of clean CSV with numpy; False (nothing added) when any is not clean.

    A clean block has no quotes, exactly ``width`` cells on every line, integer
    epoch timestamps and numbers ≥ 0 (or empty) as values. Anything else goes
    through the row-by-row path, which names each bad row.
    """
    if b'"' in block:
        return False
    raw = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    commas = np.cumsum(raw == 44)[newlines]
    per_line = np.diff(np.concatenate(([0], commas)))
    if not len(newlines) or np.any(per_line != width - 1):
        return False
    cells = block.replace(b"\r", b"").replace(b"\n", b",").split(b",")[:-1]
    i_type, i_code, i_src, i_ts, i_val = columns
    try:
        ts = np.array(cells[i_ts::width]).astype(np.int64)
        text = np.char.strip(np.array(cells[i_val::width]))
        empty = np.char.str_len(text) == 0
        text[empty] = b"nan"
        values = text.astype(np.float64)
    except (ValueError, OverflowError):
        return False
    if np.any(np.isinf(values)) or np.any(values < 0):
        return False
    change = np.zeros(max(len(ts) - 1, 0), dtype=bool)
    key_columns = []
    for i in (i_type, i_code, i_src):
        column = cells[i::width]
        # A block usually holds one or two series: skip the array when a column is constant.
        if column.count(column[0]) == len(column):
            key_columns.append(column)
            continue
        array_ = np.array(column)
        change |= array_[1:] != array_[:-1]
        key_columns.append(column)
    etype, code, source = key_columns
    change = np.flatnonzero(change)
    starts = np.concatenate(([0], change + 1))
    ends = np.concatenate((change + 1, [len(ts)]))
    keys = []
    for start in starts:
        try:
            parts = (etype[start].decode(), code[start].decode(), source[start].decode())
        except UnicodeDecodeError:
            return False
        key = collector.key(*parts)
        if key is None:
            return False
        keys.append(key)
    numbers = np.arange(first, first + len(ts), dtype=np.int64)
    collector.result.rows += len(ts)
    for key, start, end in zip(keys, starts, ends, strict=True):
        part = slice(int(start), int(end))
        keep = ~empty[part]
        collector.result.gaps += int(np.sum(~keep))
        collector.extend(key, ts[part][keep], values[part][keep], numbers[part][keep])
    return True


def _slow_block(block: bytes, first: int, columns: tuple[int, ...], width: int, names: int,
                collector: _Collector) -> None:  # fmt: skip
    """Row by row, each bad row rejected with its number and reason."""
    result = collector.result
    name = result.name
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first + block[: exc.start].count(b"\n")
        raise InvalidInput(
            "err_signals_encoding", "not UTF-8 text", where=f"{name}: row {line}"
        ) from None
    i_type, i_code, i_src, i_ts, i_val = columns
    for offset, row in enumerate(csv.reader(text.splitlines())):
        number = first + offset
        where = f"{name}: row {number}"
        if len(row) < width:
            if not any(cell.strip() for cell in row):
                continue
            result.rows += 1
            result.reject(where, f"{len(row)} cells, expected {names}")
            continue
        collector.add(number, where, row[i_type], row[i_code], row[i_src], row[i_ts],
                      row[i_val])  # fmt: skip


def read_csv(path: Path) -> ParsedSignals:
    """Rows of a CSV with a header naming at least the five columns.

    The file is read in blocks of a few megabytes of whole lines; clean blocks
    are parsed by numpy without a Python step per row, others row by row with a
    reason for each bad row. Quoted cells may not span lines.
    """
    name = path.name
    result = ParsedSignals(name)
    with path.open("rb") as handle:
        try:
            first_line = handle.readline().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                "err_signals_encoding", "not UTF-8 text", where=f"{name}: row 1"
            ) from None
        header = next(csv.reader([first_line]), None)
        if not header:
            raise InvalidInput("err_signals_empty", "the file is empty", where=name)
        names = [h.strip().lower() for h in header]
        missing = [c for c in COLUMNS if c not in names]
        if missing:
            raise InvalidInput(
                "err_signals_columns",
                f"missing column(s) {', '.join(missing)}; "
                f"the header must name {', '.join(COLUMNS)}",
                where=f"{name}: row 1",
            )
        columns = tuple(names.index(c) for c in COLUMNS)
        collector = _Collector(result)
        number = 2
        rest = b""
        while True:
            data = handle.read(1 << 23)
            block = rest + data
            if not data:
                if block and not block.endswith(b"\n"):
                    block += b"\n"
                rest = b""
            else:
                cut = block.rfind(b"\n") + 1
                block, rest = block[:cut], block[cut:]
            if block:
                if not _fast_block(block, number, columns, len(names), collector):
                    _slow_block(block, number, columns, max(columns) + 1, len(names), collector)
                number += block.count(b"\n")
            if not data:
                break
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
            return read_csv(path)
        if suffix in (".json", ".jsonl", ".ndjson"):
            return read_json(path.read_text(encoding="utf-8-sig"), name)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "err_signals_encoding", f"not UTF-8 text (byte {exc.start})", where=name
        ) from None
    raise InvalidInput("err_signals_format", "expected a .csv, .json or .jsonl file", where=name)
