"""Orders the channel fulfils from its own warehouse (Amazon FBA), through the flows with an
ERP and a channel that record what they are asked.

A merchant sells on Amazon both what it ships itself (MFN) and what Amazon ships from its
own stock (FBA). Each FBA order becomes a sale shipped at once from the ERP warehouse
that stands for Amazon's; orders-to-erp never places one from the merchant's warehouse,
and fulfillments-to-channels never confirms its shipment to the channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from causeway.connectors.tryton.mapping import PlacedSale
from causeway.engine import links
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.fulfillments_to_channels import flow as fulfilments
from causeway.flows.fulfillments_to_channels.decisions import BY_CHANNEL
from causeway.flows.orders_to_erp import NAME, OrdersToErp, order_job
from causeway.flows.orders_to_erp.declaration import OrderChannel
from causeway.model import Customer, Order, OrderLine
from causeway.model.ports.channel import (
    FulfillmentLine,
    FulfillmentOrder,
    FulfillmentOrderLine,
    FulfillmentState,
    PublishedFulfillment,
    Tracking,
)
from causeway.model.ports.erp import DoneShipment, ShippedLine
from causeway.model.sale_terms import SaleTerms
from causeway.orders.record import read_summary
from tests.canonical_orders import CanonicalOrders

SOURCE = "amazon"
STAMP = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def an_order(number: int, *, by_amazon: bool) -> Order:
    line = OrderLine(
        external_id=f"{number}-1", sku="WID-001", title="Widget", quantity=2, unit_price=Decimal(10)
    )
    return Order(
        external_id=str(number),
        number=f"114-{number}",
        currency="USD",
        created_at=STAMP,
        updated_at=STAMP,
        customer=Customer(email=f"buyer{number}@marketplace.example"),
        lines=(line,),
        subtotal=Decimal(20),
        total_tax=Decimal(0),
        total=Decimal(20),
        fulfilled_by_channel=by_amazon,
    )


class Erp:
    """Places every order as a processing sale (sale id = order id) and remembers each
    call's terms; its done shipments are the test's."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], SaleTerms | None]] = []
        self.done: list[DoneShipment] = []

    def place_orders(
        self, orders: Sequence[tuple[str, Order]], *, terms: SaleTerms | None = None, **_: Any
    ) -> dict[str, PlacedSale]:
        self.calls.append(([order.number for _, order in orders], terms))
        return {
            reference: PlacedSale(
                reference=reference,
                sale_id=int(order.external_id),
                number=f"SO{order.external_id}",
                state="processing",
                created=True,
                total_amount=order.total,
                untaxed_amount=order.total,
                tax_amount=Decimal(0),
                party_id=1,
            )
            for reference, order in orders
        }

    def amend_sale(self, reference: str, order: Order) -> Any:
        raise AssertionError("no order is edited here")

    def done_shipments_since(self, since: Any) -> tuple[list[DoneShipment], dt.datetime | None]:
        return list(self.done), max((s.done_at for s in self.done), default=None)

    def allocated_shipments_since(self, since: Any) -> tuple[list[DoneShipment], None]:
        return [], None


