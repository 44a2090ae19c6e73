"""Trusted timestamps: RFC 3161 tokens over an item's SHA-256, checked without the network.

A time-stamping authority (TSA, setting ``MARSAD_EVIDENCE_TSA_URL``) signs the
hash of a blob together with the time it saw it. Only the 32-byte digest leaves
Marsad, never the evidence itself. The whole ``TimeStampResp`` the TSA answered
is kept as a blob (``EvidenceTimestamp.token_sha256``), the same bytes that
``openssl ts -verify -in token.tsr -digest <hex> -CAfile tsa-ca.pem`` checks.

:func:`check_token` is that check in code, offline: the response is granted,
the token's message imprint is the blob's SHA-256, the signed attributes carry
the digest of the signed time-stamp info, the signature verifies under the
certificate the token names, that certificate may stamp time (extended key
usage ``timeStamping``), and, given CA certificates, it chains to one of them.

A TSA that is down, slow or answers garbage leaves the timestamp ``pending``
with its reason; the ``evidence.timestamp`` job (run every few minutes by the
scheduler) asks again until ``evidence_tsa_max_attempts``, then marks it
``failed``. A TSA that refuses the request marks it ``failed`` at once.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from asn1crypto import algos, cms, core, tsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marsad.core.blobs import BlobStore, parse_sha256, store_blob
from marsad.core.db import utcnow
from marsad.core.errors import ConfigError, InvalidInput, NotFound
from marsad.core.jobs.kinds import JobKind, PeriodicJob
from marsad.evidence import custody
from marsad.evidence.models import EvidenceItem, EvidenceTimestamp

log = logging.getLogger(__name__)

TOKEN_MEDIA_TYPE = "application/timestamp-reply"  # noqa: S105 - a media type
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_TIME_STAMPING = cx509.oid.ExtendedKeyUsageOID.TIME_STAMPING


class TsaUnavailable(Exception):  # noqa: N818 - a state (try again later), not a bug
    """The TSA did not answer usefully this time; the timestamp stays pending."""


class TsaRefused(Exception):  # noqa: N818
    """The TSA answered and refused the request; asking again will not help."""


# --- the request and the answer --------------------------------------------------------------


def build_request(digest: bytes, *, nonce: int) -> bytes:
    """The DER ``TimeStampReq`` for a SHA-256 digest, asking for the TSA's certificate."""
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": tsp.MessageImprint(
                {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                    "hashed_message": digest,
                }
            ),
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return request.dump()


