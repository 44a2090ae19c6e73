"""The evidence locker's one door: add, read, download and list items, each act in custody.

Every function that creates an item, shows it or hands its bytes out appends
the matching custody event (``marsad.evidence.custody``) in the caller's
transaction, so the act and its record commit together or not at all. The CLI,
the web pages, the jobs and the other engineer's bundles all come through here.

Bytes are streamed into the core's blob store (:mod:`marsad.core.blobs`):
hashed while they are written, never held whole in memory, never overwritten.
An item names its primary blob by ``sha256:<hex>``; a derivative (a redacted or
cropped copy) is its own item whose ``derived_from_id`` names the original.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from marsad.core.blobs import DERIVATIONS, BlobStore, get_blob, store_blob
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput, NotFound
from marsad.evidence import custody
from marsad.evidence.models import (
    ITEM_KINDS,
    ITEM_STATUSES,
    CustodyEvent,
    EvidenceItem,
    EvidencePart,
    EvidenceTimestamp,
)

log = logging.getLogger(__name__)
DEFAULT_MEDIA_TYPE = "application/octet-stream"
MAX_PAGE = 200


# --- creating ------------------------------------------------------------------------------


def _guess_type(name: str, media_type: str | None) -> str:
    if media_type:
        return media_type[:128]
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or DEFAULT_MEDIA_TYPE


def add_file(
    session: Session,
    store: BlobStore,
    *,
    stream: BinaryIO | bytes | None = None,
    path: Path | str | None = None,
    name: str,
    media_type: str | None,
    actor: str,
    note: str = "",
    source_ref: str | None = None,
    derived_from_id: int | None = None,
    derivation: str | None = None,
    kind: str | None = None,
    source_url: str | None = None,
    meta: dict[str, Any] | None = None,
    captured_at: datetime | None = None,
) -> EvidenceItem:
    """Store a file (a stream, bytes or a local path) as a new item and record its creation.

    ``derived_from_id`` and ``derivation`` (one of the blob store's derivations:
    ``redact``, ``crop``…) go together: the new item is then a ``derivative``
    whose blob is catalogued as made from the original's, which is untouched.
    """
    if (stream is None) == (path is None):
        raise InvalidInput("err_evidence_source", "give either a stream or a path", "file")
    if (derived_from_id is None) != (derivation is None):
        raise InvalidInput(
            "err_evidence_derivation",
            "a derivative needs both the item it comes from and how it was made",
            "derived_from",
        )
    if derivation is not None and derivation not in DERIVATIONS:
        raise InvalidInput(
            "err_evidence_derivation",
            f"unknown derivation {derivation!r}; expected one of {', '.join(sorted(DERIVATIONS))}",
            "derivation",
        )
    kind = kind or ("derivative" if derived_from_id is not None else "file")
    if kind not in ITEM_KINDS:
        raise InvalidInput(
            "err_evidence_kind",
            f"unknown item kind {kind!r}; expected one of {', '.join(ITEM_KINDS)}",
            "kind",
        )
    original = get_item(session, derived_from_id) if derived_from_id is not None else None
    if original is not None and not original.sha256:
        raise InvalidInput(
            "err_evidence_derivation",
            f"item {original.id} has no stored file to derive from",
            "derived_from",
        )
    media = _guess_type(name, media_type)
    if path is not None:
        file_path = Path(path)
        if not file_path.is_file():
            raise InvalidInput("err_file_missing", f"{file_path} is not a readable file", str(path))
        with file_path.open("rb") as handle:
            blob = store_blob(
                session,
                store,
                handle,
                media_type=media,
                derived_from=original.sha256 if original else None,
                how=derivation,
            )
    else:
        assert stream is not None
        blob = store_blob(
            session,
            store,
            stream,
            media_type=media,
            derived_from=original.sha256 if original else None,
            how=derivation,
        )
    now = utcnow()
    item = EvidenceItem(
        kind=kind,
        status="captured",
        sha256=blob.sha256,
        media_type=media,
        size=blob.size,
        title=Path(name).name[:500],
        note=note or "",
        source_url=source_url,
        source_ref=source_ref,
        meta=meta or {},
        version=1,
        derived_from_id=original.id if original else None,
        derivation=derivation,
        created_by=actor,
        created_at=now,
        captured_at=captured_at or now,
    )
    session.add(item)
    session.flush()
    details: dict[str, Any] = {"sha256": blob.sha256, "kind": kind}
    if source_ref:
        details["source_ref"] = source_ref
    if original is not None:
        details["derived_from"] = original.id
        details["derivation"] = derivation
    custody.record(session, item_id=item.id, action="create", actor=actor, details=details)
    perceptual_hash(session, store, item)
    return item


def perceptual_hash(session: Session, store: BlobStore, item: EvidenceItem) -> None:
    """Hash an image or video item for re-upload search, when that part of evidence is here.

    Best effort, in a SAVEPOINT: a picture that cannot be hashed never costs the
    item it belongs to (the ``evidence.phash`` backfill can try again later).
    """
    if not item.media_type.startswith(("image/", "video/")):
        return
    try:
        from marsad.evidence.similar import hash_item
    except ImportError:
        return
    try:
        with session.begin_nested():
            hash_item(session, store, item)
    except Exception:  # noqa: BLE001 - see the docstring; logged without the picture or its path
        log.warning("perceptual hash failed", extra={"item": item.id})


def add_part(
    session: Session,
    store: BlobStore,
    item: EvidenceItem,
    *,
    role: str,
    stream: BinaryIO | bytes,
    media_type: str,
) -> EvidencePart:
    """Store one more file of an item (a capture's screenshot, PDF, metadata)."""
    blob = store_blob(session, store, stream, media_type=media_type)
    part = EvidencePart(
        item_id=item.id, role=role, sha256=blob.sha256, media_type=media_type, size=blob.size
    )
    session.add(part)
    session.flush()
    return part


def _existing(session: Session, *, source_ref: str, sha256: str) -> EvidenceItem | None:
    return session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.source_ref == source_ref, EvidenceItem.sha256 == sha256)
        .order_by(EvidenceItem.id)
        .limit(1)
    ).first()


