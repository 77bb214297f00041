"""Charts drawn on the server as SVG by pygal: transparent, in a grey readable on light and dark
pages, with pygal's tooltip script left out (shown as an image it would never run). Each page
that shows one also gives its figures as a table and as CSV."""

from __future__ import annotations

import re

from django.http import HttpResponse


def bar_svg(labels: list[str], values: list[int], *, title: str, every: int = 1, width: int = 600) -> bytes:
    """A bar chart of whole numbers; `every` shows one x label in that many."""
    import pygal
    from pygal.style import Style

    style = Style(
        background="transparent",
        plot_background="transparent",
        foreground="#8a8f98",
        foreground_strong="#8a8f98",
        foreground_subtle="#8a8f9833",
        colors=("#3b82f6",),
        font_family="system-ui, 'PingFang TC', 'Noto Sans CJK TC', sans-serif",
    )
    chart = pygal.Bar(
        style=style,
        width=width,
        height=220,
        show_legend=False,
        js=[],
        disable_xml_declaration=True,
        x_label_rotation=0,
        show_minor_x_labels=False,
        truncate_label=-1,
        margin=8,
        title=None,
    )
    chart.x_labels = labels
    chart.x_labels_major = [label for i, label in enumerate(labels) if i % every == 0]
    most = max([*values, 1])
    step = max(1, -(-most // 4))  # whole numbers, four or five lines
    chart.y_labels = list(range(0, most + step, step))
    chart.add(title, values)
    out = chart.render()
    svg = out.decode() if isinstance(out, bytes) else out
    return re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL).encode()


def svg_response(svg: bytes) -> HttpResponse:
    """The chart as its own response: it styles itself, and nothing in it runs."""
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=60"
    return response
