"""Channel P&L: what each channel earns us after cost of goods, shipping cost, refunds and
its fees.

The customer profitability's figures (customer_profitability.py), summed per channel:
  profit = revenue + shipping charged - cogs - shipping cost - refunds - fees, in the
  company currency, over placed orders;
  margin = profit / revenue; average order = revenue / orders.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row
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
            "shipping_cost": "Shipping cost",
            "profit": "Profit",
        },
        title=title,
        value_title=rows[0]["company_currency"],
    )


REPORT = Report(
    slug="channel-pnl",
    title="Channel P&L",
    question=(
        "Which channel earns us what, after cost of goods, shipping cost, refunds and channel fees?"
    ),
    formula=FORMULA + " Summed per channel; average order = revenue / orders.",
    sql=f"""{PER_ORDER}
SELECT p.channel,
{FIGURES},
  CAST(sum(p.revenue) / nullif(count(*) FILTER (WHERE NOT p.unconverted), 0)
    AS DECIMAL(18, 4)) AS average_order,
  p.company_currency
FROM per_order p
GROUP BY p.channel, p.company_currency
ORDER BY profit DESC, p.channel
""",
    columns=(
        Column("channel", "Channel"),
        CURRENCY,
        *MONEY_COLUMNS,
        Column("average_order", "Average order", Kind.MONEY),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
