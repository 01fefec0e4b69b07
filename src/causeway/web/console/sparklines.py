"""Small 24-hour charts, drawn on the server as inline SVG (pygal): no JavaScript.

Each chart says in words what it draws (its accessible name and <title>), for screen
readers and for whoever cannot see the bars; pygal's own script (its tooltips, which
need its JavaScript) and comments are left out.
"""

from __future__ import annotations

import re

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from causeway.engine.flow_stats import Activity

# Small and fixed: a row of the overview stays a line or two high (console.css draws
# them at this height).
WIDTH, HEIGHT = 240, 32
DONE_COLOUR, PARKED_COLOUR, LAG_COLOUR = "#1f7a4d", "#c0392b", "#5b6cb2"
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=(DONE_COLOUR, PARKED_COLOUR),
    guide_stroke_color="transparent",
)
_LAG_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=(LAG_COLOUR,),
    guide_stroke_color="transparent",
)
_SCRIPT = re.compile(r"<script.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
# pygal's font rules: a sparkline has no text. Its colours are console.css's.
_DEFS = re.compile(r"<defs>.*?</defs>", re.S)
# The values pygal keeps for its tooltips: the label says them, in words.
_DESC = re.compile(r"<desc [^>]*>[^<]*</desc>")
# An empty hour draws nothing: its bar need not be there.
_EMPTY_BAR = re.compile(r'<g class="bar"><rect [^>]*height="0\.0"[^>]*/></g>')
# Coordinates to 0.1 px: the same drawing at a third of the size.
_DIGITS = re.compile(r"(\d+\.\d)\d+")


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def throughput_label(flow: str, day: Activity) -> str:
    peak = max((h.done for h in day.hours), default=0)
    return f"{flow}, last 24 hours: {day.done} done (at most {peak} in an hour), {day.dead} parked"


def lag_label(flow: str, day: Activity) -> str:
    return f"{flow}, last 24 hours: longest wait from arrival to done {duration_text(day.max_lag)}"


def throughput_chart(flow: str, day: Activity) -> Markup:
    """Jobs done (and parked, stacked above in red) per hour, oldest hour on the left."""
    chart = pygal.StackedBar(js=[], css=[], show_legend=False, style=_STYLE, spacing=1)
    chart.add("done", [h.done for h in day.hours])
    chart.add("parked", [h.dead for h in day.hours])
    return _inline(chart, throughput_label(flow, day))


def lag_chart(flow: str, day: Activity) -> Markup:
    """The mean lag of each hour's done jobs, as bars (a line needs two hours of data
    to draw anything; a bar shows the first hour too); hours without any are gaps."""
    chart = pygal.Bar(js=[], css=[], show_legend=False, style=_LAG_STYLE, spacing=1)
    chart.add("lag", [h.mean_lag for h in day.hours])
    return _inline(chart, lag_label(flow, day))


def _inline(chart: pygal.Graph, label: str) -> Markup:
    raw = chart.render_sparkline(
        width=WIDTH, height=HEIGHT, show_dots=False, disable_xml_declaration=True
    )
    svg = raw.decode() if isinstance(raw, bytes) else str(raw)
    for unwanted in (_SCRIPT, _COMMENT, _DEFS, _DESC):
        svg = unwanted.sub("", svg)
    svg = _EMPTY_BAR.sub("", _DIGITS.sub(r"\1", svg))
    name = str(escape(label))
    svg = _TITLE.sub(f"<title>{name}</title>", svg, count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{name}" focusable="false" ', 1)
    return Markup(svg)
