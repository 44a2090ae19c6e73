"""Static files that travel light: fingerprinted URLs, long caching and compression.

A reporter on a slow or filtered connection should download Leaflet once, not on
every visit, and never uncompressed:

- ``static_url("css/marsad.css")`` in a template gives ``/static/css/marsad.css?v=<digest>``,
  the digest being the file's SHA-256 (computed once, when the app is built). A
  request carrying the current digest is answered with a year-long ``immutable``
  cache; any other request for a static file with ``no-cache`` (revalidate with
  its ETag), so an upgrade is never hidden behind a stale copy.
- A fingerprinted text file (CSS, JavaScript, SVG, JSON) is compressed once per
  process at the strongest level (brotli 11, zstd 19 or gzip 9, whichever the
  browser accepts), in a worker thread, and kept in memory: :class:`Packer`. The
  maps' base layer is served the same way. Leaflet then weighs 37 KB, not 147.
- :class:`Compression` compresses every other text answer (pages, JSON) on the
  fly at a fast level, with zstd, brotli or gzip (``starlette-compress``). A
  signed-in person's pages and API answers are never compressed: a page that holds
  a secret (a reporter's contact) and reflects text an attacker chose could
  otherwise be read back from its compressed length (BREACH). Static files and the
  base layer hold no secret and are always compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Iterable
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio
import brotli
import zstandard
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_compress import CompressMiddleware

STATIC = Path(__file__).resolve().parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Answers that hold nothing private: compressed even for a signed-in person.
PUBLIC_PREFIXES = ("/static/", "/places/")
CREDENTIAL_COOKIES = ("marsad_session", "marsad_pending")
# Strongest first: the smallest body for what the browser accepts. Each runs once per
# file and process, so the slow top levels cost nothing per request.
ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "br": lambda data: brotli.compress(data, quality=11),
    "zstd": lambda data: zstandard.ZstdCompressor(level=19).compress(data),
    "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0),
}
PACKED_TYPES = (
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "image/svg+xml",
    "text/plain",
)


def accepted_encoding(accept_encoding: str | None) -> str | None:
    """The best of ``ENCODERS`` that an Accept-Encoding header allows, or None."""
    allowed = set()
    for item in (accept_encoding or "").split(","):
        coding, _sep, params = item.partition(";")
        quality = params.strip().removeprefix("q=").strip() if params.strip() else "1"
        try:
            if float(quality) > 0:
                allowed.add(coding.strip().lower())
        except ValueError:
            continue
    return next((name for name in ENCODERS if name in allowed or "*" in allowed), None)


class Packer:
    """Compressed copies of constant bodies, made once each (thread-safe) and kept."""

    def __init__(self) -> None:
        self._packed: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def pack(self, key: str, encoding: str, read: Callable[[], bytes]) -> bytes:
        """The body named ``key`` compressed with ``encoding``; blocking, call off the loop."""
        with self._lock:
            found = self._packed.get((key, encoding))
            if found is None:
                found = self._packed[(key, encoding)] = ENCODERS[encoding](read())
        return found


PACKER = Packer()


def packed_response(
    *, key: str, read: Callable[[], bytes], accept_encoding: str | None, headers: dict[str, str]
) -> Response | None:
    """A response of the compressed body, or None when the browser takes none of ours."""
    encoding = accepted_encoding(accept_encoding)
    if encoding is None:
        return None
    body = PACKER.pack(key, encoding, read)
    out = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "accept-ranges")}
    out.update({"Content-Encoding": encoding, "Vary": "Accept-Encoding"})
    return Response(body, headers=out)


class StaticAssets:
    """The digest of every static file, and the fingerprinted URL of each."""

    def __init__(self, mounts: Iterable[tuple[str, Path]]) -> None:
        """``mounts``: (URL prefix under /static, folder), lowest precedence first."""
        self._files: dict[str, Path] = {}
        self._digests: dict[Path, str] = {}
        for prefix, folder in mounts:
            for path in sorted(Path(folder).rglob("*")):
                if not path.is_file():
                    continue
                real = path.resolve()
                rel = path.relative_to(folder).as_posix()
                self._files[f"{prefix}/{rel}" if prefix else rel] = real
                self._digests[real] = hashlib.sha256(real.read_bytes()).hexdigest()[:12]

    @classmethod
    def for_registry(cls, registry: Any) -> StaticAssets:
        """The shell's static folder and each plugin's (which take precedence, as mounted)."""
        return cls([("", STATIC), *registry.static()])

    def url(self, path: str) -> str:
        """``/static/<path>?v=<digest>``; LookupError for a file that does not exist."""
        real = self._files.get(path.lstrip("/"))
        if real is None:
            raise LookupError(f"no static file {path!r}")
        return f"/static/{path.lstrip('/')}?v={self._digests[real]}"

    def digest(self, file: str | PathLike[str]) -> str | None:
        """The digest of a static file as it was when the app was built."""
        return self._digests.get(Path(file).resolve())

    def is_current(self, file: str | PathLike[str], version: str | None) -> bool:
        """Whether ``version`` is the digest of this file as it is served now."""
        return bool(version) and self._digests.get(Path(file).resolve()) == version


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose answers say how long they may be kept (see the module's doc)."""

    def __init__(self, *, assets: StaticAssets, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        """A fingerprinted text file compressed once (see ``Packer``); others as they are."""
        response = await super().get_response(path, scope)
        request = Headers(scope=scope)
        if (
            scope["method"] != "GET"
            or not isinstance(response, FileResponse)
            or response.status_code != 200
            or response.headers.get("cache-control") != IMMUTABLE
            or "range" in request
            or response.media_type not in PACKED_TYPES
        ):
            return response
        file = Path(response.path)
        packed = await anyio.to_thread.run_sync(
            lambda: packed_response(
                key=str(file.resolve()) + "?" + (self.assets.digest(file) or ""),
                read=file.read_bytes,
                accept_encoding=request.get("accept-encoding"),
                headers=dict(response.headers),
            )
        )
        return packed or response

    def file_response(
        self,
        full_path: str | PathLike[str],
        stat_result: Any,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        version = (query.get("v") or [None])[0]
        current = self.assets.is_current(full_path, version)
        response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response


def _has_credentials(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return True
        if name == b"cookie":
            cookies = cookie_parser(value.decode("latin-1"))
            if any(cookies.get(c) for c in CREDENTIAL_COOKIES):
                return True
    return False


class Compression:
    """Compress what may be compressed safely: everything public, nothing signed in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # Fast levels: these bodies are made anew for each request.
        self.compressing = CompressMiddleware(app, minimum_size=500, gzip_level=6, brotli_quality=4)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            scope["path"].startswith(PUBLIC_PREFIXES) or not _has_credentials(scope)
        ):
            await self.compressing(scope, receive, send)
        else:
            await self.app(scope, receive, send)
