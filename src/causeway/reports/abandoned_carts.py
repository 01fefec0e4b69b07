"""Abandoned carts and recovery: how many checkouts are left, and how many come back?

Per channel and cart currency, over the checkouts started in the range (fact_carts,
by created_date):
  carts       = checkouts started
  decided     = those no longer open (abandoned, recovered or completed)
  abandoned   = those that counted as abandoned at some point (abandoned_at set:
                still abandoned, or recovered since)
  recovered   = abandoned carts an order followed (state recovered)
  abandonment_rate = abandoned / decided   (open carts are not decided yet)
  recovery_rate    = recovered / abandoned
  abandoned_value  = sum(total) of carts still abandoned;  recovered_value = of recovered
Cart totals are in the cart's currency (carts carry no ERP rate), so each currency is a
row of its own: a euro cart is never added to a dollar one.
"""

from __future__ import annotations

from collections.abc import Sequence

from causeway.reports import charts
from causeway.reports.base import ChartSpec, Column, Kind, Report, Row, matching
from causeway.reports.filters import Filter

SQL = f"""
SELECT c.channel, coalesce(c.currency, '(none)') AS currency,
  count(*) AS carts,
  count(*) FILTER (WHERE c.state <> 'open') AS decided,
  count(*) FILTER (WHERE c.abandoned_at IS NOT NULL OR c.state IN ('abandoned', 'recovered'))
    AS abandoned,
  count(*) FILTER (WHERE c.state = 'recovered') AS recovered,
  CAST(count(*) FILTER (WHERE c.abandoned_at IS NOT NULL OR c.state IN ('abandoned', 'recovered'))
    AS DOUBLE) / nullif(count(*) FILTER (WHERE c.state <> 'open'), 0) AS abandonment_rate,
  CAST(count(*) FILTER (WHERE c.state = 'recovered') AS DOUBLE)
    / nullif(count(*) FILTER (WHERE c.abandoned_at IS NOT NULL
                                 OR c.state IN ('abandoned', 'recovered')), 0)
    AS recovery_rate,
  coalesce(sum(c.total) FILTER (WHERE c.state = 'abandoned'), 0) AS abandoned_value,
  coalesce(sum(c.total) FILTER (WHERE c.state = 'recovered'), 0) AS recovered_value
FROM fact_carts c
WHERE {matching("c", day="created_date")}
GROUP BY c.channel, coalesce(c.currency, '(none)')
ORDER BY c.channel, currency
"""


def _chart(rows: Sequence[Row]) -> ChartSpec:
    title = "Abandonment and recovery rates"
    if not rows:
        return charts.empty(title)
    data = [{**row, "channel": f"{row['channel']} ({row['currency']})"} for row in rows]
    return charts.folded_bar(
        data,
        category="channel",
        measures={"abandonment_rate": "Abandoned", "recovery_rate": "Recovered"},
        title=title,
        value_title="share of carts",
        value_format=".0%",
    )


REPORT = Report(
    slug="abandoned-carts",
    title="Abandoned carts and recovery",
    question="How many checkouts are abandoned, and how many of those come back as orders?",
    formula=(
        "abandonment rate = carts that counted as abandoned / carts no longer open; "
        "recovery rate = abandoned carts an order followed / abandoned carts; values per "
        "cart currency. Checkouts started in the range."
    ),
    sql=SQL,
    columns=(
        Column("channel", "Channel"),
        Column("currency", "Currency"),
        Column("carts", "Carts", Kind.COUNT),
        Column("decided", "No longer open", Kind.COUNT),
        Column("abandoned", "Abandoned", Kind.COUNT),
        Column("recovered", "Recovered", Kind.COUNT),
        Column("abandonment_rate", "Abandonment rate", Kind.RATIO),
        Column("recovery_rate", "Recovery rate", Kind.RATIO),
        Column("abandoned_value", "Value still abandoned", Kind.MONEY),
        Column("recovered_value", "Value recovered", Kind.MONEY),
    ),
    filters=frozenset(Filter),
    chart=_chart,
)
