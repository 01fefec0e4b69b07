"""Incremental reads: `modified_after` (with `dates_are_gmt=true`) returns what changed
strictly after the cursor, every change stamps `date_modified`, and `after` reads creation."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed


def later(woo: WooSandboxServer, seconds: float = 60) -> None:
    woo.control("POST", "clock", json={"advance_seconds": seconds})


def test_only_orders_changed_after_the_cursor_come_back(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "MOD-1", quantity=50)
    first, second = buy(woo, "MOD-1").json(), buy(woo, "MOD-1").json()
    cursor = first["date_modified_gmt"]
    later(woo)
    changed = api.put(f"orders/{second['id']}", json={"status": "completed"}).json()
    assert changed["date_modified_gmt"] > cursor
    assert changed["date_completed_gmt"] == changed["date_modified_gmt"]
    fresh = api.get("orders", params={"modified_after": cursor, "dates_are_gmt": "true"}).json()
    assert [o["id"] for o in fresh] == [second["id"]]
    # Strictly after: the cursor's own second is not repeated.
    at_change = {"modified_after": changed["date_modified_gmt"], "dates_are_gmt": "true"}
    assert api.get("orders", params=at_change).json() == []


def test_without_dates_are_gmt_the_cursor_is_site_time(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "MOD-2", quantity=50)
    order = buy(woo, "MOD-2").json()
    later(woo)
    api.put(f"orders/{order['id']}", json={"customer_note": "leave at the door"})
    before_change_gmt = order["date_modified_gmt"]
    # The same instant written in site time (three hours behind GMT by default).
    local = order["date_modified"]
    assert local != before_change_gmt
    assert [o["id"] for o in api.get("orders", params={"modified_after": local}).json()] == [
        order["id"]
    ]
    # Reading a GMT stamp as site time moves the cursor three hours later: nothing comes back.
    assert api.get("orders", params={"modified_after": before_change_gmt}).json() == []
    with_offset = (datetime.fromisoformat(before_change_gmt) - timedelta(seconds=1)).isoformat()
    assert len(api.get("orders", params={"modified_after": with_offset + "Z"}).json()) == 1


def test_every_kind_of_change_stamps_date_modified(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "MOD-3", quantity=50)
    order = buy(woo, "MOD-3").json()
    stamps = [order["date_modified_gmt"]]
    for change in (
        lambda: api.put(
            f"orders/{order['id']}", json={"meta_data": [{"key": "erp_ref", "value": "SO-1"}]}
        ),
        lambda: api.post(
            f"orders/{order['id']}/refunds", json={"amount": "1.00", "api_refund": False}
        ),
        lambda: woo.control("POST", f"orders/{order['id']}/status", json={"status": "on-hold"}),
    ):
        later(woo, 5)
        change()
        stamps.append(api.get(f"orders/{order['id']}").json()["date_modified_gmt"])
    assert stamps == sorted(set(stamps))


def test_a_note_does_not_change_the_order(woo: WooSandboxServer, api: httpx.Client) -> None:
    seed(woo, "MOD-4", quantity=50)
    order = buy(woo, "MOD-4").json()
    later(woo)
    api.post(f"orders/{order['id']}/notes", json={"note": "Tracking 1Z999"})
    assert (
        api.get(f"orders/{order['id']}").json()["date_modified_gmt"] == order["date_modified_gmt"]
    )


def test_after_reads_creation_and_modified_after_reads_products_too(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    old = seed(woo, "MOD-5")
    later(woo)
    new = seed(woo, "MOD-6")
    created = api.get(
        "products", params={"after": old["date_created_gmt"], "dates_are_gmt": "true"}
    )
    assert [p["sku"] for p in created.json()] == ["MOD-6"]
    later(woo)
    api.put(f"products/{old['id']}", json={"stock_quantity": 3})
    changed = api.get(
        "products", params={"modified_after": new["date_modified_gmt"], "dates_are_gmt": "true"}
    )
    assert [p["sku"] for p in changed.json()] == ["MOD-5"]
