"""Estimating the coordination window from the data, as CooRnet does.

CooRnet (Giglietto et al., ``estimate_coord_interval``) does not ask the analyst how
many seconds make two shares "coordinated": it looks at how fast objects are
re-shared in the data at hand. Marsad follows the same idea, simplified: over every
object (a re-shared post or a link) shared at least twice, take the delay between
its first and its second share, and use the ``quantile`` (by default 0.1: the fastest
tenth) of those delays as the window. A collection where links spread within seconds
gets a window of seconds; a slow forum, minutes.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from marsad.coordination.table import PostTable
from marsad.core.errors import InvalidInput
from marsad.core.i18n.markers import N_

__all__ = ["DEFAULT_QUANTILE", "estimate_window", "parse_window"]

DEFAULT_QUANTILE = 0.1


def parse_window(value: str) -> int | None:
    """``auto`` (None: estimate it) or a number of seconds from a command-line option."""
    text = value.strip().lower()
    if text == "auto":
        return None
    try:
        seconds = int(text)
    except ValueError:
        raise InvalidInput(
            "err_coordination_input",
            N_("the window is a number of seconds or auto"),
            where="--window",
        ) from None
    if seconds < 0:
        raise InvalidInput(
            "err_coordination_input", N_("the window cannot be negative"), where="--window"
        )
    return seconds


def second_share_delays(table: PostTable) -> list[int]:
    """Seconds from each object's first share to its second, for objects shared twice+."""
    times: dict[str, list[int]] = defaultdict(list)
    for column in (table.object_id, table.url):
        if column is None:
            continue
        for value, when in zip(column, table.time, strict=True):
            if value is None or value != value:  # None or NaN: no object on this post
                continue
            for obj in str(value).split():
                times[obj].append(int(when))
    delays = []
    for shared in times.values():
        if len(shared) >= 2:
            first, second = sorted(shared)[:2]
            delays.append(second - first)
    return delays


def estimate_window(table: PostTable, *, quantile: float = DEFAULT_QUANTILE) -> int:
    """The window (seconds, at least 1) at ``quantile`` of the second-share delays.

    Raises InvalidInput naming ``--window`` when no object is shared twice: there is
    nothing to estimate from, and the analyst must give the seconds.
    """
    delays = second_share_delays(table)
    if not delays:
        raise InvalidInput(
            "err_coordination_input",
            N_(
                "no link or re-shared post appears twice, so the window cannot be "
                "estimated; give --window SECONDS"
            ),
            where="--window",
        )
    return max(int(np.quantile(np.asarray(delays), quantile)), 1)
