"""Fetching a URL for the record: the exact responses as a WARC, and how they were reached.

:func:`fetch` follows redirects itself (so each hop is recorded and a loop is
caught), streams every body to a temporary file under a size cap while hashing
it, and writes one WARC file holding a ``warcinfo`` record and, for every hop,
the ``request`` as sent and the ``response`` as received (status line, headers
and the body's bytes as they came over the wire). It also records the
addresses the host name resolved to, the peer it connected to and the TLS
certificate chain the server presented.

Nothing here touches the database: a failure raises :class:`CaptureFailed`
with a stable code and a short reason, and the caller records it. The
temporary folder is the caller's, removed by it whatever happens.
"""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import marsad
from marsad.evidence.capture_settings import CaptureSettings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 1024 * 1024
TITLE_SCAN = 512 * 1024
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(r"charset=([\w.-]+)", re.IGNORECASE)


class CaptureFailed(Exception):
    """A capture that could not be made: a stable ``code`` and a short English ``reason``."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass
class Fetched:
    """What a fetch saw: the final response, every hop, and the WARC that holds them."""

    url: str
    final_url: str
    status: int
    media_type: str
    body_size: int
    body_sha256: str
    title: str
    warc_path: Path
    started_at: datetime
    finished_at: datetime
    hops: list[dict[str, Any]] = field(default_factory=list)
    tls: list[dict[str, Any]] = field(default_factory=list)


def tool_name() -> str:
    """The capturing tool and its version, as the WARC and the item's metadata name it."""
    return f"Marsad/{marsad.__version__} (evidence capture; httpx {httpx.__version__})"


def check_url(url: str) -> str:
    """The URL, if it is an absolute http(s) URL with a host; CaptureFailed otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CaptureFailed("err_capture_url", f"{url[:200]!r} is not an http(s) URL with a host")
    return url.strip()


def _resolve(url: str) -> list[str]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CaptureFailed(
            "err_capture_unreachable", f"cannot resolve {parts.hostname}: {exc.strerror}"
        ) from None
    return sorted({info[4][0] for info in infos})


def describe_certificate(der: bytes) -> dict[str, Any]:
    """A certificate as the item's metadata keeps it: names, validity, fingerprint, PEM."""
    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "pem": cert.public_bytes(Encoding.PEM).decode("ascii"),
    }


def _chain(ssl_object: Any) -> list[dict[str, Any]]:
    """The chain the server presented, leaf first, as verified against the trust store."""
    ders: list[bytes] = []
    # Public from Python 3.13; the same method exists, unnamed in the docs, on 3.10-3.12.
    getter = getattr(ssl_object, "get_verified_chain", None) or getattr(
        getattr(ssl_object, "_sslobj", None), "get_verified_chain", None
    )
    if getter is not None:
        try:
            ders = [c.public_bytes(ssl._ssl.ENCODING_DER) for c in getter()]  # type: ignore[attr-defined]
        except (AttributeError, ValueError, ssl.SSLError):
            ders = []
    if not ders:
        leaf = ssl_object.getpeercert(binary_form=True)
        ders = [leaf] if leaf else []
    return [describe_certificate(der) for der in ders]


def _connection(response: httpx.Response) -> tuple[str | None, list[dict[str, Any]], str | None]:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, [], None
    peer = stream.get_extra_info("server_addr")
    ssl_object = stream.get_extra_info("ssl_object")
    chain = _chain(ssl_object) if ssl_object is not None else []
    version = ssl_object.version() if ssl_object is not None else None
    return (f"{peer[0]}:{peer[1]}" if peer else None), chain, version


def _failure(exc: httpx.HTTPError, url: str) -> CaptureFailed:
    host = urlsplit(url).hostname
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return CaptureFailed(
                "err_capture_tls",
                f"{host}: the TLS certificate was refused ({cause.verify_message})",
            )
        if isinstance(cause, ssl.SSLError):
            return CaptureFailed("err_capture_tls", f"{host}: TLS failed ({cause.reason})")
        if isinstance(cause, socket.gaierror):
            return CaptureFailed("err_capture_unreachable", f"cannot resolve {host}")
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return CaptureFailed("err_capture_timeout", f"{host} did not answer in time")
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return CaptureFailed("err_capture_unreachable", f"cannot connect to {host}")
    return CaptureFailed("err_capture_network", f"{host}: {type(exc).__name__}")


def _decoded_head(path: Path, encoding: str) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(TITLE_SCAN)
    if encoding in ("gzip", "deflate"):
        try:
            return zlib.decompressobj(47 if encoding == "gzip" else 15).decompress(head, TITLE_SCAN)
        except zlib.error:
            return b""
    return head if encoding in ("", "identity") else b""


def page_title(path: Path, media_type: str, content_type: str, encoding: str) -> str:
    """The ``<title>`` of an HTML body (its first 512 KiB), or ''."""
    if "html" not in media_type:
        return ""
    match = _TITLE.search(_decoded_head(path, encoding))
    if not match:
        return ""
    charset = _CHARSET.search(content_type)
    try:
        text = match.group(1).decode(charset.group(1) if charset else "utf-8", "replace")
    except LookupError:
        text = match.group(1).decode("utf-8", "replace")
    return " ".join(text.split())[:500]


