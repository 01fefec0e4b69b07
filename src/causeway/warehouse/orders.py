"""Orders into the warehouse: the hub's order facts -> fact_orders, fact_order_lines,
fact_channel_fees and the campaigns they came from (dim_campaign).

An order changed since the last build is written anew whole: its rows are deleted by
order_key and inserted again, so an edit that dropped a line leaves no stale line.
Line costs are the ERP's (warehouse/erp.py fills them in afterwards).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb

from causeway.config.warehouse import ChannelFee
from causeway.warehouse.duck import delete_keys, insert_rows
from causeway.warehouse.money import CENTS4, Rates, converted, decimal
from causeway.warehouse.schema import (
    DIM_CAMPAIGN,
    FACT_CHANNEL_FEES,
    FACT_ORDER_LINES,
    FACT_ORDERS,
)

GUEST = "guest"
PLACED, CANCELLED = "placed", "cancelled"
Row = dict[str, Any]


def utc(stamp: float | None) -> dt.datetime | None:
    """A Unix time as a naive UTC datetime (the warehouse's TIMESTAMPs are UTC)."""
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None)


def sale_id(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def campaign(fact: Mapping[str, Any]) -> Row:
    """dim_campaign's row for an order's attribution: utm_* of the landing site win over
    the channel's source name; the landing site as a path; the referrer as a host."""
    landing = fact.get("landing_site") or ""
    parts = urlsplit(landing)
    utm = {k: v[0] for k, v in parse_qs(parts.query).items() if v}
    referrer = urlsplit(fact.get("referring_site") or "").hostname or (
        fact.get("referring_site") or "direct"
    )
    row = {
        "source": utm.get("utm_source") or fact.get("source_name"),
        "campaign": utm.get("utm_campaign"),
        "medium": utm.get("utm_medium"),
        "landing_site": parts.path or None,
        "referrer": referrer,
    }
    raw = "\x1f".join(str(row[k] or "") for k in ("source", "campaign", "medium", "landing_site"))
    row["campaign_key"] = hashlib.sha1(f"{raw}\x1f{referrer}".encode()).hexdigest()[:16]
    return row


def order_rows(fact: Mapping[str, Any], rates: Rates) -> tuple[Row, list[Row], Row]:
    """The order's fact_orders row, its fact_order_lines rows and its campaign."""
    ordered_at = utc(fact["ordered_at"])
    assert ordered_at is not None
    day = ordered_at.date()
    currency = fact["currency"]
    rate = rates.rate(currency, day)
    keys = {
        "order_key": fact["hub_id"],
        "channel": fact["system"],
        "order_id": fact["order_id"],
        "order_number": fact.get("number"),
        "erp_sale_id": sale_id(fact.get("erp_sale_id")),
        "customer_id": fact.get("customer_id") or GUEST,
        "order_date": day,
    }
    money = {"currency": currency, "company_currency": rates.company_currency, "rate": rate}
    source = campaign(fact)
    order = {
        **keys,
        **money,
        "ordered_at": ordered_at,
        "customer_group": fact.get("customer_group"),
        "campaign_key": source["campaign_key"],
        "state": fact["state"],
        "cancelled_at": utc(fact.get("cancelled_at")),
        "line_count": len(fact["lines"]),
    }
    for name in ("goods_net", "discounts", "shipping_charged", "tax", "total"):
        amount = decimal(fact[name])
        order[name] = amount
        order[f"{name}_company"] = converted(amount, rate)
    lines = []
    for line in fact["lines"]:
        quantity = Decimal(line["quantity"])
        gross = (Decimal(line["unit_price"]) * quantity).quantize(CENTS4)
        # The hub keeps unit prices and discounts tax excluded on every channel, those
        # of a store whose prices include tax too (orders/facts.py): net is gross - discount.
        discount = decimal(line["discount"]) or Decimal(0)
        net = gross - discount
        lines.append(
            {
                **keys,
                **money,
                "line_no": line["line_no"],
                "sku": line.get("sku"),
                "title": line.get("title"),
                "campaign_key": source["campaign_key"],
                "state": fact["state"],
                "quantity": quantity,
                "gross": gross,
                "gross_company": converted(gross, rate),
                "discount": discount,
                "discount_company": converted(discount, rate),
                "net": net,
                "net_company": converted(net, rate),
                "cost_company": None,
            }
        )
    return order, lines, source


def booked_amount(order: Mapping[str, Any], booked: str | None) -> Decimal | None:
    """A booking's "<total> <currency>" (the channel-fees flow's links), when in the
    order's currency; None: none, unreadable, or in another currency."""
    parts = (booked or "").split()
    if len(parts) != 2 or parts[1] != order["currency"]:
        return None
    return decimal(parts[0])


def booked_fee(
    order: Mapping[str, Any], booked: str | None, refunds: Sequence[str] = ()
) -> Decimal | None:
    """The fees the ERP booked for the order, net of the refunds of fees it booked since
    (credit notes: negative totals); None: no fees booked (or not in the order's
    currency). A refund in another currency than the order's is left out."""
    fees = booked_amount(order, booked)
    if fees is None:
        return None
    for refund in refunds:
        fees += booked_amount(order, refund) or Decimal(0)
    return fees


def fee_row(
    order: Mapping[str, Any],
    fee: ChannelFee | None,
    rates: Rates,
    booked: str | None = None,
    refunds: Sequence[str] = (),
) -> Row | None:
    """fact_channel_fees' row: the fees the ERP booked for the order where it has them
    (the marketplace's own, net of the refunds of fees booked since,
    docs/flows/channel-fees.md), else the estimate: percent of
    the order's total plus the fixed fee, in the order's currency (a fixed fee in another
    currency goes through the company's; NULL when no rate allows it). Cancelled orders,
    and channels without a fee nor a booking, have none."""
    if order["state"] != PLACED or order["total"] is None:
        return None
    actual = booked_fee(order, booked, refunds)
    if actual is None and fee is None:
        return None
    amount = actual if actual is not None or fee is None else estimated_fee(order, fee, rates)
    amount = None if amount is None else amount.quantize(CENTS4)
    keys = {k: order[k] for k in ("order_key", "channel", "order_id", "order_number")}
    return {
        **keys,
        **{k: order[k] for k in ("erp_sale_id", "customer_id", "order_date")},
        **{k: order[k] for k in ("currency", "company_currency", "rate")},
        "fee": amount,
        "fee_company": converted(amount, order["rate"]),
    }


def estimated_fee(order: Mapping[str, Any], fee: ChannelFee, rates: Rates) -> Decimal | None:
    """The channel's configured fee on the order: percent of its total plus the fixed fee."""
    amount: Decimal | None = order["total"] * fee.percent / Decimal(100)
    if fee.fixed:
        fixed: Decimal | None = fee.fixed
        if fee.currency != order["currency"]:
            day = order["order_date"]
            in_company = converted(fee.fixed, rates.rate(fee.currency, day))
            rate = rates.rate(order["currency"], day)
            fixed = None if in_company is None or not rate else in_company / rate
        amount = None if fixed is None or amount is None else amount + fixed
    return amount


def write_orders(
    con: duckdb.DuckDBPyConnection,
    facts: Sequence[Mapping[str, Any]],
    rates: Rates,
    fees: Mapping[str, ChannelFee],
) -> int:
    """Replace these orders' rows (an order rewritten while a build pages may come
    twice, even in a full build); their campaigns are added. Returns orders written."""
    orders, lines, fee_rows, campaigns = [], [], [], {}
    for fact in facts:
        order, order_lines, source = order_rows(fact, rates)
        orders.append(order)
        lines.extend(order_lines)
        fee = fee_row(
            order,
            fees.get(order["channel"]),
            rates,
            fact.get("booked_fees"),
            fact.get("booked_fee_refunds") or (),
        )
        if fee is not None:
            fee_rows.append(fee)
        campaigns[source["campaign_key"]] = source
    keys = [o["order_key"] for o in orders]
    for table in (FACT_ORDERS, FACT_ORDER_LINES, FACT_CHANNEL_FEES):
        delete_keys(con, table.name, "order_key", keys)
    insert_rows(con, FACT_ORDERS, orders)
    insert_rows(con, FACT_ORDER_LINES, lines)
    insert_rows(con, FACT_CHANNEL_FEES, fee_rows)
    delete_keys(con, DIM_CAMPAIGN.name, "campaign_key", list(campaigns))
    insert_rows(con, DIM_CAMPAIGN, list(campaigns.values()))
    return len(orders)


def roll_up_orders(con: duckdb.DuckDBPyConnection) -> None:
    """Each order's cost of goods, refunds, fees and shipping cost from its lines,
    returns, fee and fulfilments (the profit reports read them on the order). Over every
    order: lines, returns, fees and shipments of an order change in later builds (the
    ERP's costs, a refund, a shipment) without the order."""
    con.execute(
        """
        UPDATE fact_orders SET cogs_company = t.cogs, refunds_company = t.refunds,
            fees_company = t.fees, shipping_cost_company = t.shipping
        FROM (
            WITH cost AS (
                SELECT order_key, sum(cost_company) AS cogs
                FROM fact_order_lines GROUP BY order_key
            ), returned AS (
                SELECT order_key, sum(refunded_company) AS refunds,
                    sum(restocked_cost_company) AS restocked
                FROM fact_returns GROUP BY order_key
            ), fees AS (
                SELECT order_key, sum(fee_company) AS fees
                FROM fact_channel_fees GROUP BY order_key
            ), shipped AS (
                SELECT order_key, sum(shipping_cost_company) AS shipping
                FROM fact_fulfilments GROUP BY order_key
            )
            SELECT o.order_key,
                coalesce(c.cogs, 0) - coalesce(r.restocked, 0) AS cogs,
                coalesce(r.refunds, 0) AS refunds,
                coalesce(f.fees, 0) AS fees,
                coalesce(s.shipping, 0) AS shipping
            FROM fact_orders o
            LEFT JOIN cost c USING (order_key)
            LEFT JOIN returned r USING (order_key)
            LEFT JOIN fees f USING (order_key)
            LEFT JOIN shipped s USING (order_key)
        ) AS t
        WHERE fact_orders.order_key = t.order_key
        """
    )