def add_blob_item(
    session: Session,
    store: BlobStore,
    *,
    sha256: str,
    name: str,
    kind: str,
    actor: str,
    source_ref: str,
    note: str = "",
    meta: dict[str, Any] | None = None,
) -> tuple[EvidenceItem, bool]:
    """An item for a blob already in the store (a report's attachment); (item, created).

    The same blob cited from the same source is one item: asking again returns it.
    """
    found = _existing(session, source_ref=source_ref, sha256=sha256)
    if found is not None:
        return found, False
    blob = get_blob(session, sha256=sha256)
    now = utcnow()
    item = EvidenceItem(
        kind=kind,
        status="captured",
        sha256=blob.sha256,
        media_type=blob.media_type[:128],
        size=blob.size,
        title=name[:500],
        note=note,
        source_ref=source_ref,
        meta=meta or {},
        version=1,
        created_by=actor,
        created_at=now,
        captured_at=blob.created_at or now,
    )
    session.add(item)
    session.flush()
    custody.record(
        session,
        item_id=item.id,
        action="create",
        actor=actor,
        details={"sha256": blob.sha256, "kind": kind, "source_ref": source_ref},
    )
    perceptual_hash(session, store, item)
    return item, True


def add_from_report(
    session: Session, store: BlobStore, *, report_id: str, actor: str, user: Any = None
) -> list[EvidenceItem]:
    """One item per attachment of a report: the bytes as they arrived, not the cleaned copy.

    A staff member (``user``, from the web) may do it only for a report whose content
    they may read: a confidential case's files are for its caseworkers alone.
    """
    from marsad.reports.service import get_report

    report = get_report(session, report_id=report_id)
    if user is not None:
        from marsad.reports.cases import require_reader

        require_reader(session, report=report, user=user)
    items = []
    for file in sorted(report.files, key=lambda f: (f.created_at, f.id)):
        original = file.original_sha256 or file.sha256
        item, _created = add_blob_item(
            session,
            store,
            sha256=original,
            name=file.filename,
            kind="attachment",
            actor=actor,
            source_ref=f"report:{report.id}",
            meta={"report_file": file.id, "shown_copy": file.sha256},
        )
        items.append(item)
    return items


