"""The columnar input of every coordination detector: one row per post.

Detectors work on numpy arrays, never on Python objects per post, so a million
posts fit in a few hundred megabytes and every step can be vectorised. A
:class:`PostTable` is built from any iterable of rows (mappings or objects with
attributes), which is how both a file (:mod:`marsad.coordination.io`) and, later,
the posts store feed it.

Row fields (only ``account_id`` and ``timestamp`` are required):

``account_id``  who posted.
``post_id``     the post's id (defaults to the row number). A post that shares several
                objects may span several rows with the same id, account and time;
                the same id with another account or time is refused.
``timestamp``   epoch seconds (int/float), an aware/naive ``datetime`` (naive = UTC)
                or an ISO 8601 string; stored as whole seconds.
``object_id``   what the post re-shares (retweeted/forwarded post id), CooRTweet's
                ``object_id``.
``url``         a link in the post (one per row; put several links on several rows
                or separate them by whitespace).
``text``        the post's text.
``hashtags``    a list of hashtags, or one string of them separated by spaces or commas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from marsad.core.errors import InvalidInput

__all__ = ["PostTable", "factorize", "parse_timestamp"]

FIELDS = ("account_id", "post_id", "timestamp", "object_id", "url", "text", "hashtags")
_HASHTAG_SPLIT = re.compile(r"[\s,;]+")


def factorize(values: Iterable[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)``: int32 codes per value and the distinct values.

    Empty values (None or "") get code -1. Codes follow first appearance, which
    keeps the result deterministic without sorting Python strings.
    """
    index: dict[Any, int] = {}
    setdefault = index.setdefault
    codes = np.fromiter(
        (-1 if (v is None or v == "") else setdefault(v, len(index)) for v in values),
        dtype=np.int32,
    )
    uniques = np.empty(len(index), dtype=object)
    uniques[:] = list(index)
    return codes, uniques


def parse_timestamp(value: Any) -> int:
    """Turn one timestamp into epoch seconds (UTC), or raise ValueError."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return math.floor(value)
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
        return math.floor(dt.timestamp())
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("empty")
        try:
            return math.floor(float(text)) if _looks_numeric(text) else _iso(text)
        except (OverflowError, ValueError) as exc:
            raise ValueError(str(exc)) from None
    raise ValueError(f"unsupported type {type(value).__name__}")


def _looks_numeric(text: str) -> bool:
    return text.lstrip("+-").replace(".", "", 1).isdigit()


def _iso(text: str) -> int:
    dt = datetime.fromisoformat(text.replace(" UTC", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return math.floor(dt.timestamp())


def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def _hashtag_list(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = _HASHTAG_SPLIT.split(value) if isinstance(value, str) else list(value)
    return tuple(h.lstrip("#") for h in items if h and h.lstrip("#"))


@dataclass(frozen=True, slots=True, eq=False)
class PostTable:
    """Posts as parallel columns; row ``i`` of every column is the same post.

    ``account`` holds int32 codes into ``accounts`` (the account ids). Optional
    columns are ``None`` when no row carried that field.
    """

    account: np.ndarray
    accounts: np.ndarray
    post_id: np.ndarray
    time: np.ndarray
    object_id: np.ndarray | None = None
    url: np.ndarray | None = None
    text: np.ndarray | None = None
    hashtags: list[tuple[str, ...]] | None = None

    def __len__(self) -> int:
        return int(self.account.shape[0])

    @property
    def n_accounts(self) -> int:
        """How many distinct accounts posted."""
        return int(self.accounts.shape[0])

    @classmethod
    def from_rows(cls, rows: Iterable[Any], *, source: str = "input") -> PostTable:
        """Build a table from rows (mappings or objects; see the module docstring).

        Raises :class:`InvalidInput` naming the row and field for a missing
        account, an unparseable timestamp or a post id reused by another post.
        """
        cols: dict[str, list[Any]] = {name: [] for name in FIELDS}
        seen_post: dict[str, int] = {}
        present = dict.fromkeys(FIELDS, False)
        for n, row in enumerate(rows, start=1):
            account = _get(row, "account_id")
            if account is None or str(account).strip() == "":
                raise InvalidInput(
                    "err_coordination_input", "account_id is empty", where=f"{source}: row {n}"
                )
            raw_time = _get(row, "timestamp")
            try:
                ts = parse_timestamp(raw_time)
            except ValueError as exc:
                raise InvalidInput(
                    "err_coordination_input",
                    f"timestamp {raw_time!r} is not a time ({exc})",
                    where=f"{source}: row {n}",
                ) from None
            post = _get(row, "post_id")
            post = str(n) if post is None or str(post) == "" else str(post)
            first = seen_post.get(post)
            if first is not None and (
                cols["account_id"][first - 1] != str(account) or cols["timestamp"][first - 1] != ts
            ):
                # One post may share several objects (one row each); the same post id
                # with another author or time is two posts under one id.
                raise InvalidInput(
                    "err_coordination_input",
                    f"post_id {post!r} repeats row {first} with a different account or time",
                    where=f"{source}: row {n}",
                )
            seen_post.setdefault(post, n)
            cols["account_id"].append(str(account))
            cols["post_id"].append(post)
            cols["timestamp"].append(ts)
            for name in ("object_id", "url", "text"):
                value = _get(row, name)
                value = None if value is None or value == "" else str(value)
                present[name] = present[name] or value is not None
                cols[name].append(value)
            tags = _hashtag_list(_get(row, "hashtags"))
            present["hashtags"] = present["hashtags"] or bool(tags)
            cols["hashtags"].append(tags)
        return cls.from_columns(
            account_id=cols["account_id"],
            post_id=cols["post_id"],
            timestamp=cols["timestamp"],
            object_id=cols["object_id"] if present["object_id"] else None,
            url=cols["url"] if present["url"] else None,
            text=cols["text"] if present["text"] else None,
            hashtags=cols["hashtags"] if present["hashtags"] else None,
        )

    @classmethod
    def from_columns(
        cls,
        *,
        account_id: Iterable[Any],
        timestamp: Iterable[int] | np.ndarray,
        post_id: Iterable[Any] | None = None,
        object_id: Iterable[Any] | None = None,
        url: Iterable[Any] | None = None,
        text: Iterable[Any] | None = None,
        hashtags: Iterable[tuple[str, ...]] | None = None,
    ) -> PostTable:
        """Build a table from whole columns (already validated; used by generators)."""
        account, accounts = factorize(account_id)
        time = np.asarray(timestamp, dtype=np.int64)
        n = account.shape[0]
        if time.shape[0] != n:
            raise InvalidInput("err_coordination_input", "columns differ in length")
        if post_id is None:
            posts = np.arange(n).astype(str).astype(object)
        else:
            posts = _object_array(post_id)

        def opt(values: Iterable[Any] | None) -> np.ndarray | None:
            return None if values is None else _object_array(values)

        return cls(
            account=account,
            accounts=accounts,
            post_id=posts,
            time=time,
            object_id=opt(object_id),
            url=opt(url),
            text=opt(text),
            hashtags=None if hashtags is None else list(hashtags),
        )


def _object_array(values: Iterable[Any]) -> np.ndarray:
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
