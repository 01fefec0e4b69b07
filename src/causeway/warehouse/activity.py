"""The hub's activity into the warehouse: carts, storefront events, stock snapshots and
order changes (with the returns their refunds carry).

Each function takes one page of the hub's rows (engine/warehouse_rows.py) and replaces
the warehouse's rows of the same key; what a page does not name stays as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb

from causeway.model.returns import COMES_BACK
from causeway.warehouse.duck import WEB_CHECKOUTS, delete_keys, insert_rows
from causeway.warehouse.money import CENTS4, Rates, converted, decimal
from causeway.warehouse.orders import utc
from causeway.warehouse.schema import (
    FACT_CARTS,
    FACT_ORDER_CHANGES,
    FACT_RETURNS,
    FACT_STOCK_SNAPSHOTS,
    FACT_WEB_EVENTS,
)

Row = dict[str, Any]
UNKNOWN_REASON = "unknown"


def _day(stamp: dt.datetime | None) -> dt.date | None:
    return None if stamp is None else stamp.date()


def write_carts(con: duckdb.DuckDBPyConnection, carts: Sequence[Mapping[str, Any]]) -> int:
    rows = []
    for cart in carts:
        created = utc(cart["created_at"]) or utc(cart["received_at"])
        rows.append(
            {
                "channel": cart["system"],
                "checkout_id": cart["checkout_id"],
                "customer_id": cart["customer_id"],
                "created_at": created,
                "created_date": _day(created),
                "state": cart["state"],
                "abandoned_at": utc(cart["abandoned_at"]),
                "recovered_at": utc(cart["recovered_at"]),
                "completed_at": utc(cart["completed_at"]),
                "order_id": cart["order_id"],
                "line_count": cart["line_count"],
                "currency": cart["currency"],
                "total": decimal(cart["total"]),
            }
        )
    return insert_rows(con, FACT_CARTS, rows)


def write_web_events(con: duckdb.DuckDBPyConnection, events: Sequence[Mapping[str, Any]]) -> int:
    """Events, and the orders their checkout_completed name (for stitching)."""
    rows, checkouts = [], []
    for event in events:
        occurred = utc(event["occurred_at"])
        rows.append(
            {
                "channel": event["system"],
                "event_id": event["event_id"],
                "name": event["name"],
                "client_id": event["client_id"],
                "customer_id": event["customer_id"],
                "occurred_at": occurred,
                "event_date": _day(occurred),
                "page_url": event["page_url"],
                "referrer": event["referrer"],
                "sku": event["product_sku"],
                "quantity": event["quantity"],
                "currency": event["currency"],
                "value": decimal(event["value"]),
            }
        )
        if event["name"] == "checkout_completed":
            order_id = completed_order(event["data"])
            if order_id is not None:
                checkouts.append(
                    {
                        "channel": event["system"],
                        "event_id": event["event_id"],
                        "client_id": event["client_id"],
                        "order_id": order_id,
                        "occurred_at": occurred,
                    }
                )
    delete_keys(con, FACT_WEB_EVENTS.name, ("channel", "event_id"), _pairs(rows))
    insert_rows(con, FACT_WEB_EVENTS, rows)
    delete_keys(con, WEB_CHECKOUTS.name, ("channel", "event_id"), _pairs(checkouts))
    insert_rows(con, WEB_CHECKOUTS, checkouts)
    return len(rows)


def completed_order(data: str | None) -> str | None:
    """The order id a checkout_completed event names (Shopify: checkout.order.id, a
    gid whose last part is the order's id)."""
    try:
        checkout = (json.loads(data or "{}") or {}).get("checkout") or {}
        order = checkout.get("order") or {}
    except (ValueError, AttributeError):
        return None
    found = order.get("id") if isinstance(order, dict) else None
    if found is None:
        return None
    return str(found).rsplit("/", 1)[-1] or None


def _pairs(rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, Any]]:
    """The (channel, event_id) keys of `rows`: what they replace."""
    return [(row["channel"], row["event_id"]) for row in rows]


def write_snapshots(
    con: duckdb.DuckDBPyConnection,
    snapshots: Sequence[Mapping[str, Any]],
    replaced: set[tuple[str, str, str]],
) -> int:
    """A replaced day of a system and kind replaces that day's rows here too. A day may
    span pages: `replaced` holds the days this build already cleared (and so filled)."""
    groups = {(s["day"], s["system"], s["kind"]) for s in snapshots} - replaced
    replaced |= groups
    for day, system, kind in groups:
        con.execute(
            "DELETE FROM fact_stock_snapshots WHERE date = ? AND system = ? AND kind = ?",
            [dt.date.fromisoformat(day), system, kind],
        )
    rows = []
    for snapshot in snapshots:
        quantity = Decimal(snapshot["quantity"])
        rows.append(
            {
                "date": dt.date.fromisoformat(snapshot["day"]),
                "system": snapshot["system"],
                "kind": snapshot["kind"],
                "location": snapshot["location"],
                "sku": snapshot["sku"],
                "quantity": quantity,
                "forecast": decimal(snapshot["forecast"]),
                "out_of_stock": quantity <= 0,
            }
        )
    return insert_rows(con, FACT_STOCK_SNAPSHOTS, rows)


