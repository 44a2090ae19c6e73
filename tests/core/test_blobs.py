"""The blob store: files named by SHA-256, written whole or not at all, originals kept."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marsad.core.blobs import (
    Blob,
    BlobStore,
    derivatives_of,
    format_sha256,
    get_blob,
    originals_of,
    parse_sha256,
    store_blob,
)
from marsad.core.db import session_scope
from marsad.core.errors import InvalidInput, NotFound
from marsad.core.settings import Settings

HELLO = b"hello, observatory\n"
HELLO_HEX = hashlib.sha256(HELLO).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_one_text_form_round_trips() -> None:
    ref = format_sha256(HELLO_HEX.upper())
    assert ref == f"sha256:{HELLO_HEX}"
    assert parse_sha256(ref) == HELLO_HEX


@pytest.mark.parametrize(
    "text",
    [
        HELLO_HEX,  # bare hex
        f"SHA256:{HELLO_HEX}",
        f"sha256:{HELLO_HEX.upper()}",
        f"sha256:{HELLO_HEX[:-1]}",
        f"sha256:{HELLO_HEX} ",
        f"sha1:{HELLO_HEX[:40]}",
        f"md5:{HELLO_HEX[:32]}",
        "",
    ],
)
def test_any_other_form_is_refused_naming_it(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_sha256(text, where="evidence")
    assert caught.value.code == "err_sha256_invalid" and caught.value.where == "evidence"


def test_a_blob_is_a_plain_file_named_by_its_hash(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    put = store.put(HELLO)
    assert put == type(put)(sha256=f"sha256:{HELLO_HEX}", size=len(HELLO), created=True)
    path = store.path(put.sha256)
    assert path == tmp_path / "blobs" / HELLO_HEX[:2] / HELLO_HEX
    # Any tool can check it: the name is the SHA-256 of the bytes.
    assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name
    assert store.exists(put.sha256) and store.verify(put.sha256)
    with store.open(put.sha256) as handle:
        assert handle.read() == HELLO
    assert _files(store.root) == [path]  # no temporary file left beside it


def test_putting_the_same_bytes_again_stores_them_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    first = store.put(HELLO)
    before = store.path(first.sha256).stat().st_mtime_ns
    again = store.put(io.BytesIO(HELLO))
    assert again.sha256 == first.sha256 and again.created is False
    assert store.path(first.sha256).stat().st_mtime_ns == before  # not rewritten
    assert len(_files(store.root)) == 1


def test_a_stream_larger_than_a_chunk_is_hashed_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000 + b"tail"  # 2.2 MiB, not a multiple of the chunk
    store = BlobStore(tmp_path / "blobs")
    put = store.put(io.BytesIO(data))
    assert put.sha256 == "sha256:" + hashlib.sha256(data).hexdigest() and put.size == len(data)
    assert store.path(put.sha256).read_bytes() == data


class _BrokenStream(io.RawIOBase):
    """Yields two chunks, then fails as a dropped upload or a bad disk would."""

    def __init__(self) -> None:
        self.calls = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # noqa: ARG002
        self.calls += 1
        if self.calls > 2:
            raise OSError("connection reset")
        return b"x" * 1024 * 1024


def test_a_failure_mid_write_leaves_no_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(OSError, match="connection reset"):
        store.put(_BrokenStream())  # type: ignore[arg-type]
    assert _files(store.root) == []


def test_a_stream_over_the_limit_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(InvalidInput) as caught:
        store.put(io.BytesIO(b"y" * 3_000_000), max_bytes=2_000_000)
    assert caught.value.code == "err_blob_too_large"
    assert _files(store.root) == []


def test_verify_notices_a_changed_file_and_open_names_a_missing_one(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    put = store.put(HELLO)
    path = store.path(put.sha256)
    path.chmod(0o600)
    path.write_bytes(b"hello, tampered\n")
    assert store.verify(put.sha256) is False
    missing = format_sha256(hashlib.sha256(b"never stored").hexdigest())
    assert not store.exists(missing)
    with pytest.raises(NotFound) as caught:
        store.open(missing)
    assert caught.value.code == "err_blob_not_found" and missing in caught.value.message


def test_the_folder_is_a_setting_with_the_data_folder_as_default(tmp_path: Path) -> None:
    default = Settings(env="test", data_dir=tmp_path / "data")
    assert BlobStore.from_settings(default).root == tmp_path / "data" / "blobs"
    chosen = Settings(env="test", data_dir=tmp_path / "data", blobs_dir=tmp_path / "vault")
    assert BlobStore.from_settings(chosen).root == tmp_path / "vault"


def test_a_derivative_points_at_its_original_which_is_kept(sessions, tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    photo, cleaned = b"JPEG with GPS in EXIF", b"JPEG from the pixels only"
    with session_scope(sessions) as session:
        original = store_blob(session, store, photo, media_type="image/jpeg")
        derived = store_blob(
            session,
            store,
            io.BytesIO(cleaned),
            media_type="image/jpeg",
            derived_from=original.sha256,
            how="reencode",
        )
        # Storing the same original again changes nothing: one row, the same bytes.
        store_blob(session, store, photo, media_type="application/octet-stream")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 2
        row = get_blob(session, sha256=original.sha256)
        assert (row.size, row.media_type) == (len(photo), "image/jpeg")
        assert row.created_at.tzinfo is not None
        assert originals_of(session, sha256=derived.sha256) == [(original.sha256, "reencode")]
        assert derivatives_of(session, sha256=original.sha256) == [(derived.sha256, "reencode")]
        assert originals_of(session, sha256=original.sha256) == []
    assert store.path(original.sha256).read_bytes() == photo


def test_one_derivative_can_come_from_two_originals(sessions, tmp_path: Path) -> None:
    # The same photo sent twice with different metadata re-encodes to the same bytes:
    # each original keeps its own link.
    store = BlobStore(tmp_path / "blobs")
    with session_scope(sessions) as session:
        first = store_blob(session, store, b"photo + GPS A", media_type="image/jpeg")
        second = store_blob(session, store, b"photo + GPS B", media_type="image/jpeg")
        for original in (first, second):
            clean = store_blob(
                session,
                store,
                b"photo",
                media_type="image/jpeg",
                derived_from=original.sha256,
                how="reencode",
            )
    with sessions() as session:
        assert sorted(originals_of(session, sha256=clean.sha256)) == sorted(
            [(first.sha256, "reencode"), (second.sha256, "reencode")]
        )


def test_a_bad_derivation_is_refused_before_anything_is_stored(session, tmp_path) -> None:
    store = BlobStore(tmp_path / "blobs")
    unknown = format_sha256(hashlib.sha256(b"elsewhere").hexdigest())
    with pytest.raises(NotFound) as caught:
        store_blob(session, store, b"x", media_type="text/plain", derived_from=unknown, how="crop")
    assert caught.value.where == "derived_from"
    original = store_blob(session, store, b"o", media_type="text/plain")
    for kwargs, where in (
        ({"derived_from": original.sha256}, "derived_from"),
        ({"derived_from": original.sha256, "how": "photoshop"}, "how"),
        ({"derived_from": "sha256:nothex", "how": "crop"}, "derived_from"),
    ):
        with pytest.raises(InvalidInput) as bad:
            store_blob(session, store, b"d", media_type="text/plain", **kwargs)
        assert bad.value.where == where
    assert _files(store.root) == [store.path(original.sha256)]
