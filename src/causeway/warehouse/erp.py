"""What the ERP adds (docs/warehouse.md): line costs, shipments (with what the carrier
charges), invoices, products.

Read through the ErpReporting port, in batches of sale ids. A build reads the sales of
the orders it rewrote and every sale not yet final (not done or cancelled), so a
shipment or an invoice made after the order arrives in a later build. Without an ERP
the costs stay NULL and there are no fulfilments or payments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import duckdb

from causeway.model.ports.erp_reporting import ErpReporting, SaleCosts
from causeway.warehouse.duck import ERP_SALES, LINE_COSTS, delete_keys, insert_rows
from causeway.warehouse.money import CENTS4, Rates, converted
from causeway.warehouse.orders import utc
from causeway.warehouse.schema import DIM_PRODUCT, FACT_FULFILMENTS, FACT_PAYMENTS, ORDER_KEYS

BATCH = 1000  # sale ids per ERP call: few calls, each a bounded answer
FINAL_STATES = ("done", "cancelled")
KEY_NAMES = [c.name for c in ORDER_KEYS]


def open_sales(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Sales whose shipments or invoices may still come: last read not final, or whose
    order the warehouse has but the ERP has not answered for."""
    rows = con.execute(
        "SELECT sale_id FROM _erp_sales WHERE NOT final "
        "UNION SELECT erp_sale_id FROM fact_orders WHERE erp_sale_id IS NOT NULL "
        "AND erp_sale_id NOT IN (SELECT sale_id FROM _erp_sales)"
    ).fetchall()
    return [int(r[0]) for r in rows]


