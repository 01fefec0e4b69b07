"""Amazon FBA against the real Tryton 8.2: an order Amazon fulfilled from its own warehouse
becomes one sale shipped from the "Amazon FBA" warehouse, its shipment done at once, the
merchant's stock untouched, and no shipment confirmation goes back; a replay makes nothing
new; a merchant-fulfilled (MFN) order of the same channel ships from the merchant's
warehouse as ever.

This module runs its own Tryton: the "Amazon FBA" warehouse it adds would change what the
session's other tests see (with one warehouse, Tryton picks it as every sale's default).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.tryton.connector import TrytonConnector
from causeway.engine import links
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.fulfillments_to_channels import flow as fulfilments
from causeway.flows.fulfillments_to_channels.decisions import BY_CHANNEL
from causeway.flows.orders_to_erp import NAME, OrdersToErp, order_job
from causeway.flows.orders_to_erp.declaration import OrderChannel
from causeway.model import Order
from causeway.model.sale_terms import SaleTerms
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.canonical_orders import CanonicalOrders
from tests.tryton.test_tryton_connector import make_order, placed
from tests.tryton_fixtures import own_tryton

pytestmark = pytest.mark.tryton

# This module's own Tryton (see the module docstring); `tryton` connects to it.
tryton_server = own_tryton("tryton-fba")

SKU = "WID-001"


def amazon_channel(unique: str) -> OrderChannel:
    return OrderChannel(
        system="amazon",
        reference_prefix=f"amz{unique}-",
        channel_fulfilled_warehouse="Amazon FBA",  # by its name; its code is FBA
    )


def orders_flow(store: Store, tryton: TrytonConnector, channel: OrderChannel) -> OrdersToErp:
    inbox = Inbox(store, JobQueue(store), lambda r, i: [order_job(channel.system, r, i)])
    return OrdersToErp(
        store,
        inbox,
        source=channel.system,
        source_connector=CanonicalOrders(),  # the inbox holds the canonical Order
        target="erp",
        target_connector=tryton,
        reference_prefix=channel.prefix,
        terms=channel.terms(),
        fulfilled_terms=channel.fulfilled_terms(),
    )


def receive(flow: OrdersToErp, *orders: Order, event: str = "create") -> None:
    flow.inbox.accept(
        [
            InboxRecord(
                flow.source, f"{event}-{o.external_id}", f"orders/{event}",
                f"order:{o.external_id}", o.model_dump_json().encode(),
            )
            for o in orders
        ]
    )  # fmt: skip
    Worker(flow.store, JobQueue(flow.store), {NAME: flow}, idle_sleep=0.01).run_until_idle(
        timeout=60
    )


def sales(tryton: TrytonConnector, reference: str) -> list[dict[str, Any]]:
    return tryton.rpc.search_read(
        "sale.sale", [("reference", "=", reference)], ["warehouse", "shipments", "state"]
    )


def shipment_states(tryton: TrytonConnector, sale: dict[str, Any]) -> list[str]:
    records = tryton.rpc.read("stock.shipment.out", sale["shipments"], ["state", "warehouse"])
    return [r["state"] for r in records]


def forecast_in_wh(tryton: TrytonConnector) -> Decimal:
    (level,) = tryton.stock_levels([SKU])  # the connector's own warehouse, WH
    return level.forecast


def test_an_fba_order_is_one_sale_shipped_from_amazon_fba_and_a_replay_makes_nothing_new(
    tryton: TrytonConnector, sqlite_store: Store, unique: str
) -> None:
    fba = TrytonTestKit(tryton).ensure_warehouse("FBA", "Amazon FBA")  # no stock counted
    channel = amazon_channel(unique)
    flow = orders_flow(sqlite_store, tryton, channel)
    by_amazon = make_order(
        f"114-F{unique}", [(SKU, 3, "10.00")], email=f"fba.{unique}@marketplace.example"
    ).model_copy(update={"external_id": f"F{unique}", "fulfilled_by_channel": True})
    by_merchant = make_order(
        f"114-M{unique}", [(SKU, 2, "10.00")], email=f"mfn.{unique}@marketplace.example"
    ).model_copy(update={"external_id": f"M{unique}"})
    before = forecast_in_wh(tryton)

    receive(flow, by_amazon, by_merchant)

    (fba_sale,) = sales(tryton, f"amz{unique}-114-F{unique}")
    (mfn_sale,) = sales(tryton, f"amz{unique}-114-M{unique}")
    assert fba_sale["warehouse"] == fba and shipment_states(tryton, fba_sale) == ["done"]
    assert mfn_sale["warehouse"] != fba and shipment_states(tryton, mfn_sale) == ["waiting"]
    # The merchant's warehouse gives only the MFN order's units: Amazon shipped its own.
    assert forecast_in_wh(tryton) == before - 2

    # Replayed, and redelivered as the hub would after a crash before its link: one sale,
    # one shipment, done once.
    receive(flow, by_amazon, event="updated")
    again = tryton.place_orders(
        [(f"amz{unique}-114-F{unique}", by_amazon)], terms=channel.fulfilled_terms()
    )
    assert placed(again[f"amz{unique}-114-F{unique}"]).sale_id == fba_sale["id"]
    (after,) = sales(tryton, f"amz{unique}-114-F{unique}")
    assert after["shipments"] == fba_sale["shipments"]
    assert shipment_states(tryton, after) == ["done"]
    assert forecast_in_wh(tryton) == before - 2

    # fulfillments-to-channels reads the done FBA shipment and confirms it to no one.
    class NoConfirmation:
        def fulfillment_state(self, order_id: str) -> Any:
            raise AssertionError(f"order {order_id} was fulfilled by Amazon")

        publish_fulfillment = fulfillment_state

    shipments = fulfilments.FulfillmentsToChannels(
        sqlite_store,
        Inbox(sqlite_store, JobQueue(sqlite_store), lambda r, i: [fulfilments.shipment_job(r, i)]),
        source="erp",
        source_connector=tryton,
        targets={"amazon": NoConfirmation()},
        reference_prefixes={"amazon": channel.prefix},
        release_held=lambda: 0,
    )
    assert shipments.poll() == 1
    Worker(
        sqlite_store, JobQueue(sqlite_store), {fulfilments.NAME: shipments}, idle_sleep=0.01
    ).run_until_idle(timeout=60)
    with sqlite_store.read() as conn:
        link = links.find(conn, "erp", fulfilments.SHIPMENT, str(fba_sale["shipments"][0]))
    assert link is not None and link.fingerprint == BY_CHANNEL


def test_a_sale_left_unshipped_by_a_crash_is_shipped_by_the_next_attempt(
    tryton: TrytonConnector, unique: str
) -> None:
    TrytonTestKit(tryton).ensure_warehouse("FBA", "Amazon FBA")
    terms = amazon_channel(unique).fulfilled_terms()
    assert terms is not None
    order = make_order(f"114-C{unique}", [(SKU, 1, "10.00")], email=f"c.{unique}@x.example")
    reference = f"amz{unique}-114-C{unique}"
    # The attempt that crashed got as far as the sale: its shipment waits.
    stopped = SaleTerms(warehouse=terms.warehouse)
    placed(tryton.place_orders([(reference, order)], terms=stopped)[reference])
    (sale,) = sales(tryton, reference)
    assert shipment_states(tryton, sale) == ["waiting"]

    placed(tryton.place_orders([(reference, order)], terms=terms)[reference])

    (sale,) = sales(tryton, reference)
    assert shipment_states(tryton, sale) == ["done"]
