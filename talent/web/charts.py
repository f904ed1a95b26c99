"""Charts as SVG images, drawn on the server by pygal: no script, no CDN, readable when printed, and the labels are
text in the page's language (the browser's Chinese font draws them).

A chart is its own response (`svg_response`), shown with <img>: the pages' Content-Security-Policy allows no inline
style, and pygal styles its SVG with an inline <style>; as an image document the SVG gets its own, narrower policy
(no script at all, its own styles only).

Every chart has the same data as the table beside it; the chart is decoration for the eye, the table is the record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

# Colours with at least 3:1 contrast against white for bars; text colours at least 4.5:1.
PALETTE = ("#1f5fa8", "#b5472e", "#2f7d4f", "#7a4fa0", "#8a6d00", "#3d6b7a", "#a0325e", "#555555")


def _style():
    from pygal.style import Style

    return Style(
        background="transparent", plot_background="transparent", foreground="#222222",
        foreground_strong="#111111", foreground_subtle="#595959", colors=PALETTE,
        font_family="'WenQuanYi Micro Hei','Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif",
        label_font_size=13, major_label_font_size=13, value_font_size=12, legend_font_size=13,
        title_font_size=15, tooltip_font_size=13,
    )


def _config(chart, title: str) -> None:
    chart.config.js = []  # pygal's default pulls a tooltip script from the internet: never
    chart.config.disable_xml_declaration = True
    chart.config.explicit_size = False
    chart.config.width, chart.config.height = 720, 360
    chart.title = title
    chart.print_values = False
    chart.show_legend = True
    chart.legend_at_bottom = True
    chart.truncate_label = -1
    chart.truncate_legend = -1


def _render(chart, description: str) -> str:
    svg = chart.render(is_unicode=True)
    # pygal writes its configuration as an inline script for its (unused) tooltip code: an image never runs it
    # and the SVG's policy forbids it, so it is left out
    svg = re.sub(r"<script[^>]*>.*?</script>", "", svg, flags=re.S)
    # an accessible name for the picture when opened on its own; the page's <img> has the same as alt text
    return svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(description)}" ', 1)


def svg_response(svg: str) -> Any:
    from flask import Response

    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]],
              horizontal: bool = False) -> str:
    import pygal

    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(style=_style())
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.show_legend = len(series) > 1
    for name, values in series.items():
        chart.add(name, [None if v is None else v for v in values])
    return _render(chart, title)


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]]) -> str:
    import pygal

    chart = pygal.Line(style=_style(), x_label_rotation=30 if len(labels) > 12 else 0)
    _config(chart, title)
    chart.x_labels = list(labels)
    chart.show_legend = len(series) > 1
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart, title)
