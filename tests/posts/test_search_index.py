"""SQLite's full-text index: the ascii tokenizer answers every query as unicode61 did.

The index was built with unicode61 until the old migration 0009 rebuilt it with ascii;
0001_baseline builds it with ascii at once. The test rebuilds it each way itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, text

from marsad.core import migrate
from marsad.core.db import make_engine, session_factory
from marsad.core.settings import Settings
from marsad.posts import service
from marsad.posts.ingest import ingest_files
from tests.conftest import TEST_SECRET

from .helpers import DATA, sample

# The FTS5 rowid of a post, as 0001_baseline's triggers compute it.
_KEY = (
    "((max(coalesce(CAST(strftime('%s', created_at) AS INTEGER), -2208988800) "
    "+ 2208988800, 0) << 30) | id)"
)


def _rebuild(engine: Engine, tokenize: str) -> None:
    """Rebuild posts_fts from posts.search_text with another tokenizer (the triggers on
    posts name posts_fts, and SQLite resolves that when they fire)."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE posts_fts"))
        conn.execute(
            text(
                "CREATE VIRTUAL TABLE posts_fts USING fts5(search_text, content='', "
                f"columnsize=0, tokenize='{tokenize}')"
            )
        )
        conn.execute(
            text(f"INSERT INTO posts_fts(rowid, search_text) SELECT {_KEY}, search_text FROM posts")
        )


# Texts that the Unicode folding of unicode61 would have had work to do on, had the
# search text not been normalised first: harakat and tatweel, Sorani and Persian
# letters, Latin accents, a Cyrillic lookalike, fullwidth and Arabic-Indic digits,
# emoji and punctuation inside words, a hashtag with an underscore, mixed scripts.
TEXTS = [
    "الحُكومـــة العراقية تعلن حظر التجوال ٢٠٢٤ في البصرة!",
    "حکومەتی هەرێمی کوردستان ڕۆژنامەنووسێکی دەستگیر کرد",
    "این یک خبر از تهران است، ولی درباره‌ی عراق",
    "Café Élysée: journalists arrested — k\u0456ll the story? ＡＢＣ１２３",
    "#حرية_التعبير و#انتخابات_العراق 🇮🇶🔥 حق/حرية، (قطع) الإنترنت…",
    "RT @user_1: بغداد2024 Baghdad٣ x-ray e.g. U.S.A don't",
]


def _fts_sql(engine: Engine) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'posts_fts'")
        ).scalar_one()


def _queries(engine: Engine) -> list[str]:
    """Every stored token, a prefix of each, the first two tokens of each post as a
    phrase, and the texts above as typed (with their diacritics and punctuation)."""
    with engine.connect() as conn:
        searched = [row[0] for row in conn.execute(text("SELECT search_text FROM posts"))]
    tokens = sorted({t for s in searched for t in s.split()})
    queries = [*tokens, *{f"{t[:3]}*" for t in tokens if len(t) > 3}]
    queries += [f'"{" ".join(s.split()[:2])}"' for s in searched if len(s.split()) > 1]
    return queries + TEXTS + [t.split()[0] for t in TEXTS]


def _answers(sessions, queries: list[str]) -> dict[str, list[int]]:
    with sessions() as session:
        return {
            q: [p.id for p in service.search(session=session, query=q, limit=200).items]
            for q in queries
        }


def test_ascii_index_answers_every_query_as_unicode61_did(tmp_path: Path) -> None:
    settings = Settings(
        env="test",
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'marsad.db'}",
        secret_key=TEST_SECRET,
    )
    engine = make_engine(settings)
    sessions = session_factory(engine, settings)
    migrate.upgrade(engine)
    assert "tokenize='ascii'" in _fts_sql(engine)
    _rebuild(engine, "unicode61 remove_diacritics 2")
    assert "unicode61" in _fts_sql(engine)
    mixed = tmp_path / "mixed.csv"
    with mixed.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["post_id", "body", "time"])
        for n, body in enumerate(TEXTS):
            writer.writerow([f"m{n}", body, f"2024-03-0{n + 1} 10:00:00"])
    for fmt, path, extra in (
        ("x", sample("twitter/twarc2_v2/flat.jsonl"), {}),
        ("telegram", DATA / "tg_channel", {}),
        ("csv", mixed, {"mapping": "id=post_id,text=body,created_at=time"}),
    ):
        assert ingest_files(engine=engine, fmt=fmt, paths=[path], **extra).inserted
    queries = _queries(engine)
    before = _answers(sessions, queries)
    assert sum(map(bool, before.values())) > len(queries) * 0.9  # the queries do find posts

    _rebuild(engine, "ascii")
    assert "tokenize='ascii'" in _fts_sql(engine)
    assert _answers(sessions, queries) == before

    # Later posts are indexed by ingest, and updates by the triggers, in the new index.
    later = tmp_path / "later.csv"
    later.write_text(
        "post_id,body,time\nz1,ڕۆژنامەنووسەکان لە هەولێر,2025-01-01 09:00:00\n", encoding="utf-8"
    )
    ingest_files(
        engine=engine, fmt="csv", paths=[later], mapping="id=post_id,text=body,created_at=time"
    )
    with sessions() as session:
        assert [p.post_id for p in service.search(session=session, query="هەولێر").items] == ["z1"]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE posts SET text = :t, search_text = :s WHERE post_id = 'z1'"),
            {"t": "سلێمانی", "s": "سليماني"},
        )
    with sessions() as session:
        assert service.search(session=session, query="هەولێر").items == []
        assert [p.post_id for p in service.search(session=session, query="سلێمانی").items] == ["z1"]
        session.execute(text("DELETE FROM posts WHERE post_id = 'z1'"))
        session.commit()
    assert _answers(sessions, queries) == before
    engine.dispose()
