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


def flag_post(session, post_ref: str, labels, *, status="pending", reviewed=None, version="m1"):
    """Store what a detector (and a reviewer) said about one post, as detect stores it."""
    from marsad.detect.models import Flag
    from marsad.posts import service

    post = service.get_post(session=session, post_ref=post_ref, include_raw=False)
    session.add(
        Flag(
            post_pk=post.id,
            model_version=version,
            glossary_version="1",
            flagged=bool(labels),
            labels=list(labels),
            scores=dict.fromkeys(labels, 0.9),
            top_score=0.9 if labels else 0.0,
            review_status=status,
            reviewed_labels=reviewed,
        )
    )
    session.commit()


def flag_channel_fixture(session) -> None:
    """Flags on the tg_channel fixture's four posts, one of each kind."""
    flag_post(session, "telegram:1500000001/2", ["hate"])  # pending
    flag_post(session, "telegram:1500000001/2", ["offensive"], version="m2")  # a newer model
    flag_post(  # confirmed, the reviewer changed the labels
        session,
        "telegram:1500000001/3",
        ["hate", "offensive"],
        status="confirmed",
        reviewed=["offensive", "violence"],
    )
    flag_post(session, "telegram:1500000001/4", ["hate"], status="rejected", reviewed=[])
    flag_post(session, "telegram:1500000001/5", [])  # looked at, nothing found


# The columns of data/generic.csv, as --map names them (lang left out unless asked).
GENERIC_MAP = "id=post_id,author=user,author_name=user_name,text=body,created_at=time"


def ingest_generic(engine, *, platform: str = "other", lang: bool = False):
    """Ingest data/generic.csv (two posts, one Arabic and one English) on ``platform``."""
    from marsad.posts.ingest import ingest_files

    return ingest_files(
        engine=engine,
        fmt="csv",
        paths=[DATA / "generic.csv"],
        platform=platform,
        mapping=GENERIC_MAP + (",lang=lang" if lang else ""),
    )
