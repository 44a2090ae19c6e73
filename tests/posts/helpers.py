"""Paths to the shared real-format samples and the in-repo fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.posts.schema import PostRecord, Rejection

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "formats"


def sample(relative: str) -> Path:
    """A file from the shared real-format samples; skip the test when they are absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared format sample {relative} not present beside the repository")
    return path


def split(items) -> tuple[list[PostRecord], list[Rejection]]:
    """Separate an adapter's output into posts and rejections."""
    items = list(items)
    return (
        [i for i in items if isinstance(i, PostRecord)],
        [i for i in items if isinstance(i, Rejection)],
    )