def add_from_post(session: Session, store: BlobStore, *, post_id: str, actor: str) -> EvidenceItem:
    """An item holding a post's raw record as it was ingested (the platform's own JSON)."""
    from marsad.posts.service import get_post

    post = get_post(session=session, post_ref=post_id)
    if post.raw is None:
        raise InvalidInput(
            "err_evidence_no_raw", f"post {post.id} was stored without its raw record", "ref"
        )
    raw = post.raw
    if isinstance(raw, bytes):
        data, media = raw, DEFAULT_MEDIA_TYPE
    elif isinstance(raw, str):
        data, media = raw.encode("utf-8"), "text/plain"
    else:
        data = json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        media = "application/json"
    ref = f"post:{post.id}"
    blob = store_blob(session, store, data, media_type=media)
    found = _existing(session, source_ref=ref, sha256=blob.sha256)
    if found is not None:
        return found
    return add_file(
        session,
        store,
        stream=data,
        name=f"post-{post.id}-{post.platform}-{post.post_id}.json",
        media_type=media,
        actor=actor,
        kind="post_record",
        source_ref=ref,
        source_url=post.url,
        meta={"platform": post.platform, "post_id": post.post_id, "source": post.source},
        captured_at=post.ingested_at,
    )


def add_ref(
    session: Session, store: BlobStore, *, ref: str, actor: str, user: Any = None
) -> list[EvidenceItem]:
    """Items for ``report:<id>`` (its attachments) or ``post:<id>`` (its raw record)."""
    prefix, _sep, ident = ref.partition(":")
    if prefix == "report" and ident:
        return add_from_report(session, store, report_id=ident, actor=actor, user=user)
    if prefix == "post" and ident:
        return [add_from_post(session, store, post_id=ident, actor=actor)]
    raise InvalidInput("err_evidence_ref", f"{ref!r}: expected report:<id> or post:<id>", "ref")


# --- reading -------------------------------------------------------------------------------


def get_item(session: Session, item_id: int | str) -> EvidenceItem:
    """The item with this id; NotFound naming it otherwise."""
    try:
        ident = int(item_id)
    except (TypeError, ValueError):
        raise InvalidInput(
            "err_evidence_id", f"{str(item_id)[:40]!r} is not an evidence item id", "id"
        ) from None
    item = session.get(EvidenceItem, ident) if 0 < ident < 2**31 else None
    if item is None:
        raise NotFound("err_evidence_not_found", f"no evidence item {item_id}", "id")
    return item


def view_item(
    session: Session, item_id: int | str, *, actor: str, reason: str = ""
) -> EvidenceItem:
    """The item, its viewing recorded in its custody log (staff pages, ``evidence show``)."""
    item = get_item(session, item_id)
    custody.record(session, item_id=item.id, action="view", actor=actor, reason=reason)
    return item


@dataclass(frozen=True)
class Download:
    """A file handed out: its bytes (a stream to close), type, size and a file name."""

    stream: BinaryIO
    media_type: str
    size: int
    filename: str
    sha256: str


