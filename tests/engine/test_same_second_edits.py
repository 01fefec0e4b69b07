"""An edit stamped in the same second as the version the ERP sale was made from.

Shopify stamps orders to the second, so an order edited within a second of being placed
(an upsell app, a quick correction) sends an orders/updated whose updated_at equals the
one the sale matches. The stamps cannot order the two versions; the store's current
version decides, whichever of them arrives last.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.amendments import AmendedSale
from causeway.connectors.tryton.mapping import PlacedSale
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import PermanentError
from causeway.flows.orders_to_erp import NAME, OrdersToErp, order_job
from causeway.model import Customer, Order, OrderLine
from tests.canonical_orders import CanonicalOrders

STAMP = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)  # both versions: the same second


def version(**quantities: int) -> Order:
    lines = tuple(
        OrderLine(external_id=sku, sku=sku, title=sku, quantity=q, unit_price=Decimal(10))
        for sku, q in quantities.items()
    )
    total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    return Order(
        external_id="7001",
        number="#7001",
        currency="USD",
        created_at=STAMP,
        updated_at=STAMP,
        customer=Customer(email="quick@example.com"),
        lines=lines,
        subtotal=total,
        total_tax=Decimal(0),
        total=total,
    )


PLACED, EDITED = version(WID=2, GAD=1), version(WID=4)


class Shop(CanonicalOrders):
    """The store: `current` is what it holds now (None: a drop folder, which keeps none)."""

    def __init__(self, current: Order | None) -> None:
        self.current = current
        self.fetched = 0

    def order_node(self, external_id: str) -> dict[str, Any]:
        self.fetched += 1
        if self.current is None:
            raise PermanentError(f"a drop folder: order {external_id} cannot be fetched again")
        return self.current.model_dump(mode="json")


class Erp:
    def __init__(self) -> None:
        self.placed: list[Order] = []
        self.amended: list[Order] = []

    def place_orders(self, orders: Sequence[tuple[str, Order]], **_: Any) -> dict[str, PlacedSale]:
        self.placed += [order for _, order in orders]
        return {
            reference: PlacedSale(
                reference=reference,
                sale_id=1,
                number="SO1",
                state="processing",
                created=True,
                total_amount=order.total,
                untaxed_amount=order.total,
                tax_amount=Decimal(0),
                party_id=1,
            )
            for reference, order in orders
        }

    def amend_sale(self, reference: str, order: Order) -> AmendedSale:
        self.amended.append(order)
        return AmendedSale(reference, 1, "SO1", "processing", order.total, changed=1)


def deliver(store: Store, shop: Shop, erp: Erp, *versions: Order) -> None:
    """Each version arrives as a webhook, in this order, and a worker runs after each."""
    queue = JobQueue(store)
    flow = OrdersToErp(
        store,
        Inbox(store, queue, lambda record, inbox_id: [order_job("shop", record, inbox_id)]),
        source="shop",
        source_connector=shop,  # the inbox holds the canonical Order
        target="erp",
        target_connector=erp,
    )
    for n, order in enumerate(versions):
        flow.inbox.accept(
            [
                InboxRecord(
                    "shop",
                    f"event-{n}",
                    "orders/updated",
                    "order:7001",
                    order.model_dump_json().encode(),
                )
            ]
        )
        worker = Worker(store, queue, {NAME: flow}, idle_sleep=0.01)
        worker.run_until_idle(timeout=30)
        assert worker.stats.dead == 0 and worker.stats.retried == 0


def test_an_edit_in_the_same_second_reaches_the_sale(sqlite_store: Store) -> None:
    shop, erp = Shop(current=EDITED), Erp()
    deliver(sqlite_store, shop, erp, PLACED, EDITED)
    assert erp.placed == [PLACED]
    assert erp.amended == [EDITED]


def test_the_older_version_arriving_last_changes_nothing(sqlite_store: Store) -> None:
    shop, erp = Shop(current=EDITED), Erp()
    deliver(sqlite_store, shop, erp, EDITED, PLACED)
    assert erp.placed == [EDITED]
    assert erp.amended == []
    assert shop.fetched == 1  # asked once, when the stamps could not tell


def test_a_redelivery_of_the_same_version_asks_nobody(sqlite_store: Store) -> None:
    shop, erp = Shop(current=PLACED), Erp()
    deliver(sqlite_store, shop, erp, PLACED, PLACED)
    assert erp.amended == [] and shop.fetched == 0


def test_a_source_that_keeps_no_orders_leaves_the_sale_as_it_is(sqlite_store: Store) -> None:
    shop, erp = Shop(current=None), Erp()
    deliver(sqlite_store, shop, erp, PLACED, EDITED)
    assert erp.amended == []
