"""Posts for the declaration tests, stored through posts' own ingest."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from marsad.posts.ingest import ingest_files
from marsad.posts.models import Post

MAPPING = "id=id,author=author,author_name=name,text=text,created_at=created_at,reply_to=reply_to"

POSTS = [
    {"id": "a1", "author": "ali_albaghdadi", "name": "علي البغدادي", "text": "برنامجنا الانتخابي"},
    {"id": "a2", "author": "ali_albaghdadi", "name": "علي البغدادي", "text": "صوتوا للقائمة 214"},
    {"id": "f1", "author": "ali_albaghdady", "name": "Ali Albaghdadi", "text": "حساب مزيف"},
    {"id": "n1", "author": "news_basra", "name": "Basra News", "text": "أخبار البصرة اليوم"},
    # A ring amplifying the candidate: replies to his post and mentions of his handle.
    {"id": "r1", "author": "ring_one", "text": "@ali_albaghdadi بطل", "reply_to": "a1"},
    {"id": "r2", "author": "ring_two", "text": "@ali_albaghdadi بطل العراق"},
    {"id": "r3", "author": "ring_three", "text": "نعم", "reply_to": "a2"},
]


def ingest(engine, tmp_path: Path, rows=POSTS) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Store the posts (platform x); their ids by the platform's post id."""
    path = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"created_at": "2021-09-01T10:00:00+00:00", **r}, ensure_ascii=False)
        for r in rows
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=MAPPING, platform="x")
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        return dict(session.execute(select(Post.post_id, Post.id)).all())