def open_download(
    session: Session,
    store: BlobStore,
    item_id: int | str,
    *,
    actor: str,
    part: str | None = None,
    reason: str = "",
    action: str = "download",
) -> Download:
    """The bytes of an item (or of one part: ``screenshot``, ``pdf``…), the hand-out recorded.

    ``action`` is ``download`` (a staff member's browser) or ``export`` (a copy
    leaving Marsad, e.g. ``marsad evidence export``).
    """
    item = get_item(session, item_id)
    if part is None:
        if not item.sha256:
            raise NotFound(
                "err_evidence_no_file", f"evidence item {item.id} has no stored file", "id"
            )
        sha256, media, size = item.sha256, item.media_type, item.size
    else:
        found = session.scalars(
            select(EvidencePart)
            .where(EvidencePart.item_id == item.id, EvidencePart.role == part)
            .order_by(EvidencePart.id)
            .limit(1)
        ).first()
        if found is None:
            raise NotFound(
                "err_evidence_part_not_found", f"evidence item {item.id} has no {part}", "part"
            )
        sha256, media, size = found.sha256, found.media_type, found.size
    stream = store.open(sha256)
    custody.record(
        session,
        item_id=item.id,
        action=action,
        actor=actor,
        reason=reason,
        details={"sha256": sha256, "part": part or "item"},
    )
    ext = mimetypes.guess_extension(media) or ".bin"
    name = f"evidence-{item.id}{'-' + part if part else ''}{ext}"
    return Download(stream=stream, media_type=media, size=size, filename=name, sha256=sha256)


