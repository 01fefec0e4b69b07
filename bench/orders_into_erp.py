"""Orders into Tryton: through the hub (batched) versus direct JSON-RPC, one order at a time.

Both sides do the same ERP work for the same kind of order (find or create the
customer by email, create the sale with its lines and taxes, quote, confirm)
against the same Tryton, in this one script. The baseline is what a simple
integration does: one order, one set of calls. The hub receives the orders as
signed webhooks and lets its worker batch them.

    .venv/bin/python bench/orders_into_erp.py [--orders 40]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench._common import hub_settings, start_tryton, store_orders, webhook
from causeway.config import parse_config
from causeway.connectors.tryton.rpc import TrytonRPC
from causeway.hub import Hub
from causeway.web.app import create_app
from causeway_sandbox.localserver import BackgroundServer, free_port


def direct_one_by_one(rpc: TrytonRPC, orders: list[dict[str, Any]]) -> None:
    """The baseline: per order, the calls a straightforward integration makes."""
    products = {
        p["code"]: p
        for p in rpc.search_read(
            "product.product",
            [["code", "in", sorted({li["sku"] for o in orders for li in o["line_items"]})]],
            ["code", "default_uom"],
        )
    }
    (tax,) = rpc.search_read("account.tax", [["rate", "=", Decimal("0.10")]], ["id"], limit=1)
    for order in orders:
        email = order["email"].lower()
        found = rpc.search_read(
            "party.contact_mechanism",
            [["type", "=", "email"], ["value", "=", email]],
            ["party"],
            limit=1,
        )
        if found:
            party = found[0]["party"]
            address = rpc.read("party.party", [party], ["addresses"])[0]["addresses"][0]
        else:
            a = order["shipping_address"]
            (party,) = rpc.create(
                "party.party",
                [
                    {
                        "name": f"{a['first_name']} {a['last_name']}",
                        "addresses": [
                            [
                                "create",
                                [
                                    {
                                        "street": a["address1"],
                                        "postal_code": a["zip"],
                                        "city": a["city"],
                                    }
                                ],
                            ]
                        ],
                        "contact_mechanisms": [["create", [{"type": "email", "value": email}]]],
                    }
                ],
            )
            address = rpc.read("party.party", [party], ["addresses"])[0]["addresses"][0]
        (sale,) = rpc.create(
            "sale.sale",
            [
                {
                    "party": party,
                    "invoice_address": address,
                    "shipment_address": address,
                    "reference": f"direct-{order['id']}",
                    "lines": [
                        [
                            "create",
                            [
                                {
                                    "type": "line",
                                    "product": products[li["sku"]]["id"],
                                    "quantity": float(li["quantity"]),
                                    "unit": products[li["sku"]]["default_uom"],
                                    "unit_price": Decimal(li["price"]),
                                    "taxes": [["add", [tax["id"]]]],
                                }
                                for li in order["line_items"]
                            ],
                        ]
                    ],
                }
            ],
        )
        rpc.button("sale.sale", "quote", [sale])
        rpc.button("sale.sale", "confirm", [sale])


def through_the_hub(erp: Any, orders: list[dict[str, Any]]) -> float:
    workdir = Path(tempfile.mkdtemp(prefix="causeway-bench-hub-"))
    port = free_port()
    hub = Hub(parse_config(hub_settings(workdir, erp, "http://127.0.0.1:9", port), env={}))
    hub.start(scheduler=False)
    server = BackgroundServer(create_app(hub), port=port).start()
    try:
        started = time.perf_counter()
        with httpx.Client(base_url=server.url) as client:
            for i, order in enumerate(orders):
                body, headers = webhook(order, f"bench-{i}")
                client.post("/webhooks/shop", content=body, headers=headers).raise_for_status()
        while hub.jobs.unfinished():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        dead = hub.jobs.dead()
        if dead:
            raise SystemExit(f"hub parked {len(dead)} orders: {dead[0]['last_error']}")
        return elapsed
    finally:
        server.stop()
        hub.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=40)
    args = parser.parse_args()
    erp = start_tryton()
    try:
        direct_orders = store_orders(args.orders, "direct")
        hub_orders = store_orders(args.orders, "hub")
        rpc = TrytonRPC(erp.url, erp.database, erp.username, erp.password)
        started = time.perf_counter()
        direct_one_by_one(rpc, direct_orders)
        direct = time.perf_counter() - started
        rpc.close()
        hub = through_the_hub(erp, hub_orders)
    finally:
        erp.stop()
    n = args.orders
    print(f"orders: {n} per side, 2 lines each, real Tryton 8.2 on SQLite")
    print(f"direct JSON-RPC, one order at a time: {direct:7.2f} s  ({n / direct:6.2f} orders/s)")
    print(f"through the hub (webhooks, batched):  {hub:7.2f} s  ({n / hub:6.2f} orders/s)")
    print(f"ratio hub/direct throughput: {direct / hub:.2f}x (target >= 3x)")


if __name__ == "__main__":
    main()
