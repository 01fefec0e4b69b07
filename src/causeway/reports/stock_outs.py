"""Stock-out days: how often was each product out of stock, in the ERP's warehouses and
on each channel?

Per SKU, system, kind (erp: the ERP's warehouse; channel: what a store showed) and
location, over the daily snapshots in the range (fact_stock_snapshots):
  days_observed      = days with a snapshot (one row a day per SKU, system, kind, location)
  out_of_stock_days  = days whose snapshot says out_of_stock (quantity <= 0)
  share              = out_of_stock_days / days_observed
The channel filter keeps the snapshots of that system (a store's name, or the ERP's).
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

# One row per day, system, location, SKU and kind (the table's primary key): within a
# group the rows are its days, so count(*) counts days, without a DISTINCT to hash.
SQL = f"""
SELECT s.sku, s.kind, s.system, s.location,
  count(*) FILTER (WHERE s.out_of_stock) AS out_of_stock_days,
  count(*) AS days_observed,
  CAST(count(*) FILTER (WHERE s.out_of_stock) AS DOUBLE) / count(*) AS share,
  min(s.date) FILTER (WHERE s.out_of_stock) AS first_out,
  max(s.date) FILTER (WHERE s.out_of_stock) AS last_out
FROM fact_stock_snapshots s
WHERE {matching("s", day="date", channel="system", customer=None)}
GROUP BY s.sku, s.kind, s.system, s.location
ORDER BY out_of_stock_days DESC, s.sku, s.kind, s.system, s.location
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Days out of stock by SKU: the ERP's warehouses and the channels"
    shown = [row for row in rows if row["out_of_stock_days"]]
    if not shown:
        return charts.empty(title)
    return charts.bar(
        shown[:40],
        category="sku",
        value="out_of_stock_days",
        color="kind",
        title=title,
        value_title="days out of stock (summed over locations)",
        value_format="d",
        tooltip=("system", "location", "days_observed"),
    )


REPORT = Report(
    slug="stock-outs",
    title="Stock-out days",
    question="How many days was each product out of stock, in the ERP and on each channel?",
    formula=(
        "out-of-stock days = distinct snapshot days with quantity <= 0, per SKU, system, "
        "kind (erp or channel) and location; share = those days / days with a snapshot."
    ),
    sql=SQL,
    columns=(
        Column("sku", "SKU"),
        Column("kind", "Kind"),
        Column("system", "System"),
        Column("location", "Location"),
        Column("out_of_stock_days", "Days out of stock", Kind.COUNT),
        Column("days_observed", "Days observed", Kind.COUNT),
        Column("share", "Share", Kind.RATIO),
        Column("first_out", "First out"),
        Column("last_out", "Last out"),
    ),
    filters=frozenset({Filter.DATES, Filter.CHANNEL}),
    chart=_chart,
)
