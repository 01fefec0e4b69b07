"""Reading every system at the end of a soak, without the hub's own code paths.

The ERP is read over plain RPC (sales and lines by reference prefix in two calls, the
forecast per SKU in the warehouse), the store through its control API, the hub's queue
straight from its database.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine.jobs import DEAD, QUEUED, RUNNING
from causeway.engine.schema import jobs
from causeway_sandbox.tryton.server import TrytonServer

UNFINISHED_ORDER_JOBS = "unfinished order jobs"
SALE_FIELDS = ["reference", "state", "shipment_state", "invoice_state", "total_amount"]
LINE_FIELDS = ["sale", "product.code", "quantity", "unit_price"]


def connect(erp: TrytonServer) -> TrytonConnector:
    return TrytonConnector(erp.url, erp.database, erp.username, erp.password)


def erp_sales(erp: TrytonServer, prefix: str) -> list[dict[str, Any]]:
    """Every sale whose reference starts with `prefix`, with its lines."""
    with connect(erp) as connector:
        rpc = connector.rpc
        sales = rpc.search_read("sale.sale", [("reference", "like", f"{prefix}%")], SALE_FIELDS)
        lines = rpc.search_read(
            "sale.line", [("sale.reference", "like", f"{prefix}%")], LINE_FIELDS
        )
    by_sale: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        by_sale.setdefault(int(line["sale"]), []).append(
            {
                "product_code": (line.get("product.") or {}).get("code"),
                "quantity": Decimal(str(line["quantity"])),
                "unit_price": Decimal(str(line["unit_price"])),
            }
        )
    return [{**sale, "lines": by_sale.get(int(sale["id"]), [])} for sale in sales]


def erp_references(erp: TrytonServer, prefix: str) -> set[str]:
    """The references of the sales starting with `prefix` (one light call, for polling)."""
    with connect(erp) as connector:
        found = connector.rpc.search_read(
            "sale.sale", [("reference", "like", f"{prefix}%")], ["reference"]
        )
    return {str(s["reference"]) for s in found}


def erp_forecast(
    erp: TrytonServer, skus: list[str], warehouse_code: str = "WH"
) -> dict[str, Decimal]:
    """Tryton's own forecast quantity per SKU in the warehouse (on hand less what
    confirmed sales will take)."""
    with connect(erp) as connector:
        rpc = connector.rpc
        (warehouse,) = rpc.search_read(
            "stock.location", [("type", "=", "warehouse"), ("code", "=", warehouse_code)], ["id"]
        )
        products = rpc.search_read(
            "product.product",
            [("code", "in", skus)],
            ["code", "forecast_quantity"],
            context={**rpc.context, "locations": [warehouse["id"]]},
        )
    return {p["code"]: Decimal(str(p["forecast_quantity"])) for p in products}


def store_orders(shop: httpx.Client, ids: set[int]) -> list[dict[str, Any]]:
    orders = shop.get("/_sandbox/orders").raise_for_status().json()["orders"]
    return [o for o in orders if o["id"] in ids]


def store_inventory(shop: httpx.Client, skus: list[str]) -> dict[str, int]:
    inventory = shop.get("/_sandbox/inventory").raise_for_status().json()
    return {sku: int(inventory[sku]) for sku in skus if sku in inventory}


def fault_counts(shop: httpx.Client) -> dict[str, int]:
    """What the store did to the hub: edge errors answered, webhooks sent twice or lost."""
    calls = shop.get("/_sandbox/calls").raise_for_status().json()
    statuses = Counter(int(c["status"]) for c in calls if c.get("status") is not None)
    deliveries = shop.get("/_sandbox/deliveries").raise_for_status().json()
    return {
        "API calls": len(calls),
        "5xx answered": sum(n for status, n in statuses.items() if status >= 500),
        "429 answered": statuses[429],
        "webhook attempts": len(deliveries),
        "duplicate deliveries": sum(1 for d in deliveries if d["duplicate"]),
        "answers lost (timeouts)": sum(1 for d in deliveries if d["status"] == "timeout"),
        "deliveries refused (hub down)": sum(
            1 for d in deliveries if str(d["status"]).startswith("error")
        ),
        "deliveries given up": sum(1 for d in deliveries if d.get("gave_up")),
    }


def hub_jobs(database: Path) -> dict[str, int]:
    """The hub's queue by state, and its unfinished order jobs (queued, backing off or
    running). Order jobs (placing, edits, payments, cancellations) carry the order's
    ordering key; scheduled runs (the poll, stock) come and go and are not counted.
    The reasons of dead jobs are written next to the database, for the operator."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state)).all()
            unfinished = conn.execute(
                select(func.count()).where(
                    jobs.c.state.in_((QUEUED, RUNNING)), jobs.c.ordering_key.like("%:order:%")
                )
            ).scalar_one()
            dead = conn.execute(
                select(jobs.c.id, jobs.c.flow, jobs.c.last_error).where(jobs.c.state == DEAD)
            ).all()
    finally:
        engine.dispose()
    counts = {state: int(n) for state, n in rows}
    counts[UNFINISHED_ORDER_JOBS] = int(unfinished)
    if dead:
        (database.parent / "dead_jobs.json").write_text(
            json.dumps([{"id": i, "flow": f, "error": e} for i, f, e in dead], indent=1)
        )
    return counts
