"""The reports' charts: Vega-Lite specs built with Altair, drawn in the console by the
vendored vega-embed (web/static/vega). Data inline (the report's rows), so the page
fetches nothing more to draw it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import altair as alt

from causeway.reports.base import ChartSpec, Row, chart_values

WIDTH = 640
HEIGHT = 280


def bar(
    rows: Sequence[Row],
    *,
    category: str,
    value: str,
    title: str,
    value_title: str,
    color: str | None = None,
    value_format: str = ",.2f",
    tooltip: Sequence[str] = (),
) -> ChartSpec:
    """Horizontal bars: one per `category` (stacked by `color`), the longest first."""
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{category}:N", sort="-x", title=None),
        "x": alt.X(f"sum({value}):Q", title=value_title, axis=alt.Axis(format=value_format)),
        "tooltip": tips(rows, (category, *tooltip, value)),
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " "))
    chart = (
        alt.Chart(alt.Data(values=chart_values(rows)), title=title, width=WIDTH)
        .mark_bar()
        .encode(**encoding)
    )
    return chart.to_dict()


def grouped_bar(
    rows: Sequence[Row],
    *,
    category: str,
    series: str,
    value: str,
    title: str,
    value_title: str,
    value_format: str = ",.1f",
) -> ChartSpec:
    """Bars side by side: for each `category`, one bar per `series` (its colour)."""
    chart = (
        alt.Chart(alt.Data(values=chart_values(rows)), title=title, width=WIDTH)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=None),
            yOffset=alt.YOffset(f"{series}:N"),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color(f"{series}:N", title=series.replace("_", " ")),
            tooltip=tips(rows, (category, series, value)),
        )
    )
    return chart.to_dict()


def folded_bar(
    rows: Sequence[Row],
    *,
    category: str,
    measures: dict[str, str],
    title: str,
    value_title: str,
    value_format: str = ",.2f",
) -> ChartSpec:
    """For each `category`, one bar per measure (column -> label), side by side."""
    chart = (
        alt.Chart(alt.Data(values=chart_values(rows)), title=title, width=WIDTH)
        .transform_fold(list(measures), as_=["measure", "amount"])
        .transform_calculate(figure=_labels(measures))
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=None),
            yOffset=alt.YOffset("figure:N", sort=list(measures.values())),
            x=alt.X("amount:Q", title=value_title, axis=alt.Axis(format=value_format)),
            color=alt.Color("figure:N", title=None, sort=list(measures.values())),
            tooltip=[
                *tips(rows, (category,)),
                alt.Tooltip("figure:N"),
                alt.Tooltip("amount:Q", format=value_format),
            ],
        )
    )
    return chart.to_dict()


def tips(rows: Sequence[Row], names: Sequence[str]) -> list[alt.Tooltip]:
    """Tooltips for these columns, each typed by its values (numbers: quantitative)."""
    return [alt.Tooltip(f"{name}:{_type(rows, name)}") for name in names]


def _type(rows: Sequence[Row], name: str) -> str:
    values = [row.get(name) for row in rows if row.get(name) is not None]
    numeric = values and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
    )
    return "Q" if numeric else "N"


def _labels(measures: dict[str, str]) -> str:
    """A Vega expression naming each folded measure by its label (labels of the code's)."""
    expression = "datum.measure"
    for column, label in reversed(measures.items()):
        expression = f"datum.measure === '{column}' ? '{label}' : ({expression})"
    return expression


def empty(title: str) -> ChartSpec:
    """A chart with nothing to draw but its title (no rows)."""
    chart = alt.Chart(alt.Data(values=[{"note": "No rows for these filters"}]), title=title)
    return chart.mark_text(size=14).encode(text="note:N").properties(width=WIDTH).to_dict()
