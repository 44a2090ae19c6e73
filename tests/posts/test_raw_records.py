"""Raw records compressed with zstd dictionaries: trained, stored and read back.

On a migrated database (SQLite, and PostgreSQL when configured), like test_service.
"""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import pytest
import zstandard
from sqlalchemy import func, select, update

from marsad.core.errors import MarsadError
from marsad.posts import codec, service
from marsad.posts.ingest import IngestResult, ingest_files
from marsad.posts.models import Post, PostRawDict
from marsad.posts.writer import Writer


@pytest.fixture(autouse=True)
def no_cached_dictionaries():
    """Each test reads dictionaries from its own database, not from an earlier test's."""
    codec.forget_decompressors()
    yield
    codec.forget_decompressors()


WORDS = ["بغداد", "البصرة", "انتخابات", "تظاهرة", "أربيل", "الموصل", "#العراق", "مؤتمر", "vote"]


def tweets(n: int, *, start: int = 0, seed: int = 1) -> list[dict]:
    """``n`` flattened twarc2 tweets (a line each), by 40 authors."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        user = rng.randrange(40)
        out.append(
            {
                "id": str(1_700_000_000_000_000_000 + i),
                "text": " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))),
                "author_id": str(9000 + user),
                "author": {
                    "id": str(9000 + user),
                    "username": f"user{user}",
                    "name": f"مستخدم {user}",
                    "created_at": "2015-06-01T00:00:00.000Z",
                },
                "created_at": f"2024-03-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000Z",
                "lang": "ar",
                "conversation_id": str(1_700_000_000_000_000_000 + i - i % 5),
                "possibly_sensitive": False,
                "source": rng.choice(["Twitter for Android", "Twitter for iPhone"]),
                "public_metrics": {
                    "retweet_count": rng.randrange(500),
                    "reply_count": rng.randrange(50),
                    "like_count": rng.randrange(2000),
                    "quote_count": rng.randrange(20),
                },
            }
        )
    return out


def write_lines(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def dictionary_rows(session) -> list[tuple[int, str]]:
    """(id, source) of the stored dictionaries; ends the read transaction."""
    rows = session.execute(select(PostRawDict.id, PostRawDict.source)).all()
    session.rollback()
    return sorted(rows)


def frame_dict_ids(session, records: list[dict]) -> list[int]:
    """The dictionary id each record's stored frame names (0: none)."""
    ids = [r["id"] for r in records]
    blobs = dict(session.execute(select(Post.post_id, Post.raw).where(Post.post_id.in_(ids))).all())
    session.rollback()
    return [zstandard.get_frame_parameters(blobs[i]).dict_id for i in ids]


def assert_read_back(session, records: list[dict]) -> None:
    for record in records:
        post = service.get_post(session=session, post_ref=f"x:{record['id']}", include_raw=True)
        assert post.raw == record
    session.rollback()


def test_an_ingest_trains_one_dictionary_its_format_reuses(engine, session, tmp_path):
    # a small ingest first: too few records to train on, stored as plain zstd
    small = tweets(150)
    ingest_files(engine=engine, fmt="x", paths=[write_lines(tmp_path / "a.jsonl", small)])
    assert dictionary_rows(session) == []
    assert set(frame_dict_ids(session, small)) == {0}
    # a big one trains on its first batch and stores the dictionary with it
    big = tweets(600, start=150)
    path = write_lines(tmp_path / "b.jsonl", big)
    result = ingest_files(engine=engine, fmt="x", paths=[path], batch_size=300)
    assert result.inserted == 600
    [(dict_id, source)] = dictionary_rows(session)
    assert source == "x" and dict_id != 0
    assert set(frame_dict_ids(session, big)) == {dict_id}
    # another file of the format reuses it, in every batch
    more = tweets(300, start=750, seed=2)
    path = write_lines(tmp_path / "c.jsonl", more)
    ingest_files(engine=engine, fmt="x", paths=[path], batch_size=100)
    assert dictionary_rows(session) == [(dict_id, "x")]
    assert set(frame_dict_ids(session, more)) == {dict_id}
    assert_read_back(session, small + big + more)


