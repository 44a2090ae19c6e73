"""Case bundles: one zip a court, a UN body or a platform can check on its own.

:func:`write_bundle` writes, for the chosen items::

    index.html               a readable index, Arabic (right to left) and English
    VERIFY.txt               how to check everything by hand (sha256sum, openssl)
    bundle.json              what the bundle holds, item by item
    items/<id>/item.json     the item's metadata, its files and timestamps
    items/<id>/content.<ext> the item's bytes (a capture's WARC)
    items/<id>/parts/…       its other files (screenshot, PDF, metadata…)
    items/<id>/custody.jsonl its chain of custody, one event a line, with both hashes
    items/<id>/timestamps/<n>.tsr   RFC 3161 responses over the item's SHA-256
    items/<id>/capture.wacz  a web capture packed for ReplayWeb.page-class tools
    tsa-ca.pem               the TSA's CA certificate, when one is configured
    manifest-sha256.txt      the SHA-256 of every file above (``sha256sum -c`` reads it)

Bundling appends an ``export`` custody event to each item, before its log is
written, so the bundle carries the record of its own making. The zip is written
to a temporary file beside ``out`` and renamed into place: a failure leaves no
partial bundle.

:func:`verify_bundle` checks a bundle alone, without the database: every file
against the manifest (altered, added, missing), every custody chain (with
:func:`marsad.evidence.custody.chain_problems`), every timestamp token's
imprint and signature, every WACZ's own hashes, and that each item's recorded
SHA-256 is the hash of the file that carries it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from marsad import __version__ as marsad_version
from marsad.core.blobs import BlobStore, parse_sha256
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.evidence import custody
from marsad.evidence.bundle_index import render_index, verify_text
from marsad.evidence.models import CustodyEvent, EvidenceItem, EvidencePart, EvidenceTimestamp
from marsad.evidence.timestamps import check_token, load_ca_certificates
from marsad.evidence.wacz import WarcSource, check_wacz, write_wacz

FORMAT = "marsad-case-bundle/1"
MANIFEST = "manifest-sha256.txt"
CA_FILE = "tsa-ca.pem"
CHUNK = 1024 * 1024
# Metadata, logs and tokens are read whole when a bundle is checked; nothing honest is
# near this size. A WACZ is spooled to disk past SPOOL_BYTES.
MAX_METADATA = 256 * 1024 * 1024
SPOOL_BYTES = 64 * 1024 * 1024
WARC_TYPES = ("application/warc", "application/x-warc")
_PACKED = frozenset({"application/zip", "application/gzip", "application/x-7z-compressed"})
_EXTENSIONS = {
    "application/warc": ".warc",
    "application/x-warc": ".warc",
    "application/json": ".json",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "application/octet-stream": ".bin",
}


def parse_item_ids(text: str) -> list[int]:
    """``"3,5, 8"`` → [3, 5, 8]; InvalidInput naming the first piece that is not an id."""
    ids: list[int] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece.isdigit() or int(piece) < 1 or int(piece) >= 2**63:
            raise InvalidInput(
                "err_evidence_item_ids",
                f"{piece!r} is not an item id; give ids separated by commas (e.g. 3,5,8)",
                "--items",
            )
        if int(piece) not in ids:
            ids.append(int(piece))
    if not ids:
        raise InvalidInput("err_evidence_item_ids", "no item ids given", "--items")
    return ids


def _extension(media_type: str) -> str:
    return _EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or ".bin"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass
class _Planned:
    """One file to put in the bundle: from the blob store or from bytes made here."""

    path: str
    blob: str | None = None
    data: bytes | None = None
    local: Path | None = None
    media_type: str = ""


@dataclass
class _Plan:
    files: list[_Planned] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def _event_json(event: CustodyEvent) -> dict[str, Any]:
    return {
        "item_id": event.item_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "reason": event.reason,
        "details": event.details,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _plan_item(session: Session, store: BlobStore, item: EvidenceItem, plan: _Plan) -> None:
    base = f"items/{item.id}"
    files: list[dict[str, Any]] = []
    if item.sha256:
        path = f"{base}/content{_extension(item.media_type)}"
        plan.files.append(_Planned(path, blob=item.sha256, media_type=item.media_type))
        files.append(
            {
                "path": path,
                "role": "content",
                "sha256": item.sha256,
                "media_type": item.media_type,
                "size": item.size,
            }  # fmt: skip
        )
    parts = session.scalars(
        select(EvidencePart).where(EvidencePart.item_id == item.id).order_by(EvidencePart.id)
    )
    for part in parts:
        path = f"{base}/parts/{part.role}-{parse_sha256(part.sha256)[:12]}"
        path += _extension(part.media_type)
        plan.files.append(_Planned(path, blob=part.sha256, media_type=part.media_type))
        files.append(
            {
                "path": path,
                "role": part.role,
                "sha256": part.sha256,
                "media_type": part.media_type,
                "size": part.size,
            }  # fmt: skip
        )
    stamps = []
    rows = session.scalars(
        select(EvidenceTimestamp)
        .where(EvidenceTimestamp.item_id == item.id)
        .order_by(EvidenceTimestamp.id)
    )
    for stamp in rows:
        entry: dict[str, Any] = {
            "sha256": stamp.sha256,
            "tsa_url": stamp.tsa_url,
            "status": stamp.status,
            "reason": stamp.reason,
            "granted_at": _iso(stamp.granted_at),
        }
        if stamp.status == "granted" and stamp.token_sha256:
            entry["path"] = f"{base}/timestamps/{stamp.id}.tsr"
            plan.files.append(_Planned(entry["path"], blob=stamp.token_sha256))
        stamps.append(entry)
    events = session.scalars(
        select(CustodyEvent).where(CustodyEvent.item_id == item.id).order_by(CustodyEvent.seq)
    )
    log = "".join(
        json.dumps(_event_json(e), ensure_ascii=False, sort_keys=True) + "\n" for e in events
    )
    plan.files.append(_Planned(f"{base}/custody.jsonl", data=log.encode()))
    wacz = None
    if item.kind == "capture" and item.sha256 and item.media_type in WARC_TYPES:
        wacz = f"{base}/capture.wacz"
        plan.files.append(_Planned(wacz, local=store.path(item.sha256)))
    meta = {
        "id": item.id,
        "ref": f"evidence:{item.id}",
        "kind": item.kind,
        "status": item.status,
        "reason": item.reason,
        "title": item.title,
        "note": item.note,
        "source_url": item.source_url,
        "source_ref": item.source_ref,
        "sha256": item.sha256,
        "media_type": item.media_type,
        "size": item.size,
        "meta": item.meta,
        "series_id": item.series_id,
        "version": item.version,
        "changes": item.changes,
        "derived_from": item.derived_from_id,
        "derivation": item.derivation,
        "created_by": item.created_by,
        "created_at": _iso(item.created_at),
        "captured_at": _iso(item.captured_at),
        "files": files,
        "timestamps": stamps,
        "custody": f"{base}/custody.jsonl",
        "wacz": wacz,
    }
    plan.files.append(
        _Planned(f"{base}/item.json", data=json.dumps(meta, ensure_ascii=False, indent=2).encode())
    )
    plan.items.append(meta)


def write_bundle(
    session: Session,
    store: BlobStore,
    item_ids: list[int],
    out: Path,
    actor: str,
    *,
    reason: str = "",
    ca_file: Path | None = None,
    timezone: str = "Asia/Baghdad",
) -> dict[str, Any]:
    """Write a case bundle of ``item_ids`` to ``out``; what it holds.

    Appends an ``export`` custody event to every item (in ``session``; the
    caller commits, after this returns). Raises NotFound naming an unknown id,
    InvalidInput for an item whose stored file is missing. Returns ``{"out",
    "sha256", "size", "items", "files"}``.
    """
    if not item_ids:
        raise InvalidInput("err_evidence_item_ids", "no item ids given", "--items")
    items = []
    for item_id in item_ids:
        item = session.get(EvidenceItem, item_id)
        if item is None:
            raise NotFound("err_evidence_not_found", f"no evidence item {item_id}", "--items")
        items.append(item)
    created = utcnow()
    out = Path(out)
    for item in items:
        custody.record(
            session,
            item_id=item.id,
            action="export",
            actor=actor,
            reason=reason or "case bundle",
            details={"bundle": out.name, "at": created.isoformat()},
        )
    plan = _Plan()
    for item in items:
        _plan_item(session, store, item, plan)
    for planned in plan.files:
        if planned.blob is not None and not store.exists(planned.blob):
            raise InvalidInput(
                "err_evidence_blob_missing",
                f"the stored file {planned.blob} of {planned.path} is missing from the store",
                planned.path,
            )
    if ca_file is not None:
        plan.files.append(_Planned(CA_FILE, data=Path(ca_file).read_bytes()))
    summary = {
        "format": FORMAT,
        "created_at": created.isoformat(),
        "created_by": actor,
        "software": f"Marsad {marsad_version}",
        "items": plan.items,
        "tsa_ca": CA_FILE if ca_file is not None else None,
    }
    zone = ZoneInfo(timezone)
    plan.files.append(
        _Planned("bundle.json", data=json.dumps(summary, ensure_ascii=False, indent=2).encode())
    )
    plan.files.append(_Planned("index.html", data=render_index(summary, zone=zone).encode()))
    plan.files.append(_Planned("VERIFY.txt", data=verify_text(summary).encode()))
    if out.is_dir():
        raise InvalidInput("err_evidence_bundle_write", f"{out} is a folder, not a file", "--out")
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        digests = _write_zip(tmp, plan, store, created=created)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        raise InvalidInput(
            "err_evidence_bundle_write",
            f"cannot write {out}: {exc.strerror or exc}",
            "--out",
        ) from None
    finally:
        with contextlib.suppress(OSError):  # gone already, or its folder never existed
            tmp.unlink(missing_ok=True)
    sha, size = _hash_path(out)
    return {
        "out": str(out),
        "sha256": sha,
        "size": size,
        "items": [i.id for i in items],
        "files": len(digests) + 1,
    }


def _write_zip(tmp: Path, plan: _Plan, store: BlobStore, *, created: datetime) -> dict[str, str]:
    digests: dict[str, str] = {}
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for planned in plan.files:
            if planned.data is not None:
                zf.writestr(planned.path, planned.data)
                digests[planned.path] = hashlib.sha256(planned.data).hexdigest()
            elif planned.blob is not None:
                digests[planned.path] = _copy_into(
                    zf, planned.path, store.path(planned.blob), _compression(planned.media_type)
                )
            elif planned.local is not None:
                digests[planned.path] = _wacz_into(zf, planned, created)
        manifest = "".join(f"{digests[p]}  {p}\n" for p in sorted(digests))
        zf.writestr(MANIFEST, manifest)
    return digests


def _compression(media_type: str) -> int:
    # Pictures, video, sound and archives are compressed already: deflating them again
    # costs time (most of a bundle's) and saves nothing.
    kind = media_type.split("/", 1)[0]
    if kind in ("image", "video", "audio") or media_type in _PACKED:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _copy_into(zf: zipfile.ZipFile, name: str, source: Path, compression: int) -> str:
    """Stream a stored file into the zip, hashing what is written (never all in memory)."""
    digest = hashlib.sha256()
    info = zipfile.ZipInfo(name, date_time=_zip_time())
    info.compress_type = compression
    with source.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = utcnow()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _wacz_into(zf: zipfile.ZipFile, planned: _Planned, created: datetime) -> str:
    import tempfile

    assert planned.local is not None  # noqa: S101 - set for every WACZ entry
    with tempfile.TemporaryFile() as tmp:
        write_wacz(
            [WarcSource("data.warc", planned.local)], tmp, title=planned.path, created=created
        )
        tmp.seek(0)
        digest = hashlib.sha256()
        with zf.open(planned.path, "w", force_zip64=True) as dst:
            while chunk := tmp.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
    return digest.hexdigest()


def _hash_path(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


# --- checking a bundle without the database --------------------------------------------------


@dataclass
class BundleCheck:
    """The outcome of :func:`verify_bundle`."""

    checked: int = 0
    items: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    def add(self, where: str, problem: str, message: str) -> None:
        self.problems.append({"file": where, "problem": problem, "message": message})

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "checked": self.checked,
            "items": self.items,
            "problems": self.problems,
        }


def _read_manifest(text: str, check: BundleCheck) -> dict[str, str]:
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or not path:
            check.add(MANIFEST, "malformed", f"line {number} is not '<sha256>  <path>'")
            continue
        listed[path] = digest.lower()
    return listed


def _hash_member(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with zf.open(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _unsafe(name: str) -> bool:
    pure = PurePosixPath(name)
    return (
        not pure.parts or name.startswith(("/", "\\")) or ".." in pure.parts or ":" in pure.parts[0]
    )


def verify_bundle(path: Path) -> dict[str, Any]:
    """Check a case bundle on its own; ``{"ok", "checked", "items", "problems"}``.

    Each problem names the file and what is wrong: ``altered``, ``added``,
    ``missing``, ``custody`` (a broken chain), ``timestamp`` (a token whose
    imprint or signature does not hold), ``wacz``, ``content`` (an item's
    recorded SHA-256 is not its file's), ``malformed``.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("err_evidence_bundle_missing", f"{path} is not a file", str(path))
    check = BundleCheck()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(
            "err_evidence_bundle_invalid", f"{path} is not a zip file ({exc})", str(path)
        ) from None
    with zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                check.add(name, "added", "the zip holds two files under this name")
            seen.add(name)
            if _unsafe(name):
                check.add(name, "added", "a file name that points outside the bundle")
        if MANIFEST not in seen:
            check.add(MANIFEST, "missing", "the bundle has no manifest; nothing can be checked")
            return check.to_json()
        try:
            listed = _read_manifest(_small(zf, MANIFEST).decode("utf-8", "replace"), check)
        except ValueError as exc:
            check.add(MANIFEST, "malformed", str(exc))
            return check.to_json()
        actual: dict[str, str] = {}
        for name, digest in listed.items():
            if name not in seen:
                check.add(name, "missing", "listed in the manifest but not in the bundle")
                continue
            actual[name] = _hash_member(zf, name)
            check.checked += 1
            if actual[name] != digest:
                check.add(name, "altered", "its SHA-256 differs from the manifest's")
        for name in sorted(seen - set(listed) - {MANIFEST}):
            check.add(name, "added", "in the bundle but not in the manifest")
        intact = {n for n, d in actual.items() if listed.get(n) == d}
        try:
            _check_contents(zf, intact, actual, check)
        except ValueError as exc:  # an oversized metadata file (see _small)
            check.add("bundle.json", "malformed", str(exc))
    return check.to_json()


def _small(zf: zipfile.ZipFile, name: str) -> bytes:
    """A metadata file's bytes; refused past MAX_METADATA (a zip bomb is not read whole)."""
    size = zf.getinfo(name).file_size
    if size > MAX_METADATA:
        raise ValueError(f"{name} is {size} bytes, more than a bundle's metadata file may be")
    with zf.open(name) as handle:
        data = handle.read(MAX_METADATA + 1)
    if len(data) > MAX_METADATA:
        raise ValueError(f"{name} is larger than a bundle's metadata file may be")
    return data


def _load_json(zf: zipfile.ZipFile, name: str, check: BundleCheck) -> Any:
    try:
        return json.loads(_small(zf, name))
    except (ValueError, KeyError) as exc:
        check.add(name, "malformed", f"not readable JSON ({exc})")
        return None


def _check_contents(
    zf: zipfile.ZipFile, intact: set[str], actual: dict[str, str], check: BundleCheck
) -> None:
    """Custody chains, timestamps, WACZ and item hashes of the files the manifest vouches for."""
    if "bundle.json" not in intact:
        return
    summary = _load_json(zf, "bundle.json", check)
    if not isinstance(summary, dict) or summary.get("format") != FORMAT:
        check.add("bundle.json", "malformed", f"not a {FORMAT} summary")
        return
    cas = None
    if summary.get("tsa_ca") and CA_FILE in intact:
        try:
            cas = load_ca_certificates(_small(zf, CA_FILE))
        except InvalidInput as exc:
            check.add(CA_FILE, "malformed", exc.message)
    for entry in summary.get("items", []):
        check.items += 1
        item_id = entry.get("id")
        base = f"items/{item_id}"
        item = _load_json(zf, f"{base}/item.json", check) if f"{base}/item.json" in intact else None
        if item is None:
            continue
        for f in item.get("files", []):
            got = actual.get(f.get("path", ""))
            if got is not None and f.get("sha256") != f"sha256:{got}":
                check.add(f["path"], "content", "the item's recorded SHA-256 is not this file's")
        log_name = item.get("custody", "")
        if log_name in intact:
            _check_custody(zf, log_name, item_id, check)
        hashes = {f.get("sha256") for f in item.get("files", [])}
        for stamp in item.get("timestamps", []):
            name = stamp.get("path")
            if not name or name not in intact:
                continue
            if stamp.get("sha256") not in hashes:
                check.add(name, "timestamp", "the token stamps a file this item does not hold")
                continue
            result = check_token(
                _small(zf, name), sha256_hex=parse_sha256(stamp["sha256"]), ca_certs=cas
            )
            for problem in result.problems:
                check.add(name, "timestamp", problem)
        wacz = item.get("wacz")
        if wacz and wacz in intact:
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as copy:
                with zf.open(wacz) as handle:
                    shutil.copyfileobj(handle, copy, CHUNK)
                copy.seek(0)
                for problem in check_wacz(copy):
                    check.add(wacz, "wacz", problem)


def _check_custody(zf: zipfile.ZipFile, name: str, item_id: Any, check: BundleCheck) -> None:
    events = []
    for number, line in enumerate(_lines(zf, name), start=1):
        try:
            raw = json.loads(line)
            events.append(SimpleNamespace(**raw))
        except (ValueError, TypeError) as exc:
            check.add(name, "custody", f"line {number} is not a custody event ({exc})")
            return
    if not events:
        check.add(name, "custody", "the custody log is empty")
        return
    for event in events:
        if event.item_id != item_id:
            check.add(name, "custody", f"event {event.seq} belongs to item {event.item_id}")
    try:
        problems = custody.chain_problems(events)
    except (AttributeError, TypeError, ValueError) as exc:
        problems = [f"the custody log cannot be read ({exc})"]
    for problem in problems:
        check.add(name, "custody", problem)


def _lines(zf: zipfile.ZipFile, name: str) -> Iterator[str]:
    for line in _small(zf, name).decode("utf-8", "replace").splitlines():
        if line.strip():
            yield line
