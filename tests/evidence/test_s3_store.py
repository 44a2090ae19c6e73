"""The S3-compatible blob store, against moto's S3 server started on loopback by the test."""

from __future__ import annotations

import hashlib
import io

import pytest

from marsad.core.blobs import BlobStore, S3BlobStore
from marsad.core.db import session_scope
from marsad.core.errors import ConfigError, InvalidInput, NotFound
from marsad.core.settings import Settings
from marsad.evidence import service
from marsad.evidence.verify import verify_all

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def s3_endpoint():  # type: ignore[no-untyped-def]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_endpoint, settings, monkeypatch) -> S3BlobStore:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = f"marsad-{settings.data_dir.parent.name[-20:].lower().replace('_', '-')}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    configured = Settings(
        **{**settings.model_dump(exclude={"blobs_s3_url"})},
        blobs_s3_url=f"s3://{bucket}/evidence?endpoint={s3_endpoint}&region=us-east-1",
    )
    store = BlobStore.from_settings(configured)
    assert isinstance(store, S3BlobStore)
    return store


@SQLITE
def test_blobs_go_to_the_bucket_under_their_hash_streamed_and_stored_once(s3_store) -> None:
    data = b"\x00\x01" * 3_000_000  # 6 MB: a multipart upload
    first = s3_store.put(io.BytesIO(data))
    again = s3_store.put(data)
    digest = hashlib.sha256(data).hexdigest()
    assert first.sha256 == f"sha256:{digest}" and first.created and not again.created
    assert s3_store.key(first.sha256) == f"evidence/{digest[:2]}/{digest}"
    with s3_store.open(first.sha256) as body:
        assert body.read() == data
    assert s3_store.verify(first.sha256)
    with pytest.raises(NotFound):
        s3_store.open("sha256:" + "0" * 64)
    with pytest.raises(InvalidInput):
        s3_store.put(b"x" * 100, max_bytes=10)
    assert list(s3_store.root.iterdir()) == []  # no staging file left behind


@SQLITE
def test_evidence_in_the_bucket_verifies_and_a_changed_object_is_named(s3_store, sessions) -> None:
    with session_scope(sessions) as session:
        item = service.add_file(
            session, s3_store, stream=b"bucket evidence", name="e.txt", media_type=None, actor="a"
        )
        item_id, ref = item.id, item.sha256
    with session_scope(sessions) as session:
        assert verify_all(session, s3_store)["ok"] is True
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=s3_store.key(ref), Body=b"changed")
    with session_scope(sessions) as session:
        result = verify_all(session, s3_store)
    assert result["ok"] is False and result["problems"][0]["item"] == item_id


def test_a_malformed_s3_url_names_the_setting(tmp_path) -> None:
    with pytest.raises(ConfigError) as bad:
        S3BlobStore("https://bucket/x", staging=tmp_path)
    assert bad.value.where == "MARSAD_BLOBS_S3_URL"
