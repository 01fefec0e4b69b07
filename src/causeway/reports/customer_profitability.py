"""Customer profitability: what each customer (and each RFM segment) really earns us.

Per placed order (fact_orders, state placed, in the filters), in the company currency;
the build keeps cogs, refunds, fees and shipping cost on the order (fact_orders.*_company):
  revenue  = goods_net_company                      (the lines after their discounts, no tax)
  shipping charged = shipping_charged_company       (what the customer paid for shipping,
                                                     after its discounts, no tax)
  cogs     = sum(fact_order_lines.cost_company)     (the ERP's cost of goods)
             - sum(fact_returns.restocked_cost_company) (returned goods back in stock)
  shipping cost = sum(fact_fulfilments.shipping_cost_company) (what the ERP's carriers
                                                     charge for the order's shipments)
  refunds  = sum(fact_returns.refunded_company)     (what was refunded on the order)
  fees     = fact_channel_fees.fee_company          (the channel's fee, configured estimate)
  profit   = revenue + shipping charged - cogs - shipping cost - refunds - fees
  margin   = profit / revenue
Shipping charged counts against the shipping cost: both are the order's (the channel fee
is on the total, shipping included); an order not shipped yet has no shipping cost
yet. Discounts are shown, not subtracted again: revenue
and shipping charged are already net of them. An order the ERP had no rate for (rate
NULL) is counted in `unconverted_orders` and left out of every sum: its amounts are in
another currency. A marketplace's account fees (fact_account_fees: a subscription,
storage) belong to no customer and are in none of these figures; only the Channel P&L
(channel_pnl.py) subtracts them.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

PER_ORDER = f"""
WITH per_order AS (
  -- The build rolls each order's lines, returns and fee up onto it (fact_orders'
  -- cogs_company, refunds_company, fees_company, shipping_cost_company): one row an
  -- order to read.
  SELECT o.order_key, o.channel, coalesce(o.customer_id, 'guest') AS customer_id,
         o.company_currency,
         o.rate IS NULL AS unconverted,
         o.goods_net_company AS revenue, o.discounts_company AS discounts,
         o.shipping_charged_company AS shipping_charged,
         -- an unconverted order's costs are left out with its revenue
         CASE WHEN o.rate IS NULL THEN NULL ELSE coalesce(o.cogs_company, 0) END AS cogs,
         CASE WHEN o.rate IS NULL THEN NULL ELSE coalesce(o.refunds_company, 0) END AS refunds,
         CASE WHEN o.rate IS NULL THEN NULL ELSE coalesce(o.fees_company, 0) END AS fees,
         CASE WHEN o.rate IS NULL THEN NULL
              ELSE coalesce(o.shipping_cost_company, 0) END AS shipping_cost
  FROM fact_orders o
  WHERE o.state = 'placed' AND {matching("o")}
)
"""

# An order's profit (see the module's docstring); NULL for an order without a rate.
PROFIT = (
    "p.revenue + coalesce(p.shipping_charged, 0) - p.cogs - p.shipping_cost - p.refunds - p.fees"
)

FIGURES = f"""
  count(*) AS orders,
  count(*) FILTER (WHERE p.unconverted) AS unconverted_orders,
  coalesce(sum(p.revenue), 0) AS revenue,
  coalesce(sum(p.discounts), 0) AS discounts,
  coalesce(sum(p.cogs), 0) AS cogs,
  coalesce(sum(p.refunds), 0) AS refunds,
  coalesce(sum(p.fees), 0) AS fees,
  coalesce(sum(p.shipping_cost), 0) AS shipping_cost,
  coalesce(sum({PROFIT}), 0) AS profit,
  CAST(sum({PROFIT}) AS DOUBLE) / nullif(CAST(sum(p.revenue) AS DOUBLE), 0) AS margin,
  coalesce(sum(p.shipping_charged), 0) AS shipping_charged
