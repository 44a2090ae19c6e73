"""What every source adapter shares: the role interface, and small pure helpers.

An adapter never raises on bad input. Anything it cannot read becomes a
:class:`~marsad.posts.schema.Rejection` naming the file, the position (line number,
or JSON path for single-document files) and the reason, and reading goes on.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from marsad.core.text import detect_language
from marsad.posts.schema import PostRecord, Rejection, Repeat

# Longest text accepted in one post. Platforms cap posts far below this (Telegram 4,096
# characters, X 25,000, Facebook 63,206); a bigger field is a broken or hostile file.
MAX_TEXT_CHARS = 200_000
# Longest JSONL line read (a twarc2 page of 500 tweets with its includes is a few MB).
MAX_LINE_BYTES = 32 * 1024 * 1024

Item = PostRecord | Rejection | Repeat


class Source(ABC):
    """A role: turn one file into posts and rejections, lazily, never raising on bad input."""

    #: the name users pass to ``marsad ingest FORMAT``
    name: ClassVar[str]
    #: a one-line description for ``--help`` and the docs
    description: ClassVar[str]
    #: set by ingest: the adapter may yield REPEAT for a record identical to one it
    #: yielded before in this run, instead of building it again
    skip_repeats: bool = False

    @abstractmethod
    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Yield a PostRecord for each post in ``path`` and a Rejection for each bad record."""


class LineSource(Source):
    """A source whose files may be JSON Lines, which can be read in slices (in parallel)."""

    def is_line_file(self, path: Path) -> bool:  # noqa: ARG002 - subclasses look at the file
        """True when ``path`` is JSON Lines (so :meth:`iter_slice` may read parts of it)."""
        return True

    @abstractmethod
    def iter_slice(
        self, path: Path, start: int, end: int | None, first_line: int
    ) -> Iterator[Item]:
        """Yield the posts of the lines between byte offsets ``start`` and ``end``."""


class PartSource(Source):
    """A source whose single-document files several processes can read at once.

    The file is cut into byte ranges (:func:`part_bounds`); each process parses the file
    from its start (the parser is C, a tenth of a post's cost) and builds the posts of
    the records that end in its own range, then stops. Positions stay exact; the
    rejection of the file itself (broken JSON) comes from the last part only, which
    reads up to it, so it is counted once.
    """

    def can_split(self, path: Path) -> bool:  # noqa: ARG002 - subclasses look at the file
        """True when :meth:`iter_part` can read ``path``."""
        return True

    @abstractmethod
    def iter_part(self, path: Path, part: int, parts: int) -> Iterator[Item]:
        """Yield the posts of part ``part`` (0-based) of ``parts`` of the file."""


# The share of a post's cost that parsing its record takes (ijson on a Telegram message:
# about 11 of 110 us); every part but the first also parses the records before its own.
PARSE_SHARE = 0.1


def part_bounds(size: int, parts: int, parse_share: float = PARSE_SHARE) -> list[int]:
    """Byte offsets cutting a file into ``parts`` ranges of equal work (``parts + 1`` cuts).

    Part ``k`` parses bytes ``[0, b[k+1])`` and builds the records of ``[b[k], b[k+1])``,
    so earlier parts get longer ranges. The last cut is ``size``.
    """
    parse, build = parse_share, 1.0 - parse_share

    def cuts(work: float) -> list[float]:
        bounds = [0.0]
        for _ in range(parts - 1):
            bounds.append((work + build * bounds[-1]) / (parse + build))
        return bounds

    low, high = 0.0, 1.0
    for _ in range(60):  # bisect the work per part until the last part's share fits
        work = (low + high) / 2
        last = cuts(work)[-1]
        if parse + build * (1.0 - last) > work:
            low = work
        else:
            high = work
    return [round(b * size) for b in cuts(high)] + [size]


# ---------------------------------------------------------------------------------- reading


# Every digit and minus as 0, any other byte as a space: a long integer then shows as a
# run of zeros (a minus counts as a digit), found at C speed: a MB in about 1 ms.
_DIGIT_SHAPES = bytes(48 if 48 <= i <= 57 or i == 45 else 32 for i in range(256))


def has_digit_run(data: bytes, digits: int) -> bool:
    """True when ``data`` holds ``digits`` digits in a row (a minus counting as one),
    anywhere, strings included. 20 finds every integer beyond 64 bits, which orjson
    reads as a float (its last digits lost) without an error; 19 every one beyond 64
    bits signed, which ijson refuses."""
    return b"0" * digits in data.translate(_DIGIT_SHAPES)


def loads(data: bytes) -> Any:
    """Parse JSON with orjson (several times faster), or as :func:`json.loads` does.

    Whatever orjson refuses or would misread and the standard library reads (integers
    beyond 64 bits, NaN, lone surrogate escapes) is read by the standard library, and a
    document neither reads raises the standard library's error, so rejections read the
    same.
    """
    if not has_digit_run(data, 20):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


