"""Impersonation: accounts whose names resemble an official account's but are not registered.

Pure: given the register and the other accounts on the same platforms, rank
look-alikes. Names are compared as the successor ranking compares them
(:func:`marsad.coordination.recreated_accounts.consonant_skeleton`), so
``@ali_albaghdadi``, ``@a1i_albaghdady`` and ``علي البغدادي`` meet across
scripts and spellings; the handles are also compared as typed (a swapped or
added letter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from marsad.coordination.recreated_accounts import consonant_skeleton
from marsad.core.text import normalize

MIN_SKELETON = 3


@dataclass(frozen=True)
class LookAlike:
    """One unregistered account that resembles a registered one."""

    platform: str
    account_id: str
    handle: str | None
    display_name: str | None
    resembles: str  # the official handle
    actor_id: str
    score: float
    by: str  # "handle" | "name"

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "account_id": self.account_id,
            "handle": self.handle,
            "display_name": self.display_name,
            "resembles": self.resembles,
            "actor_id": self.actor_id,
            "score": round(self.score, 3),
            "by": self.by,
        }


def _names(account: dict[str, Any]) -> list[str]:
    return [n for n in (account.get("handle"), account.get("display_name")) if n]


def _similarity(a: str, b: str) -> float:
    """How alike two names are, 0..1: the better of their skeletons and their typed forms."""
    sa, sb = consonant_skeleton(a), consonant_skeleton(b)
    best = 0.0
    if len(sa) >= MIN_SKELETON and len(sb) >= MIN_SKELETON:
        best = fuzz.ratio(sa, sb) / 100
    na, nb = normalize(a.lstrip("@")), normalize(b.lstrip("@"))
    if na and nb:
        best = max(best, fuzz.ratio(na, nb) / 100)
    return best


def look_alikes(
    official: Iterable[dict[str, Any]],
    others: Iterable[dict[str, Any]],
    *,
    threshold: float = 0.85,
) -> list[LookAlike]:
    """Unregistered accounts resembling an official one, most alike first.

    ``official`` rows carry ``platform``, ``handle``, ``display_name`` (may be
    None) and ``actor_id``; ``others`` the same plus ``account_id``. An account
    that is itself registered (by handle) is never listed.
    """
    registered = {(o["platform"], (o["handle"] or "").lower()) for o in official}
    by_platform: dict[str, list[dict[str, Any]]] = {}
    for o in official:
        by_platform.setdefault(o["platform"], []).append(o)
    found: dict[tuple[str, str], LookAlike] = {}
    for other in others:
        platform = other["platform"]
        key = (platform, (other.get("handle") or other["account_id"]).lower())
        if key in registered or (platform, other["account_id"].lower()) in registered:
            continue
        for o in by_platform.get(platform, []):
            best, by = 0.0, "handle"
            for mine in _names(o):
                for theirs in _names(other):
                    score = _similarity(mine, theirs)
                    if score > best:
                        best = score
                        by = (
                            "handle"
                            if mine == o.get("handle") and theirs == other.get("handle")
                            else "name"
                        )
            if best >= threshold:
                current = found.get((platform, other["account_id"]))
                if current is None or best > current.score:
                    found[(platform, other["account_id"])] = LookAlike(
                        platform=platform,
                        account_id=other["account_id"],
                        handle=other.get("handle"),
                        display_name=other.get("display_name"),
                        resembles=o["handle"],
                        actor_id=o["actor_id"],
                        score=best,
                        by=by,
                    )
    return sorted(found.values(), key=lambda x: (-x.score, x.platform, x.account_id))
