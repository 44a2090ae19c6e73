"""Telegram Desktop JSON exports (``result.json``): single-chat and full-account layouts.

Exports can be hundreds of MB, so messages are streamed, never loaded whole: a message
at a time with orjson where each starts on a line of its own (as Telegram Desktop writes
them), else with ijson.
A message's id is unique only inside its chat, so a post id is ``<chat id>/<message id>``.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import ijson
import orjson

from marsad.posts.schema import AccountRef, Engagement, Media, PostRecord, Rejection, Relations
from marsad.posts.sources.base import (
    MAX_ID_CHARS,
    PARSE_SHARE,
    Item,
    PartSource,
    check_text,
    find_hashtags,
    find_links,
    find_mentions,
    fit_record,
    has_digit_run,
    language_of,
    normalize_links,
    parse_time,
    part_bounds,
    sha256_file,
    to_id,
    unique,
)

# ijson's C parser re-copies a token that spans buffers, so a huge string costs time
# quadratic in its length over the buffer size; a 4 MB buffer keeps a hostile 10 MB
# field to about a second.
_BUF = 4 * 1024 * 1024
_CHAT_PREFIXES = ("chats.list.item", "left_chats.list.item")
_MEDIA_FIELDS = (("photo", "photo"), ("file", None), ("thumbnail", None))
_MEDIA_KEYS = frozenset(key for key, _ in _MEDIA_FIELDS)
_PEER_PREFIX = re.compile(r"^(?:user|channel|chat)")
_CHANNEL_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}

# The top-level messages array and the space before its first message, looked for in
# the file's first MB (the chat's id, name and type come before it).
_MESSAGES_START = re.compile(rb'"messages"[ \t\r\n]*:[ \t\r\n]*\[([ \t\r\n]*)\{')
_HEAD_BYTES = 1 << 20
_JSON_SPACE = b" \t\r\n"
# Parsing a message with orjson is a twentieth of its cost; every part but the first
# parses the messages before its own too (see part_bounds).
_LINES_PARSE_SHARE = 0.05


def _every(_position: int) -> int:
    return 0


class CountedReader:
    """A binary file that counts the bytes read from it: ``pos`` is what ``tell()``
    would say (the parser only reads forward), without tell()'s system call for each
    message. ``start`` is where the last read began: a parse error lies at or after it.
    """

    __slots__ = ("pos", "raw", "start")

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.pos = 0
        self.start = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self.start = self.pos
        self.pos += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        n: int = self.raw.readinto(buffer) or 0
        self.start = self.pos
        self.pos += n
        return n


class _Stepping:
    """A binary file read in big chunks up to ``start``, then a byte at a time: the
    parser then fails on the very byte at fault, and ``pos`` is just past it."""

    __slots__ = ("pos", "raw", "start")

    def __init__(self, raw: Any, start: int) -> None:
        self.raw = raw
        self.pos = 0
        self.start = start

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's check that the file is binary
            return b""
        size = 1 if self.pos >= self.start else min(size, self.start - self.pos)
        data: bytes = self.raw.read(size)
        self.pos += len(data)
        return data


class TelegramSource(PartSource):
    """Read a Telegram Desktop ``result.json`` (one chat, or a full account export).

    ``local_tz`` is the exporter's time zone, used only for old exports whose messages
    carry ``date`` (local time, no zone) but no ``date_unixtime``; it defaults to UTC.
    """

    name: ClassVar[str] = "telegram"
    description: ClassVar[str] = (
        "Telegram Desktop export (result.json), single chat or full account"
    )

    def __init__(self, *, local_tz: tzinfo = UTC, hash_media: bool = True) -> None:
        self.local_tz = local_tz
        self.hash_media = hash_media

    def iter_posts(self, path: Path) -> Iterator[Item]:
        """Stream messages (service messages are not posts and are skipped)."""
        yield from self._iter(path, _every, report_file=True, buf=_BUF)

    def can_split(self, path: Path) -> bool:
        """True for a readable export (other files are rejected by :meth:`iter_posts`)."""
        try:
            header = _read_header(path)
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            return False
        return header is not None and header.get("layout") is not None

    def iter_part(self, path: Path, part: int, parts: int) -> Iterator[Item]:
        """Yield the posts of the messages that end in this part's bytes (see PartSource)."""
        size = path.stat().st_size
        share = _LINES_PARSE_SHARE if message_lines(path) is not None else PARSE_SHARE
        bounds = part_bounds(size, parts, share)
        start, end = bounds[part], bounds[part + 1] if part < parts - 1 else None
        # Positions advance a buffer at a time: buffers of a sixteenth of a part at
        # most, so that each part has records to build.
        buf = min(_BUF, max(4096, size // (parts * 16)))

        def mine(position: int) -> int:
            if position < start:
                return -1
            return 0 if end is None or position < end else 1

        yield from self._iter(path, mine, report_file=part == parts - 1, buf=buf)

    def _iter(
        self, path: Path, mine: Callable[[int], int], *, report_file: bool, buf: int
    ) -> Iterator[Item]:
        # ``mine(p)`` for a message parsed when the parser has read ``p`` bytes: -1 skip
        # it, 0 build it, 1 stop (every process reads the file in the same steps, so
        # each message has one owner). ``report_file``: give the rejections of the file
        # itself (not of one message).
        name = str(path)
        try:
            header = _read_header(path)
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            if report_file:
                yield Rejection(name, "$", _json_reason(exc, path, None))
            return
        if header is None:
            if report_file:
                yield Rejection(name, "$", "empty file")
            return
        if header.get("layout") is None:
            if report_file:
                yield Rejection(
                    name,
                    "$",
                    "not a Telegram export: no 'messages' or 'chats.list' at the top level",
                )
            return
        if header["layout"] == "single" and header.get("id") is not None:
            yield from self._iter_single(path, header, mine, report_file, buf)
        else:
            yield from self._iter_events(path, mine, report_file, buf)

    # -- single-chat export: the C parser builds each message (fast path)

    def _iter_single(
        self,
        path: Path,
        chat: dict[str, Any],
        mine: Callable[[int], int],
        report_file: bool,
        buf: int,
    ) -> Iterator[Item]:
        name = str(path)
        done = 0
        if (lines := message_lines(path)) is not None:
            stopped = yield from self._iter_lines(path, chat, mine, lines)
            if stopped is None:
                return
            done = stopped
        index = -1
        fh: CountedReader | None = None
        try:
            with path.open("rb") as raw:
                fh = CountedReader(raw)
                for index, message in enumerate(
                    ijson.items(fh, "messages.item", use_float=True, buf_size=buf)
                ):
                    if index < done:  # read by _iter_lines
                        continue
                    owner = mine(fh.pos)
                    if owner:
                        if owner > 0:
                            return
                        continue
                    item = self._to_post(message, chat, path, f"messages[{index}]")
                    if item is not None:
                        yield item
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            if report_file:
                start = fh.start if fh is not None else None
                reason = _json_reason(exc, path, start)
                yield Rejection(name, f"messages[{index + 1}]", reason)

    def _iter_lines(
        self,
        path: Path,
        chat: dict[str, Any],
        mine: Callable[[int], int],
        lines: tuple[int, bytes],
    ) -> Generator[Item, None, int | None]:
        """The messages of a single-chat export whose messages start lines, by orjson.

        Cut before each line that starts a message (``lines``: see message_lines),
        the array reads as the messages' texts, each but the last followed by a comma.
        When a text is not one JSON value so followed, the cut was inside a message (or
        the file is broken); the texts before it were whole messages, each parsed, so
        this returns how many were read, for ijson to go on from there (and find any
        error as before). Returns None when all were read. Ownership is by the offset
        where a message starts, the same in every part, and every part parses the
        messages before its own, so a cut that is wrong is found by all the parts that
        need to read past it, at the same message.
        """
        first, cut = lines
        index = -1
        for index, (offset, text, last) in enumerate(message_texts(path, first, cut)):
            owner = mine(offset)
            if owner > 0:
                return None
            try:
                message, body = _message_value(text, last=last)
            except (ValueError, ijson.JSONError, StopIteration):  # orjson's error is a ValueError
                return index
            if owner < 0:
                continue
            item = self._to_post(message, chat, path, f"messages[{index}]", raw=body)
            if item is not None:
                yield item
        return None

    # -- any layout: walk parser events, tracking which chat each message belongs to

    def _iter_events(
        self, path: Path, mine: Callable[[int], int], report_file: bool, buf: int
    ) -> Iterator[Item]:
        name = str(path)
        chat: dict[str, Any] = {}
        chat_index = -1
        msg_index = -1
        builder: ijson.ObjectBuilder | None = None
        msg_prefix = ""
        position = "$"
        fh: CountedReader | None = None
        try:
            with path.open("rb") as raw:
                fh = CountedReader(raw)
                for prefix, event, value in ijson.parse(fh, use_float=True, buf_size=buf):
                    if builder is not None:
                        builder.event(event, value)
                        if event == "end_map" and prefix == msg_prefix:
                            item = None
                            owner = mine(fh.pos)
                            if owner > 0:
                                return
                            if owner == 0:
                                item = self._to_post(builder.value, chat, path, position)
                            builder = None
                            if item is not None:
                                yield item
                        continue
                    if event == "start_map" and prefix.endswith("messages.item"):
                        msg_index += 1
                        msg_prefix = prefix
                        section = prefix[: -len(".messages.item")]
                        position = (
                            f"{section.replace('.list.item', f'.list[{chat_index}]')}"
                            f".messages[{msg_index}]"
                            if section
                            else f"messages[{msg_index}]"
                        )
                        builder = ijson.ObjectBuilder()
                        builder.event(event, value)
                    elif event == "start_map" and prefix in _CHAT_PREFIXES:
                        chat = {}
                        chat_index += 1
                        msg_index = -1
                    elif prefix in ("id", "name", "type") or (
                        prefix.rpartition(".")[0] in _CHAT_PREFIXES
                        and prefix.rpartition(".")[2] in ("id", "name", "type")
                    ):
                        chat[prefix.rpartition(".")[2]] = value
        except (ijson.JSONError, UnicodeDecodeError, ValueError) as exc:
            if report_file:
                start = fh.start if fh is not None else None
                yield Rejection(name, f"after {position}", _json_reason(exc, path, start))

    # -- one message

    def _to_post(
        self,
        msg: Any,
        chat: dict[str, Any],
        path: Path,
        position: str,
        raw: bytes | None = None,
    ) -> PostRecord | Rejection | None:
        """The post of one message; ``raw``: the message as the file spells it, kept
        as its raw record when given (else the parsed message is)."""
        name = str(path)
        if not isinstance(msg, dict):
            return Rejection(name, position, "message is not a JSON object")
        if msg.get("type", "message") != "message":
            return None  # service and unsupported messages are not posts
        msg_id = to_id(msg.get("id"))
        if msg_id is None:
            return Rejection(name, position, "message has no id")
        chat_id = to_id(chat.get("id")) or "unknown"
        chat_type = chat.get("type") or ""

        text, entities = _text_and_entities(msg)
        if (bad := check_text(text, name, position)) is not None:
            return bad

        created = parse_time(msg.get("date_unixtime"))
        extra: dict[str, Any] = {
            "chat_id": chat_id,
            "chat_type": chat_type or None,
            "chat_name": chat.get("name"),
        }
        if created is None and msg.get("date"):
            created = _local_time(msg["date"], self.local_tz)
            extra["time_from_local_date"] = str(self.local_tz)
        if created is None:
            return Rejection(name, position, "message has no readable date")

        account = _account(msg, chat_id, chat_type)
        links, hashtags, mentions = [], [], []
        for ent in entities:
            kind, value = ent.get("type"), ent.get("text") or ""
            if kind == "link":
                links.append(value)
            elif kind == "text_link" and ent.get("href"):
                links.append(ent["href"])
            elif kind == "hashtag":
                hashtags.append(value.lstrip("#"))
            elif kind == "mention":
                mentions.append(value.lstrip("@"))
            elif kind == "mention_name" and ent.get("user_id") is not None:
                mentions.append(f"user{ent['user_id']}")
        if not entities:  # plain-string text from an old export: find them in the text
            links, hashtags, mentions = find_links(text), find_hashtags(text), find_mentions(text)

        reply_to = None
        if (reply_id := to_id(msg.get("reply_to_message_id"))) is not None:
            # A reply into another chat names that chat's peer ("channel123" or a bare
            # number); post ids use the bare chat id.
            peer = _PEER_PREFIX.sub("", to_id(msg.get("reply_to_peer_id")) or chat_id)
            reply_to = f"{peer or chat_id}/{reply_id}"
        # A forward names where it came from, not the original message (exports do
        # not carry its id): the source's peer id ("channel123", the form of from_id)
        # when the export has it, else its display name (older exports), cut to the
        # column's width: a user's first and last names may be longer together.
        forward_from = to_id(msg.get("forwarded_from_id"))
        if forward_from is None and (source := to_id(msg.get("forwarded_from"))):
            forward_from = source[:MAX_ID_CHARS]
        for key in (
            "forwarded_from",
            "forwarded_from_id",
            "saved_from",
            "author",
            "via_bot",
            "edited_unixtime",
        ):
            if msg.get(key) is not None:
                extra[key] = msg[key]
        if "edited_unixtime" not in extra and msg.get("edited"):
            extra["edited"] = msg["edited"]

        reactions = msg.get("reactions")
        total_reactions = None
        if isinstance(reactions, list):
            total_reactions = sum(
                int(r.get("count") or 0) for r in reactions if isinstance(r, dict)
            )

        url = None
        if chat_type in _CHANNEL_TYPES and chat_id != "unknown":
            url = f"https://t.me/c/{chat_id}/{msg_id}"
        record = PostRecord(
            platform="telegram",
            post_id=f"{chat_id}/{msg_id}",
            account=account,
            text=text,
            created_at=created,
            lang=language_of(text),
            url=url,
            links=normalize_links(links),
            hashtags=unique(hashtags),
            mentions=unique(mentions),
            relations=Relations(reply_to=reply_to, forward_from=forward_from),
            engagement=Engagement(reactions=total_reactions),
            media=self._media(msg, path) if _MEDIA_KEYS & msg.keys() else [],
            raw=msg if raw is None else raw,
            extra={k: v for k, v in extra.items() if v is not None},
        )
        return fit_record(record, name, position)

    def _media(self, msg: dict[str, Any], path: Path) -> list[Media]:
        base = path.parent
        media: list[Media] = []
        for key, default_type in _MEDIA_FIELDS:
            value = msg.get(key)
            if not isinstance(value, str) or not value:
                continue
            if key == "thumbnail" and media:
                continue  # a thumbnail only matters when it is all there is
            kind = default_type or msg.get("media_type") or msg.get("mime_type") or "file"
            if value.startswith("("):  # "(File not included. …)": known but not exported
                media.append(Media(type=kind))
                continue
            sha = None
            if self.hash_media:
                candidate = (base / value).resolve()
                # Hash only files inside the export folder: a crafted path must not read
                # arbitrary files on the monitor's machine.
                if candidate.is_relative_to(base.resolve()) and candidate.is_file():
                    sha = sha256_file(candidate)
            media.append(Media(type=kind, path=value, sha256=sha))
        return media


def _text_and_entities(msg: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The message text and its entity runs; text_entities wins over text when present."""
    entities = msg.get("text_entities")
    if isinstance(entities, list) and entities:
        runs = [e for e in entities if isinstance(e, dict)]
        return "".join(str(e.get("text") or "") for e in runs), runs
    text = msg.get("text")
    if isinstance(text, list):
        runs = [e if isinstance(e, dict) else {"type": "plain", "text": str(e)} for e in text]
        return "".join(str(e.get("text") or "") for e in runs), runs
    return (text if isinstance(text, str) else ""), []


def _account(msg: dict[str, Any], chat_id: str, chat_type: str) -> AccountRef | None:
    raw_id = msg.get("from_id")
    display = msg.get("from")
    if raw_id is None:
        return None
    if isinstance(raw_id, (int, float)):  # noqa: UP038 - a tuple is faster than int | float
        # Exports before about Dec 2020 wrote a bare number; a channel posting in its own
        # channel shares the chat's id, everyone else is a user.
        number = str(int(raw_id))
        kind = "channel" if chat_type in _CHANNEL_TYPES and number == chat_id else "user"
        account_id = f"{kind}{number}"
    else:
        account_id = str(raw_id)
    return AccountRef(account_id=account_id, display_name=display if display else None)


def _local_time(value: str, tz: tzinfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def message_lines(path: Path) -> tuple[int, bytes] | None:
    """Where the messages of a single-chat export start, and the bytes before each one.

    Returns (offset of the first message's ``{``, the newline and indentation that
    precede it and then ``{``), when the first message starts a line: Telegram
    Desktop's indented exports, and exports of one message a line. None otherwise (no
    messages, or all on one line), or when what precedes the array is not the opening
    of a JSON object whose one "messages" key this array is the value of.
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    match = _MESSAGES_START.search(head)
    if match is None:
        return None
    space = match.group(1)
    if b"\n" not in space:
        return None
    opening = head[: match.start(1)]
    if opening.count(b'"messages"') != 1:
        return None
    try:
        top = orjson.loads(opening + b"]}")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(top, dict) or top.get("messages") != []:
        return None
    indent = space.rpartition(b"\n")[2]
    if indent.strip(b" \t"):
        return None
    return match.end() - 1, b"\n" + indent + b"{"


def message_texts(
    path: Path, first: int, cut: bytes, block: int = _BUF
) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, bytes, is it the last) of the file from ``first`` cut before each ``cut``.

    Each piece starts at the indentation before its ``{`` and ends with the newline
    before the next one; the last runs to the end of the file.
    """
    with path.open("rb") as fh:
        fh.seek(first)
        pending = bytearray()
        base = first  # the offset of pending[0]
        start = 0  # where the piece being read starts in pending
        look = 1  # where to look for the next cut in pending
        while True:
            data = fh.read(block)
            pending += data
            while (at := pending.find(cut, look)) != -1:
                yield base + start, bytes(pending[start:at]), False
                start = at + 1
                look = start + 1
            if not data:
                yield base + start, bytes(pending[start:]), True
                return
            del pending[:start]
            base += start
            look = max(look - start, len(pending) - len(cut) + 1, 1)
            start = 0


def _message_value(text: bytes, *, last: bool) -> tuple[Any, bytes]:
    """A piece of message_texts as the message it holds, and the message's bytes as the
    file spells them (without the space and punctuation around it); ValueError if the
    piece is not one message.

    A piece but the last ends with the comma before the next message; the last one
    with the end of the array and of the export (``]`` and ``}``).
    """
    body = text.rstrip(_JSON_SPACE)
    closers = (b"}", b"]") if last else (b",",)
    for closer in closers:
        if not body.endswith(closer):
            raise ValueError("not a message followed by " + closer.decode())
        body = body[:-1].rstrip(_JSON_SPACE)
    body = body.lstrip(_JSON_SPACE)
    # An integer of 19 digits or more may not fit in 64 bits, signed: ijson refuses it
    # (integer overflow), orjson reads some as floats. ijson reads such a message.
    if has_digit_run(body, 19):
        return next(ijson.items(io.BytesIO(body), "", use_float=True)), body
    return orjson.loads(body), body


def _read_header(path: Path) -> dict[str, Any] | None:
    """Find the layout and, for a single-chat export, the chat's id, name and type.

    Returns None for an empty file. Reads only up to the start of the messages array.
    """
    header: dict[str, Any] = {"layout": None}
    with path.open("rb") as fh:
        if not fh.read(1):
            return None
        fh.seek(0)
        for prefix, event, value in ijson.parse(fh, use_float=True):
            if prefix == "" and event not in ("start_map", "end_map", "map_key"):
                return header  # the top level is not an object
            if prefix in ("id", "name", "type"):
                header[prefix] = value
            elif prefix == "messages" and event == "start_array":
                header["layout"] = "single"
                return header
            elif prefix == "chats.list" and event == "start_array":
                header["layout"] = "account"
                return header
            elif prefix == "" and event == "end_map":
                return header  # one whole object without messages: not an export
    return header


# The parser's own words for what is wrong: its message's first line (the lines after
# it quote the file's bytes, which are left out of a rejection: they may be anything).
_PARSER_PROBLEM = re.compile(r"^(?:lexical|parse) error: [\w ,'{}\[\]:.-]{1,120}$")


def _json_reason(exc: Exception, path: Path, start: int | None) -> str:
    """Why the file itself cannot be read: truncated, invalid UTF-8, or invalid JSON,
    with the byte (counted from 0) where that is.

    ijson raises IncompleteJSONError for every one of these, so the kind is read from
    the parser's message. ``start``: an offset at or before the error (where the
    parser's last read began), None when unknown. Finding the exact byte re-reads
    the file, once, on this error path only.
    """
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    first = str(message).split("\n", 1)[0].strip()
    if "premature EOF" in first:
        size = path.stat().st_size
        return f"file ends at byte {size} in the middle of a JSON value (truncated?)"
    offset = _error_offset(path, start)
    if isinstance(exc, UnicodeDecodeError) or "UTF8" in first or _bad_utf8_at(path, offset):
        return f"invalid UTF-8 at byte {offset}"
    first = first.rstrip(".")
    if "integer overflow" in first:  # found past the number's end: name where it starts
        offset = _number_start(path, offset)
        first = "parse error: integer beyond 64 bits"
    detail = f" ({first})" if _PARSER_PROBLEM.match(first) else ""
    return f"invalid JSON at byte {offset}{detail}"


def _number_start(path: Path, end: int) -> int:
    """Where the number that ends at or just before ``end`` starts."""
    low = max(end - 400, 0)
    with path.open("rb") as fh:
        fh.seek(low)
        before = fh.read(end - low)
    digits = before.rstrip(b" \t\r\n,}]")
    number = len(digits) - len(digits.rstrip(b"0123456789+-.eE"))
    return low + len(digits) - number


def _error_offset(path: Path, start: int | None) -> int:
    """The offset of the byte the parser fails on (or of the file's end)."""
    if start is None:  # find the chunk first, with cheap 64 KB reads
        with path.open("rb") as raw:
            counted = CountedReader(raw)
            with contextlib.suppress(ijson.JSONError, UnicodeDecodeError, ValueError):
                for _ in ijson.basic_parse(counted, buf_size=65_536, use_float=True):
                    pass
            start = counted.start
    with path.open("rb") as raw:
        stepping = _Stepping(raw, start)
        try:
            for _ in ijson.basic_parse(stepping, buf_size=1 << 20, use_float=True):
                pass
        except (ijson.JSONError, UnicodeDecodeError, ValueError):
            return max(stepping.pos - 1, 0)
    return start


def _bad_utf8_at(path: Path, offset: int) -> bool:
    """True when the bytes at ``offset`` are not UTF-8 (a stray byte outside a string,
    or a file in another encoding, is "invalid char" to the parser)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        head = fh.read(4)
    if not head or head[0] < 0x80:
        return False
    try:
        codecs.utf_8_decode(head, "strict", False)
    except UnicodeDecodeError as exc:
        return exc.start == 0
    return False