class Channel:
    """The marketplace's side of fulfilment: every order has one open line of 2 widgets."""

    def __init__(self) -> None:
        self.published: list[tuple[FulfillmentLine, ...]] = []
        self.asked: list[str] = []

    def fulfillment_state(self, order_id: str) -> FulfillmentState:
        self.asked.append(order_id)
        line = FulfillmentOrderLine(id=f"{order_id}-1", sku="WID-001", remaining=2)
        return FulfillmentState(
            order_name=order_id,
            fully_fulfilled=False,
            fulfillment_orders=(FulfillmentOrder(id=order_id, status="open", lines=(line,)),),
        )

    def publish_fulfillment(
        self,
        lines: Sequence[FulfillmentLine],
        *,
        tracking: Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        self.published.append(tuple(lines))
        return PublishedFulfillment(id=f"F{len(self.published)}")


def orders_flow(store: Store, erp: Erp, channel: OrderChannel) -> OrdersToErp:
    inbox = Inbox(store, JobQueue(store), lambda r, i: [order_job(SOURCE, r, i)])
    return OrdersToErp(
        store,
        inbox,
        source=SOURCE,
        source_connector=CanonicalOrders(),  # the inbox holds the canonical Order
        target="erp",
        target_connector=erp,
        reference_prefix=channel.prefix,
        terms=channel.terms(),
        fulfilled_terms=channel.fulfilled_terms(),
    )


def receive(flow: OrdersToErp, *orders: Order) -> None:
    records = [
        InboxRecord(
            SOURCE, f"o-{o.external_id}", "orders/create", f"order:{o.external_id}",
            o.model_dump_json().encode(),
        )
        for o in orders
    ]  # fmt: skip
    flow.inbox.accept(records)
    run(flow.store, {NAME: flow})


def run(store: Store, flows: dict[str, Any]) -> None:
    Worker(store, JobQueue(store), flows, idle_sleep=0.01).run_until_idle(timeout=30)


def jobs(store: Store) -> list[dict[str, Any]]:
    queue = JobQueue(store)
    return [j for n in ("1", "2") for j in queue.for_key(f"{SOURCE}:order:{n}")]


AMAZON = OrderChannel(system=SOURCE, warehouse="WH", channel_fulfilled_warehouse="Amazon FBA")


def test_an_fba_order_is_placed_on_its_own_terms_and_an_mfn_order_on_the_channels(
    store: Store,
) -> None:
    erp = Erp()
    receive(
        orders_flow(store, erp, AMAZON), an_order(1, by_amazon=False), an_order(2, by_amazon=True)
    )

    by_order = {tuple(numbers): terms for numbers, terms in erp.calls}
    assert by_order == {
        ("114-1",): SaleTerms(warehouse="WH"),
        ("114-2",): SaleTerms(warehouse="Amazon FBA", shipped_by_channel=True),
    }
    assert [j["state"] for j in jobs(store)] == ["done", "done"]


def test_an_fba_order_parks_naming_the_setting_when_no_fba_warehouse_is_configured(
    store: Store,
) -> None:
    erp = Erp()
    merchant_only = OrderChannel(system=SOURCE, warehouse="WH")
    receive(
        orders_flow(store, erp, merchant_only),
        an_order(1, by_amazon=False),
        an_order(2, by_amazon=True),
    )

    assert [numbers for numbers, _ in erp.calls] == [["114-1"]]  # never from WH
    mfn, fba = jobs(store)
    assert (mfn["state"], fba["state"]) == ("done", "dead")  # parked
    assert "channel_fulfilled_warehouse" in fba["last_error"]
    assert "114-2" in fba["last_error"]


def test_an_fba_orders_shipment_is_never_confirmed_to_the_channel_and_an_mfn_one_is(
    store: Store,
) -> None:
    erp, channel = Erp(), Channel()
    receive(
        orders_flow(store, erp, AMAZON), an_order(1, by_amazon=False), an_order(2, by_amazon=True)
    )
    with store.read() as conn:
        hub_of = {n: links.find(conn, SOURCE, "order", n) for n in ("1", "2")}
        recorded = {n: read_summary(conn, link.hub_id) for n, link in hub_of.items() if link}
    assert recorded["2"]["fulfilled_by_channel"] is True
    assert "fulfilled_by_channel" not in recorded["1"]

    erp.done = [
        DoneShipment(
            id=sale,
            number=f"CS{sale}",
            done_at=STAMP + dt.timedelta(hours=sale),
            carrier="UPS",
            tracking_number=f"1Z{sale}",
            lines=(ShippedLine(sku="WID-001", quantity=Decimal(2), sale_id=sale),),
            sales={sale: f"{SOURCE}-114-{sale}"},
        )
        for sale in (1, 2)
    ]
    queue = JobQueue(store)
    flow = fulfilments.FulfillmentsToChannels(
        store,
        Inbox(store, queue, lambda r, i: [fulfilments.shipment_job(r, i)]),
        source="erp",
        source_connector=erp,
        targets={SOURCE: channel},
        reference_prefixes={SOURCE: AMAZON.prefix},
        release_held=lambda: 0,
    )
    for _ in range(2):  # the second poll reads the same shipments again: nothing new
        flow.poll()
        run(store, {fulfilments.NAME: flow})

    assert channel.asked == ["1"]  # the FBA order's state is not even read
    assert channel.published == [(FulfillmentLine("1", "1-1", 2),)]
    with store.read() as conn:
        fba = links.find(conn, "erp", fulfilments.SHIPMENT, "2")
        mfn = links.find(conn, "erp", fulfilments.SHIPMENT, "1")
    assert fba is not None and fba.fingerprint == BY_CHANNEL
    assert mfn is not None and mfn.fingerprint == "F1"
