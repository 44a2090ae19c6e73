"""Coordinated link sharing: accounts that post the same URL within seconds, repeatedly.

URLs are compared in a canonical form so trivial variations do not hide a
campaign: scheme and host lower-cased, ``www.``/``m.``/``mobile.`` dropped,
``http`` and ``https`` merged, the fragment and tracking parameters
(``utm_*``, ``fbclid``, ``gclid``, ``igshid``, ``si``, ``ref``, ``s``, ``t`` on
x.com/twitter.com) removed, the remaining query parameters sorted and a
trailing slash stripped. Short links (t.co, bit.ly) are compared as they are:
expanding them needs the network, which detectors never use.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from marsad.coordination.table import PostTable

__all__ = ["canonical_url", "link_actions"]

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|igshid|mc_[ce]id|ref|ref_src|si)$")
_X_HOSTS = {"x.com", "twitter.com"}
_SPLIT = re.compile(r"\s+")


def canonical_url(url: str) -> str | None:
    """The comparison form of ``url`` (see the module docstring); None when it is no URL."""
    url = url.strip().strip("<>\"'()[]")
    if not url:
        return None
    if "://" not in url:
        if "." not in url or " " in url:
            return None
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    if host == "twitter.com":
        host = "x.com"
    try:
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        query = []
    kept = sorted(
        (k, v)
        for k, v in query
        if not _TRACKING.match(k.lower()) and not (host in _X_HOSTS and k in ("s", "t"))
    )
    path = parts.path.rstrip("/") or ""
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return f"{host}{port}{path}" + (f"?{urlencode(kept)}" if kept else "")


def link_actions(table: PostTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, object_codes, urls)``: one action per (post, distinct canonical URL).

    ``rows`` indexes the table; ``urls`` maps object codes to canonical URLs.
    """
    if table.url is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=object)
    cache: dict[str, str | None] = {}
    index: dict[str, int] = {}
    rows: list[int] = []
    codes: list[int] = []
    for r, cell in enumerate(table.url.tolist()):
        if not cell:
            continue
        seen: set[int] = set()
        for raw in _SPLIT.split(cell) if " " in cell or "\t" in cell else (cell,):
            canon = cache.get(raw)
            if canon is None and raw not in cache:
                canon = cache[raw] = canonical_url(raw)
            if canon is None:
                continue
            code = index.setdefault(canon, len(index))
            if code not in seen:
                seen.add(code)
                rows.append(r)
                codes.append(code)
    urls = np.empty(len(index), dtype=object)
    urls[:] = list(index)
    return np.asarray(rows, dtype=np.int64), np.asarray(codes, dtype=np.int64), urls