def write_changes(
    con: duckdb.DuckDBPyConnection, changes: Sequence[Mapping[str, Any]], rates: Rates
) -> int:
    """Order changes, and each refund's returned SKUs (fact_returns). The returns' order
    columns (number, customer, ...) are filled from fact_orders by fill_return_orders."""
    rows, returns = [], []
    for change in changes:
        occurred = utc(change["occurred_at"] or change["recorded_at"])
        rows.append(
            {
                "change_key": change["dedupe_key"],
                "order_key": change["hub_id"],
                "channel": change["system"],
                "order_id": change["order_id"],
                "kind": change["kind"],
                "occurred_at": occurred,
                "change_date": _day(occurred),
                "currency": change["currency"],
                "amount_delta": decimal(change["amount_delta"]),
                "before": json.dumps(change["before"], sort_keys=True),
                "after": json.dumps(change["after"], sort_keys=True),
            }
        )
        if change["kind"] == "refund":
            returns.extend(return_rows(change, occurred, rates))
    delete_keys(con, FACT_ORDER_CHANGES.name, "change_key", [r["change_key"] for r in rows])
    insert_rows(con, FACT_ORDER_CHANGES, rows)
    delete_keys(con, FACT_RETURNS.name, "return_key", [r["return_key"] for r in returns])
    insert_rows(con, FACT_RETURNS, returns)
    return len(rows)


def return_rows(change: Mapping[str, Any], occurred: dt.datetime | None, rates: Rates) -> list[Row]:
    """One row per SKU of a refund's lines (orders/changes.py: refund_lines): units and
    what was refunded for them (unit price x quantity), at the rate of the refund's day."""
    after = change["after"] or {}
    reason = after.get("reason") or UNKNOWN_REASON
    currency = change["currency"] or ((after.get("total") or {}).get("currency"))
    day = _day(occurred)
    rate = rates.rate(currency, day)
    per_sku: dict[str, list[Decimal]] = {}
    for line in after.get("refund_lines") or []:
        sku = line.get("sku") or line.get("title") or UNKNOWN_REASON
        totals = per_sku.setdefault(sku, [Decimal(0), Decimal(0), Decimal(0)])
        quantity = Decimal(str(line.get("quantity") or 0))
        totals[0] += quantity
        totals[1] += quantity * Decimal(str(line.get("unit_price") or 0))
        if line.get("restock") in COMES_BACK:
            totals[2] += quantity
    rows = []
    for sku, (quantity, refunded, restocked) in per_sku.items():
        amount = refunded.quantize(CENTS4)
        rows.append(
            {
                "order_key": change["hub_id"],
                "channel": change["system"],
                "order_id": change["order_id"],
                "return_key": f"{change['dedupe_key']}:{sku}",
                "returned_at": occurred,
                "return_date": day,
                "sku": sku,
                "quantity": quantity,
                "reason": reason,
                "restocked": restocked,
                "currency": currency,
                "company_currency": rates.company_currency,
                "rate": rate,
                "refunded": amount,
                "refunded_company": converted(amount, rate),
            }
        )
    return rows


def fill_return_orders(con: duckdb.DuckDBPyConnection) -> None:
    """The returns' order columns from their order (it may arrive in a later build), and
    the restocked units' cost at their order line's unit cost (known once the ERP said)."""
    con.execute(
        """
        UPDATE fact_returns AS r SET order_number = o.order_number, erp_sale_id = o.erp_sale_id,
            customer_id = o.customer_id, order_date = o.order_date
        FROM fact_orders AS o WHERE r.order_key = o.order_key
        """
    )
    con.execute(
        """
        UPDATE fact_returns AS r
        SET restocked_cost_company = CAST(r.restocked * u.unit_cost AS DECIMAL(18, 4))
        FROM (
            SELECT order_key, sku, sum(cost_company) / nullif(sum(quantity), 0) AS unit_cost
            FROM fact_order_lines GROUP BY order_key, sku
        ) AS u
        WHERE r.order_key = u.order_key AND r.sku = u.sku
        """
    )