def request_token(tsa_url: str, digest: bytes, *, timeout: float) -> bytes:
    """Ask the TSA to stamp ``digest``; the DER ``TimeStampResp`` it granted.

    Raises :class:`TsaUnavailable` (network error, HTTP error, not a time-stamp
    response, a nonce or imprint that is not ours) or :class:`TsaRefused` (the
    TSA's own answer is "rejection").
    """
    nonce = secrets.randbits(63)
    try:
        response = httpx.post(
            tsa_url,
            content=build_request(digest, nonce=nonce),
            headers={"Content-Type": "application/timestamp-query"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise TsaUnavailable(f"the TSA did not answer: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise TsaUnavailable(f"the TSA answered HTTP {response.status_code}")
    body = response.content
    status, text = _status_of(body)
    if status not in ("granted", "granted_with_mods"):
        raise TsaRefused(f"the TSA refused: {status}" + (f" ({'; '.join(text)})" if text else ""))
    try:
        answer = tsp.TimeStampResp.load(body)
        info = answer["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
        got_nonce = info["nonce"].native
        imprint = info["message_imprint"]["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TsaUnavailable(f"the TSA's token cannot be read ({exc})") from None
    if got_nonce != nonce or imprint != digest:
        raise TsaUnavailable("the TSA's token answers another request (nonce or imprint)")
    return body


def _status_of(body: bytes) -> tuple[str, list[str]]:
    """The PKIStatus of a TimeStampResp, read alone: a refusal carries no token, which
    asn1crypto's TimeStampResp does not parse."""
    try:
        outer = core.Sequence.load(body)
        info = tsp.PKIStatusInfo.load(outer[0].dump())
        return str(info["status"].native), list(info["status_string"].native or [])
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TsaUnavailable(f"the TSA's answer is not a time-stamp response ({exc})") from None


# --- checking a token offline ----------------------------------------------------------------


@dataclass
class TokenCheck:
    """What :func:`check_token` found: ``ok`` when ``problems`` is empty."""

    problems: list[str] = field(default_factory=list)
    gen_time: datetime | None = None
    tsa: str | None = None
    serial: int | None = None
    chained: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": self.problems,
            "time": self.gen_time.isoformat() if self.gen_time else None,
            "tsa": self.tsa,
            "serial": self.serial,
            "chained_to_ca": self.chained,
        }


def load_ca_certificates(pem: bytes) -> list[cx509.Certificate]:
    """Every certificate in a PEM file (CA certificates for :func:`check_token`)."""
    try:
        return cx509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise InvalidInput(
            "err_evidence_tsa_ca", f"not a PEM file of certificates ({exc})", "tsa_ca_file"
        ) from None


def check_token(
    token: bytes, *, sha256_hex: str, ca_certs: list[cx509.Certificate] | None = None
) -> TokenCheck:
    """Check a ``TimeStampResp`` (or a bare token) against a SHA-256, without the network.

    Never raises on a bad token: every fault becomes a line of ``problems``.
    """
    check = TokenCheck()
    try:
        content = _token_content(token)
        signed = content["content"]
        info_bytes = signed["encap_content_info"]["content"].contents
        info = tsp.TSTInfo.load(info_bytes)
        check.gen_time = info["gen_time"].native
        check.serial = info["serial_number"].native
        imprint = info["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256":
            check.problems.append("the token stamps a hash other than SHA-256")
        elif imprint["hashed_message"].native.hex() != sha256_hex.lower():
            check.problems.append("the token's imprint is not this file's SHA-256")
        signer_info = signed["signer_infos"][0]
        cert = _signer_certificate(signed, signer_info)
        if cert is None:
            check.problems.append("the token does not carry the TSA's certificate")
            return check
        check.tsa = cert.subject.rfc4514_string()
        check.problems.extend(_signature_problems(signer_info, info_bytes, cert))
        check.problems.extend(_certificate_problems(cert, check.gen_time))
        if ca_certs:
            extra = [c for c in _carried_certificates(signed) if c != cert]
            if _chains(cert, extra, ca_certs):
                check.chained = True
            else:
                check.problems.append("the TSA's certificate does not chain to the given CA")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        check.problems.append(f"the token cannot be read ({type(exc).__name__}: {exc})")
    return check


def _token_content(token: bytes) -> cms.ContentInfo:
    try:
        answer = tsp.TimeStampResp.load(token)
        status = answer["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            raise ValueError(f"the response was not granted ({status})")
        content = answer["time_stamp_token"]
        content["content_type"].native  # noqa: B018 - parse now, not later
    except (ValueError, TypeError, KeyError):
        content = cms.ContentInfo.load(token)
    if content["content_type"].native != "signed_data":
        raise ValueError("the token is not CMS signed data")
    if content["content"]["encap_content_info"]["content_type"].native != "tst_info":
        raise ValueError("the token does not hold time-stamp info")
    return content


def _carried_certificates(signed: cms.SignedData) -> list[cx509.Certificate]:
    out = []
    for choice in signed["certificates"] or []:
        if choice.name == "certificate":
            out.append(cx509.load_der_x509_certificate(choice.chosen.dump()))
    return out


def _signer_certificate(signed: cms.SignedData, signer_info: cms.SignerInfo) -> Any:
    sid = signer_info["sid"]
    for cert in _carried_certificates(signed):
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            issuer = x509.Name.load(cert.issuer.public_bytes())
            if cert.serial_number == wanted["serial_number"].native and issuer == wanted["issuer"]:
                return cert
        else:
            try:
                ski = cert.extensions.get_extension_for_class(cx509.SubjectKeyIdentifier)
            except cx509.ExtensionNotFound:
                continue
            if ski.value.digest == sid.chosen.native:
                return cert
    return None


def _signature_problems(
    signer_info: cms.SignerInfo, info_bytes: bytes, cert: cx509.Certificate
) -> list[str]:
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    hash_type = _HASHES.get(digest_name)
    if hash_type is None:
        return [f"the token is signed with an unknown digest ({digest_name})"]
    attrs = signer_info["signed_attrs"]
    if not attrs:
        return ["the token has no signed attributes"]
    found: dict[str, Any] = {a["type"].native: a["values"][0].native for a in attrs}
    problems = []
    if found.get("content_type") != "tst_info":
        problems.append("the token's signed content type is not time-stamp info")
    hasher = hashes.Hash(hash_type())
    hasher.update(info_bytes)
    if found.get("message_digest") != hasher.finalize():
        problems.append("the signed time-stamp info was changed after signing")
    # The signature covers the attributes DER-encoded as a SET OF (tag 0x31), not as
    # the implicit [0] they are stored with (RFC 5652, 5.4).
    signed_bytes = b"\x31" + attrs.dump()[1:]
    signature = signer_info["signature"].native
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_type())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(hash_type()))
        else:
            problems.append(f"the TSA's key type is not supported ({type(key).__name__})")
    except InvalidSignature:
        problems.append("the token's signature does not verify under the TSA's certificate")
    return problems


def _certificate_problems(cert: cx509.Certificate, at: datetime | None) -> list[str]:
    problems = []
    try:
        usage = cert.extensions.get_extension_for_class(cx509.ExtendedKeyUsage).value
        if _TIME_STAMPING not in usage:
            problems.append("the TSA's certificate is not for time stamping")
    except cx509.ExtensionNotFound:
        problems.append("the TSA's certificate is not for time stamping")
    if at is not None and not (cert.not_valid_before_utc <= at <= cert.not_valid_after_utc):
        problems.append("the TSA's certificate was not valid at the stamped time")
    return problems


def _chains(
    cert: cx509.Certificate, carried: list[cx509.Certificate], cas: list[cx509.Certificate]
) -> bool:
    current = cert
    for _ in range(8):  # a TSA chain is short; a loop of certificates ends here
        for ca in cas:
            if _issued_by(current, ca):
                return True
        parent = next((c for c in carried if _issued_by(current, c)), None)
        if parent is None or parent == current:
            return False
        current = parent
    return False


def _issued_by(cert: cx509.Certificate, issuer: cx509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# --- the timestamps of items ----------------------------------------------------------------


def request_timestamp(
    session: Session, *, item_id: int, tsa_url: str, actor: str
) -> EvidenceTimestamp:
    """A pending timestamp for the item's primary blob (the existing one, if any).

    Idempotent: an item whose blob has a pending or granted timestamp from this
    TSA gets that row back, not a second one.
    """
    item = session.get(EvidenceItem, item_id)
    if item is None:
        raise NotFound("err_evidence_not_found", f"no evidence item {item_id}", "id")
    if not item.sha256:
        raise InvalidInput(
            "err_evidence_no_content",
            f"evidence item {item_id} has no stored content to timestamp ({item.status})",
            "id",
        )
    existing = session.scalars(
        select(EvidenceTimestamp).where(
            EvidenceTimestamp.item_id == item_id,
            EvidenceTimestamp.sha256 == item.sha256,
            EvidenceTimestamp.tsa_url == tsa_url,
            EvidenceTimestamp.status.in_(("pending", "granted")),
        )
    ).first()
    if existing is not None:
        return existing
    stamp = EvidenceTimestamp(
        item_id=item_id, sha256=item.sha256, tsa_url=tsa_url, status="pending", attempts=0
    )
    session.add(stamp)
    session.flush()
    log.info("evidence item %s: timestamp %s requested by %s", item_id, stamp.id, actor)
    return stamp


def attempt_timestamp(
    session: Session,
    store: BlobStore,
    *,
    stamp_id: int,
    timeout: float,
    max_attempts: int,
    actor: str,
    ca_certs: list[cx509.Certificate] | None = None,
) -> EvidenceTimestamp:
    """Ask the TSA once for a pending timestamp; the row as it stands afterwards.

    On success the token is stored as a blob, checked, and a ``timestamp``
    custody event is appended. The caller commits.
    """
    stamp = session.get(EvidenceTimestamp, stamp_id)
    if stamp is None:
        raise NotFound("err_evidence_timestamp_not_found", f"no timestamp {stamp_id}", "id")
    if stamp.status != "pending":
        return stamp
    digest = bytes.fromhex(parse_sha256(stamp.sha256))
    # Claim this attempt: of two workers asking at once, one counts and asks.
    claimed = session.execute(
        update(EvidenceTimestamp)
        .where(
            EvidenceTimestamp.id == stamp.id,
            EvidenceTimestamp.status == "pending",
            EvidenceTimestamp.attempts == stamp.attempts,
        )
        .values(attempts=stamp.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(stamp)
        return stamp
    session.refresh(stamp)
    try:
        token = request_token(stamp.tsa_url, digest, timeout=timeout)
    except TsaRefused as exc:
        stamp.status, stamp.reason = "failed", f"err_evidence_tsa_refused: {exc}"
        session.flush()
        return stamp
    except TsaUnavailable as exc:
        if stamp.attempts >= max_attempts:
            stamp.status = "failed"
            stamp.reason = f"err_evidence_tsa_unavailable: {exc} (after {stamp.attempts} tries)"
        else:
            stamp.reason = f"err_evidence_tsa_unavailable: {exc}"
        session.flush()
        return stamp
    check = check_token(token, sha256_hex=digest.hex(), ca_certs=ca_certs)
    if not check.ok:
        stamp.status = "failed"
        stamp.reason = "err_evidence_tsa_bad_token: " + "; ".join(check.problems)
        session.flush()
        return stamp
    blob = store_blob(session, store, token, media_type=TOKEN_MEDIA_TYPE)
    stamp.status, stamp.reason = "granted", None
    stamp.token_sha256 = blob.sha256
    stamp.granted_at = check.gen_time or utcnow()
    session.flush()
    custody.record(
        session,
        item_id=stamp.item_id,
        action="timestamp",
        actor=actor,
        reason="RFC 3161 time-stamp token granted",
        details={
            "sha256": stamp.sha256,
            "token": blob.sha256,
            "tsa": stamp.tsa_url,
            "time": stamp.granted_at.isoformat(),
        },
    )
    return stamp


def pending_ids(session: Session, *, item_ids: list[int] | None = None) -> list[int]:
    """Ids of the pending timestamps (of these items only, when given), oldest first."""
    query = select(EvidenceTimestamp.id).where(EvidenceTimestamp.status == "pending")
    if item_ids:
        query = query.where(EvidenceTimestamp.item_id.in_(item_ids))
    return list(session.scalars(query.order_by(EvidenceTimestamp.id)))


def timestamps_of(session: Session, *, item_id: int) -> list[EvidenceTimestamp]:
    """Every timestamp of one item, oldest first."""
    return list(
        session.scalars(
            select(EvidenceTimestamp)
            .where(EvidenceTimestamp.item_id == item_id)
            .order_by(EvidenceTimestamp.id)
        )
    )


def timestamp_public(stamp: EvidenceTimestamp) -> dict[str, Any]:
    """One timestamp as the CLI and API show it."""
    return {
        "id": stamp.id,
        "item": stamp.item_id,
        "sha256": stamp.sha256,
        "tsa_url": stamp.tsa_url,
        "status": stamp.status,
        "reason": stamp.reason,
        "attempts": stamp.attempts,
        "token": stamp.token_sha256,
        "granted_at": stamp.granted_at.isoformat() if stamp.granted_at else None,
    }


def ca_certificates(path: Path | None) -> list[cx509.Certificate] | None:
    """The CA certificates in the configured PEM file; None when no file is configured."""
    if path is None or not str(path):
        return None
    try:
        return load_ca_certificates(Path(path).read_bytes())
    except OSError as exc:
        raise InvalidInput(
            "err_evidence_tsa_ca",
            f"cannot read the TSA's CA file: {exc.strerror}",
            "MARSAD_EVIDENCE_TSA_CA_FILE",
        ) from None


def sha256_hex_of(data: bytes) -> str:
    """The hex SHA-256 of bytes (what a token's imprint must equal)."""
    return hashlib.sha256(data).hexdigest()


# --- the service the CLI and the job share --------------------------------------------------


def stamp_items(
    *,
    sessions: Any,
    settings: Any,
    item_ids: list[int] | None,
    actor: str,
    progress: Any = None,
) -> dict[str, Any]:
    """Request timestamps for ``item_ids`` (none: only retry the pending ones), then ask the TSA.

    Each timestamp is its own short transaction, so a run killed mid-way keeps
    what was granted and the next run asks only for what is still pending.
    Returns ``{"granted", "pending", "failed", "timestamps": [...]}`` for the
    timestamps this run touched.
    """
    from marsad.core.db import session_scope

    config = settings.evidence
    tsa_url = config.evidence_tsa_url.strip()
    if not tsa_url:
        raise ConfigError(
            "MARSAD_EVIDENCE_TSA_URL",
            "no time-stamping authority is configured; set MARSAD_EVIDENCE_TSA_URL",
        )
    cas = ca_certificates(config.evidence_tsa_ca_file)
    store = BlobStore.from_settings(settings)
    touched: list[int] = []
    if item_ids:
        with session_scope(sessions) as session:
            for item_id in item_ids:
                stamp = request_timestamp(session, item_id=item_id, tsa_url=tsa_url, actor=actor)
                touched.append(stamp.id)
    with sessions() as session:
        todo = pending_ids(session, item_ids=item_ids)
    touched.extend(i for i in todo if i not in touched)
    for done, stamp_id in enumerate(todo, start=1):
        with session_scope(sessions) as session:
            attempt_timestamp(
                session,
                store,
                stamp_id=stamp_id,
                timeout=config.evidence_tsa_timeout,
                max_attempts=config.evidence_tsa_max_attempts,
                actor=actor,
                ca_certs=cas,
            )
        if progress is not None:
            progress(done / len(todo))
    with sessions() as session:
        rows = [session.get(EvidenceTimestamp, i) for i in touched]
        out = [timestamp_public(r) for r in rows if r is not None]
    counts = {s: sum(1 for r in out if r["status"] == s) for s in ("granted", "pending", "failed")}
    return {**counts, "timestamps": out}


class TimestampParams(BaseModel):
    """Which items to timestamp; none: retry every pending timestamp."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[int] = Field(
        default_factory=list, description="Evidence item ids; empty: retry the pending ones."
    )


def run_timestamp_job(context: Any, params: TimestampParams) -> dict[str, Any]:
    """The ``evidence.timestamp`` job: :func:`stamp_items`, idempotent and resumable.

    Resumable without a cursor: a granted timestamp is never asked for again,
    and a second delivery only asks for what is still pending.
    """
    if not context.settings.evidence.evidence_tsa_url.strip():
        return {"granted": 0, "pending": 0, "failed": 0, "timestamps": [], "skipped": "no TSA"}
    return stamp_items(
        sessions=context.sessions,
        settings=context.settings,
        item_ids=params.item_ids or None,
        actor=context.requested_by or "system",
        progress=context.progress,
    )


JOB_KINDS = [
    JobKind(
        name="evidence.timestamp",
        params=TimestampParams,
        run=run_timestamp_job,
        description="Ask the time-stamping authority for RFC 3161 tokens over items' "
        "SHA-256; with no items, retry the pending ones.",
    )
]
PERIODIC_JOBS = [
    PeriodicJob(name="evidence.retry-timestamps", kind="evidence.timestamp", every_seconds=600)
]
