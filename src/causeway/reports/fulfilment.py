"""Fulfilment lead time: how fast do orders ship, per channel and warehouse?

Per channel and warehouse, over the ERP's done customer shipments whose ship day is in
the range (fact_fulfilments; lead_time_hours = shipped_at - ordered_at, in hours):
  shipments = count;  mean = avg(lead_time_hours)
  p50, p90  = the 50th and 90th percentiles of lead_time_hours (continuous: interpolated
              between the two nearest shipments, DuckDB's quantile_cont)
  max       = the slowest shipment
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, chart_values, matching
from causeway.reports.filters import Filter

SQL = f"""
SELECT f.channel, coalesce(f.warehouse, '(unknown)') AS warehouse,
  count(*) AS shipments,
  avg(f.lead_time_hours) AS mean_hours,
  quantile_cont(f.lead_time_hours, 0.5) AS p50_hours,
  quantile_cont(f.lead_time_hours, 0.9) AS p90_hours,
  max(f.lead_time_hours) AS max_hours
FROM fact_fulfilments f
WHERE f.lead_time_hours IS NOT NULL AND {matching("f", day="ship_date")}
GROUP BY f.channel, coalesce(f.warehouse, '(unknown)')
ORDER BY f.channel, warehouse
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Hours from order to shipment: median (bar) and 90th percentile (tick)"
    if not rows:
        return charts.empty(title)
    data = [{**row, "where": f"{row['channel']} · {row['warehouse']}"} for row in rows]
    base = alt.Chart(alt.Data(values=chart_values(data)), title=title, width=charts.WIDTH)
    y = alt.Y("where:N", title=None)
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X("p50_hours:Q", title="hours"),
        tooltip=charts.tips(
            data, ("channel", "warehouse", "shipments", "mean_hours", "p50_hours", "p90_hours")
        ),
    )
    ticks = base.mark_tick(color="#d62728", thickness=3).encode(y=y, x="p90_hours:Q")
    return alt.layer(bars, ticks).to_dict()


REPORT = Report(
    slug="fulfilment-lead-time",
    title="Fulfilment lead time",
    question="How many hours pass from an order to its shipment, per channel and warehouse?",
    formula=(
        "lead time = shipment done (ERP) - order placed, in hours, per shipment; per "
        "channel and warehouse: count, mean, median (p50) and 90th percentile (p90, "
        "interpolated), maximum. Shipments whose ship day is in the range."
    ),
    sql=SQL,
    columns=(
        Column("channel", "Channel"),
        Column("warehouse", "Warehouse"),
        Column("shipments", "Shipments", Kind.COUNT),
        Column("mean_hours", "Mean (h)", Kind.HOURS),
        Column("p50_hours", "Median (h)", Kind.HOURS),
        Column("p90_hours", "90th percentile (h)", Kind.HOURS),
        Column("max_hours", "Slowest (h)", Kind.HOURS),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
