"""Revenue by source, campaign, landing site and referrer: which marketing brought the
sales? (the attribution each channel sent with its orders, dim_campaign).

Per distinct attribution (source, campaign, medium, landing site, referrer), over placed
orders in the filters (fact_orders joined to dim_campaign by campaign_key), in the
company currency:
  orders        = count of orders
  revenue       = sum(goods_net_company)
  average_order = revenue / orders (of those with a rate)
  share         = revenue / the revenue of every attribution in the same filters
An order without attribution is grouped under '(none)'; an order without a rate is
counted in `unconverted_orders` and left out of the money.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
WITH orders AS (
  SELECT coalesce(c.source, '(none)') AS source, coalesce(c.campaign, '(none)') AS campaign,
    coalesce(c.medium, '(none)') AS medium, coalesce(c.landing_site, '(none)') AS landing_site,
    coalesce(c.referrer, '(none)') AS referrer, o.company_currency, o.rate,
    o.goods_net_company
  FROM fact_orders o LEFT JOIN dim_campaign c USING (campaign_key)
  WHERE o.state = 'placed' AND {matching("o")}
)
SELECT source, campaign, medium, landing_site, referrer,
  count(*) AS orders,
  count(*) FILTER (WHERE rate IS NULL) AS unconverted_orders,
  coalesce(sum(goods_net_company), 0) AS revenue,
  CAST(sum(goods_net_company) / nullif(count(*) FILTER (WHERE rate IS NOT NULL), 0)
    AS DECIMAL(18, 4)) AS average_order,
  CAST(sum(goods_net_company) AS DOUBLE)
    / nullif(CAST(sum(sum(goods_net_company)) OVER (PARTITION BY company_currency) AS DOUBLE), 0)
    AS share,
  company_currency
FROM orders
GROUP BY source, campaign, medium, landing_site, referrer, company_currency
ORDER BY revenue DESC, source, campaign, landing_site, referrer
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Revenue by source, by campaign"
    if not rows:
        return charts.empty(title)
    return charts.bar(
        rows,
        category="source",
        value="revenue",
        color="campaign",
        title=title,
        value_title=f"Revenue ({rows[0]['company_currency']})",
        tooltip=("campaign", "landing_site", "referrer", "orders"),
    )


REPORT = Report(
    slug="attribution",
    title="Revenue by source and campaign",
    question="Which source, campaign, landing page and referrer brought the revenue?",
    formula=(
        "revenue = sum of the orders' goods net of discounts (company currency), per "
        "distinct source, campaign, medium, landing site and referrer the channel sent with "
        "the order; share = revenue / the revenue of all rows; average order = revenue / "
        "orders. Placed orders; no attribution reads '(none)'."
    ),
    sql=SQL,
    columns=(
        Column("source", "Source"),
        Column("campaign", "Campaign"),
        Column("medium", "Medium"),
        Column("landing_site", "Landing site"),
        Column("referrer", "Referrer"),
        Column("company_currency", "Currency"),
        Column("orders", "Orders", Kind.COUNT),
        Column("unconverted_orders", "Orders without a rate", Kind.COUNT),
        Column("revenue", "Revenue", Kind.MONEY),
        Column("average_order", "Average order", Kind.MONEY),
        Column("share", "Share", Kind.RATIO),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
