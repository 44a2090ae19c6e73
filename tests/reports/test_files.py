"""Attachments: a decompression bomb is refused from its header, originals stay private."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from marsad.core.blobs import BlobStore, derivatives_of
from marsad.core.errors import InvalidInput
from marsad.reports.files import Upload, check_upload


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header claiming ``width`` × ``height``, with almost no data.

    Decoding it would need width × height bytes; the file itself is under 100 bytes.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _png(width: int, height: int, *, comment: str | None = None) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if comment:
        info.add_text("Comment", comment)
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.mark.parametrize("side", [100_000, 12_000])
def test_a_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    # 10 billion pixels (past Pillow's own limit) and 144 million (past ours).
    bomb = _png_header_only(side, side)
    assert len(bomb) < 200
    with pytest.raises(InvalidInput) as caught:
        check_upload(Upload("map.png", bomb, "image/png"), max_bytes=1_000_000)
    assert caught.value.code == "err_image_too_large"
    assert "map.png" in caught.value.message and caught.value.where == "files"


def test_the_pixel_cap_is_a_setting() -> None:
    image = _png(200, 100)  # 20,000 pixels
    with pytest.raises(InvalidInput) as caught:
        check_upload(Upload("small.png", image), max_bytes=1_000_000, max_pixels=19_999)
    assert caught.value.code == "err_image_too_large"
    clean = check_upload(Upload("small.png", image), max_bytes=1_000_000, max_pixels=20_000)
    assert clean.media_type == "image/png" and Image.open(io.BytesIO(clean.data)).size == (200, 100)


def test_a_bomb_through_the_api_is_a_422_naming_the_file(client, settings) -> None:
    response = client.post(
        "/api/v1/reports",
        data={"title": "A screenshot", "category": "threat"},
        files=[("files", ("screenshot.png", _png_header_only(12_000, 12_000), "image/png"))],
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "err_image_too_large" and body["where"] == "files"
    assert "screenshot.png" in response.text
    # Nothing of the refused report was stored.
    store = BlobStore.from_settings(settings)
    assert not store.root.exists() or not [p for p in store.root.rglob("*") if p.is_file()]


def test_a_file_kept_as_sent_is_one_blob_and_an_image_two(file_report, sessions, settings) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    photo = _png(30, 20, comment="taken at home, Karrada")
    plain = _png(30, 20)  # nothing to clean: kept as sent
    report_id, _receipt = file_report(
        files=[
            Upload("note.pdf", pdf, "application/pdf"),
            Upload("photo.png", photo),
            Upload("plain.png", plain),
        ]
    )
    from marsad.reports.models import Report

    with sessions() as session:
        files = {f.filename: f for f in session.get(Report, report_id).files}
        assert files["note.pdf"].original_sha256 is None
        assert derivatives_of(session, sha256=files["note.pdf"].sha256) == []
        shown, original = files["photo.png"].sha256, files["photo.png"].original_sha256
        assert original is not None and original != shown
        assert derivatives_of(session, sha256=original) == [(shown, "reencode")]
        assert files["plain.png"].original_sha256 is None
    store = BlobStore.from_settings(settings)
    assert store.path(original).read_bytes() == photo
    assert b"Karrada" not in store.path(shown).read_bytes()
    assert store.verify(shown) and store.verify(original)
