"""Generic CSV and JSONL posts, read through a column mapping given by the user.

``--map id=tweetid,author=userid,text=tweet_text,created_at=tweet_time`` names which
column (CSV header, or JSONL key; a dotted path reaches into nested objects) holds each
field. ``id`` and ``text`` are required; the rest are optional.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from marsad.core.errors import InvalidInput
from marsad.posts.schema import AccountRef, PostRecord, Rejection, Relations
from marsad.posts.sources.base import (
    Item,
    LineSource,
    Source,
    check_text,
    find_hashtags,
    find_links,
    find_mentions,
    fit_record,
    iter_csv_rows,
    iter_jsonl,
    language_of,
    normalize_links,
    parse_time,
    to_id,
)

FIELDS = ("id", "author", "author_name", "text", "created_at", "url", "reply_to", "lang")
REQUIRED = ("id", "text")
LANGS = frozenset({"ar", "ckb", "kmr", "en", "other"})


def parse_mapping(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """Parse ``FIELD=COLUMN,…`` into a dict, refusing unknown fields and missing required ones."""
    if spec is None:
        mapping: dict[str, str] = {}
    elif isinstance(spec, Mapping):
        mapping = dict(spec)
    else:
        mapping = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            field, sep, column = part.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise InvalidInput(
                    "err_posts_mapping", f"'{part}' is not FIELD=COLUMN", where="--map"
                )
            mapping[field.strip()] = column.strip()
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            "err_posts_mapping",
            f"unknown field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}",
            where="--map",
        )
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise InvalidInput(
            "err_posts_mapping",
            f"the mapping needs {' and '.join(missing)} (e.g. --map id=post_id,text=body)",
            where="--map",
        )
    return mapping


class _TableSource(Source):
    """Shared row-to-post logic for the CSV and JSONL adapters."""

    def __init__(self, *, mapping: str | Mapping[str, str] | None, platform: str = "other") -> None:
        self.mapping = parse_mapping(mapping)
        self.platform = platform

    def _row(self, row: Mapping[str, Any], name: str, where: str) -> Item:
        def get(field: str) -> Any:
            column = self.mapping.get(field)
            if column is None:
                return None
            value: Any = row.get(column)
            if value is None and "." in column:  # dotted path into nested JSON
                value = row
                for part in column.split("."):
                    value = value.get(part) if isinstance(value, Mapping) else None
            return value

        post_id = to_id(get("id"))
        if post_id is None or not str(post_id).strip():
            return Rejection(name, where, f"no post id in column '{self.mapping['id']}'")
        text = get("text")
        text = "" if text is None else str(text)
        if (bad := check_text(text, name, where)) is not None:
            return bad
        created = None
        raw_time = get("created_at")
        if raw_time not in (None, ""):
            created = parse_time(raw_time)
            if created is None:
                return Rejection(
                    name,
                    where,
                    f"unreadable date {str(raw_time)[:40]!r} in column "
                    f"'{self.mapping['created_at']}'",
                )
        author = to_id(get("author"))
        author_name = get("author_name")
        account = (
            AccountRef(author, None, str(author_name) if author_name else None) if author else None
        )
        lang = get("lang")
        lang = lang if lang in LANGS else language_of(text)
        # Trimmed like the post id, so the reply finds the post it answers; a blank
        # cell answers nothing.
        reply_to = (to_id(get("reply_to")) or "").strip() or None
        record = PostRecord(
            platform=self.platform,
            post_id=str(post_id).strip(),
            account=account,
            text=text,
            created_at=created,
            lang=lang,
            url=str(get("url")) if get("url") else None,
            links=normalize_links(find_links(text)),
            hashtags=find_hashtags(text),
            mentions=find_mentions(text),
            relations=Relations(reply_to=reply_to),
            raw=dict(row),
        )
        return fit_record(record, name, where)


class CsvSource(_TableSource):
    """Read any CSV of posts (UTF-8, header row) through a column mapping."""

    name: ClassVar[str] = "csv"
    description: ClassVar[str] = "any CSV with a header; columns named by --map FIELD=COLUMN,…"

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield one post per data row."""
        name = str(path)
        csv.field_size_limit(64 * 1024 * 1024)
        with path.open("rb") as raw:
            stream = io.TextIOWrapper(
                raw, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            reader = csv.DictReader(stream)
            try:
                header = reader.fieldnames
            except csv.Error as exc:
                yield Rejection(name, "line 1", f"unreadable CSV header: {exc}")
                return
            if not header:
                yield Rejection(name, "line 1", "empty file")
                return
            absent = [c for f, c in self.mapping.items() if c not in header and "." not in c]
            if absent:
                yield Rejection(
                    name,
                    "line 1",
                    f"column(s) {', '.join(absent)} not in the header "
                    f"({', '.join(h for h in header[:12] if h)})",
                )
                return
            for entry in iter_csv_rows(reader, name):
                if isinstance(entry, Rejection):
                    yield entry
                    continue
                row, where = entry
                if any(
                    isinstance(v, str) and any("\udc80" <= c <= "\udcff" for c in v)
                    for v in row.values()
                ):
                    yield Rejection(name, where, "invalid UTF-8 in row")
                    continue
                yield self._row(row, name, where)


class JsonlSource(_TableSource, LineSource):
    """Read any JSON Lines file of posts (one object a line) through a key mapping."""

    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = "any JSON Lines file; keys (dotted paths) named by --map"

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield one post per line."""
        yield from self.iter_slice(path, 0, None, 1)

    def iter_slice(
        self, path: Path, start: int, end: int | None, first_line: int
    ) -> Iterator[Item]:
        """Yield the posts of the lines between two byte offsets."""
        name = str(path)
        for entry in iter_jsonl(path, start=start, end=end, first_line=first_line):
            if isinstance(entry, Rejection):
                yield entry
                continue
            lineno, value = entry
            if not isinstance(value, dict):
                yield Rejection(name, f"line {lineno}", "line is not a JSON object")
                continue
            yield self._row(value, name, f"line {lineno}")
