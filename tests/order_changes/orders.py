"""What the order-changes tests share: an order, a refund and a cancellation of it, and
an order the hub has placed in the ERP (orders/record.py's record_placed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from causeway.engine.store import Store
from causeway.model import Order
from causeway.model.customer import Customer
from causeway.model.order import OrderLine
from causeway.model.returns import Cancellation, Refund, RefundLine, Restock
from causeway.orders.record import order_hub_id, record_placed

D = Decimal
PLACED_AT = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def order(*lines: tuple[str, int, str], updated_at: datetime = PLACED_AT) -> Order:
    items = tuple(
        OrderLine(external_id=f"l{i}", sku=sku, title=sku, quantity=qty, unit_price=D(price))
        for i, (sku, qty, price) in enumerate(lines)
    )
    total = sum((line.unit_price * line.quantity for line in items), D(0))
    return Order(
        external_id="450789469",
        number="#1001",
        currency="EUR",
        created_at=PLACED_AT,
        updated_at=updated_at,
        customer=Customer(email="rita@example.com"),
        lines=items,
        subtotal=total,
        total_tax=D(0),
        total=total,
    )


def cancellation(reason: str | None = "customer") -> Cancellation:
    return Cancellation(
        order_external_id="450789469",
        order_number="#1001",
        cancelled_at=datetime(2026, 3, 15, 9, 0, tzinfo=UTC),
        reason=reason,
    )


def refund(refund_id: str = "929361464", amount: str = "20.00") -> Refund:
    return Refund(
        external_id=refund_id,
        order_external_id="450789469",
        created_at=datetime(2026, 3, 16, 12, 0, tzinfo=UTC),
        lines=(
            RefundLine(
                line_item_id="l0",
                sku="SKU-1",
                title="SKU-1",
                quantity=1,
                unit_price=D("20.00"),
                restock=Restock.RETURN,
            ),
        ),
        refunded_amount=D(amount),
        currency="EUR",
    )


@dataclass(frozen=True)
class Sale:
    sale_id: int
    number: str
    state: str
    total_amount: Decimal
    reference: str = "shop-1001"
    changed: bool = True


def placed(store: Store, placed_order: Order) -> str:
    """The order as orders-to-erp leaves it in the hub once the ERP has it; its hub id."""
    with store.transaction() as conn:
        hub_id = order_hub_id(conn, "shop", placed_order.external_id)
        record_placed(
            conn,
            hub_id,
            order=placed_order,
            source="shop",
            source_type="order",
            reference="shop-1001",
            sale=Sale(7, "SO7", "processing", placed_order.total),
            target="erp",
            state="in_erp",
            received_at=PLACED_AT.timestamp(),
            sale_fingerprint="processing",
        )
    return hub_id
