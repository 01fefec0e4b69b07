"""Return rate by SKU and reason: which products come back, and why?

Over the orders placed in the filters (by order day, so that a return counts against
the sales it belongs to):
  units_sold     = sum(fact_order_lines.quantity) of the SKU, placed orders
  units_returned = sum(fact_returns.quantity) of the SKU with that reason
  return_rate    = units_returned / units_sold (per reason: the reasons of a SKU add up
                   to its whole return rate)
  refunded       = sum(fact_returns.refunded_company), company currency (returns without
                   a rate are counted in `unconverted_returns` and left out of it)
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
WITH sold AS (
  SELECT l.sku, sum(l.quantity) AS units_sold FROM fact_order_lines l
  WHERE l.state = 'placed' AND {matching("l")}
  GROUP BY l.sku
),
returned AS (
  SELECT r.sku, coalesce(r.reason, 'unknown') AS reason, r.company_currency,
    sum(r.quantity) AS units_returned,
    count(*) FILTER (WHERE r.rate IS NULL) AS unconverted_returns,
    coalesce(sum(r.refunded_company), 0) AS refunded
  FROM fact_returns r
  WHERE {matching("r")}
  GROUP BY r.sku, coalesce(r.reason, 'unknown'), r.company_currency
)
SELECT r.sku, p.title, r.reason, s.units_sold, r.units_returned,
  CAST(r.units_returned AS DOUBLE) / nullif(CAST(s.units_sold AS DOUBLE), 0) AS return_rate,
  r.refunded, r.unconverted_returns, r.company_currency
FROM returned r
LEFT JOIN sold s USING (sku)
LEFT JOIN dim_product p USING (sku)
ORDER BY return_rate DESC NULLS LAST, r.sku, r.reason
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Return rate by SKU, by reason"
    if not rows:
        return charts.empty(title)
    return charts.bar(
        rows,
        category="sku",
        value="return_rate",
        color="reason",
        title=title,
        value_title="units returned / units sold",
        value_format=".0%",
        tooltip=("reason", "units_sold", "units_returned"),
    )


REPORT = Report(
    slug="returns",
    title="Return rate by SKU and reason",
    question="Which products come back, how often, and why?",
    formula=(
        "return rate = units returned (with that reason) / units sold of the SKU, both "
        "for orders placed in the range; refunded in the company currency."
    ),
    sql=SQL,
    columns=(
        Column("sku", "SKU"),
        Column("title", "Product"),
        Column("reason", "Reason"),
        Column("company_currency", "Currency"),
        Column("units_sold", "Units sold", Kind.QUANTITY),
        Column("units_returned", "Units returned", Kind.QUANTITY),
        Column("return_rate", "Return rate", Kind.RATIO),
        Column("refunded", "Refunded", Kind.MONEY),
        Column("unconverted_returns", "Returns without a rate", Kind.COUNT),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
