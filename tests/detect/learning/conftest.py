"""Stored posts for the labelling loop's tests: harmful and harmless, with near-copies."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from marsad.core.db import session_scope
from marsad.detect.learning import labels
from marsad.detect.learning.models import LabelSample, LabelSampleItem
from marsad.posts.models import Post
from tests.detect.conftest import DATA

PUBLIC = ("osact2020_train", "osact2022_train", "t_hsab", "mlma_ar", "mlma_en")

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


@pytest.fixture
def shared_data(tmp_path: Path) -> Path:
    """A tiny stand-in for ../shared/datasets: the five files the recipe reads."""
    folder = tmp_path / "shared"
    folder.mkdir()
    with (DATA / "tiny.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for name in PUBLIC:
        with (folder / f"{name}.tsv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t")
            writer.writerow(["text", "offensive", "hate", "violence", "hate_type"])
            for i, row in enumerate(rows):
                kind = ("religion", "gender")[i % 2] if row["hate"] == "1" else ""
                writer.writerow([row["text"], row["offensive"], row["hate"], row["hate"], kind])
    return folder


def label_posts(sessions, texts_values, who="mona", task="offensive"):  # type: ignore[no-untyped-def]
    ids = store_posts(sessions, [t for t, _v in texts_values], start=1000)
    with session_scope(sessions) as session:
        for pk, (_t, value) in zip(ids, texts_values, strict=True):
            labels.record_label(
                session, post_pk=pk, task=task, value=value, labelled_by=who, source="queue"
            )
    return ids


def freeze(sessions, post_ids, task="offensive"):  # type: ignore[no-untyped-def]
    """Make these posts the task's evaluation sample."""
    with session_scope(sessions) as session:
        sample = LabelSample(
            task=task, kind="evaluation", size=len(post_ids), seed=1, created_by="test"
        )
        session.add(sample)
        session.flush()
        for n, pk in enumerate(post_ids):
            session.add(
                LabelSampleItem(sample_id=sample.id, post_pk=pk, position=n, reason="evaluation")
            )


def iraqi(n: int, value: int) -> list[tuple[str, int]]:
    words = ("سرسري", "جايف", "زمال") if value else ("حلو", "زين", "عفية")
    return [(f"{words[i % 3]} هذا الولد رقم {i} {'كلش' * (i % 4)}", value) for i in range(n)]
