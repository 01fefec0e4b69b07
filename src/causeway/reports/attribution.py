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

# Summed per campaign key first (one hashed column), then named: grouping 400,000 orders
# by five texts cost three times as much as by their key.
SQL = f"""
WITH per_key AS (
  SELECT o.campaign_key, o.company_currency, count(*) AS orders,
    count(*) FILTER (WHERE o.rate IS NULL) AS unconverted_orders,
    sum(o.goods_net_company) AS revenue
  FROM fact_orders o
  WHERE o.state = 'placed' AND {matching("o")}
  GROUP BY o.campaign_key, o.company_currency
),
named AS (
  SELECT coalesce(c.source, '(none)') AS source, coalesce(c.campaign, '(none)') AS campaign,
    coalesce(c.medium, '(none)') AS medium, coalesce(c.landing_site, '(none)') AS landing_site,
    coalesce(c.referrer, '(none)') AS referrer, p.*
  FROM per_key p LEFT JOIN dim_campaign c USING (campaign_key)
)
SELECT source, campaign, medium, landing_site, referrer,
  CAST(sum(orders) AS BIGINT) AS orders,
  CAST(sum(unconverted_orders) AS BIGINT) AS unconverted_orders,
  coalesce(sum(revenue), 0) AS revenue,
  CAST(sum(revenue) / nullif(sum(orders) - sum(unconverted_orders), 0) AS DECIMAL(18, 4))
    AS average_order,
  CAST(sum(revenue) AS DOUBLE)
    / nullif(CAST(sum(sum(revenue)) OVER (PARTITION BY company_currency) AS DOUBLE), 0)
    AS share,
  company_currency
FROM named
GROUP BY source, campaign, medium, landing_site, referrer, company_currency
ORDER BY revenue DESC, source, campaign, landing_site, referrer
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Revenue by source, by campaign"
    if not rows:
        return charts.empty(title)
    return charts.bar(
        charts.one_currency(rows),
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
