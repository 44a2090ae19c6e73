"""The web shell: languages and direction, security headers, health, and no third-party requests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from marsad.core import migrate
from marsad.web.app import STATIC


def test_arabic_is_the_default_and_right_to_left(client) -> None:
    page = client.get("/")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "مرصد الحقوق الرقمية" in page.text


def test_language_choice_is_one_click_and_remembered(client) -> None:
    home = client.get("/")
    assert 'href="/?lang=en"' in home.text and 'href="/?lang=ckb"' in home.text
    english = client.get("/?lang=en")
    assert (
        '<html lang="en" dir="ltr">' in english.text
        and "Observatory of digital rights" in english.text
    )
    assert "marsad_lang=en" in english.headers["set-cookie"]
    later = client.get("/login")  # no ?lang: the cookie keeps the choice
    assert '<html lang="en" dir="ltr">' in later.text
    kurdish = client.get("/login?lang=ckb")
    assert '<html lang="ckb" dir="rtl">' in kurdish.text and "چوونەژوورەوە" in kurdish.text
    assert '<html lang="ckb" dir="rtl">' in client.get("/").text
    # An unknown language falls back to the remembered one, not to an error.
    assert '<html lang="ckb" dir="rtl">' in client.get("/?lang=xx").text
    # On the API, ?lang= is for that answer only (and a filter on /api/v1/posts):
    # opening a JSON link in the browser does not switch the interface.
    answer = client.get("/api/v1/categories?lang=en")
    assert answer.status_code == 200 and "marsad_lang" not in answer.headers.get("set-cookie", "")
    assert '<html lang="ckb" dir="rtl">' in client.get("/").text


def test_security_headers_on_every_response(client) -> None:
    for path in ("/", "/login", "/health", "/static/css/marsad.css", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_health_tells_the_public_only_that_it_works(client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    # No version, environment, backend or revision for an anonymous visitor.
    assert response.json() == {"status": "ok"}
    forged = client.get("/health", headers={"Authorization": "Bearer not-a-token"})
    assert forged.json() == {"status": "ok"}


def test_health_reports_version_and_database_to_staff(admin_client) -> None:
    body = admin_client.get("/health").json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["ok"] is True and body["database"]["revision"]
    # The one chain of migrations is at its newest revision.
    assert [body["database"]["revision"]] == body["database"]["revisions"]
    assert set(body["database"]["revisions"]) == migrate.head_revisions()


def test_unknown_page_is_a_translated_404(client) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "هذه الصفحة غير موجودة" in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["error"] == "err_http_404"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "poster", "data"):
            if values.get(name):
                self.refs.append(values[name] or "")
        if "style" in values:
            self.inline_styles += 1
        if any(name.startswith("on") for name in values):
            self.inline_scripts += 1
        self._in_script = tag == "script" and not values.get("src")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


EXTERNAL = re.compile(r"(https?:)?//[^/\s\"')]+", re.I)


def _routes(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """(path, methods) of every route, also inside included routers (any FastAPI version)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield prefix + route.path, getattr(route, "methods", None) or set()


def _page_paths(app) -> list[str]:
    paths = [
        path
        for path, methods in _routes(app.routes)
        if "GET" in methods and "{" not in path and not path.startswith("/api/")
    ]
    return sorted(set(paths))


def test_no_page_or_asset_refers_to_another_host(admin_client, app) -> None:
    """Load every page of the app as an admin and every static file; none may leave the site."""
    checked = 0
    for path in _page_paths(app):
        for lang in ("ar", "ckb", "en"):
            response = admin_client.get(f"{path}?lang={lang}")
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            parser = _Refs()
            parser.feed(response.text)
            external = [r for r in parser.refs if EXTERNAL.match(r)]
            assert external == [], f"{path} refers to another host: {external}"
            assert parser.inline_scripts == 0, f"{path} has inline script"
            assert parser.inline_styles == 0, f"{path} has inline style"
            checked += 1
    assert checked >= 3 * 6
    for asset in Path(STATIC).rglob("*"):
        if asset.suffix in {".css", ".js", ".svg", ".html"}:
            text = asset.read_text(encoding="utf-8")
            if "/vendor/" not in str(asset):
                assert not EXTERNAL.search(text.replace("http://www.w3.org/", "")), asset
            served = admin_client.get("/static/" + str(asset.relative_to(STATIC)))
            assert served.status_code == 200
