"""Amazon's order lifecycle in orders-to-erp and cancellations, against the Amazon sandbox:
a Pending order (Amazon withholds its buyer and address) is held, its units too, and
placed with them once it is Unshipped; a Canceled one is never placed, a cancellation
after placement cancels the sale, and an ORDER_CHANGE notification brings the order in
as the poll would. The ERP here records what it is asked; tests/e2e/test_amazon_orders.py
runs the same against the real Tryton."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, select

from causeway.connectors.amazon import AmazonConnector
from causeway.engine import links
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import inbox as inbox_table
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.cancellations import NAME as CANCELLATIONS
from causeway.flows.cancellations import (
    Cancellations,
    StoreCancellations,
    cancellation_job,
)
from causeway.flows.orders_to_erp import NAME, POLL_TOPIC, OrdersToErp, order_job
from causeway.model import Order
from causeway.model.topics import ORDER_CHANGE
from causeway.orders.record import read_summary
from causeway.stock.held import held_by_channel
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order

ORDER_ID = "111-0000001-0000001"


@dataclass(frozen=True)
class Sale:
    reference: str
    sale_id: int
    number: str
    state: str
    total_amount: Decimal
    untaxed_amount: Decimal
    tax_amount: Decimal
    changed: bool = True


class Erp:
    """Records the sales it is asked to place and cancel."""

    def __init__(self) -> None:
        self.placed: list[Order] = []
        self.cancelled: list[str] = []

    def place_orders(self, orders: Sequence[tuple[str, Order]], **_: Any) -> dict[str, Sale]:
        self.placed += [order for _, order in orders]
        return {
            ref: Sale(ref, 1, "SO1", "processing", o.total, o.total, Decimal(0))
            for ref, o in orders
        }

    def amend_sale(self, reference: str, order: Order) -> None:
        raise AssertionError(f"no edit expected for {reference}")

    def cancel_sale(self, reference: str) -> Sale | None:
        if not any(f"AMZ-{o.number}" == reference for o in self.placed):
            return None
        self.cancelled.append(reference)
        return Sale(reference, 1, "SO1", "cancelled", Decimal(0), Decimal(0), Decimal(0))


@dataclass
class Hub:
    """The two flows over one Amazon account, as the hub wires them."""

    amazon: AmazonSandboxServer
    connector: AmazonConnector
    store: Store
    jobs: JobQueue
    inbox: Inbox
    orders: OrdersToErp
    erp: Erp
    flows: dict[str, Any] = field(default_factory=dict)

    def seed(self, status: str, *, sku: str = "WID-1", quantity: int = 2) -> None:
        order = new_order(ORDER_ID, status=status, sku=sku, quantity=quantity)
        self.amazon.control("POST", "orders", json=[order])

    def amazon_changes(self, status: str) -> None:
        self.amazon.control("POST", "clock", json={"advance_seconds": 5})
        self.amazon.control("PATCH", f"orders/{ORDER_ID}", json={"fulfillmentStatus": status})

    def work(self) -> None:
        worker = Worker(self.store, self.jobs, self.flows, idle_sleep=0.01)
        worker.run_until_idle(timeout=30)
        assert worker.stats.dead == 0 and worker.stats.retried == 0

    def poll(self) -> int:
        fresh = self.orders.reconcile()
        self.work()
        return fresh

    def notified(self, notification_id: str) -> None:
        """An ORDER_CHANGE notification as the queue reader stores it."""
        body = b'{"NotificationType": "ORDER_CHANGE"}'
        record = InboxRecord("amazon", notification_id, ORDER_CHANGE, f"order:{ORDER_ID}", body)
        self.inbox.accept([record])
        self.work()

    def held(self) -> dict[str, dict[str, Decimal]]:
        return held_by_channel(self.store, self.inbox, self.jobs, {"amazon": self.connector})

    def state(self) -> tuple[str | None, str | None]:
        with self.store.read() as conn:
            link = links.find(conn, "amazon", "order", ORDER_ID)
            assert link is not None
            return link.fingerprint, read_summary(conn, link.hub_id).get("erp_state")


@pytest.fixture
def hub(
    amazon: AmazonSandboxServer,
    connect: Callable[..., AmazonConnector],
    sqlite_store: Store,
) -> Iterator[Hub]:
    connector, erp, jobs = connect(), Erp(), JobQueue(sqlite_store)

    def route(record: InboxRecord, inbox_id: int) -> list[NewJob]:
        made = [order_job("amazon", record, inbox_id)]
        if record.topic == POLL_TOPIC:
            made.append(cancellation_job("amazon", record, inbox_id))
        return made

    inbox = Inbox(sqlite_store, jobs, route)
    orders = OrdersToErp(
        sqlite_store,
        inbox,
        source="amazon",
        source_connector=connector,
        target="erp",
        target_connector=erp,  # type: ignore[arg-type]
        reference_prefix="AMZ-",
    )
    cancellations = Cancellations(
        sqlite_store,
        inbox,
        channels={"amazon": StoreCancellations("amazon", connector, "AMZ-")},
        target="erp",
        target_connector=erp,
    )
    yield Hub(
        amazon,
        connector,
        sqlite_store,
        jobs,
        inbox,
        orders,
        erp,
        {NAME: orders, CANCELLATIONS: cancellations},
    )


def test_a_pending_order_is_held_and_placed_once_it_is_paid(hub: Hub) -> None:
    hub.seed("PENDING", sku="WID-1", quantity=3)
    # Amazon withholds the buyer and the address of an order not paid yet.
    unpaid = hub.connector.order_from_polled(hub.connector.order_node(ORDER_ID))
    assert unpaid.shipping_address is None and unpaid.customer.email is None
    assert hub.poll() == 1
    assert hub.erp.placed == []
    assert hub.state() == ("awaiting_payment", None)
    assert hub.held() == {"amazon": {"WID-1": Decimal(3)}}  # reserved while unpaid
    assert hub.poll() == 0  # the hub has this version: not fetched again
    hub.amazon_changes("UNSHIPPED")
    assert hub.poll() == 1
    assert [o.channel_status for o in hub.erp.placed] == ["UNSHIPPED"]
    (placed,) = hub.erp.placed  # the paid version, with the buyer and where it goes
    assert placed.shipping_address is not None
    assert (placed.shipping_address.street, placed.shipping_address.city) == (
        "123 Main Street",
        "Seattle",
    )
    assert placed.customer.email == "buyer-email@marketplace.amazon.com"
    assert hub.state() == ("in_erp", "processing")
    assert hub.held() == {}  # the ERP's forecast has the units now
    assert hub.poll() == 0 and len(hub.erp.placed) == 1


def test_an_order_canceled_while_pending_never_reaches_the_erp(hub: Hub) -> None:
    hub.seed("PENDING")
    hub.poll()
    hub.amazon_changes("CANCELLED")
    hub.poll()
    assert hub.erp.placed == [] and hub.erp.cancelled == []
    assert hub.state() == ("cancelled", "never placed")
    assert hub.held() == {}


def test_a_cancellation_after_placement_cancels_the_erp_sale(hub: Hub) -> None:
    hub.seed("UNSHIPPED")
    hub.poll()
    hub.amazon_changes("CANCELLED")
    hub.poll()
    assert len(hub.erp.placed) == 1
    assert hub.erp.cancelled == [f"AMZ-{ORDER_ID}"]


def test_notifications_bring_the_order_in_as_the_poll_does_once_per_version(hub: Hub) -> None:
    hub.seed("PENDING")
    hub.notified("notification-1")
    assert hub.state() == ("awaiting_payment", None)
    hub.amazon_changes("UNSHIPPED")
    hub.notified("notification-2")
    hub.notified("notification-3")  # Amazon told twice of the same change
    assert len(hub.erp.placed) == 1
    assert hub.poll() == 0  # the poll behind the notifications finds nothing new
    with hub.store.read() as conn:
        polled = [e for e in event_ids(conn) if e.startswith("poll:")]
    assert len(polled) == 2  # one record per version: Pending, then Unshipped


def event_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(inbox_table.c.event_id)).scalars())


def order_change(notification_id: str, status: str, fulfilment: str = "MFN") -> InboxRecord:
    """An ORDER_CHANGE as Amazon sends it: its summary names the order's items."""
    item = {"OrderItemId": "1", "SellerSKU": "WID-1", "Quantity": 3, "QuantityShipped": 0}
    change = {
        "AmazonOrderId": ORDER_ID,
        "OrderChangeType": "OrderStatusChange",
        "Summary": {"OrderStatus": status, "FulfillmentType": fulfilment, "OrderItems": [item]},
    }
    body = {
        "NotificationType": "ORDER_CHANGE",
        "EventTime": "2026-12-07T09:00:00Z",
        "Payload": {"OrderChangeNotification": change},
        "NotificationMetadata": {"NotificationId": notification_id},
    }
    return InboxRecord(
        "amazon", notification_id, ORDER_CHANGE, f"order:{ORDER_ID}", json.dumps(body).encode()
    )


def test_a_sale_known_only_by_its_notification_holds_its_units_until_fetched(hub: Hub) -> None:
    """Amazon has taken the units off the listing when it notifies: the other channels must
    not be given them while the hub has yet to fetch the order (a flash sale's burst)."""
    hub.seed("UNSHIPPED", sku="WID-1", quantity=3)
    hub.inbox.accept([order_change("n-1", "Unshipped")])
    assert hub.held() == {"amazon": {"WID-1": Decimal(3)}}
    hub.work()  # fetched and placed: the ERP's forecast has the units, nothing is held
    assert len(hub.erp.placed) == 1 and hub.held() == {}
    hub.inbox.accept([order_change("n-2", "Shipped")])  # an order the ERP has
    assert hub.held() == {}


def test_a_notification_of_a_cancelled_or_fba_order_holds_nothing(hub: Hub) -> None:
    hub.inbox.accept([order_change("n-3", "Canceled")])
    assert hub.held() == {}
    hub.inbox.accept([order_change("n-4", "Unshipped", fulfilment="AFN")])
    assert hub.held() == {}
