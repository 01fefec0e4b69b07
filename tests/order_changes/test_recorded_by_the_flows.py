"""Each edit, cancellation and refund the flows handle is recorded once, in the store,
with what the hub knew before and after; handling it again records nothing new.

The flows run against the store (SQLite and PostgreSQL) with an ERP that answers as
Tryton does for these calls; the store's side is the change as its connector reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select

from causeway.engine import links
from causeway.engine.inbox import Inbox
from causeway.engine.order_changes import changes_of, record_change
from causeway.engine.schema import metadata, order_changes
from causeway.engine.store import Store
from causeway.flows.cancellations import Cancellations, StoreCancellations
from causeway.flows.orders_to_erp.order_edits import OrderEdits
from causeway.flows.returns_to_erp import ReturnsToErp
from causeway.model import Order
from causeway.model.returns import RefundLine
from tests.order_changes.orders import Sale, cancellation, order, placed, refund

D = Decimal


@dataclass(frozen=True)
class Placed:
    reference: str
    sale_id: int
    number: str
    total_amount: Decimal


class Erp:
    """Cancels, takes returns and amends as Tryton does, as far as the hub sees."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel_sale(self, reference: str) -> Sale:
        changed, self.cancelled = not self.cancelled, True
        return Sale(7, "SO7", "cancelled", D("60.00"), reference, changed=changed)

    def place_return(
        self, original: str, reference: str, lines: tuple[RefundLine, ...], **_: Any
    ) -> Placed:
        return Placed(reference, 8, "SO8", -sum((line.unit_price for line in lines), D(0)))

    def amend_sale(self, reference: str, edited: Order) -> Sale:
        return Sale(7, "SO7", "processing", edited.total, reference)


def count(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(order_changes)).scalar_one())


def recorded(store: Store, hub_id: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        return changes_of(conn, hub_id)


def cancellations(store: Store, erp: Erp) -> tuple[Cancellations, StoreCancellations]:
    channel = StoreCancellations("shop", cast(Any, None), "shop-")
    flow = Cancellations(
        store, cast(Inbox, None), channels={"shop": channel}, target="erp",
        target_connector=cast(Any, erp),
    )  # fmt: skip
    return flow, channel


def returns(store: Store, erp: Erp) -> ReturnsToErp:
    return ReturnsToErp(
        store, cast(Inbox, None), channels={"shop": cast(Any, None)}, target="erp",
        target_connector=cast(Any, erp),
    )  # fmt: skip


def test_the_migrations_match_what_schema_py_describes(store: Store) -> None:
    with store.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_a_cancellation_is_recorded_once_with_the_state_before_and_after(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00")))
    flow, channel = cancellations(store, Erp())
    flow.cancel(channel, cancellation())

    (change,) = recorded(store, hub_id)
    assert (change["kind"], change["system"], change["order_id"]) == (
        "cancellation", "shop", "450789469",
    )  # fmt: skip
    assert change["before"]["state"] == "in_erp"
    assert change["before"]["total"] == {"amount": "60.00", "currency": "EUR"}
    assert change["after"]["state"] == "cancelled"
    assert change["after"]["cancelled_at"] == "2026-03-15T09:00:00+00:00"
    assert change["occurred_at"] == datetime(2026, 3, 15, 9, 0, tzinfo=UTC).timestamp()

    flow.cancel(channel, cancellation())  # redelivered: the sale is cancelled already
    assert count(store) == 1


def test_an_order_cancelled_before_it_reached_the_erp_is_recorded_too(store: Store) -> None:
    class NoSale(Erp):
        def cancel_sale(self, reference: str) -> None:  # type: ignore[override]
            return None

    flow, channel = cancellations(store, NoSale())
    flow.cancel(channel, cancellation())
    with store.read() as conn:
        link = links.find(conn, "shop", "order", "450789469")
    assert link is not None
    (change,) = recorded(store, link.hub_id)
    assert change["before"]["state"] is None  # the hub had no record of it
    assert change["after"]["state"] == "cancelled"
    flow.cancel(channel, cancellation())
    assert count(store) == 1


def test_a_refund_is_recorded_once_with_the_money_that_went_back(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00")))
    flow = returns(store, Erp())
    flow.book("shop", refund("929361464", "20.00"))
    flow.book("shop", refund("929361465", "5.00"))

    first, second = recorded(store, hub_id)
    assert (first["kind"], first["amount_delta"], first["currency"]) == ("refund", "-20.00", "EUR")
    assert first["before"]["refunded"]["amount"] == "0"
    assert first["after"]["refunded"] == {"amount": "20.00", "currency": "EUR"}
    assert first["after"]["refund_lines"][0]["sku"] == "SKU-1"
    assert second["before"]["refunded"]["amount"] == "20.00"  # the one before it
    assert second["after"]["refunded"]["amount"] == "25.00"

    flow.book("shop", refund("929361464", "20.00"))  # a redelivered refunds/create
    assert count(store) == 2


def test_an_edit_is_recorded_once_per_version_with_its_new_lines(store: Store) -> None:
    hub_id = placed(store, order(("SKU-1", 1, "20.00"), ("SKU-2", 1, "40.00")))
    edited_at = datetime(2026, 3, 14, 11, 0, tzinfo=UTC)
    edited = order(("SKU-1", 2, "20.00"), updated_at=edited_at)
    edits = OrderEdits(store, source="shop", target="erp", connector=Erp())
    with store.read() as conn:
        link = links.find(conn, "shop", "order", "450789469")
    assert link is not None
    edits.apply(edited, edited_at.timestamp(), link, "shop-1001")

    (change,) = recorded(store, hub_id)
    assert change["kind"] == "edit"
    assert change["before"]["total"]["amount"] == "60.00"
    assert change["after"]["total"]["amount"] == "40.00"
    assert change["after"]["lines"] == [
        {"sku": "SKU-1", "title": "SKU-1", "quantity": 2, "unit_price": "20.00"}
    ]
    assert (change["amount_delta"], change["currency"]) == ("-20.00", "EUR")

    edits.apply(edited, edited_at.timestamp(), link, "shop-1001")  # a retried job
    assert count(store) == 1


def test_the_same_dedupe_key_twice_stores_one_fact(store: Store) -> None:
    fact: dict[str, Any] = {
        "hub_id": "h1", "system": "shop", "order_id": "1", "kind": "refund",
        "dedupe_key": "shop:refund:9", "before": {}, "after": {},
    }  # fmt: skip
    with store.transaction() as conn:
        assert record_change(conn, **fact) is True
    with store.transaction() as conn:
        assert record_change(conn, **fact) is False
    assert count(store) == 1
