"""Per-address rate limits held in memory only.

The address itself is never kept: the limiter stores a keyed hash of it
(HMAC with a random key made when the process starts and never written
anywhere), with the times of recent submissions, and forgets both when the
window passes. Nothing reaches the database or the logs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque


class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each (hashed) address."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._key = secrets.token_bytes(32)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _bucket(self, address: str) -> str:
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, address: str | None, now: float | None = None) -> bool:
        """Count one hit; False when the address is over its limit (the hit is not counted)."""
        now = time.monotonic() if now is None else now
        bucket = self._bucket(address or "unknown")
        with self._lock:
            self._forget_old(now)
            hits = self._hits.setdefault(bucket, deque())
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def release(self, address: str | None) -> None:
        """Give back the address's latest hit: what it counted was refused, nothing was kept.

        Hits of one address differ only in their time; giving back the latest
        leaves the older ones to expire as they would have.
        """
        bucket = self._bucket(address or "unknown")
        with self._lock:
            hits = self._hits.get(bucket)
            if hits:
                hits.pop()
                if not hits:
                    del self._hits[bucket]

    def _forget_old(self, now: float) -> None:
        cutoff = now - self.window
        for bucket in list(self._hits):
            hits = self._hits[bucket]
            while hits and hits[0] <= cutoff:
                hits.popleft()
            if not hits:
                del self._hits[bucket]
