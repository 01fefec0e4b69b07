"""A hub store with orders, a refund, storefront events, carts, snapshots and jobs, and
the ERP test double that knows the orders' sales."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.config import CausewayConfig, parse_config
from causeway.engine.store import Store
from causeway.model.ports.erp_reporting import CurrencyRate, ProductFact
from tests.warehouse import hub_rows as seed
from tests.warehouse.erp_double import ErpDouble

TODAY = dt.date(2026, 3, 31)


def config_data(store_url: str, **warehouse: Any) -> dict[str, Any]:
    return {
        "store": {"url": store_url},
        "systems": {
            "shop": {
                "type": "shopify",
                "shop_url": "http://127.0.0.1:9",
                "access_token": "shpat_x",
                "webhook_secret": "secret-secret-secret",
            },
            "erp": {
                "type": "tryton",
                "url": "http://127.0.0.1:9",
                "database": "tryton",
                "username": "causeway",
                "password": "secret",
            },
        },
        "warehouse": {
            "channel_fees": {"shop": {"percent": "2", "fixed": "0.30", "currency": "EUR"}},
            **warehouse,
        },
    }


@pytest.fixture
def hub_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'hub.db'}")
    yield store
    store.dispose()


@pytest.fixture
def settings(hub_store: Store) -> CausewayConfig:
    return parse_config(config_data(str(hub_store.url)), env={})


@pytest.fixture
def erp() -> ErpDouble:
    double = ErpDouble(currency="EUR")
    double.products = [
        ProductFact(sku="SKU-A", title="Alpha", category="Tools", cost_price=Decimal("4")),
        ProductFact(sku="SKU-B", title="Beta", category="Tools", cost_price=Decimal("7")),
    ]
    double.rates = [
        CurrencyRate(currency="USD", date=dt.date(2026, 1, 1), rate=Decimal("0.9")),
        CurrencyRate(currency="USD", date=dt.date(2026, 3, 10), rate=Decimal("0.8")),
    ]
    return double


def seed_first_day(store: Store, erp: ErpDouble) -> None:
    """Two orders (one in USD), a customer, events, a cart, a snapshot and jobs."""
    seed.put_customer(store, "c1", group="vip")
    seed.put_order(store, "shop:1001", lines=[("SKU-A", 2, "10.00"), ("SKU-B", 1, "20.00")], sale=1)
    erp.sale(1, "processing", ("SKU-A", 2, "8.00"), ("SKU-B", 1, "7.00"))
    seed.put_order(
        store,
        "shop:1002",
        customer="c2",
        currency="USD",
        lines=[("SKU-B", 1, "50.00")],
        sale=2,
        day="2026-03-12",
    )
    erp.sale(2, "confirmed", ("SKU-B", 1, "7.00"))
    seed.put_events(store, "client-1", "1001", day="2026-03-02")
    seed.put_cart(store, "chk-1", "abandoned", day="2026-03-01", abandoned=True)
    seed.put_snapshot(store, "2026-03-02", {"SKU-A": 5, "SKU-B": 0})
    seed.put_job(store, "orders-to-erp", "done", finished=seed.ts("2026-03-02"))
    seed.put_job(
        store,
        "orders-to-erp",
        "done",
        finished=seed.ts("2026-03-02", 14),
        parked=seed.ts("2026-03-02", 12),
    )


def seed_later(store: Store, erp: ErpDouble) -> None:
    """A new order, an edit, a cancellation, a refund, a shipment and an invoice."""
    seed.put_order(
        store, "shop:1003", customer="c1", lines=[("SKU-A", 1, "10.00")], sale=3, day="2026-03-20"
    )
    erp.sale(3, "done", ("SKU-A", 1, "4.00"))
    seed.put_order(store, "shop:1001", lines=[("SKU-A", 1, "10.00")], sale=1)  # edited
    erp.sale(1, "done", ("SKU-A", 1, "4.00"))
    erp.ship(1, 501, dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), units=1)
    erp.invoice(1, 601, "15.00", "EUR", dt.date(2026, 3, 4))
    seed.put_order(
        store,
        "shop:1002",
        customer="c2",
        currency="USD",
        lines=[("SKU-B", 1, "50.00")],
        sale=2,
        day="2026-03-12",
        state="cancelled",
    )
    erp.sale(2, "cancelled", ("SKU-B", 1, "7.00"))
    seed.put_refund(store, "shop:1003", "r-1", "SKU-A", 1, "10.00", day="2026-03-22")
    seed.put_events(store, "client-1", None, day="2026-03-20", n=1, first=10)
    seed.put_snapshot(store, "2026-03-02", {"SKU-A": 4})  # the day re-taken
    seed.put_snapshot(store, "2026-03-03", {"SKU-A": 3, "SKU-B": 2})
    seed.put_customer(store, "c2", country="US")
