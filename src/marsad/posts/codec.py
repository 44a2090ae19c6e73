"""The raw-record codec: how a post's original record is compressed and read back.

Raw records are zstd frames, compressed with a dictionary per ingest format when one
is stored (table ``post_raw_dicts``); rows written before zstd are zlib streams. This
module is pure: it never touches the database. The writer stores what :class:`Packer`
makes, and :func:`decompress_raw` reads it back given a way to fetch dictionaries.
"""

from __future__ import annotations

import json
import logging
import threading
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import zstandard

from marsad.core.errors import MarsadError
from marsad.core.i18n import gettext as _

log = logging.getLogger(__name__)


# The stdlib encoder, for what orjson refuses (integers beyond 64 bits, non-string
# keys). Records come from json parsers, so they hold no cycles. default=str keeps the
# odd non-JSON value (a Decimal) instead of failing.
_RAW_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, default=str
)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, as json.dumps(ensure_ascii=False) writes it, five times faster."""
    try:
        return orjson.dumps(value, default=str)
    except TypeError:
        return _RAW_ENCODER.encode(value).encode()


def json_text(value: Any) -> str:
    """:func:`json_bytes` as text (what SQLite's JSON columns hold)."""
    return json_bytes(value).decode()


# Raw records are zstd frames (level 3: a third of zlib's time for a 500-byte record,
# at 4% less compression); rows written before are zlib streams. A zstd frame starts
# with its magic number, which is never a valid zlib header, so both read back.
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_ZSTD_LEVEL = 3
# Records of one format repeat the same keys and values, which a zstd dictionary holds
# once: with one of 32 KB trained on 2,000 records, a 600-byte tweet takes a quarter of
# the space and a third of the time. Each writer trains one on its first batch of at
# least DICT_MIN_RECORDS records when none is stored for its format (fewer samples
# train a dictionary that fits them and little else); post_raw_dicts keeps them.
_DICT_SIZE = 32 * 1024
_DICT_SAMPLES = 2_000
DICT_MIN_RECORDS = 256
# zstd derives a trained dictionary's id from its content, in [32768, 2**31 - 1].
DICT_ID_MAX = 2**31 - 1

# Reads a stored dictionary by id: its bytes (ZstdCompressionDict.as_bytes()), None
# when the database has none with that id.
RawDictionaries = Callable[[int], bytes | None]


def raw_bytes(raw: Any) -> bytes:
    """A raw record as the bytes that are compressed (JSON for parsed records)."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return json_bytes(raw)


class Packer:
    """Compresses raw records; one per thread (zstd compressors are not thread-safe).

    With ``dictionary``, every frame names it by its id (``dict_id`` in the frame
    header), which is how :func:`decompress_raw` finds it again.
    """

    def __init__(self, dictionary: zstandard.ZstdCompressionDict | None = None) -> None:
        self.dictionary = dictionary
        if dictionary is not None:
            dictionary.precompute_compress(level=_ZSTD_LEVEL)  # once, not per record
        self.zstd = zstandard.ZstdCompressor(level=_ZSTD_LEVEL, dict_data=dictionary)

    def pack(self, raw: Any) -> bytes | None:
        """One raw record compressed (None stays None)."""
        if raw is None:
            return None
        return self.zstd.compress(raw_bytes(raw))

    def pack_many(self, raws: Sequence[Any]) -> list[bytes | None]:
        """``pack`` of each record, compressed in one call.

        zstd lets go of the GIL while it compresses, and the writer thread then waits to
        take it back from the thread parsing the next batch (up to the interpreter's
        switch interval, 5 ms). A record at a time, those waits cost a hundred times
        more than the compression; one call a batch waits once.
        """
        out: list[bytes | None] = [None] * len(raws)
        data = {i: raw_bytes(raw) for i, raw in enumerate(raws) if raw is not None}
        if not data:
            return out
        empty = [i for i, value in data.items() if not value]
        for i in empty:  # zstd takes no empty input among many
            out[i] = self.zstd.compress(data.pop(i))
        if data:
            frames = self.zstd.multi_compress_to_buffer(list(data.values()))
            for i, frame in zip(data, frames, strict=True):
                out[i] = frame.tobytes()
        return out


def compress(raw: Any, dictionary: bytes | None = None) -> bytes | None:
    """One raw record compressed as ingest stores it (zstd, with ``dictionary`` if given)."""
    return Packer(zstandard.ZstdCompressionDict(dictionary) if dictionary else None).pack(raw)


def train_dictionary(records: Sequence[Any]) -> zstandard.ZstdCompressionDict | None:
    """A dictionary trained on up to _DICT_SAMPLES of ``records``, None if zstd cannot.

    Samples are spread over the batch rather than its first records, which may all be
    one account's or one day's. Too few or too alike records make zstd refuse.
    """
    step = max(1, len(records) // _DICT_SAMPLES)
    samples = [raw_bytes(raw) for raw in records[::step][:_DICT_SAMPLES]]
    try:
        trained = zstandard.train_dictionary(_DICT_SIZE, samples)
    except zstandard.ZstdError as exc:
        log.info("no raw-record dictionary from %d records: %s", len(samples), exc)
        return None
    # A frame naming dictionary 0 reads as naming none: such a dictionary is unusable.
    if not 0 < trained.dict_id() <= DICT_ID_MAX:
        return None
    return trained


# Decompressors by dictionary id (0: none), for the process. Caching by id is sound:
# zstd derives a trained dictionary's id from its content, so two databases' ids match
# only for the same dictionary (but for a one-in-2**31 coincidence), and within one
# database ingest refuses to store a second dictionary under an id already taken. A
# decompressor is not thread-safe (the web app reads posts on several threads): each is
# used under the lock, which decompressing a record holds for microseconds.
_DECOMPRESSORS: dict[int, zstandard.ZstdDecompressor] = {0: zstandard.ZstdDecompressor()}
_DECOMPRESSORS_HELD = 64
_DECOMPRESSORS_LOCK = threading.Lock()


def decompress_raw(
    blob: bytes | None,
    dictionaries: RawDictionaries | None = None,
    *,
    post: int | str | None = None,
) -> Any:
    """The original record stored with a post (parsed JSON), None when absent.

    Reads zlib streams (rows written before zstd), plain zstd frames, and frames
    compressed with a dictionary, which ``dictionaries`` gives by id. ``post`` names the
    post in the error raised when the dictionary is not stored.
    """
    if not blob:
        return None
    if blob[:4] == _ZSTD_MAGIC:
        dict_id = zstandard.get_frame_parameters(blob).dict_id
        decompressor = _decompressor(dict_id, dictionaries, post)
        with _DECOMPRESSORS_LOCK:
            data = decompressor.decompress(blob)
    else:
        data = zlib.decompress(blob)  # rows written before zstd
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _decompressor(
    dict_id: int, dictionaries: RawDictionaries | None, post: int | str | None
) -> zstandard.ZstdDecompressor:
    with _DECOMPRESSORS_LOCK:
        found = _DECOMPRESSORS.get(dict_id)
    if found is not None:
        return found
    data = dictionaries(dict_id) if dictionaries is not None else None
    if data is None:
        raise MarsadError(
            code="err_post_raw_dictionary",
            message=_(
                "The original record of post {post} was compressed with zstd dictionary "
                "{dictionary}, which this database does not hold: restore the "
                "post_raw_dicts table from a backup of this database."
            ).format(post=post if post is not None else "?", dictionary=dict_id),
            where="post_raw_dicts",
            status=500,
            details={"post": post, "dictionary_id": dict_id},
        )
    decompressor = zstandard.ZstdDecompressor(dict_data=zstandard.ZstdCompressionDict(data))
    with _DECOMPRESSORS_LOCK:
        if len(_DECOMPRESSORS) > _DECOMPRESSORS_HELD:
            for held in [i for i in _DECOMPRESSORS if i != 0]:
                del _DECOMPRESSORS[held]
        return _DECOMPRESSORS.setdefault(dict_id, decompressor)


def forget_decompressors() -> None:
    """Drop the decompressors held for the process (all but the one without a dictionary).

    For a process that reads records from more than one database, such as a test run:
    a cached decompressor is otherwise reused for any database holding its dictionary id.
    """
    with _DECOMPRESSORS_LOCK:
        for held in [i for i in _DECOMPRESSORS if i != 0]:
            del _DECOMPRESSORS[held]
