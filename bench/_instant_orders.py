"""The orders path of bench/engine_throughput.py with an ERP that answers at once.

Both sides of that benchmark use these pieces, so that they do the same work per
order: parse the same webhook body with the same mapping, ask the same instant
ERP, and record the placed order (order link, sale link, summary, milestones)
with the same code, in the same kind of store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select

from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.connectors.tryton.connector import Hold
from causeway.connectors.tryton.customers import (
    LOCK_WAIT,
    Unlocked,
    customer_key,
    customer_lock,
    party_codes_lock,
)
from causeway.connectors.tryton.mapping import PlacedSale
from causeway.engine import links
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.schema import links as links_table
from causeway.engine.store import Store
from causeway.flows.orders_to_erp import (
    ORDER,
    SETTLED,
    OrdersToErp,
    order_job,
    reference_for,
)
from causeway.model import Order
from causeway.model.ports.locks import Locks
from causeway.model.sale_terms import SaleTerms
from causeway.model.tax_map import TaxMap

SOURCE, TARGET = "shop", "erp"


class InstantErp:
    """The Tryton connector's place_orders, answered at once: one sale per reference,
    the same sale id for the same reference in every process (idempotent).

    locks: the hub's; then each call holds what the Tryton connector holds (customers.py):
    the lock of every customer of the batch, and the party-codes lock as if the batch had
    a new customer to create."""

    def __init__(self, locks: Locks | None = None) -> None:
        self.locks: Locks = locks or Unlocked()

    def place_orders(
        self,
        orders: Sequence[tuple[str, Order]],
        *,
        hold: Hold | None = None,
        tax_map: TaxMap | None = None,
        terms: SaleTerms | None = None,
    ) -> dict[str, PlacedSale]:
        customers = {customer_lock(TARGET, customer_key(order)) for _, order in orders}
        with self.locks.hold(customers, timeout=LOCK_WAIT):
            with self.locks.hold([party_codes_lock(TARGET)], timeout=LOCK_WAIT):
                pass  # where the parties are created
        # Every sale says what its order does, so `hold` would never hold one.
        return {reference: self._sale(reference, order) for reference, order in orders}

    @staticmethod
    def _sale(reference: str, order: Order) -> PlacedSale:
        sale_id = int.from_bytes(hashlib.blake2b(reference.encode(), digest_size=7).digest())
        return PlacedSale(
            reference=reference,
            sale_id=sale_id,
            number=f"S{sale_id % 10**8}",
            state="confirmed",
            created=True,
            total_amount=Decimal(order.total),
            untaxed_amount=order.total - order.total_tax,
            tax_amount=order.total_tax,
            party_id=1,
        )


class NoSource:
    """A Shopify store whose bodies are read with Shopify's own mapping; the reconciling
    poll is not part of this benchmark."""

    order_from_webhook = staticmethod(order_from_rest)
    order_from_polled = staticmethod(order_from_graphql)

    def order_updated_at(self, body: bytes) -> None:
        return None

    def order_changes_since(self, since: object, page_size: int = 100) -> list[object]:
        return []

    def order_node(self, external_id: str) -> dict[str, object]:
        raise LookupError(external_id)


def route(record: InboxRecord, inbox_id: int) -> list[NewJob]:
    return [order_job(record.source, record, inbox_id)]


def orders_flow(
    store: Store, *, source: str = SOURCE, inbox: Inbox | None = None, erp: InstantErp | None = None
) -> OrdersToErp:
    """The orders flow of one store (`source`) into the instant ERP."""
    return OrdersToErp(
        store,
        inbox or Inbox(store, JobQueue(store), route),
        source=source,
        source_connector=NoSource(),
        target=TARGET,
        target_connector=erp or InstantErp(),
    )


def place_one(flow: OrdersToErp, body: bytes) -> None:
    """What one Celery task does for one order webhook: the same steps as the
    orders flow, for one order, in one transaction."""
    order = order_from_rest(json.loads(body))
    with flow.store.read() as conn:
        link = links.find(conn, SOURCE, ORDER, order.external_id)
    if link is not None and link.fingerprint in SETTLED:
        return  # a redelivery: already in the ERP
    reference = reference_for(flow.prefix, order)
    sale = flow.target_connector.place_orders([(reference, order)])[reference]
    flow.record([(order, reference, sale)])


def orders_in_erp(store: Store, sources: Sequence[str] = (SOURCE,)) -> int:
    with store.read() as conn:
        return conn.execute(
            select(func.count()).where(
                links_table.c.system.in_(list(sources)),
                links_table.c.entity_type == ORDER,
                links_table.c.fingerprint == "in_erp",
            )
        ).scalar_one()
