"""Jinja2 templates: one environment for every capability's templates.

Each plugin names its template folders through the ``marsad_templates`` hook
(the built-ins keep theirs in ``<capability>/templates``); the web shell's own
(``base.html``) come first. The header's links are the plugins' ``marsad_nav``
entries, translated when the page is rendered. Dates are stored in UTC and shown in
the configured time zone (Asia/Baghdad by default).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from marsad.core import i18n
from marsad.core.plugins import NAV_SECTIONS, Registry
from marsad.web.assets import StaticAssets

TEMPLATES = Path(__file__).resolve().parent / "templates"
# FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (Unicode bidi algorithm, UAX #9).
FSI, PDI = "\u2068", "\u2069"


def isolate(value: object) -> Markup:
    """User text inside a page: in a ``<bdi>``, so its own direction and any control
    characters in it (a U+202E RIGHT-TO-LEFT OVERRIDE in a title) stay inside."""
    return Markup("<bdi>") + escape("" if value is None else str(value)) + Markup("</bdi>")


def isolate_plain(value: object) -> str:
    """User text where no markup is possible (``<title>``): between FSI and PDI, which end
    every embedding or override the text opens."""
    return f"{FSI}{'' if value is None else value}{PDI}"


def make_environment(
    timezone: str, registry: Registry, assets: StaticAssets | None = None
) -> Environment:
    """The Jinja2 environment: our templates, then each plugin's, the header's links and
    ``static_url(path)`` (a static file's fingerprinted URL, see ``web/assets.py``)."""
    loaders = [FileSystemLoader(str(TEMPLATES))]
    loaders += [FileSystemLoader(str(folder)) for folder in registry.templates() if folder.is_dir()]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Jinja marks a translation safe (Markup) in an autoescaped template: a msgstr with a
    # quote would then end an attribute early. Translations are text, never markup, so
    # they are escaped here; the %(name)s values are escaped by Markup as before.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: escape(i18n.gettext(message)),
        lambda singular, plural, n: escape(i18n.ngettext(singular, plural, n)),
        newstyle=True,
    )
    zone = ZoneInfo(timezone)

    def localtime(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        """A UTC time (or an ISO 8601 string, as saved result documents keep them) in local time."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return value  # not a time: show it as it is rather than fail the page
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
        return value.astimezone(zone).strftime(fmt)

    env.filters["localtime"] = localtime
    env.filters["bidi"] = isolate
    env.filters["bidi_plain"] = isolate_plain
    # Labels are English msgids: base.html translates them in the reader's language.
    env.globals["NAV"] = {section: registry.nav(section) for section in NAV_SECTIONS}
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["static_url"] = (assets or StaticAssets.for_registry(registry)).url
    return env


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a page with what every page needs: language, direction, user, CSRF token."""
    env: Environment = request.app.state.templates
    lang = i18n.current_language.get()
    base = {
        "request": request,
        "lang": lang,
        "dir": i18n.direction(lang),
        "user": getattr(request.state, "user", None),
        "csrf_token": request.state.csrf_token,
        "lang_links": _language_links(request),
    }
    html = env.get_template(name).render({**base, **context})
    return HTMLResponse(html, status_code=status)


def _language_links(request: Request) -> list[tuple[str, str, str]]:
    params = dict(request.query_params)
    links = []
    for code in i18n.LANGUAGES:
        params["lang"] = code
        query = urlencode(params)
        links.append((code, i18n.LANGUAGE_NAMES[code], f"{request.url.path}?{query}"))
    return links
