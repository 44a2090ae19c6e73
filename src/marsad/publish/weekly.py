"""The weekly monitoring report: the public sections of one week as HTML or PDF.

The report is the public dashboard's document for one ISO week (the same
``service.dashboard`` call), rendered with each section's template, plus an
appendix that lists, for every figure, the query and parameters it came from.
The PDF is drawn by WeasyPrint with the vendored Noto Sans Arabic font
(``fonts/``), so Arabic and Kurdish shape correctly and pages run right to
left; nothing is fetched from another host.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from marsad.core import i18n
from marsad.core.db import utcnow
from marsad.core.errors import InvalidInput
from marsad.core.i18n import gettext as _
from marsad.core.places import PlaceIndex
from marsad.core.plugins import get_registry
from marsad.publish import service
from marsad.publish.charts import ChartHelper
from marsad.publish.sections import Period

log = logging.getLogger(__name__)
FONTS = Path(__file__).resolve().parent / "fonts"
FORMATS = ("pdf", "html")


def check_language(lang: str) -> str:
    """``lang`` if the report can be written in it; InvalidInput naming ``lang`` otherwise.

    English is the source language; any other needs a compiled catalogue.
    """
    if lang not in i18n.LANGUAGES:
        raise InvalidInput(
            "err_language_unknown",
            _("No translation exists for the language {lang}; choose one of: {known}").format(
                lang=lang, known=", ".join(i18n.LANGUAGES)
            ),
            "lang",
        )
    return lang


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(
            "err_invalid_input",
            _("{field} must be one of: {choices}").format(field="format", choices="pdf, html"),
            "format",
        )
    return fmt


@contextmanager
def language(lang: str) -> Any:
    """Translate in ``lang`` inside the block (the CLI and jobs have no request)."""
    token = i18n.current_language.set(lang)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def build(
    session: Session, *, settings: Any, period: Period, lang: str, narrative: str = ""
) -> dict[str, Any]:
    """The report's document: the week's public sections, in ``lang``."""
    check_language(lang)
    with language(lang):
        doc = service.dashboard(session, settings=settings, period=period, audience="public")
        names = {p.pcode: p.name(lang) for p in PlaceIndex.load(session).governorates()}
    return {
        **doc,
        "lang": lang,
        "narrative": narrative,
        "generated_at": utcnow().isoformat(),
        "area_names": names,
    }


def _environment(settings: Any) -> Any:
    from marsad.web.templating import make_environment

    return make_environment(settings.timezone, get_registry(settings))


def render_html(doc: dict[str, Any], *, settings: Any, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no script)."""
    lang = doc["lang"]
    with language(lang):
        env = _environment(settings)
        return env.get_template("publish/report.html").render(
            doc=doc,
            lang=lang,
            dir=i18n.direction(lang),
            charts=ChartHelper(lang, doc.get("area_names")),
            for_pdf=for_pdf,
            k=settings.reports.reports_min_public_count,
            fonts=FONTS.as_uri(),
            sources=[
                (section["title"], item)
                for section in doc["sections"]
                for item in section["figures"].get("sources", [])
            ],
        )


def render_pdf(doc: dict[str, Any], *, settings: Any) -> bytes:
    """The report as PDF (WeasyPrint, vendored font, no network access)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        """Loads the vendored fonts and nothing else (no network, no other file)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(FONTS.as_uri() + "/"):
                raise ValueError(f"the report may not load {url}")
            return super().fetch(url, headers)

    html = render_html(doc, settings=settings, for_pdf=True)

    started = time.monotonic()
    pdf = HTML(
        string=html,
        base_url=FONTS.as_uri() + "/",
        url_fetcher=FontsOnly(allowed_protocols={"file"}),
    ).write_pdf()
    log.info("weekly report rendered", extra={"seconds": round(time.monotonic() - started, 2)})
    return pdf


def write_report(
    session: Session,
    *,
    settings: Any,
    week: str,
    lang: str,
    fmt: str,
    out: Path,
    narrative: str = "",
) -> dict[str, Any]:
    """Build and write the week's report to ``out``; what was written, as JSON."""
    check_format(fmt)
    check_language(lang)
    period = Period.parse(week, timezone=settings.timezone)
    doc = build(session, settings=settings, period=period, lang=lang, narrative=narrative)
    body = (
        render_pdf(doc, settings=settings)
        if fmt == "pdf"
        else render_html(doc, settings=settings).encode("utf-8")
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(out)  # a killed run leaves no half-written report under the real name
    return {
        "week": period.label,
        "lang": lang,
        "format": fmt,
        "out": str(out),
        "bytes": len(body),
        "sections": [section["key"] for section in doc["sections"]],
        "figures_traced": sum(len(s["figures"].get("sources", [])) for s in doc["sections"]),
    }
