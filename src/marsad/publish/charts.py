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


def svg(chart: Chart) -> Markup:
    """The chart as an ``<svg>`` element (safe to embed as it is)."""
    draw = {"bar": _bar, "line": _line, "stacked": _stacked, "choropleth": _choropleth}
    body, height = draw[chart.kind](chart)
    rtl = chart.lang in RTL
    # The layout is mirrored by coordinates; ``direction`` stays ltr (a page's dir=rtl
    # would otherwise flip every text-anchor); each label's letters still run right to left.
    # Every label and title in ``body`` went through html.escape; numbers are formatted here.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{chart.kind}" role="img" '
        f'viewBox="0 0 {chart.width} {height}" width="100%" '
        f'direction="ltr" data-dir="{"rtl" if rtl else "ltr"}" {FONT} font-size="12">'
        f"<title>{escape(chart.title)}</title>{body}</svg>"
    )


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


def _empty(chart: Chart) -> tuple[str, int]:
    return _text(
        chart.width / 2, 40, _("No data for this period.", chart.lang), "middle", fill=MUTED
    ), 60


def _bar(chart: Chart) -> tuple[str, int]:
    """Horizontal bars, one per category (first series only), labels on the reading side."""
    if not chart.categories or not chart.series:
        return _empty(chart)
    values = chart.series[0].values
    rtl = chart.lang in RTL
    row, label_w, pad = 24, chart.width * 0.38, 6
    height = row * len(chart.categories) + 8
    top = max((v for v in values if v is not None), default=0)
    scale = (chart.width - label_w - 64) / (top or 1)
    parts = []
    for i, (label, value) in enumerate(zip(chart.categories, values, strict=True)):
        y = 4 + i * row
        length = (value or 0) * scale
        if rtl:
            label_x, anchor, bar_x = chart.width - pad, "end", chart.width - label_w - length
            value_x, value_anchor = bar_x - 4, "end"
        else:
            label_x, anchor, bar_x = pad, "start", label_w
            value_x, value_anchor = label_w + length + 4, "start"
        parts.append(_text(label_x, y + 16, label, anchor, fill=INK))
        tip = f"<title>{escape(label)}: {escape(_value_text(chart, value))}</title>"
        if value is None:
            hidden_x = chart.width - label_w - 24 if rtl else label_w
            parts.append(
                f'<rect x="{hidden_x:.1f}" y="{y + 4}" width="24" height="{row - 8}" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="3 2">{tip}</rect>'
            )
            value_x = hidden_x - 4 if rtl else hidden_x + 28
        else:
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{y + 4}" width="{max(length, 1):.1f}" '
                f'height="{row - 8}" fill="{PALETTE[0]}">{tip}</rect>'
            )
        parts.append(_text(value_x, y + 16, _value_text(chart, value), value_anchor, fill=INK))
    return "".join(parts), height


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
        label = _value_text(chart, value)
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
    margin = 56
    if chart.lang in RTL:
        return 8.0, chart.width - margin, 10.0, chart.height - 60
    return float(margin), chart.width - 8.0, 10.0, chart.height - 60


def _legend(chart: Chart, y: float) -> list[str]:
    rtl = chart.lang in RTL
    parts: list[str] = []
    if len(chart.series) < 2:
        return parts  # the chart's heading names its one series
    x = chart.width - 8 if rtl else 8
    for i, series in enumerate(chart.series):
        color = PALETTE[i % len(PALETTE)]
        width = 22 + 7 * len(series.name)
        box_x = x - 12 if rtl else x
        parts.append(f'<rect x="{box_x}" y="{y - 10}" width="12" height="12" fill="{color}"/>')
        text_x = x - 16 if rtl else x + 16
        parts.append(_text(text_x, y, series.name, "end" if rtl else "start", fill=INK))
        x = x - width if rtl else x + width
    return parts


def _line(chart: Chart) -> tuple[str, int]:
    """One line per series over the categories (weeks); gaps where a value is hidden."""
    if not chart.categories or not chart.series:
        return _empty(chart)
    plot = _plot(chart)
    top = _nice_max(max((v or 0 for s in chart.series for v in s.values), default=0), chart.percent)
    _left, _right, upper, lower = plot
    parts = _axes(chart, top, plot)
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
        parts.insert(
            0, f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="2"/>'
        )
    parts += _legend(chart, chart.height - 16)
    return "".join(parts), chart.height


def _stacked(chart: Chart) -> tuple[str, int]:
    """Vertical bars per category (week), the series stacked; hidden values left out."""
    if not chart.categories or not chart.series:
        return _empty(chart)
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
    parts += _legend(chart, chart.height - 16)
    return "".join(parts), chart.height


def _shade(value: float, top: float) -> str:
    """A blue from light to dark by value/top (5 classes, readable in print)."""
    classes = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
    index = min(int(value / top * len(classes)), len(classes) - 1) if top else 0
    return classes[index]


def _choropleth(chart: Chart) -> tuple[str, int]:
    """The built-in boundaries shaded by value; hidden counts hatched, absent ones blank."""
    shapes = boundaries(chart.level)["features"]
    map_w = chart.width * 0.68
    project = Projection.fit(
        (pt for f in shapes for pt in coordinates(f["geometry"])),
        width=map_w,
        height=chart.height,
    )
    rtl = chart.lang in RTL
    offset = chart.width - map_w if not rtl else 0
    top = max((v for v in chart.areas.values() if v is not None), default=0)
    parts = [
        '<defs><pattern id="hidden" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<path d="M0,6L6,0" stroke="{MUTED}" stroke-width="1"/></pattern></defs>',
        f'<g transform="translate({offset:.0f},0)">',
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
    parts.append("</g>")
    # The legend: the value of each shade, on the reading side.
    legend_x = chart.width - 8 if rtl else 8
    anchor = "end" if rtl else "start"
    steps = [(_shade(top * (i + 0.5) / 5, top), top * (i + 1) / 5) for i in range(5)] if top else []
    y = 20
    for color, upto in steps:
        box = legend_x - 14 if rtl else legend_x
        parts.append(f'<rect x="{box}" y="{y - 11}" width="14" height="14" fill="{color}"/>')
        label = "≤ " + _value_text(chart, round(upto))
        parts.append(_text(legend_x - 20 if rtl else legend_x + 20, y, label, anchor, fill=INK))
        y += 20
    if any(v is None for v in chart.areas.values()):
        box = legend_x - 14 if rtl else legend_x
        parts.append(
            f'<rect x="{box}" y="{y - 11}" width="14" height="14" fill="url(#hidden)" '
            f'stroke="{MUTED}"/>'
        )
        label = _value_text(chart, None)
        parts.append(_text(legend_x - 20 if rtl else legend_x + 20, y, label, anchor, fill=INK))
    return "".join(parts), chart.height


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
