"""Posts shared by the coordination tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def banned_and_successor(start: datetime) -> list[dict[str, Any]]:
    """Twelve posts of a banned account, then twelve of its look-alike successor.

    The banned ``ali_basri`` posted about its causes on twelve days, then vanished;
    ``ali_basri2`` took the same display name and the same hashtags 40 days later.
    Rows in the jsonl shape the coordination tests' MAPPING reads.
    """
    rows = []
    for n in range(12):
        rows.append(
            {
                "id": f"a{n}",
                "author": "ali_basri",
                "author_name": "علي البصري",
                "text": f"#البصرة_تنتفض #الماء حقنا {n}",
                "created_at": (start + timedelta(days=n, minutes=n)).isoformat(),
            }
        )
        rows.append(
            {
                "id": f"b{n}",
                "author": "ali_basri2",
                "author_name": "علي البصري",
                "text": f"#البصرة_تنتفض #الماء حقنا مرة ثانية {n}",
                "created_at": (start + timedelta(days=40 + n)).isoformat(),
            }
        )
    return rows