# Read whole: API responses are pages of about 100 items; a bigger document is
# converted to JSONL (one page a line), which is streamed.
MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024


def iter_csv_rows(reader: Any, name: str) -> Iterator[tuple[Any, str] | Rejection]:
    """Yield ``(row, "row N (line L)")`` from a csv reader, a Rejection for a malformed row."""
    row_no = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_no += 1
            yield Rejection(name, f"line {reader.line_num}", f"malformed CSV: {exc}")
            continue
        row_no += 1
        yield row, f"row {row_no} (line {reader.line_num})"


def iter_json_pages(path: Path) -> Iterator[tuple[str, Any] | Rejection]:
    """Yield ``(where, document)`` of a JSON file holding one API response, or of each
    line of a file of responses one per line (JSONL); a Rejection where that fails.
    """
    name = str(path)
    if path.stat().st_size > MAX_JSON_DOCUMENT_BYTES:
        yield Rejection(name, "$", "JSON document too large; convert it to JSONL, one page a line")
        return
    try:
        document = loads(path.read_bytes())
    except UnicodeDecodeError as exc:
        yield Rejection(name, "$", f"invalid UTF-8 at byte {exc.start}")
        return
    except ValueError as exc:
        if "Extra data" not in str(exc):
            yield Rejection(name, "$", f"invalid JSON: {exc}")
            return
        for entry in iter_jsonl(path):
            yield entry if isinstance(entry, Rejection) else (f"line {entry[0]}", entry[1])
        return
    yield ("$", document)


