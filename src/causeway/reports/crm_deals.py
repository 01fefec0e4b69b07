"""CRM pipeline to ERP orders: which deals are open, won or lost, and how much of the won
business became orders in the ERP?

Per CRM pipeline, over the deals created in the range (fact_deals, the CRM's; the orders
they became from fact_orders, the ERP's sale through quotes-to-erp), in the company
currency (the ERP's rate on the deal's close date):
  deals               = count;  open, won, lost = count by the CRM's state
  win_rate            = won / (won + lost)  (open deals and deals of no known state left out)
  open_amount, won_amount, lost_amount = sum(amount_company) by state
  in_erp              = deals that became an ERP sale
  erp_revenue         = the goods revenue (tax excluded) of those orders, when placed
A deal whose currency the ERP has no rate for is counted in `unconverted_deals` and
left out of the amounts.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
WITH deals AS (
  SELECT coalesce(d.pipeline, '(none)') AS pipeline, d.state, d.amount, d.rate,
    d.amount_company, d.in_erp, d.company_currency,
    o.goods_net_company AS order_revenue, o.state AS order_state
  FROM fact_deals d LEFT JOIN fact_orders o USING (order_key)
  WHERE {matching("d", day="created_date", channel=None)}
)
SELECT pipeline,
  count(*) AS deals,
  count(*) FILTER (WHERE state = 'open') AS open,
  count(*) FILTER (WHERE state = 'won') AS won,
  count(*) FILTER (WHERE state = 'lost') AS lost,
  CAST(count(*) FILTER (WHERE state = 'won') AS DOUBLE)
    / nullif(count(*) FILTER (WHERE state IN ('won', 'lost')), 0) AS win_rate,
  coalesce(sum(amount_company) FILTER (WHERE state = 'open'), 0) AS open_amount,
  coalesce(sum(amount_company) FILTER (WHERE state = 'won'), 0) AS won_amount,
  coalesce(sum(amount_company) FILTER (WHERE state = 'lost'), 0) AS lost_amount,
  count(*) FILTER (WHERE in_erp) AS in_erp,
  coalesce(sum(order_revenue) FILTER (WHERE in_erp AND order_state = 'placed'), 0)
    AS erp_revenue,
  count(*) FILTER (WHERE amount IS NOT NULL AND rate IS NULL) AS unconverted_deals,
  company_currency
FROM deals
GROUP BY pipeline, company_currency
ORDER BY won_amount DESC, pipeline
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Deal amounts by pipeline: open, won and lost, and the ERP orders they became"
    if not rows:
        return charts.empty(title)
    return charts.folded_bar(
        charts.one_currency(rows),
        category="pipeline",
        measures={
            "open_amount": "Open",
            "won_amount": "Won",
            "lost_amount": "Lost",
            "erp_revenue": "ERP orders",
        },
        title=title,
        value_title=rows[0]["company_currency"],
    )


REPORT = Report(
    slug="crm-deals",
    title="CRM pipeline to ERP orders",
    question="Which CRM deals are open, won or lost, and how much won business became orders?",
    formula=(
        "Per CRM pipeline, deals created in the range: counts by the CRM's state (open, won, "
        "lost); win rate = won / (won + lost); amounts by state in the company currency "
        "(the ERP's rate on the close date); in ERP = deals that became an ERP sale "
        "(quotes-to-erp), ERP revenue = those orders' goods revenue, tax excluded. A deal "
        "without a rate is counted apart and left out of the amounts."
    ),
    sql=SQL,
    columns=(
        Column("pipeline", "Pipeline"),
        Column("company_currency", "Currency"),
        Column("deals", "Deals", Kind.COUNT),
        Column("open", "Open", Kind.COUNT),
        Column("won", "Won", Kind.COUNT),
        Column("lost", "Lost", Kind.COUNT),
        Column("win_rate", "Win rate", Kind.RATIO),
        Column("open_amount", "Open amount", Kind.MONEY),
        Column("won_amount", "Won amount", Kind.MONEY),
        Column("lost_amount", "Lost amount", Kind.MONEY),
        Column("in_erp", "Became ERP orders", Kind.COUNT),
        Column("erp_revenue", "ERP revenue", Kind.MONEY),
        Column("unconverted_deals", "Deals without a rate", Kind.COUNT),
    ),
    filters=frozenset({Filter.DATES, Filter.CUSTOMER_GROUP}),
    chart=_chart,
)