def _request_record(writer: WARCWriter, request: httpx.Request, http_version: str) -> None:
    target = request.url.raw_path.decode("ascii")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    status = StatusAndHeaders(
        f"{request.method} {target} {http_version}", headers, is_http_request=True
    )
    writer.write_record(writer.create_warc_record(str(request.url), "request", http_headers=status))


def _response_record(
    writer: WARCWriter, response: httpx.Response, body: Path, ip: str | None
) -> None:
    reason = response.reason_phrase or ""
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    status = StatusAndHeaders(
        f"{response.status_code} {reason}".strip(), headers, protocol=response.http_version
    )
    extra = {"WARC-IP-Address": ip.rsplit(":", 1)[0].strip("[]")} if ip else None
    with body.open("rb") as payload:
        record = writer.create_warc_record(
            str(response.url),
            "response",
            payload=payload,
            length=body.stat().st_size,
            http_headers=status,
            warc_headers_dict=extra,
        )
        writer.write_record(record)


def _client(cfg: CaptureSettings) -> httpx.Client:
    verify: Any = True
    if cfg.evidence_capture_ca_bundle:
        verify = ssl.create_default_context(cafile=cfg.evidence_capture_ca_bundle)
    return httpx.Client(
        follow_redirects=False,
        timeout=httpx.Timeout(cfg.evidence_capture_timeout),
        proxy=cfg.evidence_capture_proxy or None,
        verify=verify,
        trust_env=False,  # only the configured proxy: no request leaves by another path
        headers={
            "User-Agent": cfg.evidence_capture_user_agent or tool_name(),
            "Accept-Encoding": "gzip, deflate",
        },
    )


def _read_body(response: httpx.Response, path: Path, cap: int, deadline: float) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for chunk in response.iter_raw(CHUNK):
            size += len(chunk)
            if size > cap:
                raise CaptureFailed(
                    "err_capture_too_large", f"the response is larger than {cap} bytes"
                )
            if time.monotonic() > deadline:
                raise CaptureFailed("err_capture_timeout", "the response took too long to arrive")
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def fetch(url: str, cfg: CaptureSettings, workdir: Path) -> Fetched:
    """Fetch ``url`` (following redirects) into a WARC under ``workdir``; CaptureFailed if not."""
    url = check_url(url)
    started = datetime.now(UTC)
    deadline = time.monotonic() + cfg.evidence_capture_total_timeout
    warc_path = workdir / "capture.warc.gz"
    hops: list[dict[str, Any]] = []
    tls: list[dict[str, Any]] = []
    seen: set[str] = set()
    current = url
    with warc_path.open("wb") as warc_file, _client(cfg) as client:
        writer = WARCWriter(warc_file, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                "capture.warc.gz",
                {"software": tool_name(), "format": "WARC File Format 1.1", "isPartOf": url},
            )
        )
        for hop in range(cfg.evidence_capture_max_redirects + 1):
            seen.add(current)
            addresses = [] if cfg.evidence_capture_proxy else _resolve(current)
            body = workdir / f"body-{hop}"
            try:
                with client.stream("GET", current) as response:
                    peer, chain, tls_version = _connection(response)
                    size, sha = _read_body(response, body, cfg.max_bytes, deadline)
            except httpx.HTTPError as exc:
                raise _failure(exc, current) from None
            _request_record(writer, response.request, response.http_version)
            _response_record(writer, response, body, peer)
            content_type = response.headers.get("content-type", "")
            hops.append(
                {
                    "url": current,
                    "status": response.status_code,
                    "http_version": response.http_version,
                    "addresses": addresses,
                    "peer": peer,
                    "tls_version": tls_version,
                    "content_type": content_type,
                    "size": size,
                    "sha256": sha,
                }
            )
            if chain:
                tls = chain
            location = response.headers.get("location")
            if response.status_code in REDIRECTS and location:
                target = urljoin(current, location)
                if target in seen:
                    raise CaptureFailed(
                        "err_capture_redirect_loop", f"{target} redirects back to itself"
                    )
                current = check_url(target)
                body.unlink(missing_ok=True)
                continue
            media_type = content_type.split(";")[0].strip().lower() or "application/octet-stream"
            title = page_title(
                body, media_type, content_type, response.headers.get("content-encoding", "").lower()
            )
            body.unlink(missing_ok=True)
            return Fetched(
                url=url,
                final_url=current,
                status=response.status_code,
                media_type=media_type,
                body_size=size,
                body_sha256=sha,
                title=title,
                warc_path=warc_path,
                started_at=started,
                finished_at=datetime.now(UTC),
                hops=hops,
                tls=tls,
            )
    raise CaptureFailed(
        "err_capture_redirect_loop",
        f"more than {cfg.evidence_capture_max_redirects} redirects from {url}",
    )