def test_a_merged_record_is_compressed_with_the_dictionary_too(engine, session, tmp_path):
    records = tweets(400)
    path = write_lines(tmp_path / "a.jsonl", records)
    ingest_files(engine=engine, fmt="x", paths=[path])
    # the same tweets again with longer texts: the stored rows take the new records
    longer = [{**r, "text": r["text"] + " والمزيد من التفاصيل"} for r in records[:50]]
    ingest_files(engine=engine, fmt="x", paths=[write_lines(tmp_path / "b.jsonl", longer)])
    [(dict_id, _source)] = dictionary_rows(session)
    assert set(frame_dict_ids(session, longer)) == {dict_id}
    assert_read_back(session, longer + records[50:])


def test_parallel_workers_store_the_dictionaries_their_records_name(engine, session, tmp_path):
    if engine.dialect.name != "sqlite":
        pytest.skip("parallel ingest is for SQLite")
    records = tweets(1200)
    path = write_lines(tmp_path / "big.jsonl", records)
    result = ingest_files(
        engine=engine, fmt="x", paths=[path], workers=2, parallel_min_bytes=0, batch_size=300
    )
    assert result.inserted == 1200
    stored = dictionary_rows(session)
    # each worker trains on its first batch, unless the other's is stored by then
    assert 1 <= len(stored) <= 2 and {source for _id, source in stored} == {"x"}
    assert set(frame_dict_ids(session, records)) <= {dict_id for dict_id, _source in stored}
    assert_read_back(session, records)


def test_a_failed_batch_leaves_no_dictionary_and_the_next_one_stores_it(
    engine, session, tmp_path, monkeypatch
):
    from marsad.posts.sources import make_source

    records = tweets(600)
    items = list(make_source("x").iter_posts(write_lines(tmp_path / "a.jsonl", records)))
    writer = Writer(engine, fmt="x", watchlist_id=None)
    existing = Writer.existing

    def break_once(self, conn, keys):
        # inside the batch's transaction, after its dictionary was written
        monkeypatch.setattr(Writer, "existing", existing)
        raise RuntimeError("the batch's transaction fails")

    monkeypatch.setattr(Writer, "existing", break_once)
    result = IngestResult()
    with pytest.raises(RuntimeError):
        writer.write(writer.prepare(items[:300]), result)
    assert dictionary_rows(session) == [] and session.scalar(select(func.count(Post.id))) == 0
    session.rollback()
    # the writer's next batch is compressed with that dictionary, and stores it
    writer.write(writer.prepare(items[300:]), result)
    writer.close()
    assert dictionary_rows(session) == [(writer.packer.dictionary.dict_id(), "x")]
    assert_read_back(session, records[300:])
    # an ingest of the whole file finds it and completes the rest
    again = ingest_files(engine=engine, fmt="x", paths=[tmp_path / "a.jsonl"])
    assert again.inserted == 300 and len(dictionary_rows(session)) == 1
    assert_read_back(session, records)


def test_a_dictionary_trained_while_a_batch_is_written_is_stored_with_its_records(
    engine, session, tmp_path, monkeypatch
):
    # A parallel worker stages its next batch (and may train the dictionary then) while
    # its writer thread writes the one before, which is compressed without one.
    if engine.dialect.name != "sqlite":
        pytest.skip("parallel ingest is for SQLite")
    from marsad.posts.sources import make_source

    records = tweets(500)
    items = list(make_source("x").iter_posts(write_lines(tmp_path / "a.jsonl", records)))
    writer = Writer(engine, fmt="x", watchlist_id=None, turns=tmp_path / "turns")
    first = writer.stage(writer.prepare(items[:100]))  # too few records to train on
    second = writer.prepare(items[100:])
    existing = Writer.existing

    def stage_the_next_batch(self, conn, keys):
        monkeypatch.setattr(Writer, "existing", existing)
        writer.stage(second)  # trains, while the first batch's transaction is open
        return existing(self, conn, keys)

    monkeypatch.setattr(Writer, "existing", stage_the_next_batch)
    result = IngestResult()
    writer.write(first, result)
    writer.write(second, result)
    writer.close()
    assert result.inserted == 500
    assert set(frame_dict_ids(session, records[:100])) == {0}
    trained = {dict_id for dict_id, _source in dictionary_rows(session)}
    assert len(trained) == 1 and set(frame_dict_ids(session, records[100:])) == trained
    assert_read_back(session, records)


