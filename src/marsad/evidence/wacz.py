"""WACZ: a web capture's WARC packaged so ReplayWeb.page-class tools open it.

A WACZ file (Web Archive Collection Zipped, spec 1.1.1) is a zip holding:

``archive/data.warc``            the WARC as captured, stored uncompressed
``indexes/index.cdxj``           one line per response record, sorted by SURT key:
                                 ``<surt> <14-digit time> {url, mime, status, digest,
                                 length, offset, filename}``, the offset and length of
                                 the record inside the WARC
``pages/pages.jsonl``            a header line, then one line per captured page
``datapackage.json``             every file above with its ``sha256:`` hash and size
``datapackage-digest.json``      the hash of datapackage.json

:func:`write_wacz` builds it from WARC files; :func:`check_wacz` re-checks
the hashes of a WACZ on its own.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from marsad import __version__ as marsad_version
from marsad.core.errors import InvalidInput

WACZ_VERSION = "1.1.1"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class WarcSource:
    """One WARC to pack: a name for it inside the WACZ and a way to open its bytes."""

    name: str
    path: Path


def surt(url: str) -> str:
    """The SURT form of a URL that CDXJ indexes sort by (``com,example)/path?q``)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    labels = ",".join(reversed(host.split("."))) if host else ""
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    if port and port != default:
        labels += f":{port}"
    path = parts.path or "/"
    key = f"{labels}){path}"
    if parts.query:
        key += "?" + "&".join(sorted(parts.query.split("&")))
    return key.lower()


def _warc_time(value: str) -> str:
    text = value.strip().replace("Z", "+00:00")
    when = datetime.fromisoformat(text)
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def index_warc(stream: BinaryIO, filename: str) -> tuple[list[str], list[dict[str, Any]]]:
    """CDXJ lines and pages of one WARC (response and resource records)."""
    from warcio.archiveiterator import ArchiveIterator

    lines: list[str] = []
    pages: list[dict[str, Any]] = []
    iterator = ArchiveIterator(stream)
    try:
        for record in iterator:
            if record.rec_type not in ("response", "resource", "revisit"):
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            date = record.rec_headers.get_header("WARC-Date") or ""
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            mime, status = "", None
            if record.http_headers is not None:
                mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
                status = int(record.http_headers.get_statuscode() or 0) or None
            else:
                mime = (record.rec_headers.get_header("Content-Type") or "").split(";")[0]
                status = 200
            record.raw_stream.read()  # consume, so the iterator knows the record's length
            offset = iterator.get_record_offset()
            length = iterator.get_record_length()
            ts = _warc_time(date) if date else "00000000000000"
            # Numbers as strings, as webrecorder's cdxj-indexer writes them.
            fields: dict[str, Any] = {
                "url": url,
                "mime": mime.strip(),
                "digest": digest,
                "length": str(length),
                "offset": str(offset),
                "filename": filename,
            }
            if status is not None:
                fields["status"] = str(status)
            if record.rec_type == "revisit":
                fields["mime"] = "warc/revisit"
            lines.append(f"{surt(url)} {ts} {json.dumps(fields, sort_keys=True)}")
            if record.rec_type != "revisit" and mime.strip() in ("text/html", "application/pdf"):
                pages.append(
                    {
                        "id": hashlib.sha256(f"{url} {ts}".encode()).hexdigest()[:32],
                        "url": url,
                        "ts": date,
                        "title": url,
                    }  # fmt: skip
                )
    except (ValueError, TypeError, OSError) as exc:
        raise InvalidInput(
            "err_evidence_warc_invalid", f"{filename} is not a readable WARC ({exc})", filename
        ) from None
    return lines, pages


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def write_wacz(
    warcs: Iterable[WarcSource], out: BinaryIO, *, title: str, created: datetime
) -> dict[str, Any]:
    """Write a WACZ of these WARCs to ``out`` (a writable binary stream); its datapackage."""
    resources: list[dict[str, Any]] = []
    cdx: list[str] = []
    pages: list[dict[str, Any]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for warc in warcs:
            name = f"archive/{warc.name}"
            # Stored, not deflated: replay tools read records at their offsets.
            zf.write(warc.path, name, compress_type=zipfile.ZIP_STORED)
            sha, size = _hash_file(warc.path)
            resources.append({"name": warc.name, "path": name, "hash": sha, "bytes": size})
            with warc.path.open("rb") as handle:
                lines, found = index_warc(handle, warc.name)
            cdx.extend(lines)
            pages.extend(found)
        texts = {
            "indexes/index.cdxj": "".join(line + "\n" for line in sorted(cdx)),
            "pages/pages.jsonl": "".join(
                json.dumps(p, ensure_ascii=False) + "\n"
                for p in [
                    {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
                    *pages,
                ]
            ),
        }
        for name, text in texts.items():
            data = text.encode()
            zf.writestr(name, data)
            resources.append(
                {
                    "name": Path(name).name,
                    "path": name,
                    "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
            )
        package = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title,
            "created": created.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "software": f"Marsad {marsad_version}",
            "mainPageURL": pages[0]["url"] if pages else None,
            "resources": resources,
        }
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode()
        zf.writestr("datapackage.json", package_bytes)
        zf.writestr(
            "datapackage-digest.json",
            json.dumps(
                {
                    "path": "datapackage.json",
                    "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
                }
            ),
        )
    return package


def check_wacz(data: BinaryIO) -> list[str]:
    """What is wrong with a WACZ (its datapackage's hashes); [] when it is intact."""
    problems: list[str] = []
    try:
        with zipfile.ZipFile(data) as zf:
            names = set(zf.namelist())
            raw = zf.read("datapackage.json")
            digest = json.loads(zf.read("datapackage-digest.json"))
            if digest.get("hash") != "sha256:" + hashlib.sha256(raw).hexdigest():
                problems.append("datapackage.json does not match datapackage-digest.json")
            package = json.loads(raw)
            for resource in package.get("resources", []):
                path = resource.get("path", "")
                if path not in names:
                    problems.append(f"{path}: listed in datapackage.json but missing")
                    continue
                sha = hashlib.sha256()
                with zf.open(path) as handle:
                    while chunk := handle.read(CHUNK):
                        sha.update(chunk)
                if "sha256:" + sha.hexdigest() != resource.get("hash"):
                    problems.append(f"{path}: altered (hash differs from datapackage.json)")
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        problems.append(f"not a readable WACZ ({exc})")
    return problems


def read_record(wacz: BinaryIO, cdx_line: str) -> bytes:
    """The raw bytes of the record a CDXJ line points at (to check an index by hand)."""
    fields = json.loads(cdx_line.split(" ", 2)[2])
    with zipfile.ZipFile(wacz) as zf, zf.open(f"archive/{fields['filename']}") as handle:
        data = handle.read()
    start = int(fields["offset"])
    return data[start : start + int(fields["length"])]


__all__ = ["WarcSource", "check_wacz", "index_warc", "read_record", "surt", "write_wacz"]