def read_sales(
    con: duckdb.DuckDBPyConnection,
    erp: ErpReporting,
    sale_ids: Iterable[int],
    rates: Rates,
    tick: Callable[[int], None] = lambda n: None,
    *,
    learn: Callable[[Iterable[str]], None] = lambda currencies: None,
) -> int:
    """Costs, shipments and invoices of these sales into the warehouse; how many read.
    `learn`: called with the currencies of the shipments' costs before they are
    converted, so that `rates` knows one no order is in (a carrier billing in dollars)."""
    ids = sorted(set(sale_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        orders = _orders_of(con, batch)
        costs = erp.sale_costs(batch)
        _write_costs(con, orders, costs)
        shipments = erp.sale_shipments(batch)
        learn({s.cost_currency for found in shipments.values() for s in found if s.cost_currency})
        _write_shipments(con, orders, shipments, rates)
        _write_invoices(con, orders, erp.sale_invoice_facts(batch), rates)
        delete_keys(con, ERP_SALES.name, "sale_id", batch)
        read = []
        for sale in batch:
            state = costs[sale].state if sale in costs else None
            order = orders.get(sale)
            read.append(
                {
                    "sale_id": sale,
                    "order_key": order["order_key"] if order else None,
                    "state": state,
                    "final": state in FINAL_STATES,
                }
            )
        insert_rows(con, ERP_SALES, read)
        tick(len(batch))
    return len(ids)


def _orders_of(
    con: duckdb.DuckDBPyConnection, sale_ids: Sequence[int]
) -> dict[int, dict[str, Any]]:
    marks = ", ".join("?" for _ in sale_ids)
    cursor = con.execute(
        f"SELECT {', '.join(KEY_NAMES)}, ordered_at, currency FROM fact_orders "
        f"WHERE erp_sale_id IN ({marks})",
        list(sale_ids),
    )
    names = [d[0] for d in cursor.description]
    return {row[4]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _write_costs(
    con: duckdb.DuckDBPyConnection,
    orders: Mapping[int, Mapping[str, Any]],
    costs: Mapping[int, SaleCosts],
) -> None:
    """Each order line's cost: the ERP's cost per unit of its SKU on that sale (lines of
    one SKU share it) times the line's quantity; one UPDATE for the batch."""
    found_costs = []
    for sale, order in orders.items():
        found = costs.get(sale)
        if found is None:
            continue
        per_sku: dict[str, list[Decimal]] = {}
        for line in found.lines:
            if line.quantity > 0:
                totals = per_sku.setdefault(line.sku, [Decimal(0), Decimal(0)])
                totals[0] += line.cost
                totals[1] += line.quantity
        found_costs += [
            {"order_key": order["order_key"], "sku": sku, "cost": cost, "quantity": quantity}
            for sku, (cost, quantity) in per_sku.items()
        ]
    temporary = LINE_COSTS.ddl().replace("CREATE TABLE", "CREATE TEMP TABLE IF NOT EXISTS", 1)
    con.execute(temporary)
    con.execute(f"DELETE FROM {LINE_COSTS.name}")
    insert_rows(con, LINE_COSTS, found_costs)
    con.execute(
        f"""
        UPDATE fact_order_lines AS l
        SET cost_company = round(l.quantity * c.cost / c.quantity, 4)
        FROM {LINE_COSTS.name} AS c WHERE l.order_key = c.order_key AND l.sku = c.sku
        """
    )


def _write_shipments(
    con: duckdb.DuckDBPyConnection,
    orders: Mapping[int, Mapping[str, Any]],
    shipments: Mapping[int, list[Any]],
    rates: Rates,
) -> None:
    """A shipment's cost converts at the rate of its ship date."""
    delete_keys(con, FACT_FULFILMENTS.name, "order_key", [o["order_key"] for o in orders.values()])
    rows = []
    for sale, order in orders.items():
        for shipment in shipments.get(sale, []):
            shipped = utc(shipment.shipped_at.timestamp())
            assert shipped is not None
            hours = (shipped - order["ordered_at"]).total_seconds() / 3600
            cost = None if shipment.cost is None else shipment.cost.quantize(CENTS4)
            currency = shipment.cost_currency if cost is not None else None
            rate = rates.rate(currency, shipped.date()) if currency else None
            rows.append(
                {
                    **{k: order[k] for k in KEY_NAMES},
                    "shipment_id": shipment.shipment_id,
                    "shipment_number": shipment.number,
                    "warehouse": shipment.warehouse,
                    "carrier": shipment.carrier,
                    "ordered_at": order["ordered_at"],
                    "shipped_at": shipped,
                    "ship_date": shipped.date(),
                    "lead_time_hours": round(hours, 4),
                    "units": shipment.units,
                    "shipping_cost": cost,
                    "shipping_cost_currency": currency,
                    "company_currency": rates.company_currency,
                    "rate": rate,
                    "shipping_cost_company": converted(cost, rate),
                }
            )
    insert_rows(con, FACT_FULFILMENTS, rows)


def _write_invoices(
    con: duckdb.DuckDBPyConnection,
    orders: Mapping[int, Mapping[str, Any]],
    invoices: Mapping[int, list[Any]],
    rates: Rates,
) -> None:
    """An invoice converts at the rate of its own date (the order's until it has one)."""
    delete_keys(con, FACT_PAYMENTS.name, "order_key", [o["order_key"] for o in orders.values()])
    rows = []
    for sale, order in orders.items():
        for invoice in invoices.get(sale, []):
            day = invoice.invoice_date or order["order_date"]
            rate = rates.rate(invoice.currency, day)
            amount = invoice.total_amount.quantize(CENTS4)
            rows.append(
                {
                    **{k: order[k] for k in KEY_NAMES},
                    "invoice_id": invoice.invoice_id,
                    "invoice_number": invoice.number,
                    "state": invoice.state,
                    "currency": invoice.currency,
                    "company_currency": rates.company_currency,
                    "rate": rate,
                    "amount": amount,
                    "amount_company": converted(amount, rate),
                }
            )
    insert_rows(con, FACT_PAYMENTS, rows)


def write_products(
    con: duckdb.DuckDBPyConnection, erp: ErpReporting | None, currency: str | None
) -> int:
    """dim_product anew: the ERP's products, then every SKU the facts name that the ERP
    does not have, titled as the order lines call it."""
    con.execute(f"DELETE FROM {DIM_PRODUCT.name}")
    rows = []
    if erp is not None:
        rows = [
            {
                "sku": p.sku,
                "title": p.title,
                "category": p.category,
                "cost_price": p.cost_price,
                "company_currency": currency,
            }
            for p in {p.sku: p for p in erp.product_facts()}.values()
        ]
    insert_rows(con, DIM_PRODUCT, rows)
    con.execute(
        """
        INSERT INTO dim_product (sku, title, company_currency)
        SELECT sku, max(title), ? FROM (
            SELECT sku, title FROM fact_order_lines
            UNION ALL SELECT sku, NULL FROM fact_returns
            UNION ALL SELECT sku, NULL FROM fact_stock_snapshots
            UNION ALL SELECT sku, NULL FROM fact_web_events
        ) WHERE sku IS NOT NULL AND sku NOT IN (SELECT sku FROM dim_product)
        GROUP BY sku
        """,
        [currency],
    )
    return int(con.execute("SELECT count(*) FROM dim_product").fetchone()[0])  # type: ignore[index]