def test_an_ingest_that_fails_in_its_first_batch_leaves_no_dictionary(
    engine, session, tmp_path, monkeypatch
):
    records = tweets(600)
    path = write_lines(tmp_path / "a.jsonl", records)
    watch = Writer.watch

    def watch_then_break(self, conn, account_keys, now):
        watch(self, conn, account_keys, now)
        conn.exec_driver_sql("INSERT INTO posts (id) VALUES (NULL)")  # NOT NULL columns

    monkeypatch.setattr(Writer, "watch", watch_then_break)
    with pytest.raises(MarsadError) as caught:
        ingest_files(engine=engine, fmt="x", paths=[path], watchlist="w", workers=1)
    assert caught.value.code == "err_posts_storage"
    assert dictionary_rows(session) == [] and session.scalar(select(func.count(Post.id))) == 0
    session.rollback()
    monkeypatch.setattr(Writer, "watch", watch)
    ingest_files(engine=engine, fmt="x", paths=[path], watchlist="w")
    assert len(dictionary_rows(session)) == 1
    assert_read_back(session, records)


def _foreign_dictionary() -> zstandard.ZstdCompressionDict:
    """A dictionary no database holds (trained on records no test ingests)."""
    samples = [json.dumps(r, ensure_ascii=False).encode() for r in tweets(500, seed=99)]
    return zstandard.train_dictionary(4096, samples)


def test_a_record_whose_dictionary_is_not_stored_is_a_clear_error(engine, session, tmp_path):
    records = tweets(3)
    ingest_files(engine=engine, fmt="x", paths=[write_lines(tmp_path / "a.jsonl", records)])
    foreign = _foreign_dictionary()
    blob = codec.compress(records[0], foreign.as_bytes())
    session.execute(update(Post).where(Post.post_id == records[0]["id"]).values(raw=blob))
    session.commit()
    with pytest.raises(MarsadError) as caught:
        service.get_post(session=session, post_ref=f"x:{records[0]['id']}")
    error = caught.value
    assert error.code == "err_post_raw_dictionary" and error.status == 500
    assert str(foreign.dict_id()) in error.message and records[0]["id"] in error.message
    assert error.details["dictionary_id"] == foreign.dict_id()
    session.rollback()
    # the rest of the post still reads, and so do the other posts' records
    post = service.get_post(session=session, post_ref=f"x:{records[0]['id']}", include_raw=False)
    assert post.text == records[0]["text"]
    assert_read_back(session, records[1:])


def test_decompress_raw_reads_every_frame_it_was_ever_written_as():
    record = {"id": "1", "text": "نص عربي", "n": 2**70}
    dictionary = _foreign_dictionary()
    framed = codec.compress(record, dictionary.as_bytes())
    assert zstandard.get_frame_parameters(framed).dict_id == dictionary.dict_id()
    held = {dictionary.dict_id(): dictionary.as_bytes()}
    assert codec.decompress_raw(framed, held.get) == record
    plain = codec.compress(record)
    assert zstandard.get_frame_parameters(plain).dict_id == 0
    assert codec.decompress_raw(plain) == record
    assert codec.decompress_raw(zlib.compress(json.dumps(record).encode())) == record


def test_decompress_raw_without_the_dictionary_names_what_is_missing():
    dictionary = _foreign_dictionary()
    framed = codec.compress({"id": "1"}, dictionary.as_bytes())
    for dictionaries in (None, {}.get):
        with pytest.raises(MarsadError) as caught:
            codec.decompress_raw(framed, dictionaries, post="x:1")
        assert caught.value.details == {"post": "x:1", "dictionary_id": dictionary.dict_id()}


def test_a_dictionary_id_taken_by_another_dictionary_stops_the_batch(
    engine, session, tmp_path, monkeypatch
):
    from datetime import UTC, datetime

    trained = _foreign_dictionary()
    monkeypatch.setattr(codec, "train_dictionary", lambda records: trained)
    # another dictionary stored under the same id (zstd ids are 31-bit content hashes)
    taken = PostRawDict(
        id=trained.dict_id(), source="telegram", created_at=datetime.now(UTC), dictionary=b"x"
    )
    session.add(taken)
    session.commit()
    path = write_lines(tmp_path / "a.jsonl", tweets(300))
    with pytest.raises(MarsadError) as caught:
        ingest_files(engine=engine, fmt="x", paths=[path])
    assert caught.value.code == "err_posts_raw_dictionary_id"
    assert str(trained.dict_id()) in caught.value.message
    assert dictionary_rows(session) == [(trained.dict_id(), "telegram")]
    assert session.scalar(select(func.count(Post.id))) == 0