def iter_jsonl(
    path: Path, *, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[tuple[int, Any] | Rejection]:
    """Yield ``(line_number, value)`` per JSON line, or a Rejection for a line that is not JSON.

    Lines are read as bytes with a size cap, so a 10 MB line or invalid UTF-8 costs one
    rejection, not the whole file. ``start``/``end`` (byte offsets at line starts) and
    ``first_line`` read one slice of the file, for ingesting a big file in parallel.
    """
    name = str(path)
    seen_any = False
    whole = start == 0 and end is None
    # A big buffer: X pages are lines of about 100 KB, read in one call, not twelve.
    with path.open("rb", buffering=1 << 20) as fh:
        fh.seek(start)
        lineno = first_line - 1
        while end is None or fh.tell() < end:
            line = fh.readline(MAX_LINE_BYTES + 1)
            if not line:
                break
            lineno += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                # Skip the rest of the oversized line without holding it in memory.
                while (chunk := fh.readline(1 << 20)) and not chunk.endswith(b"\n"):
                    pass
                yield Rejection(name, f"line {lineno}", f"line longer than {MAX_LINE_BYTES} bytes")
                continue
            if line.isspace():  # (strip() would copy the line)
                continue
            seen_any = True
            try:
                value = loads(line)
            except UnicodeDecodeError as exc:
                yield Rejection(name, f"line {lineno}", f"invalid UTF-8 at byte {exc.start}")
                continue
            except ValueError as exc:
                reason = f"invalid JSON: {exc}"
                if not line.endswith(b"\n"):
                    reason = f"truncated last line ({reason})"
                yield Rejection(name, f"line {lineno}", reason)
                continue
            yield lineno, value
    if whole and not seen_any:
        yield Rejection(name, "line 1", "empty file")


def sniff_first_byte(path: Path) -> bytes:
    """Return the first non-whitespace byte of a file (b"" when empty), skipping a UTF-8 BOM."""
    with path.open("rb") as fh:
        head = fh.read(4096)
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        while head and not head.strip():
            head = fh.read(4096)
        stripped = head.lstrip()
        return stripped[:1]


# ----------------------------------------------------------------------------------- values

_TZ_SUFFIX = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


def parse_time(value: Any) -> datetime | None:
    """Parse a platform timestamp to an aware UTC datetime; None when absent or unreadable.

    Accepts epoch seconds (int, float or digit string, as Telegram's ``date_unixtime``),
    ISO 8601 with or without a zone (no zone means UTC), and Twitter v1.1's
    ``Mon Oct 21 10:13:02 +0000 2019``.
    """
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(float(value), UTC)
        text = str(value).strip()
        if text.isdigit():
            number = int(text)
            if number > 10**11:  # milliseconds (timestamp_ms)
                return datetime.fromtimestamp(number / 1000, UTC)
            return datetime.fromtimestamp(number, UTC)
        if len(text) >= 26 and text[3] == " " and text[-5:-4] == " " and text[-4:].isdigit():
            return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except (ValueError, OverflowError, OSError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def to_int(value: Any) -> int | None:
    """Read a count that may be an int, a float, or text with thousands separators ("1,234")."""
    if type(value) is int:  # the usual case, first
        return value
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    digits = re.sub(r"[^\d-]", "", str(value))
    try:
        return int(digits) if digits and digits != "-" else None
    except ValueError:
        return None


def to_id(value: Any) -> str | None:
    """Render a platform id as a string (ints as digits), None when absent."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return str(int(value))
    return str(value)


# Query parameters that only track who clicked; they make the same link look different.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "yclid",
        "_ga",
        "_gl",
        "ref_src",
        "ref_url",
        "s_cid",
        "mkt_tok",
        "si",
        "spm",
        "__cft__[0]",
        "__tn__",
        "ncid",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
    }
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@lru_cache(maxsize=65_536)
def normalize_url(url: str) -> str | None:
    """Normalise a link so the same target compares equal across posts.

    Scheme and host are lowercased, default ports, ``utm_*`` and click-tracking
    parameters and the fragment are dropped; the path and remaining query keep their
    case and order. Returns None for something that is not an http(s) URL.
    """
    url = url.strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif "://" not in url and re.match(r"^(www\.)?[\w-]+(\.[\w-]+)+(/|$)", url):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = ""
    if parts.query:
        kept = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
        ]
        query = urlencode(kept, doseq=True, safe="/:@,;+!$'()*[]~")
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, query, ""))


def normalize_links(urls: list[str]) -> list[str]:
    """Normalise and de-duplicate links, keeping first-seen order."""
    seen: dict[str, None] = {}
    for url in urls:
        if url and (norm := normalize_url(url)):
            seen.setdefault(norm, None)
    return list(seen)


_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»“”]+", re.IGNORECASE)
_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w[\w\u200c\u200d]*)")
_MENTION_RE = re.compile(r"(?<![\w@])@(\w{1,64})")
_TRAILING_PUNCT = ".,;:!?)]}،؛؟"


def find_links(text: str) -> list[str]:
    """Find links written in free text (for formats without link entities)."""
    return [m.group(0).rstrip(_TRAILING_PUNCT) for m in _URL_RE.finditer(text)]


def find_hashtags(text: str) -> list[str]:
    """Find #hashtags (Arabic and Kurdish letters included) in free text."""
    return unique(m.group(1) for m in _HASHTAG_RE.finditer(text))


def find_mentions(text: str) -> list[str]:
    """Find @mentions in free text, without the @."""
    return unique(m.group(1) for m in _MENTION_RE.finditer(text))


def unique(values: Any) -> list[str]:
    """De-duplicate strings keeping first-seen order, dropping empties."""
    return list(dict.fromkeys(filter(None, values)))


@lru_cache(maxsize=65_536)
def language_of(text: str) -> str | None:
    """Language code of a post's text (ar, ckb, kmr, en, other), None for empty text.

    Cached: retweets, forwards and referenced tweets repeat the same text many times.
    """
    if not text or not text.strip():
        return None
    return detect_language(text)


def sha256_file(path: Path) -> str | None:
    """``sha256:<hex>`` of a file, None when it is not there."""
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return f"sha256:{digest.hexdigest()}"


def check_text(text: str, file: str, position: str) -> Rejection | None:
    """A Rejection when a text field is beyond what any platform allows."""
    if len(text) > MAX_TEXT_CHARS:
        return Rejection(
            file, position, f"text of {len(text):,} characters exceeds the {MAX_TEXT_CHARS:,} limit"
        )
    return None


# Widths of the columns stored beside the text (posts and accounts tables).
MAX_ID_CHARS = 128
MAX_NAME_CHARS = 255


def fit_record(rec: PostRecord, file: str, position: str) -> PostRecord | Rejection:
    """The record as the store can hold it, or a Rejection for an id too long to be one.

    PostgreSQL refuses a value wider than its column, and one such value stopped the
    whole ingest. An id (of the post, its account, or a post it points at) beyond
    MAX_ID_CHARS comes from a broken or hostile file: the record is rejected. A handle
    or display name only describes the account: it is cut to fit.
    """
    rel, account = rec.relations, rec.account
    limit = MAX_ID_CHARS
    if (  # the usual case in one expression: a third faster than the loop below
        len(rec.post_id) <= limit
        and (
            account is None
            or (
                len(account.account_id) <= limit
                and len(account.handle or "") <= limit
                and len(account.display_name or "") <= MAX_NAME_CHARS
            )
        )
        and len(rel.reply_to or "") <= limit
        and len(rel.quote_of or "") <= limit
        and len(rel.forward_from or "") <= limit
        and len(rel.retweet_of or "") <= limit
    ):
        return rec
    for what, value in (
        ("post id", rec.post_id),
        ("account id", account.account_id if account is not None else None),
        ("reply_to", rel.reply_to),
        ("quote_of", rel.quote_of),
        ("forward_from", rel.forward_from),
        ("retweet_of", rel.retweet_of),
    ):
        if value is not None and len(value) > MAX_ID_CHARS:
            return Rejection(
                file,
                position,
                f"{what} of {len(value):,} characters exceeds the {MAX_ID_CHARS} limit",
            )
    if account is not None:
        if account.handle and len(account.handle) > MAX_ID_CHARS:
            account.handle = account.handle[:MAX_ID_CHARS]
        if account.display_name and len(account.display_name) > MAX_NAME_CHARS:
            account.display_name = account.display_name[:MAX_NAME_CHARS]
    return rec
