"""Fixtures for the evidence tests: a local TSA, the blob store, items made directly.

Items are inserted as rows with their blobs stored through ``marsad.core.blobs``
and a ``create`` custody event, the way the evidence service stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marsad.core.blobs import BlobStore, store_blob
from marsad.core.db import session_scope, utcnow
from marsad.evidence import custody
from marsad.evidence.models import EvidenceItem, EvidencePart
from tests.evidence.extras.tsa import LocalTsa, start_tsa


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTsa]:
    server = start_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture
def store(settings) -> BlobStore:  # type: ignore[no-untyped-def]
    return BlobStore.from_settings(settings)


@pytest.fixture
def make_item(sessions, store):  # type: ignore[no-untyped-def]
    """Store bytes as an evidence item (with optional parts); return its id."""

    def factory(
        data: bytes,
        *,
        kind: str = "file",
        media_type: str = "application/octet-stream",
        title: str = "",
        parts: list[tuple[str, bytes, str]] | None = None,
        **fields: Any,
    ) -> int:
        with session_scope(sessions) as session:
            blob = store_blob(session, store, data, media_type=media_type)
            item = EvidenceItem(
                kind=kind,
                status="captured",
                sha256=blob.sha256,
                media_type=media_type,
                size=blob.size,
                title=title,
                created_by="monitor1",
                captured_at=utcnow(),
                meta=fields.pop("meta", {}),
                **fields,
            )
            session.add(item)
            session.flush()
            for role, part_data, part_type in parts or []:
                part_blob = store_blob(session, store, part_data, media_type=part_type)
                session.add(
                    EvidencePart(
                        item_id=item.id,
                        role=role,
                        sha256=part_blob.sha256,
                        media_type=part_type,
                        size=part_blob.size,
                    )
                )
            custody.record(session, item_id=item.id, action="create", actor="monitor1")
            return item.id

    return factory


@pytest.fixture
def env(settings, engine, monkeypatch):  # type: ignore[no-untyped-def]
    """The environment a `marsad` command run by the test reads its settings from."""
    monkeypatch.setenv("MARSAD_ENV", "test")
    monkeypatch.setenv("MARSAD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MARSAD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MARSAD_SECRET_KEY", settings.secret_key)
    return settings


def unzip_to(archive: Path, folder: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    return folder
