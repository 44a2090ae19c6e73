"""Re-uploads: a fabricated picture seen again under another account is found."""

from __future__ import annotations

import json
import subprocess

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.main import app as marsad
from marsad.core.db import session_scope
from marsad.evidence.models import EvidenceItem, PerceptualHash
from marsad.evidence.similar import backfill, ffmpeg_available, hash_item, similar_items
from tests.evidence.extras.pictures import encode, fabricated, reupload

runner = CliRunner()


def _hash(sessions, store, item_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with session_scope(sessions) as session:
        return hash_item(session, store, session.get(EvidenceItem, item_id))


def test_a_reuploaded_picture_is_found_by_similar(env, sessions, store, make_item) -> None:
    fake = fabricated(1)
    original = make_item(
        encode(fake), media_type="image/png", title="fabricated", source_ref="post:x:100"
    )
    again = make_item(
        reupload(fake), media_type="image/jpeg", title="same, re-uploaded", source_ref="post:x:200"
    )
    other = make_item(encode(fabricated(2)), media_type="image/png", title="another picture")
    text = make_item(b"just words", media_type="text/plain")
    for item in (original, again, other, text):
        _hash(sessions, store, item)
    done = runner.invoke(marsad, ["evidence", "similar", str(original), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["hashes"] == 2
    assert [m["id"] for m in result["similar"]] == [again]
    match = result["similar"][0]
    assert match["algorithm"] == "pdq" and match["distance"] <= 31
    assert set(match["distances"]) == {"pdq", "phash"}
    assert match["source_ref"] == "post:x:200"
    # The other picture is far away, not merely over the line.
    with sessions() as session:
        far = similar_items(session, store, item_id=original, pdq_max=256, phash_max=64)["similar"]
    distances = {m["id"]: m["distances"]["pdq"] for m in far}
    assert distances[other] > 64 > distances[again]
    text_result = json.loads(
        runner.invoke(marsad, ["evidence", "similar", str(text), "--json"]).output
    )
    assert text_result["hashes"] == 0 and text_result["similar"] == []
    missing = runner.invoke(marsad, ["evidence", "similar", "999", "--json"])
    assert missing.exit_code == 2 and "no evidence item 999" in missing.output


def test_hashing_is_stored_once_per_blob_and_backfilled(settings, sessions, store, make_item):
    fake = fabricated(3)
    first = make_item(encode(fake), media_type="image/png")
    twin = make_item(encode(fake), media_type="image/png", title="the same bytes again")
    broken = make_item(b"\x89PNG\r\n\x1a\n broken", media_type="image/png")
    saved: list[int] = []
    totals = backfill(
        sessions=sessions, settings=settings, item_ids=None, cursor=0, on_batch=saved.append
    )
    assert totals["items"] == 3 and totals["hashed"] == 2
    assert len(totals["skipped"]) == 1 and "not a readable picture" in totals["skipped"][0]
    assert saved == [broken]
    with sessions() as session:
        rows = session.scalars(select(PerceptualHash)).all()
        assert sorted(r.algorithm for r in rows) == ["pdq", "phash"]
        pdq = next(r for r in rows if r.algorithm == "pdq")
        assert len(pdq.value) == 64 and pdq.quality is not None and pdq.quality >= 50
        assert (
            similar_items(session, store, item_id=first, pdq_max=31, phash_max=10)["similar"][0][
                "distance"
            ]
            == 0
        )
    assert twin  # both items share one blob, hashed once
    again = backfill(
        sessions=sessions, settings=settings, item_ids=None, cursor=saved[-1], on_batch=print
    )
    assert again["items"] == 0


@pytest.mark.skipif(not ffmpeg_available(), reason="ffmpeg is not installed: videos unhashed")
def test_a_video_key_frame_matches_a_still_picture(sessions, store, make_item, tmp_path):
    scenes = [fabricated(10), fabricated(11)]
    for n, scene in enumerate(scenes):
        scene.save(tmp_path / f"scene{n}.png")
    video = tmp_path / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-loop", "1", "-t", "1", "-i", str(tmp_path / "scene0.png"),
         "-loop", "1", "-t", "1", "-i", str(tmp_path / "scene1.png"), "-filter_complex",
         "[0:v][1:v]concat=n=2:v=1,format=yuv420p", "-r", "5", "-g", "5", "-c:v", "libx264",
         str(video)],
        check=True, capture_output=True,
    )  # fmt: skip
    clip = make_item(video.read_bytes(), media_type="video/mp4", title="clip")
    still = make_item(reupload(scenes[1]), media_type="image/jpeg", title="frame re-posted")
    done = _hash(sessions, store, clip)
    assert done["skipped"] == [] and done["hashed"] >= 4  # two key frames at least, two hashes
    with sessions() as session:
        frames = session.scalars(
            select(PerceptualHash.frame_ms).where(PerceptualHash.algorithm == "pdq")
        ).all()
        assert 0 in frames and max(frames) >= 1000
        result = similar_items(session, store, item_id=still, pdq_max=31, phash_max=10)
    assert [m["id"] for m in result["similar"]] == [clip]


MAPPING = "id=id,author=author,author_name=author_name,text=text,created_at=created_at"


def test_successor_ranking_uses_the_avatars_stored_as_evidence(
    engine, sessions, store, make_item, tmp_path
) -> None:
    from datetime import UTC, datetime, timedelta

    from marsad.coordination import lineage
    from marsad.posts.ingest import ingest_files

    start = datetime(2026, 9, 1, 18, tzinfo=UTC)
    rows = []
    for n, (author, name) in enumerate(
        [("ali_basri", "Ali Basri"), ("qamar_news", "Qamar"), ("ali_basri_fans", "Fans of Ali")]
    ):
        for k in range(3):
            when = start + timedelta(days=10 * n + k)
            rows.append(
                {
                    "id": f"{author}{k}",
                    "author": author,
                    "author_name": name,
                    "text": f"post {k} of {name}",
                    "created_at": when.isoformat(),
                }  # fmt: skip
            )
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    ingest_files(fmt="jsonl", paths=[path], engine=engine, mapping=MAPPING)

    def ranked() -> dict[str, dict]:  # type: ignore[type-arg]
        with sessions() as session:
            found = lineage.propose_successors(session, suspended="other:ali_basri")
        return {c["account_id"]: c for c in found}

    before = ranked()
    assert "avatar" not in before["other:qamar_news"]["similarities"]
    face = fabricated(7)
    for account, data in [
        ("ali_basri", encode(face)),
        ("qamar_news", reupload(face)),  # the same picture, re-encoded by the platform
        ("ali_basri_fans", encode(fabricated(8))),
    ]:
        item = make_item(
            data, media_type="image/png", source_ref=f"account:other:{account}",
            meta={"avatar": True},
        )  # fmt: skip
        _hash(sessions, store, item)
    after = ranked()
    same = after["other:qamar_news"]["similarities"]["avatar"]
    different = after["other:ali_basri_fans"]["similarities"]["avatar"]
    assert same >= 0.85 > 0.7 >= different
    assert after["other:qamar_news"]["score"] > before["other:qamar_news"]["score"]
    assert after["other:ali_basri_fans"]["score"] < before["other:ali_basri_fans"]["score"]


def test_without_the_pdq_extra_pictures_match_on_phash(monkeypatch) -> None:
    import io
    import sys

    from marsad.evidence.similar import hamming, hash_image

    monkeypatch.setitem(sys.modules, "pdqhash", None)  # as if `marsad[pdq]` were not installed
    fake = fabricated(4)
    first = hash_image(io.BytesIO(encode(fake)))
    second = hash_image(io.BytesIO(reupload(fake)))
    assert [h.algorithm for h in first] == ["phash"] == [h.algorithm for h in second]
    assert hamming(first[0].value, second[0].value) <= 10
