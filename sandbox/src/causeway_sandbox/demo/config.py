"""causeway.yaml, as data, for a hub between a local Tryton and local stores: the one-store
form tests and benchmarks start from, and the demo's three stores in channel lists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from causeway_sandbox.demo.amazon import FBA_WAREHOUSE
from causeway_sandbox.demo.amazon import PREFIX as AMAZON_PREFIX
from causeway_sandbox.demo.amazon import SYSTEM as AMAZON
from causeway_sandbox.demo.amazon_fees import fees_flow
from causeway_sandbox.demo.amazon_stock import stock_channel
from causeway_sandbox.demo.stores import DemoStore
from causeway_sandbox.tryton.server import TrytonServer


def erp_system(erp: TrytonServer) -> dict[str, Any]:
    return {
        "type": "tryton",
        "url": erp.url,
        "database": erp.database,
        "username": erp.username,
        "password": erp.password,
    }


def local_config(
    workdir: Path, erp: TrytonServer, shop_url: str, *, token: str, secret: str, port: int
) -> dict[str, Any]:
    """A hub between a local Tryton and one local Shopify store `shop`, in the one-store
    form (`source:`, `targets:`). Tests and benchmarks change what they measure."""
    return {
        "store": {"url": f"sqlite:///{workdir / 'causeway.db'}"},
        "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
        "workers": {"count": 2, "lease": "10s", "backoff_base": "500ms", "backoff_cap": "5s"},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": shop_url,
                "access_token": token,
                "webhook_secret": secret,
            },
            "erp": erp_system(erp),
        },
        "flows": {
            "orders-to-erp": {
                "source": "shop",
                "target": "erp",
                "reconcile_every": "20s",
                "batch_size": 25,
            },
            "stock-to-channels": {
                "source": "erp",
                "targets": ["shop"],
                "every": "10s",
                "safety_stock": 2,
            },
        },
    }


def demo_config(
    workdir: Path,
    erp: TrytonServer,
    stores: Sequence[DemoStore],
    port: int,
    amazon: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The demo's hub: every store's orders into one Tryton, each channel with its
    reference prefix and sale terms; the ERP's stock split between the stores by share;
    shipments fulfil each store's orders; each store's payments pay its invoices.
    `amazon`: an Amazon system, another orders channel (prefix AMZ-) whose shipments are
    confirmed and whose cancellations cancel the sale; Amazon pays out, not the buyer, so
    it has no payments channel. Amazon is a stock channel too (its share beside the
    stores'), and channel-fees books what Amazon keeps of each order in Tryton."""
    systems = {store.spec.system: store.system_config() for store in stores}
    marketplaces = {} if amazon is None else {AMAZON: amazon}
    order_channels = []
    for store in stores:
        channel = {"system": store.spec.system, "reference_prefix": store.spec.reference_prefix}
        if store.spec.price_list:
            channel["price_list"] = store.spec.price_list
        if store.spec.payment_term:
            channel["payment_term"] = store.spec.payment_term
        order_channels.append(channel)
    order_channels += [
        {
            "system": name,
            "reference_prefix": AMAZON_PREFIX,
            # Orders Amazon fulfils are placed as shipped from there (no stock is counted).
            "channel_fulfilled_warehouse": FBA_WAREHOUSE[1],
        }
        for name in marketplaces
    ]
    stock_channels = [
        # share: 0.3, as a merchant writes it (the settings read it as exactly 3/10).
        {"system": s.spec.system, "share": float(s.spec.share), "safety_stock": s.spec.safety_stock}
        for s in stores
    ]
    # Amazon takes its share too, of the SKUs the seller lists there as merchant-fulfilled.
    stock_channels += [stock_channel() for _ in marketplaces]
    return {
        "store": {"url": f"sqlite:///{workdir / 'causeway.db'}"},
        "server": {"port": port, "public_url": f"http://127.0.0.1:{port}"},
        # A payment that arrives before its order is in Tryton is retried until it is:
        # often (everything is local) and for minutes (a busy machine slows Tryton down).
        "workers": {
            "count": 2,
            "lease": "10s",
            "backoff_base": "500ms",
            "backoff_cap": "2s",
            "max_attempts": 90,
        },
        "systems": systems | marketplaces | {"erp": erp_system(erp)},
        # The B2B portal on the same listener (docs/portal.md): the demo's company buys
        # there at its own prices; portal-orders places its orders (on with the portal).
        "portal": {"enabled": True, "erp": "erp"},
        "flows": {
            "portal-progress": {"source": "erp", "every": "60s"},
            "orders-to-erp": {
                "target": "erp",
                "channels": order_channels,
                "reconcile_every": "20s",
                "batch_size": 25,
            },
            # A sale republishes at once; the schedule is for changes made in Tryton.
            "stock-to-channels": {"source": "erp", "channels": stock_channels, "every": "60s"},
            # The rest of the order's life: shipments fulfil store orders with their
            # tracking, and each store's payments pay its ERP invoices.
            "fulfillments-to-channels": {
                "source": "erp",
                "targets": [*systems, *marketplaces],
                "schedule": "every 5s",
                "tracking_urls": {"UPS": "https://www.ups.com/track?tracknum={number}"},
                "notify_customer": True,
            },
            "payments-and-invoices": {
                "channels": [{"system": system} for system in systems],
                "target": "erp",
                # Paying an invoice records its state; the read-back is for invoices a
                # person pays in Tryton, and every 5 s it would only keep Tryton busy.
                "schedule": "realtime, every 60s",
            },
        }
        # An Amazon order cancelled after it was placed cancels its sale; Amazon's fees
        # become supplier invoices (and its refunds' fee changes, credit notes).
        | (
            {
                "cancellations": {
                    "target": "erp",
                    "channels": [{"system": m} for m in marketplaces],
                },
                "channel-fees": fees_flow("erp"),
            }
            if marketplaces
            else {}
        ),
    }


def write_config(config: dict[str, Any], path: Path) -> None:
    """causeway.yaml as the demo's hub runs it, for the reader to compare with their own."""
    header = "# Written by `causeway demo`: the hub it ran, with the sandboxes' local secrets.\n"
    path.write_text(header + yaml.safe_dump(config, sort_keys=False))