"""

MONEY_COLUMNS = (
    Column("orders", "Orders", Kind.COUNT),
    Column("unconverted_orders", "Orders without a rate", Kind.COUNT),
    Column("revenue", "Revenue", Kind.MONEY),
    Column("discounts", "Discounts given", Kind.MONEY),
    Column("cogs", "Cost of goods", Kind.MONEY),
    Column("refunds", "Refunds", Kind.MONEY),
    Column("fees", "Channel fees", Kind.MONEY),
    Column("shipping_cost", "Shipping cost", Kind.MONEY),
    Column("profit", "Profit", Kind.MONEY),
    Column("margin", "Margin", Kind.RATIO),
    Column("shipping_charged", "Shipping charged", Kind.MONEY),
)
CURRENCY = Column("company_currency", "Currency")

FORMULA = (
    "profit = revenue (goods net of discounts, tax excluded) + shipping charged (net of "
    "its discounts, tax excluded) - cost of goods (less the cost of returned goods back "
    "in stock) - shipping cost (what the ERP's carriers charge for the order's shipments) "
    "- refunds - channel fees; margin = profit / revenue; in the company currency (ERP "
    "rate on the order date; a shipment's cost at the rate of its ship date). Placed "
    "orders only; an order without a rate is counted apart and left out of the sums."
)

CHART_TOP = 20  # customers in the chart (the table and the CSV have them all)


def _customer_chart(rows: Sequence[Row]) -> ChartSpec:
    title = f"Profit by customer (top {CHART_TOP})"
    if not rows:
        return charts.empty(title)
    currency = rows[0]["company_currency"]
    return charts.bar(
        charts.one_currency(rows)[:CHART_TOP],
        category="customer_id",
        value="profit",
        title=title,
        value_title=f"Profit ({currency})",
        tooltip=("revenue", "shipping_charged", "cogs", "shipping_cost", "refunds", "fees"),
    )


def _segment_chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Revenue, cost and profit by RFM segment"
    if not rows:
        return charts.empty(title)
    currency = rows[0]["company_currency"]
    return charts.folded_bar(
        charts.one_currency(rows),
        category="rfm_segment",
        measures={"revenue": "Revenue", "cogs": "Cost of goods", "profit": "Profit"},
        title=title,
        value_title=currency,
    )


BY_CUSTOMER = Report(
    slug="customer-profitability",
    title="Customer profitability",
    question=(
        "What does each customer really earn us, after cost of goods, shipping cost, "
        "refunds and fees?"
    ),
    formula=FORMULA,
    sql=f"""{PER_ORDER},
per_customer AS (  -- summed first, then named: a join of one row per customer
  SELECT p.customer_id, p.company_currency,
{FIGURES}
  FROM per_order p GROUP BY p.customer_id, p.company_currency
)
SELECT c.*, d.customer_group, coalesce(d.rfm_segment, 'unknown') AS rfm_segment
FROM per_customer c LEFT JOIN dim_customer d USING (customer_id)
ORDER BY c.profit DESC, c.customer_id
""",
    columns=(
        Column("customer_id", "Customer"),
        Column("customer_group", "Group"),
        Column("rfm_segment", "RFM segment"),
        CURRENCY,
        *MONEY_COLUMNS,
    ),
    filters=frozenset(Filter),
    chart=_customer_chart,
    chart_rows=CHART_TOP,  # the one company currency: the top rows are the chart's
)

BY_SEGMENT = Report(
    slug="segment-profitability",
    title="Profitability by RFM segment",
    question="Which RFM segments (champions, loyal, at risk, ...) carry the profit?",
    formula=FORMULA + " Summed over the customers of each segment (dim_customer.rfm_segment).",
    sql=f"""{PER_ORDER}
SELECT coalesce(d.rfm_segment, 'unknown') AS rfm_segment,
  count(DISTINCT p.customer_id) AS customers,
{FIGURES}, p.company_currency
FROM per_order p LEFT JOIN dim_customer d USING (customer_id)
GROUP BY coalesce(d.rfm_segment, 'unknown'), p.company_currency
ORDER BY profit DESC, rfm_segment
""",
    columns=(
        Column("rfm_segment", "RFM segment"),
        CURRENCY,
        Column("customers", "Customers", Kind.COUNT),
        *MONEY_COLUMNS,
    ),
    filters=frozenset(Filter),
    chart=_segment_chart,
)
