"""Reading a coordination input file (CSV or JSONL) into a :class:`PostTable`.

Each Marsad field is looked up under its own name first, then under the names
common tools use (CooRTweet's ``timestamp_share``/``content_id``, the X API's
``author_id``/``created_at``…); ``--account-col`` and friends override that.
Every problem is reported as one :class:`InvalidInput` line naming the file,
the row and the column.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from marsad.coordination.table import PostTable
from marsad.core.errors import InvalidInput

__all__ = ["ALIASES", "read_rows", "read_table"]

ALIASES: dict[str, tuple[str, ...]] = {
    "account_id": ("account_id", "author_id", "user_id", "id_user", "account", "from_id"),
    "post_id": ("post_id", "content_id", "tweet_id", "id", "message_id"),
    "timestamp": ("timestamp", "timestamp_share", "created_at", "time", "date", "datetime"),
    "object_id": ("object_id", "referenced_tweet_id", "retweet_of", "forward_from", "shared_id"),
    "url": ("url", "link", "expanded_url", "urls"),
    "text": ("text", "message", "content", "body"),
    "hashtags": ("hashtags", "hashtag", "tags"),
}
REQUIRED = ("account_id", "timestamp")
_CODE = "err_coordination_input"


def _resolve(header: list[str], overrides: Mapping[str, str | None], source: str) -> dict[str, str]:
    """Map Marsad field → column name present in ``header``."""
    present = set(header)
    lower = {h.lower(): h for h in header}
    mapping: dict[str, str] = {}
    for field, aliases in ALIASES.items():
        chosen = overrides.get(field)
        if chosen:
            if chosen not in present:
                raise InvalidInput(
                    _CODE,
                    f"column {chosen!r} (given for {field}) is not in the header "
                    f"({', '.join(header) or 'empty'})",
                    where=source,
                )
            mapping[field] = chosen
            continue
        for alias in aliases:
            if alias in lower:
                mapping[field] = lower[alias]
                break
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise InvalidInput(
            _CODE,
            f"no {' or '.join(missing)} column (looked for "
            + "; ".join(", ".join(ALIASES[f]) for f in missing)
            + f"; header has {', '.join(header) or 'nothing'})",
            where=source,
        )
    return mapping


def _csv_rows(path: Path, overrides: Mapping[str, str | None]) -> Iterator[dict[str, Any]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise InvalidInput(_CODE, "the file is empty (no header)", where=str(path))
        mapping = _resolve([h.strip() for h in header], overrides, str(path))
        index = {field: [h.strip() for h in header].index(col) for field, col in mapping.items()}
        width = len(header)
        for n, record in enumerate(reader, start=2):
            if not record:
                continue
            if len(record) != width:
                raise InvalidInput(
                    _CODE,
                    f"has {len(record)} fields, the header has {width}",
                    where=f"{path}: line {n}",
                )
            yield {field: record[i] for field, i in index.items()}


def _jsonl_rows(path: Path, overrides: Mapping[str, str | None]) -> Iterator[dict[str, Any]]:
    mapping: dict[str, str] | None = None
    with path.open(encoding="utf-8-sig") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    _CODE, f"not JSON ({exc.msg})", where=f"{path}: line {n}"
                ) from None
            if not isinstance(record, dict):
                raise InvalidInput(_CODE, "not a JSON object", where=f"{path}: line {n}")
            if mapping is None:
                mapping = _resolve(list(record), overrides, f"{path}: line {n}")
            row = {field: record.get(col) for field, col in mapping.items()}
            if row.get("url") is not None and isinstance(row["url"], list):
                row["url"] = " ".join(str(u) for u in row["url"])
            yield row


def _utf8_only(rows: Iterator[dict[str, Any]], path: Path) -> Iterator[dict[str, Any]]:
    """The rows, with a file in another encoding (Latin-1, Windows-1256) named, not a crash."""
    try:
        yield from rows
    except UnicodeDecodeError:
        raise InvalidInput(
            _CODE, "is not UTF-8 text; save it as UTF-8 and try again", where=str(path)
        ) from None


def read_rows(path: Path, **overrides: str | None) -> Iterator[dict[str, Any]]:
    """Yield rows with Marsad's field names from a ``.csv`` or ``.jsonl``/``.ndjson`` file."""
    if not path.exists():
        raise InvalidInput(_CODE, "no such file", where=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _utf8_only(_csv_rows(path, overrides), path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _utf8_only(_jsonl_rows(path, overrides), path)
    raise InvalidInput(
        _CODE, f"unknown file type {suffix or '(none)'}; use .csv or .jsonl", where=str(path)
    )


def read_table(path: Path, **overrides: str | None) -> PostTable:
    """Read ``path`` into a table; raise :class:`InvalidInput` on anything unusable."""
    table = PostTable.from_rows(read_rows(path, **overrides), source=str(path))
    if len(table) == 0:
        raise InvalidInput(_CODE, "the file has a header but no rows", where=str(path))
    return table
