"""Pages and static files travel compressed; fingerprinted files are cached for good."""

from __future__ import annotations

import gzip
import re

import brotli

IMMUTABLE = "public, max-age=31536000, immutable"


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_pages_and_text_assets_are_compressed_with_brotli_or_gzip(client) -> None:
    page = client.get("/reports/map", headers={"Accept-Encoding": "br"})
    assert page.headers["content-encoding"] == "br"
    assert "accept-encoding" in page.headers["vary"].lower()
    script = next(u for u in asset_urls(page.text) if "leaflet.js" in u)
    raw = client.get(script, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    for encoding, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        packed = client.stream("GET", script, headers={"Accept-Encoding": encoding})
        with packed as answer:
            body = b"".join(answer.iter_raw())  # as sent, before httpx decodes it
            assert answer.headers["content-encoding"] == encoding
        assert decode(body) == raw.content
        assert len(body) < len(raw.content) / 2


def test_fingerprinted_static_files_are_cached_for_good_others_revalidated(client) -> None:
    page = client.get("/reports/map").text
    urls = asset_urls(page)
    assert urls and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls)
    for url in urls:
        assert client.get(url).headers["cache-control"] == IMMUTABLE, url
    css = next(u for u in urls if "marsad.css" in u)
    bare = client.get(css.split("?")[0])
    assert bare.headers["cache-control"] == "no-cache" and bare.headers.get("etag")
    wrong = client.get(css.split("?")[0] + "?v=000000000000")
    assert wrong.headers["cache-control"] == "no-cache"
    # Pages themselves are never cached.
    assert client.get("/reports/map").headers["cache-control"] == "no-store"


def test_a_signed_in_persons_pages_are_not_compressed(admin_client) -> None:
    # A page holding a secret that also reflects attacker-chosen text could be read back
    # from its compressed length (BREACH): staff pages go uncompressed, assets do not.
    page = admin_client.get("/staff/reports?status=x", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and "content-encoding" not in page.headers
    css = next(u for u in asset_urls(page.text) if "marsad.css" in u)
    asset = admin_client.get(css, headers={"Accept-Encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip"
