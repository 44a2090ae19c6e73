"""Stored posts for the labelling loop's tests: harmful and harmless, with near-copies."""

from __future__ import annotations

import pytest

from marsad.core.db import session_scope
from marsad.posts.models import Post

HARMFUL = [
    "يا كلب يا حقير الله يلعنك",
    "انتم حثالة ووسخين ما تستحون",
    "الله ياخذكم يا خونة يا كلاب",
    "اقتلوهم جميعا ولا تتركوا منهم احدا",
    "يا زبالة يا حيوان اسكت",
    "هذول الخنازير لازم يطلعون من البلد",
]
HARMLESS = [
    "صباح الخير يا بغداد، الجو جميل اليوم",
    "مبروك للفريق الفوز المستحق",
    "فكر قبل ان تشارك اي خبر",
    "الطقس غدا مشمس في البصرة",
    "افتتاح معرض الكتاب في اربيل الاسبوع القادم",
    "The weather in Erbil is lovely this week",
    "درجات الحرارة تنخفض نهاية الاسبوع",
    "انقطاع الكهرباء في حي الجامعة منذ الصباح",
]


def variants() -> list[str]:
    """About 70 distinct posts: each base text with a few different endings."""
    out = []
    endings = ["", " اليوم", " والله", " هسه", " بعد"]
    for i, base in enumerate(HARMFUL + HARMLESS):
        for ending in endings[: 3 + i % 3]:
            out.append(f"{base}{ending} {i}")
    return out


def store_posts(sessions, texts, start=1):  # type: ignore[no-untyped-def]
    """Store the texts as posts; return their ids in order."""
    ids = []
    with session_scope(sessions) as session:
        for i, text in enumerate(texts, start=start):
            post = Post(
                platform="x",
                post_id=str(i),
                account_id="a1",
                text=text,
                search_text=text,
                source="test",
            )
            session.add(post)
            session.flush()
            ids.append(post.id)
    return ids


@pytest.fixture
def stored(sessions):  # type: ignore[no-untyped-def]
    """The variant posts, stored; text -> id."""
    texts = variants()
    return dict(zip(texts, store_posts(sessions, texts), strict=True))
