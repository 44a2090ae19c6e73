"""Static files that travel light: fingerprinted URLs, long caching and compression.

A reporter on a slow or filtered connection should download Leaflet once, not on
every visit, and never uncompressed:

- ``static_url("css/marsad.css")`` in a template gives ``/static/css/marsad.css?v=<digest>``,
  the digest being the file's SHA-256 (computed once, when the app is built). A
  request carrying the current digest is answered with a year-long ``immutable``
  cache; any other request for a static file with ``no-cache`` (revalidate with
  its ETag), so an upgrade is never hidden behind a stale copy.
- :class:`Compression` compresses text answers (pages, JSON, CSS, JavaScript, SVG)
  with zstd, brotli or gzip, whichever the browser accepts (``starlette-compress``).
  A signed-in person's pages and API answers are never compressed: a page that
  holds a secret (a reporter's contact) and reflects text an attacker chose could
  otherwise be read back from its compressed length (BREACH). Static files and
  the base layer hold no secret and are always compressed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi.staticfiles import StaticFiles
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_compress import CompressMiddleware

STATIC = Path(__file__).resolve().parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Answers that hold nothing private: compressed even for a signed-in person.
PUBLIC_PREFIXES = ("/static/", "/places/")
CREDENTIAL_COOKIES = ("marsad_session", "marsad_pending")


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

    def is_current(self, file: str | PathLike[str], version: str | None) -> bool:
        """Whether ``version`` is the digest of this file as it is served now."""
        return bool(version) and self._digests.get(Path(file).resolve()) == version


class CachedStaticFiles(StaticFiles):
    """StaticFiles whose answers say how long they may be kept (see the module's doc)."""

    def __init__(self, *, assets: StaticAssets, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assets = assets

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
        self.compressing = CompressMiddleware(app, minimum_size=500, gzip_level=6, brotli_quality=5)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            scope["path"].startswith(PUBLIC_PREFIXES) or not _has_credentials(scope)
        ):
            await self.compressing(scope, receive, send)
        else:
            await self.app(scope, receive, send)
