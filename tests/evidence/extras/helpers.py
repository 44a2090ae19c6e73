"""Small builders for the evidence tests: a WARC of one page, a picture, a zip rewriter."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

PAGE = "<html><body><h1>منشور محذوف</h1><p>posted then deleted</p></body></html>".encode()


def make_warc(url: str = "https://example.org/post/1", body: bytes = PAGE) -> bytes:
    """A WARC (uncompressed) holding one HTTP response and its request, as a capture writes."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    headers = StatusAndHeaders(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers
    )
    writer.write_record(record)
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders("GET /post/1 HTTP/1.1", [("Host", "example.org")]),
    )
    writer.write_record(request)
    return out.getvalue()


def members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(archive: Path, files: dict[str, bytes], *, fix_manifest: bool = False) -> None:
    """Write ``files`` as the zip ``archive``; with ``fix_manifest``, re-hash them all first
    (a forger who also rewrites the manifest)."""
    if fix_manifest:
        listed = sorted(n for n in files if n != "manifest-sha256.txt")
        files["manifest-sha256.txt"] = "".join(
            f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in listed
        ).encode()
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
