"""Channel P&L: what each channel earns us after cost of goods, shipping cost, refunds,
its fees on the orders and its fees on our account.

The customer profitability's figures (customer_profitability.py), summed per channel,
then the channel's account fees (fact_account_fees: what a marketplace charged the
seller's account, not an order: a subscription, storage) taken off:
  profit = revenue + shipping charged - cogs - shipping cost - refunds - fees
           - account fees, in the company currency, over placed orders;
  margin = profit / revenue; average order = revenue / orders.
A settlement period's account fees count in the date range its last day falls in (the
date filter on `period_end`, as it is on an order's day): a period is the marketplace's
invoice for it, whole, and never split across days. A channel with account fees and no
order in the range still has its row (no revenue, so no margin). With a customer group
filter the account fees are left out: they belong to no customer. A period the ERP had
no rate for is counted apart (`unconverted_account_fees`), not summed.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.customer_profitability import (
    CURRENCY,
    FIGURES,
    FORMULA,
    MONEY_COLUMNS,
    PER_ORDER,
)
from causeway.reports.filters import Filter


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Revenue, cost of goods and profit by channel"
    if not rows:
        return charts.empty(title)
    return charts.folded_bar(
        charts.one_currency(rows),
        category="channel",
        measures={
            "revenue": "Revenue",
            "cogs": "Cost of goods",
            "fees": "Fees",
            "account_fees": "Account fees",
            "shipping_cost": "Shipping cost",
            "profit": "Profit",
        },
        title=title,
        value_title=rows[0]["company_currency"],
    )


# The figures of customer_profitability.FIGURES a channel without orders has as 0.
_ORDER_SUMS = (
    "orders", "unconverted_orders", "revenue", "discounts", "cogs", "refunds", "fees",
    "shipping_cost", "shipping_charged",
)  # fmt: skip
_SUMS = ",\n  ".join(f"coalesce(o.{name}, 0) AS {name}" for name in _ORDER_SUMS)

SQL = f"""{PER_ORDER},
per_channel AS (
  SELECT p.channel, p.company_currency,
{FIGURES},
  CAST(sum(p.revenue) / nullif(count(*) FILTER (WHERE NOT p.unconverted), 0)
    AS DECIMAL(18, 4)) AS average_order
  FROM per_order p
  GROUP BY p.channel, p.company_currency
),
account AS (
  -- A period belongs to no customer: a NULL customer is in no customer group.
  SELECT a.channel, a.company_currency,
    coalesce(sum(a.amount_company), 0) AS account_fees,
    count(*) FILTER (WHERE a.rate IS NULL) AS unconverted_account_fees
  FROM (SELECT *, CAST(NULL AS VARCHAR) AS customer_id FROM fact_account_fees) a
  WHERE {matching("a", "period_end")}
  GROUP BY a.channel, a.company_currency
),
joined AS (
  SELECT coalesce(o.channel, a.channel) AS channel,
  {_SUMS},
  coalesce(a.account_fees, 0) AS account_fees,
  coalesce(a.unconverted_account_fees, 0) AS unconverted_account_fees,
  coalesce(o.profit, 0) - coalesce(a.account_fees, 0) AS profit,
  o.average_order,
  coalesce(o.company_currency, a.company_currency) AS company_currency
  FROM per_channel o FULL OUTER JOIN account a
    ON o.channel = a.channel AND o.company_currency IS NOT DISTINCT FROM a.company_currency
)
SELECT j.*,
  CAST(j.profit AS DOUBLE) / nullif(CAST(j.revenue AS DOUBLE), 0) AS margin
FROM joined j
ORDER BY j.profit DESC, j.channel
"""


WITH_ACCOUNT_FEES = FORMULA.replace("- channel fees;", "- channel fees - account fees;")
# The customer profitability's formula ends its sum with the channel fees: were it to be
# worded otherwise, this report's formula must not silently drop the account fees.
assert WITH_ACCOUNT_FEES != FORMULA, "customer_profitability.FORMULA no longer names its fees"


def _columns() -> tuple[Column, ...]:
    """The customer profitability's columns, the account fees after the channel fees."""
    columns: list[Column] = []
    for column in MONEY_COLUMNS:
        columns.append(column)
        if column.name == "fees":
            columns.append(Column("account_fees", "Account fees", Kind.MONEY))
    return (
        *columns,
        Column("average_order", "Average order", Kind.MONEY),
        Column("unconverted_account_fees", "Account fee periods without a rate", Kind.COUNT),
    )


REPORT = Report(
    slug="channel-pnl",
    title="Channel P&L",
    question=(
        "Which channel earns us what, after cost of goods, shipping cost, refunds, channel "
        "fees and the marketplace's account fees?"
    ),
    formula=WITH_ACCOUNT_FEES
    + " Summed per channel; average order = revenue / orders. Account fees: what a "
    "marketplace charged the account, not an order (a subscription, storage), per "
    "settlement period at the ERP's rate on its last day, counted in the range that day "
    "falls in (a period is never split); left out with a customer group filter (they "
    "belong to no customer); a period without a rate is counted apart.",
    sql=SQL,
    columns=(Column("channel", "Channel"), CURRENCY, *_columns()),
    filters=frozenset(Filter),
    chart=_chart,
)
