"""Charts as inline SVG, drawn on the server from one specification.

A :class:`Chart` says what to show (kind, categories, series, language); the
function :func:`svg` draws it. The same SVG is embedded in the dashboard, the
weekly report's HTML and its PDF (WeasyPrint draws SVG), and works with
JavaScript off. Each mark carries a ``<title>`` so a browser shows the exact
value on hover or long press without any script.

Right-to-left languages (ar, ckb) mirror the layout: time runs from right to
left, the value axis is on the right, bar labels sit on the right. Numbers are
written with Arabic-Indic digits in ar and ckb and Latin digits in en. A hidden
small count (``None``) is drawn as an empty outline and labelled "fewer than k".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

from markupsafe import Markup

from marsad.core.i18n import RTL, translations
from marsad.core.places.shapes import Projection, boundaries, coordinates

Kind = Literal["bar", "line", "stacked", "choropleth"]
PALETTE = ("#1b6ca8", "#e07b39", "#3a9a5b", "#b8424a", "#7a5ba6", "#8c6d31", "#4a4a4a", "#d4a017")
INK, GRID, MUTED = "#222", "#ddd", "#777"
FONT = "font-family=\"'Noto Sans Arabic','Noto Sans',sans-serif\""
ARABIC_INDIC = str.maketrans("0123456789.%", "٠١٢٣٤٥٦٧٨٩٫٪")


def _(message: str, lang: str) -> str:
    """``message`` in the chart's language (not necessarily the page's)."""
    return translations(lang).gettext(message)


def digits(value: Any, lang: str) -> str:
    """A number (or text with numbers) in the digits of ``lang``."""
    if isinstance(value, float):
        text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    else:
        text = str(value)
    return text.translate(ARABIC_INDIC) if lang in RTL else text


@dataclass
class Series:
    name: str
    values: list[float | None]


@dataclass
class Chart:
    """What to draw.

    ``categories``: the x labels (weeks) or bar labels; ``series``: one or more
    value lists aligned with them (``None`` = hidden small count);
    ``areas``: for a choropleth, P-code → value (``None`` = hidden), drawn on the
    built-in boundaries of ``level``; ``percent``: values are shares in %.
    """

    kind: Kind
    title: str
    lang: str = "ar"
    categories: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    areas: dict[str, float | None] = field(default_factory=dict)
    area_names: dict[str, str] = field(default_factory=dict)
    level: int = 1
    percent: bool = False
    fewer_than: int | None = None
    width: int = 480
    height: int = 220


Legend = list[tuple[str, str]]  # (fill, label)


def svg(chart: Chart) -> Markup:
    """The chart as HTML: an ``<svg>`` of marks and numbers, with words in HTML around it.

    Words (bar labels, legends, "no data") are HTML, not SVG text, so the browser and
    WeasyPrint shape Arabic and Kurdish and order them right to left as the page does
    (PDF renderers draw SVG text letter by letter). Inside the SVG there are only
    marks, digits and ``<title>`` tips.
    """
    if chart.kind == "bar":
        return _bar(chart)
    has_data = bool(chart.areas) or chart.kind == "choropleth"
    if chart.kind != "choropleth":
        has_data = bool(chart.categories and chart.series)
    if not has_data:
        message = _("No data for this period.", chart.lang)
        return Markup(f'<p class="chart-empty muted">{escape(message)}</p>')  # noqa: S704
    draw = {"line": _line, "stacked": _stacked, "choropleth": _choropleth}
    body, height, legend = draw[chart.kind](chart)
    rtl = chart.lang in RTL
    # The layout is mirrored by coordinates; ``direction`` stays ltr (a page's dir=rtl
    # would otherwise flip every text-anchor). Everything in ``body`` went through
    # html.escape or is a number formatted here.
    return Markup(  # noqa: S704
        f'<figure class="chart-figure chart-{chart.kind}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" role="img" '
        f'viewBox="0 0 {chart.width} {height}" width="100%" '
        f'direction="ltr" data-dir="{"rtl" if rtl else "ltr"}" {FONT} font-size="12">'
        f"<title>{escape(chart.title)}</title>{body}</svg>{_legend(legend)}</figure>"
    )


def _swatch(fill: str) -> str:
    """A 12 px key; ``url(#hidden)`` is drawn as its own hatching (no reference needed)."""
    if fill.startswith("url("):
        mark = (
            f'<rect x="0.5" y="0.5" width="11" height="11" fill="none" stroke="{MUTED}"/>'
            f'<path d="M0,12L12,0M0,6L6,0M6,12L12,6" stroke="{MUTED}"/>'
        )
    else:
        mark = f'<rect width="12" height="12" fill="{fill}"/>'
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="swatch" width="12" height="12" '
        f'viewBox="0 0 12 12" aria-hidden="true">{mark}</svg>'
    )