def record_export(
    session: Session,
    item_id: int,
    *,
    actor: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> CustodyEvent:
    """Record that an item left Marsad (a bundle, a copy handed over)."""
    return custody.record(
        session, item_id=item_id, action="export", actor=actor, reason=reason, details=details
    )


def record_transfer(
    session: Session, item_id: int, *, actor: str, to: str, reason: str = ""
) -> CustodyEvent:
    """Record that an item was handed to someone (a court, a platform), who and why."""
    if not to.strip():
        raise InvalidInput("err_evidence_transfer", "name who received the item", "to")
    return custody.record(
        session, item_id=item_id, action="transfer", actor=actor, reason=reason, details={"to": to}
    )


@dataclass(frozen=True)
class ItemPage:
    """One page of items (newest first) and how many match in all."""

    items: list[EvidenceItem]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None


def list_items(
    session: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    text: str | None = None,
    source_ref: str | None = None,
    series_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ItemPage:
    """Items matching the filters, newest first. ``text`` searches title, note, URL, reference."""
    if kind and kind not in ITEM_KINDS:
        raise InvalidInput(
            "err_evidence_kind",
            f"unknown kind {kind!r}; expected one of {', '.join(ITEM_KINDS)}",
            "kind",
        )
    if status and status not in ITEM_STATUSES:
        raise InvalidInput(
            "err_evidence_status",
            f"unknown status {status!r}; expected one of {', '.join(ITEM_STATUSES)}",
            "status",
        )
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    where = []
    if kind:
        where.append(EvidenceItem.kind == kind)
    if status:
        where.append(EvidenceItem.status == status)
    if source_ref:
        where.append(EvidenceItem.source_ref == source_ref)
    if series_id is not None:
        where.append(EvidenceItem.series_id == series_id)
    if text and text.strip():
        pattern = (
            "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        where.append(
            or_(
                EvidenceItem.title.ilike(pattern, escape="\\"),
                EvidenceItem.note.ilike(pattern, escape="\\"),
                EvidenceItem.source_url.ilike(pattern, escape="\\"),
                EvidenceItem.source_ref.ilike(pattern, escape="\\"),
                EvidenceItem.sha256.ilike(pattern, escape="\\"),
            )
        )
    total = session.scalar(select(func.count()).select_from(EvidenceItem).where(*where)) or 0
    items = list(
        session.scalars(
            select(EvidenceItem)
            .where(*where)
            .order_by(EvidenceItem.created_at.desc(), EvidenceItem.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return ItemPage(items=items, total=total, offset=offset, limit=limit)


def parts_of(session: Session, item_id: int) -> list[EvidencePart]:
    """An item's other files, in the order they were stored."""
    return list(
        session.scalars(
            select(EvidencePart).where(EvidencePart.item_id == item_id).order_by(EvidencePart.id)
        )
    )


def versions_of(session: Session, item: EvidenceItem) -> list[EvidenceItem]:
    """Every capture of the item's URL (its series), oldest first; just the item otherwise."""
    if item.series_id is None:
        return [item]
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.series_id == item.series_id)
            .order_by(EvidenceItem.version, EvidenceItem.id)
        )
    )


def custody_log(session: Session, item_id: int) -> list[CustodyEvent]:
    """An item's custody events in order."""
    return list(
        session.scalars(
            select(CustodyEvent).where(CustodyEvent.item_id == item_id).order_by(CustodyEvent.seq)
        )
    )


def timestamps_of(session: Session, item_id: int) -> list[EvidenceTimestamp]:
    """The RFC 3161 requests made for an item (written by the timestamps module)."""
    return list(
        session.scalars(
            select(EvidenceTimestamp)
            .where(EvidenceTimestamp.item_id == item_id)
            .order_by(EvidenceTimestamp.id)
        )
    )


def iter_item_ids(session: Session) -> Iterator[int]:
    """Every item id, in order (for verify and bundles)."""
    yield from session.scalars(select(EvidenceItem.id).order_by(EvidenceItem.id))


# --- the public shapes ---------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def result_json(item: EvidenceItem) -> dict[str, Any]:
    """What ``evidence add`` and ``evidence capture`` print: id, sha256, status, reason.

    ``status`` is ``captured`` or ``failed`` once a capture has run (``pending`` only
    for a capture still queued).
    """
    return {"id": item.id, "sha256": item.sha256, "status": item.status, "reason": item.reason}


def item_public(item: EvidenceItem) -> dict[str, Any]:
    """An item as staff tools show it (the API, the CLI, bundles); no reporter contact in it."""
    return {
        "id": item.id,
        "ref": f"evidence:{item.id}",
        "kind": item.kind,
        "status": item.status,
        "reason": item.reason,
        "sha256": item.sha256,
        "media_type": item.media_type,
        "size": item.size,
        "title": item.title,
        "note": item.note,
        "source_url": item.source_url,
        "source_ref": item.source_ref,
        "meta": item.meta or {},
        "series_id": item.series_id,
        "version": item.version,
        "changes": item.changes,
        "derived_from_id": item.derived_from_id,
        "derivation": item.derivation,
        "created_by": item.created_by,
        "created_at": _iso(item.created_at),
        "captured_at": _iso(item.captured_at),
    }


def part_public(part: EvidencePart) -> dict[str, Any]:
    """A part as the API and bundles list it."""
    return {
        "role": part.role,
        "sha256": part.sha256,
        "media_type": part.media_type,
        "size": part.size,
    }


def event_public(event: CustodyEvent) -> dict[str, Any]:
    """A custody event with every field its hash covers, so anyone can re-check the chain."""
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


def timestamp_public(stamp: EvidenceTimestamp) -> dict[str, Any]:
    """A time-stamp request's state, as the item page shows it."""
    return {
        "status": stamp.status,
        "tsa_url": stamp.tsa_url,
        "sha256": stamp.sha256,
        "reason": stamp.reason,
        "attempts": stamp.attempts,
        "token_sha256": stamp.token_sha256,
        "granted_at": _iso(stamp.granted_at),
    }


def item_detail(session: Session, item_id: int | str, *, actor: str) -> dict[str, Any]:
    """Everything the item page and its JSON twin show, the viewing recorded in custody."""
    item = view_item(session, item_id, actor=actor)
    body = item_public(item)
    body["parts"] = [part_public(p) for p in parts_of(session, item.id)]
    body["versions"] = [
        {
            "id": v.id,
            "version": v.version,
            "status": v.status,
            "sha256": v.sha256,
            "captured_at": _iso(v.captured_at),
            "changes": v.changes,
        }
        for v in versions_of(session, item)
    ]
    body["custody"] = [event_public(e) for e in custody_log(session, item.id)]
    body["timestamps"] = [timestamp_public(t) for t in timestamps_of(session, item.id)]
    original = session.get(EvidenceItem, item.derived_from_id) if item.derived_from_id else None
    body["derived_from"] = item_public(original) if original is not None else None
    return body
