"""Charts: right-to-left layout, digits by language, hidden counts; the built-in boundaries."""

from __future__ import annotations

import re

from marsad.core.places import gazetteer
from marsad.core.places.shapes import DATA, Projection, boundaries, coordinates, simplify_ring
from marsad.publish.charts import Chart, Series, digits, svg


def _bar(lang: str) -> str:
    chart = Chart(
        "bar", "t", lang, categories=["بغداد", "البصرة"], series=[Series("n", [12, None])]
    )
    chart.fewer_than = 3
    return str(svg(chart))


def test_digits_follow_the_language():
    assert digits(1234, "ar") == "١٢٣٤"
    assert digits(1234, "ckb") == "١٢٣٤"
    assert digits(12.5, "en") == "12.5"
    assert ">١٢<" in _bar("ar") and ">12<" in _bar("en")


def test_right_to_left_bars_grow_from_the_right():
    def first_bar(markup: str) -> tuple[float, float]:
        found = re.search(r'<rect x="([\d.]+)" y="0" width="([\d.]+)"', markup)
        return float(found.group(1)), float(found.group(2))

    def half(lang: str) -> str:
        chart = Chart("bar", "t", lang, categories=["a", "b"], series=[Series("n", [6, 12])])
        return str(svg(chart))

    assert first_bar(half("ar")) == (100.0, 100.0)  # anchored at the right edge
    assert first_bar(half("en")) == (0.0, 100.0)


def test_words_are_html_so_arabic_is_shaped_in_the_pdf():
    markup = _bar("ar")
    assert '<th scope="row">بغداد</th>' in markup
    assert "<text" not in markup
    line = str(
        svg(
            Chart(
                "line",
                "t",
                "ar",
                categories=["1", "2"],
                series=[Series("أ", [1, 2]), Series("ب", [2, 1])],
            )
        )
    )
    svg_part = line.split("</svg>")[0]
    assert "أ" not in svg_part.split("<title>")[0]  # legends live in the HTML list
    assert '<ul class="chart-legend">' in line


def test_a_hidden_count_is_drawn_as_an_outline_not_a_number():
    markup = _bar("en")
    assert "fewer than 3" in markup
    assert 'stroke-dasharray="3 2"' in markup


def test_line_chart_time_runs_right_to_left_in_arabic():
    def first_point_x(lang: str) -> float:
        chart = Chart("line", "t", lang, categories=["1", "2"], series=[Series("s", [1, 2])])
        return float(re.search(r'<circle cx="([\d.]+)"', str(svg(chart))).group(1))

    assert first_point_x("ar") > first_point_x("en")


def test_labels_are_escaped():
    chart = Chart("bar", "<b>", "en", categories=["<script>"], series=[Series("n", [5])])
    assert "<script>" not in str(svg(chart))


def test_builtin_boundaries_cover_every_gazetteer_area_and_stay_small():
    for level in (1, 2):
        pcodes = {f["id"] for f in boundaries(level)["features"]}
        assert pcodes == {row.pcode for row in gazetteer() if row.level == level}
    assert len(boundaries(1)["features"]) == 18
    size = sum(path.stat().st_size for path in DATA.glob("*.geojson"))
    assert size < 300_000


def test_projection_keeps_iraq_inside_the_canvas():
    points = [pt for f in boundaries(1)["features"] for pt in coordinates(f["geometry"])]
    project = Projection.fit(points, width=400, height=300)
    xs, ys = zip(*(project(lon, lat) for lon, lat in points), strict=True)
    assert min(xs) >= 0 and max(xs) <= 400 and min(ys) >= 0 and max(ys) <= 300
    north_y = project(44.0, 37.0)[1]
    south_y = project(47.0, 30.0)[1]
    assert north_y < south_y  # north is up


def test_simplify_keeps_a_closed_ring_and_drops_collinear_points():
    ring = [[0, 0], [1, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    out = simplify_ring(ring, 0.1)
    assert out[0] == out[-1] and [1, 0] not in out and len(out) == 5