def _legend(items: Legend) -> str:
    if not items:
        return ""
    unique = list(dict.fromkeys(items))
    entries = "".join(f"<li>{_swatch(fill)} {escape(label)}</li>" for fill, label in unique)
    return f'<ul class="chart-legend">{entries}</ul>'


def _value_text(chart: Chart, value: float | None) -> str:
    if value is None:
        k = chart.fewer_than or 0
        return _("fewer than %(k)s", chart.lang) % {"k": digits(k, chart.lang)}
    text = digits(round(value, 1) if chart.percent else value, chart.lang)
    return text + ("٪" if chart.lang in RTL else "%") if chart.percent else text


def _text(x: float, y: float, text: str, anchor: str, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _nice_max(value: float, percent: bool = False) -> float:
    if not percent:
        value = max(value, 4)  # counts: whole-number grid lines
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    top = next((step * power for step in (1, 2, 2.5, 5, 10) if value <= step * power), value)
    # Counts get four whole-number steps between grid lines.
    return top if percent else float(math.ceil(top / 4) * 4)


def _bar(chart: Chart) -> Markup:
    """Horizontal bars as table rows: the label (HTML), a bar (SVG), the value (HTML).

    The table follows the page's direction, so in Arabic the labels sit on the right
    and bars grow leftwards from them.
    """
    if not chart.categories or not chart.series:
        message = _("No data for this period.", chart.lang)
        return Markup(f'<p class="chart-empty muted">{escape(message)}</p>')  # noqa: S704
    rtl = chart.lang in RTL
    values = chart.series[0].values
    top = max((v for v in values if v is not None), default=0) or 1
    width, height = 200, 14
    rows = []
    for label, value in zip(chart.categories, values, strict=True):
        tip = f"<title>{escape(label)}: {escape(_value_text(chart, value))}</title>"
        if value is None:
            x = width - 24 if rtl else 0
            mark = (
                f'<rect x="{x + 0.5}" y="0.5" width="23" height="{height - 1}" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 2">{tip}</rect>'
            )
        else:
            length = max(value / top * width, 1)
            x = width - length if rtl else 0
            mark = (
                f'<rect x="{x:.1f}" y="0" width="{length:.1f}" height="{height}" '
                f'fill="{PALETTE[0]}">{tip}</rect>'
            )
        bar = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" width="100%" height="{height}" '
            f'viewBox="0 0 {width} {height}" preserveAspectRatio="none" role="img">{mark}</svg>'
        )
        rows.append(
            f'<tr><th scope="row">{escape(label)}</th><td class="bar-cell">{bar}</td>'
            f'<td class="bar-value">{escape(_value_text(chart, value))}</td></tr>'
        )
    return Markup(  # noqa: S704 - every text above went through html.escape
        f'<table class="chart-bars" aria-label="{escape(chart.title)}">{"".join(rows)}</table>'
    )


def _axes(chart: Chart, top: float, plot: tuple[float, float, float, float]) -> list[str]:
    """Grid lines with value labels on the reading side, and the x labels (thinned)."""
    left, right, upper, lower = plot
    rtl = chart.lang in RTL
    parts = []
    for step in range(5):
        value = top * step / 4
        y = lower - (lower - upper) * step / 4
        parts.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        label = digits(round(value, 1) if chart.percent else value, chart.lang)
        if rtl:
            parts.append(_text(right + 4, y + 4, label, "start", fill=MUTED))
        else:
            parts.append(_text(left - 4, y + 4, label, "end", fill=MUTED))
    count = len(chart.categories)
    every = max(1, math.ceil(count / 6))
    for i, label in enumerate(chart.categories):
        if i % every and i != count - 1:
            continue
        x = _x(chart, i, plot)
        parts.append(_text(x, lower + 16, digits(label, chart.lang), "middle", fill=MUTED))
    return parts


