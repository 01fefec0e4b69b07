"""Product margin and sell-through: which products carry the margin, and how much of
what we had did we sell?

Per SKU, over the goods lines of placed orders in the filters (fact_order_lines), in the
company currency:
  units_sold    = sum(quantity)
  revenue       = sum(net_company)               (after the line's discounts, no tax)
  cogs          = sum(cost_company)              (the ERP's cost of goods)
  margin        = revenue - cogs;  margin_pct = margin / revenue
  ending_stock  = the ERP's on-hand quantity (fact_stock_snapshots, kind erp) summed over
                  its locations, on the SKU's last snapshot day up to the range's end
                  (negative on-hand counts as 0)
  sell_through  = units_sold / (units_sold + ending_stock)
Lines the ERP has no cost for yet (cost_company NULL) are counted in `uncosted_lines`
and left out of revenue, cost and margin alike; lines without a rate are left out too.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
WITH sold AS (
  SELECT l.sku, l.company_currency,
    sum(l.quantity) AS units_sold,
    count(*) FILTER (WHERE l.cost_company IS NULL OR l.rate IS NULL) AS uncosted_lines,
    coalesce(sum(l.net_company) FILTER (WHERE l.cost_company IS NOT NULL), 0) AS revenue,
    coalesce(sum(l.cost_company) FILTER (WHERE l.net_company IS NOT NULL), 0) AS cogs
  FROM fact_order_lines l
  WHERE l.state = 'placed' AND {matching("l")}
  GROUP BY l.sku, l.company_currency
),
last_day AS (
  SELECT sku, max(date) AS day FROM fact_stock_snapshots
  WHERE kind = 'erp' AND ($date_to IS NULL OR date <= $date_to)
  GROUP BY sku
),
stock AS (
  SELECT s.sku, sum(greatest(s.quantity, 0)) AS ending_stock
  FROM fact_stock_snapshots s JOIN last_day d ON s.sku = d.sku AND s.date = d.day
  WHERE s.kind = 'erp'
  GROUP BY s.sku
)
SELECT s.sku, p.title, s.units_sold, st.ending_stock,
  CAST(s.units_sold AS DOUBLE) / nullif(CAST(s.units_sold + st.ending_stock AS DOUBLE), 0)
    AS sell_through,
  s.revenue, s.cogs, s.revenue - s.cogs AS margin,
  CAST(s.revenue - s.cogs AS DOUBLE) / nullif(CAST(s.revenue AS DOUBLE), 0) AS margin_pct,
  s.uncosted_lines, s.company_currency
FROM sold s
LEFT JOIN stock st USING (sku)
LEFT JOIN dim_product p USING (sku)
ORDER BY margin DESC, s.sku
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Margin by product (top 20)"
    if not rows:
        return charts.empty(title)
    return charts.bar(
        rows[:20],
        category="sku",
        value="margin",
        title=title,
        value_title=f"Margin ({rows[0]['company_currency']})",
        tooltip=("title", "revenue", "cogs", "sell_through"),
    )


REPORT = Report(
    slug="product-margin",
    title="Product margin and sell-through",
    question="Which products carry the margin, and how much of the stock did they sell?",
    formula=(
        "margin = revenue (line net of discounts) - cost of goods, company currency; "
        "margin % = margin / revenue; sell-through = units sold / (units sold + the ERP's "
        "on-hand stock on the last snapshot day up to the range's end). Placed orders; "
        "lines without a cost or a rate are counted apart and left out of the money."
    ),
    sql=SQL,
    columns=(
        Column("sku", "SKU"),
        Column("title", "Product"),
        Column("company_currency", "Currency"),
        Column("units_sold", "Units sold", Kind.QUANTITY),
        Column("ending_stock", "Ending stock", Kind.QUANTITY),
        Column("sell_through", "Sell-through", Kind.RATIO),
        Column("revenue", "Revenue", Kind.MONEY),
        Column("cogs", "Cost of goods", Kind.MONEY),
        Column("margin", "Margin", Kind.MONEY),
        Column("margin_pct", "Margin %", Kind.RATIO),
        Column("uncosted_lines", "Lines without cost", Kind.COUNT),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
