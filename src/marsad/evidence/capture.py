"""Capturing a URL as evidence, in three steps that never leave half an item behind.

1. :func:`start_capture` adds a ``pending`` item for the URL (its custody log
   starts with ``create``) and places it in the URL's series of versions.
2. :func:`run_capture` fetches the URL (:mod:`marsad.evidence.fetch`) and, when
   Chromium is there, renders a screenshot and a PDF (:mod:`.browser`), all in
   a temporary folder outside any transaction.
3. In one transaction it stores the WARC (the item's blob), the screenshot, the
   PDF and a metadata JSON (its parts), marks the item ``captured`` with what
   changed since the previous version, and appends a ``capture`` custody event.
   A failure marks it ``failed`` with its reason instead; nothing else is kept.

Running step 2-3 again on a failed item (the job retried) tries once more; on a
captured item it returns the stored result and fetches nothing.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from marsad.core.blobs import BlobStore, store_blob
from marsad.core.db import session_scope, utcnow
from marsad.core.errors import InvalidInput
from marsad.evidence import browser, custody, service
from marsad.evidence.capture_settings import CaptureSettings
from marsad.evidence.fetch import CaptureFailed, Fetched, check_url, fetch, tool_name
from marsad.evidence.models import CustodyEvent, EvidenceItem

log = logging.getLogger(__name__)
WARC_TYPE = "application/warc"
# Failures worth trying again later (the network or the server may recover); a TLS error,
# a redirect loop or an oversize page would only fail the same way again.
TRANSIENT = ("err_capture_timeout", "err_capture_unreachable", "err_capture_network")
COMPARED = ("http_status", "content_sha256", "title", "size")


def start_capture(
    session: Session,
    *,
    url: str,
    actor: str,
    note: str = "",
    source_ref: str | None = None,
) -> EvidenceItem:
    """A pending capture item for ``url``: the next version of the URL's series."""
    try:
        url = check_url(url)
    except CaptureFailed as exc:
        raise InvalidInput(exc.code, exc.reason, "url") from None
    first = session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.kind == "capture", EvidenceItem.source_url == url)
        .order_by(EvidenceItem.id)
        .limit(1)
    ).first()
    version = 1
    if first is not None:
        series = first.series_id or first.id
        version = (
            session.scalar(
                select(func.max(EvidenceItem.version)).where(EvidenceItem.series_id == series)
            )
            or 0
        ) + 1
    item = EvidenceItem(
        kind="capture",
        status="pending",
        media_type=WARC_TYPE,
        size=0,
        title="",
        note=note or "",
        source_url=url,
        source_ref=source_ref,
        meta={},
        version=version,
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(item)
    session.flush()
    item.series_id = first.series_id or first.id if first is not None else item.id
    details: dict[str, Any] = {"url": url, "version": version}
    if source_ref:
        details["source_ref"] = source_ref
    custody.record(session, item_id=item.id, action="create", actor=actor, details=details)
    return item


def _previous(session: Session, item: EvidenceItem) -> EvidenceItem | None:
    return session.scalars(
        select(EvidenceItem)
        .where(
            EvidenceItem.series_id == item.series_id,
            EvidenceItem.status == "captured",
            EvidenceItem.version < item.version,
        )
        .order_by(EvidenceItem.version.desc())
        .limit(1)
    ).first()


def _facts(item: EvidenceItem) -> dict[str, Any]:
    meta = item.meta or {}
    return {
        "http_status": meta.get("http_status"),
        "content_sha256": meta.get("content_sha256"),
        "title": item.title,
        "size": meta.get("content_size"),
    }


def changes_between(before: EvidenceItem, after: EvidenceItem) -> dict[str, Any]:
    """What differs between two captures of a URL: ``{field: {"before", "after"}}``."""
    old, new = _facts(before), _facts(after)
    return {
        key: {"before": old[key], "after": new[key]} for key in COMPARED if old[key] != new[key]
    }


def _metadata(
    fetched: Fetched, rendered: browser.Rendered | None, why_not: str | None
) -> dict[str, Any]:
    return {
        "method": "GET",
        "tool": tool_name(),
        "url": fetched.url,
        "final_url": fetched.final_url,
        "http_status": fetched.status,
        "content_type": fetched.media_type,
        "content_size": fetched.body_size,
        "content_sha256": f"sha256:{fetched.body_sha256}",
        "started_at": fetched.started_at.isoformat(),
        "finished_at": fetched.finished_at.isoformat(),
        "hops": fetched.hops,
        "addresses": sorted({a for hop in fetched.hops for a in hop["addresses"]}),
        "tls_chain": fetched.tls,
        "screenshot": "taken" if rendered is not None else why_not,
    }


def _store_capture(
    session: Session,
    store: BlobStore,
    item: EvidenceItem,
    fetched: Fetched,
    rendered: browser.Rendered | None,
    why_not: str | None,
    actor: str,
) -> None:
    meta = _metadata(fetched, rendered, why_not)
    with fetched.warc_path.open("rb") as warc:
        blob = store_blob(session, store, warc, media_type=WARC_TYPE)
    if rendered is not None:
        service.add_part(
            session,
            store,
            item,
            role="screenshot",
            stream=rendered.screenshot,
            media_type="image/png",
        )
        service.add_part(
            session, store, item, role="pdf", stream=rendered.pdf, media_type="application/pdf"
        )
    document = json.dumps(meta, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    service.add_part(
        session, store, item, role="metadata", stream=document, media_type="application/json"
    )
    item.status = "captured"
    item.reason = None
    item.sha256 = blob.sha256
    item.size = blob.size
    item.media_type = WARC_TYPE
    item.title = (fetched.title or (rendered.title if rendered else "") or "")[:500]
    item.meta = meta
    item.captured_at = fetched.started_at
    previous = _previous(session, item)
    item.changes = changes_between(previous, item) if previous is not None else None
    session.flush()
    custody.record(
        session,
        item_id=item.id,
        action="capture",
        actor=actor,
        details={"status": "captured", "sha256": blob.sha256, "http_status": fetched.status},
    )


def _record_failure(
    session: Session, item: EvidenceItem, failure: CaptureFailed, actor: str
) -> None:
    item.status = "failed"
    item.reason = f"{failure.code}: {failure.reason}"[:2000]
    session.flush()
    custody.record(
        session,
        item_id=item.id,
        action="capture",
        actor=actor,
        details={"status": "failed", "code": failure.code},
        reason=failure.reason[:500],
    )


def run_capture(
    *,
    sessions: sessionmaker[Session],
    store: BlobStore,
    cfg: CaptureSettings,
    item_id: int,
    actor: str,
) -> dict[str, Any]:
    """Fetch and store a pending (or failed) capture item.

    Returns ``{"id", "sha256", "status", "reason"}`` (status ``captured`` or ``failed``).
    """
    with session_scope(sessions) as session:
        item = service.get_item(session, item_id)
        if item.kind != "capture":
            raise InvalidInput("err_evidence_kind", f"item {item_id} is not a capture", "item_id")
        if item.status == "captured":
            return service.result_json(item)
        url = item.source_url or ""
    with tempfile.TemporaryDirectory(prefix="marsad-capture-") as tmp:
        rendered: browser.Rendered | None = None
        why_not: str | None = None
        try:
            fetched = fetch(url, cfg, Path(tmp))
            why_not = browser.unavailable(cfg)
            if why_not is None:
                try:
                    rendered = browser.render(fetched.final_url, cfg)
                except Exception as exc:  # noqa: BLE001 - the WARC stands without the picture
                    why_not = f"Chromium could not render the page ({type(exc).__name__})"
                    log.warning("screenshot failed", extra={"item": item_id})
        except CaptureFailed as failure:
            with session_scope(sessions) as session:
                item = service.get_item(session, item_id)
                _record_failure(session, item, failure, actor)
                return service.result_json(item)
        with session_scope(sessions) as session:
            item = service.get_item(session, item_id)
            if item.status == "captured":  # another runner finished first
                return service.result_json(item)
            _store_capture(session, store, item, fetched, rendered, why_not, actor)
            return service.result_json(item)


def capture_url(
    *,
    sessions: sessionmaker[Session],
    store: BlobStore,
    cfg: CaptureSettings,
    url: str,
    actor: str,
    note: str = "",
    source_ref: str | None = None,
) -> dict[str, Any]:
    """Start and run one capture here and now (the CLI without ``--queue``)."""
    with session_scope(sessions) as session:
        item_id = start_capture(session, url=url, actor=actor, note=note, source_ref=source_ref).id
    return run_capture(sessions=sessions, store=store, cfg=cfg, item_id=item_id, actor=actor)


def retryable(session: Session, *, max_attempts: int) -> list[int]:
    """Failed captures whose failure may pass, tried fewer than ``max_attempts`` times.

    Attempts are counted from the custody log (one ``capture`` event per try),
    so nothing else has to be stored to keep count.
    """
    attempts = (
        select(func.count())
        .select_from(CustodyEvent)
        .where(CustodyEvent.item_id == EvidenceItem.id, CustodyEvent.action == "capture")
        .scalar_subquery()
    )
    rows = session.execute(
        select(EvidenceItem.id, EvidenceItem.reason)
        .where(
            EvidenceItem.kind == "capture",
            EvidenceItem.status == "failed",
            attempts < max_attempts,
        )
        .order_by(EvidenceItem.id)
    )
    return [item_id for item_id, reason in rows if (reason or "").startswith(TRANSIENT)]


def retry_failed(
    *,
    sessions: sessionmaker[Session],
    store: BlobStore,
    cfg: CaptureSettings,
    actor: str,
) -> dict[str, Any]:
    """Try again every capture :func:`retryable` names; ``{"retried", "captured", "failed"}``."""
    with session_scope(sessions) as session:
        ids = retryable(session, max_attempts=cfg.evidence_capture_max_attempts)
    captured = 0
    for item_id in ids:
        result = run_capture(sessions=sessions, store=store, cfg=cfg, item_id=item_id, actor=actor)
        captured += result["status"] == "captured"
    return {"retried": len(ids), "captured": captured, "failed": len(ids) - captured}