def _x(chart: Chart, i: int, plot: tuple[float, float, float, float]) -> float:
    left, right, _upper, _lower = plot
    count = max(len(chart.categories), 1)
    slot = (right - left) / count
    x = left + slot * (i + 0.5)
    return right - (x - left) if chart.lang in RTL else x


def _plot(chart: Chart) -> tuple[float, float, float, float]:
    margin = 40
    if chart.lang in RTL:
        return 8.0, chart.width - margin, 10.0, chart.height - 26
    return float(margin), chart.width - 8.0, 10.0, chart.height - 26


def _series_legend(chart: Chart) -> Legend:
    if len(chart.series) < 2:
        return []  # the chart's heading names its one series
    return [(PALETTE[i % len(PALETTE)], s.name) for i, s in enumerate(chart.series)]


def _line(chart: Chart) -> tuple[str, int, Legend]:
    """One line per series over the categories (weeks); gaps where a value is hidden."""
    plot = _plot(chart)
    top = _nice_max(max((v or 0 for s in chart.series for v in s.values), default=0), chart.percent)
    _left, _right, upper, lower = plot
    axes = _axes(chart, top, plot)
    parts: list[str] = []
    for n, series in enumerate(chart.series):
        color = PALETTE[n % len(PALETTE)]
        points = []
        for i, value in enumerate(series.values):
            if value is None:
                points.append(None)
                continue
            y = lower - (lower - upper) * value / top
            points.append((_x(chart, i, plot), y))
            tip = f"{series.name} {chart.categories[i]}: {_value_text(chart, value)}"
            parts.append(
                f'<circle cx="{points[-1][0]:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        path, pen = [], "M"
        for point in points:
            if point is None:
                pen = "M"
                continue
            path.append(f"{pen}{point[0]:.1f},{point[1]:.1f}")
            pen = "L"
        # Lines over the grid, under every series' points.
        axes.append(f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>')
    return "".join(axes + parts), chart.height, _series_legend(chart)


def _stacked(chart: Chart) -> tuple[str, int, Legend]:
    """Vertical bars per category (week), the series stacked; hidden values left out."""
    plot = _plot(chart)
    left, right, upper, lower = plot
    totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
    top = _nice_max(max(totals, default=0), chart.percent)
    parts = _axes(chart, top, plot)
    slot = (right - left) / len(chart.categories)
    width = max(slot * 0.7, 2)
    for i, week in enumerate(chart.categories):
        x = _x(chart, i, plot) - width / 2
        base = lower
        for n, series in enumerate(chart.series):
            value = series.values[i]
            if not value:
                continue
            h = (lower - upper) * value / top
            base -= h
            tip = f"{series.name} {week}: {_value_text(chart, value)}"
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
    return "".join(parts), chart.height, _series_legend(chart)


def _shade(value: float, top: float) -> str:
    """A blue from light to dark by value/top (5 classes, readable in print)."""
    classes = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
    index = min(int(value / top * len(classes)), len(classes) - 1) if top else 0
    return classes[index]


def _choropleth(chart: Chart) -> tuple[str, int, Legend]:
    """The built-in boundaries shaded by value; hidden counts hatched, absent ones blank."""
    shapes = boundaries(chart.level)["features"]
    project = Projection.fit(
        (pt for f in shapes for pt in coordinates(f["geometry"])),
        width=chart.width,
        height=chart.height,
    )
    top = max((v for v in chart.areas.values() if v is not None), default=0)
    parts = [
        '<defs><pattern id="hidden" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<path d="M0,6L6,0" stroke="{MUTED}" stroke-width="1"/></pattern></defs>',
    ]
    for feature in shapes:
        pcode = feature["id"]
        name = chart.area_names.get(pcode, pcode)
        if pcode in chart.areas:
            value = chart.areas[pcode]
            fill = "url(#hidden)" if value is None else _shade(value, top)
            tip = f"{name}: {_value_text(chart, value)}"
        else:
            fill, tip = "#f4f4f4", f"{name}: {digits(0, chart.lang)}"
        parts.append(
            f'<path d="{project.path(feature["geometry"])}" fill="{fill}" stroke="#fff" '
            f'stroke-width="0.8" fill-rule="evenodd" data-pcode="{pcode}">'
            f"<title>{escape(tip)}</title></path>"
        )
    legend: Legend = []
    if top:
        for i in range(5):  # five classes; equal labels (small tops) are shown once
            upto = round(top * (i + 1) / 5)
            legend.append((_shade(top * (i + 0.5) / 5, top), "≤ " + _value_text(chart, upto)))
    if any(v is None for v in chart.areas.values()):
        legend.append(("url(#hidden)", _value_text(chart, None)))
    return "".join(parts), chart.height, legend


class ChartHelper:
    """What section templates call as ``charts``: figures in, SVG (or a number) out.

    Rows are the sections' ``{key, label, count[, fewer_than]}`` dicts.
    """

    def __init__(self, lang: str, area_names: dict[str, str] | None = None) -> None:
        self.lang = lang
        self.area_names = area_names or {}

    def number(self, value: Any, percent: bool = False) -> str:
        if value is None:
            return "—"
        text = digits(round(value, 1) if isinstance(value, float) else value, self.lang)
        return text + ("٪" if self.lang in RTL else "%") if percent else text

    def isolated(self, value: Any) -> Markup:
        """A code or date (``2026-W49``, ``2026-12-06``) isolated left to right.

        In Arabic and Kurdish a bare ``2026-W49`` between words is laid out by the
        bidi algorithm and comes out reversed (``W49-2026``); ``<bdi dir="ltr">``
        isolates it in browsers, and the LRI/PDI marks inside do the same in
        WeasyPrint's PDF and in plain-text copies.
        """
        text = escape(self.number(value))
        return Markup(f'<bdi dir="ltr" class="iso">\u2066{text}\u2069</bdi>')  # noqa: S704

    def count(self, cell: dict[str, Any]) -> str:
        """A ``{count[, fewer_than]}`` cell as text."""
        if cell.get("count") is None and cell.get("fewer_than"):
            return _("fewer than %(k)s", self.lang) % {"k": digits(cell["fewer_than"], self.lang)}
        return self.number(cell.get("count") or 0)

    @staticmethod
    def _k(rows: list[dict[str, Any]]) -> int | None:
        return next((row["fewer_than"] for row in rows if row.get("fewer_than")), None)

    def bars(self, rows: list[dict[str, Any]], title: str, percent: bool = False) -> Markup:
        chart = Chart(
            "bar",
            title,
            self.lang,
            categories=[str(row["label"]) for row in rows],
            series=[Series(title, [row.get("count") for row in rows])],
            fewer_than=self._k(rows),
            percent=percent,
        )
        return svg(chart)

    def weeks(self, rows: list[dict[str, Any]], title: str) -> Markup:
        chart = Chart(
            "stacked",
            title,
            self.lang,
            categories=[str(row["key"]).split("-W")[-1] for row in rows],
            series=[Series(title, [row.get("count") for row in rows])],
            fewer_than=self._k(rows),
        )
        return svg(chart)

    def lines(
        self,
        weeks: list[str],
        series: dict[str, list[float | None]],
        title: str,
        percent: bool = False,
    ) -> Markup:
        chart = Chart(
            "line",
            title,
            self.lang,
            categories=[week.split("-W")[-1] for week in weeks],
            series=[Series(name, values) for name, values in series.items()],
            percent=percent,
        )
        return svg(chart)

    def stacked(
        self, weeks: list[str], series: dict[str, list[float | None]], title: str
    ) -> Markup:
        chart = Chart(
            "stacked",
            title,
            self.lang,
            categories=[week.split("-W")[-1] for week in weeks],
            series=[Series(name, values) for name, values in series.items()],
        )
        return svg(chart)

    def map(self, rows: list[dict[str, Any]], title: str) -> Markup:
        areas = {row["key"]: row.get("count") for row in rows if row["key"] != "unknown"}
        names = {**self.area_names, **{row["key"]: str(row["label"]) for row in rows}}
        chart = Chart(
            "choropleth",
            title,
            self.lang,
            areas=areas,
            area_names=names,
            fewer_than=self._k(rows),
            height=260,
        )
        return svg(chart)
