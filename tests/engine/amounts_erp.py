"""An ERP that answers at once with sales of given amounts, and an orders-to-erp flow over
it: the amount check's path through the store without a real ERP."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from causeway.connectors.tryton.connector import Hold
from causeway.connectors.tryton.mapping import PlacedSale
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.errors import CausewayError, PermanentError
from causeway.flows.orders_to_erp import NAME, OrdersToErp, order_job
from causeway.flows.orders_to_erp.amount_check import AmountCheck
from causeway.model import Customer, Order
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap
from tests.canonical_orders import CanonicalOrders

SOURCE, TARGET = "shop", "erp"
D = Decimal


def an_order(number: int, untaxed: str, tax: str) -> Order:
    """What the store charged for order `number` (its id is the number too)."""
    stamp = datetime(2026, 11, 22, 9, number % 60, tzinfo=UTC)
    return Order(
        external_id=str(number),
        number=f"#{number}",
        currency="USD",
        created_at=stamp,
        updated_at=stamp,
        customer=Customer(email=f"c{number}@example.com"),
        lines=(),
        subtotal=D(untaxed),
        total_tax=D(tax),
        total=D(untaxed) + D(tax),
    )


class ErpOfGivenAmounts:
    """place_orders as the Tryton connector answers it, with each sale's amounts chosen by
    the test (by order number; else the order's own). With `hold`, a quotation it has a
    reason against is not confirmed, unless `confirmed_by_a_person` says it was."""

    def __init__(self) -> None:
        self.amounts: dict[str, tuple[Decimal, Decimal]] = {}
        self.confirmed_by_a_person: set[str] = set()
        self.holds: list[Hold | None] = []

    def place_orders(
        self,
        orders: Sequence[tuple[str, Order]],
        *,
        hold: Hold | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
    ) -> dict[str, PlacedSale | CausewayError]:
        self.holds.append(hold)
        results: dict[str, PlacedSale | CausewayError] = {}
        for reference, order in orders:
            untaxed, tax = self.amounts.get(
                order.number, (order.total - order.total_tax, order.total_tax)
            )
            person = order.number in self.confirmed_by_a_person
            sale = PlacedSale(
                reference=reference,
                sale_id=int(order.external_id),
                number=f"SO{order.external_id}",
                state="processing" if person or hold is None else "quotation",
                created=False,
                total_amount=untaxed + tax,
                untaxed_amount=untaxed,
                tax_amount=tax,
                party_id=1,
            )
            reason = None if person or hold is None else hold(order, sale)
            if reason is not None:
                results[reference] = PermanentError(f"{reason}. Left a quotation")
                continue
            results[reference] = PlacedSale(**{**sale.__dict__, "state": "processing"})
        return results


def orders_flow(store: Store, erp: ErpOfGivenAmounts, check: AmountCheck) -> OrdersToErp:
    inbox = Inbox(
        store, JobQueue(store), lambda record, inbox_id: [order_job(SOURCE, record, inbox_id)]
    )
    return OrdersToErp(
        store,
        inbox,
        source=SOURCE,
        source_connector=CanonicalOrders(),  # the inbox holds the canonical Order
        target=TARGET,
        target_connector=erp,
        amount_check=check,
    )


def receive_and_place(flow: OrdersToErp, *orders: Order) -> Worker:
    """The orders arrive (one inbox record each) and a worker runs the flow until idle."""
    flow.inbox.accept(
        [
            InboxRecord(
                SOURCE,
                f"create-{o.external_id}",
                "orders/create",
                f"order:{o.external_id}",
                o.model_dump_json().encode(),
            )
            for o in orders
        ]
    )
    return run(flow)


def run(flow: OrdersToErp) -> Worker:
    worker = Worker(flow.store, JobQueue(flow.store), {NAME: flow}, idle_sleep=0.01)
    worker.run_until_idle(timeout=30)
    return worker
