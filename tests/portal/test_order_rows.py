"""The orders list (portal/history.py): the ERP's sales beside the checkouts the ERP has
no sale of, newest first, with the hub's progress, filtered by state and PO number."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from causeway.engine.portal_checkouts import Checkout
from causeway.engine.timeline import Milestone
from causeway.model.ports.portal import PartySale
from causeway.portal.history import filter_rows, order_rows, state_choices


def sale(sale_id: int, day: int, state: str, po: str | None = None, **extra: object) -> PartySale:
    return PartySale(
        sale_id=sale_id,
        reference=f"portal-{sale_id}",
        number=f"S{sale_id}",
        state=state,
        currency="USD",
        untaxed_amount=Decimal("10"),
        tax_amount=Decimal("1"),
        total_amount=Decimal("11"),
        party_id=3,
        sale_date=dt.date(2026, 11, day),
        po_number=po,
        **extra,  # type: ignore[arg-type]
    )


def checkout(checkout_id: int, state: str, sale_id: int | None = None) -> Checkout:
    return Checkout(
        id=checkout_id,
        company_id=1,
        user_id=1,
        idempotency_key=f"key-{checkout_id}",
        lines=(),
        shipment_address_id=None,
        decided_by=None,
        decided_at=None,
        decision_note=None,
        error=None,
        reference=f"portal-{sale_id or 900 + checkout_id}",
        state=state,
        po_number="PO-WAIT",
        currency="USD",
        total=Decimal("5000"),
        created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp(),
        sale_id=sale_id,
        erp_number=None,
        hold_reason="over the credit limit",
    )


def test_sales_and_waiting_checkouts_newest_first_with_progress() -> None:
    rows = order_rows(
        [
            sale(1, 3, "done", "PO-A"),
            sale(2, 10, "processing", "po-b-77"),
            sale(3, 12, "done", returns_sale_id=1),
        ],
        [checkout(1, "placed", sale_id=2), checkout(2, "awaiting_approval")],
        {2: [Milestone("in_erp", 1.0, {}), Milestone("shipped", 2.0, {})]},
    )
    assert [(r.number or r.reference, r.state_label) for r in rows] == [
        ("portal-902", "Awaiting approval"),  # the ERP has no sale of it: from the hub
        ("S3", "Done"),
        ("S2", "Processing"),  # its checkout is not listed twice
        ("S1", "Done"),
    ]
    assert rows[0].sale_id is None and rows[0].note == "over the credit limit"
    assert rows[1].is_return and not rows[2].is_return
    assert rows[2].progress == "shipped" and rows[3].progress is None
    assert [r.number for r in filter_rows(rows, po="B-7")] == ["S2"]
    assert [r.number for r in filter_rows(rows, state="done")] == ["S3", "S1"]
    assert filter_rows(rows, state="done", po="nothing") == []
    assert state_choices(rows) == [
        ("awaiting_approval", "Awaiting approval"),
        ("done", "Done"),
        ("processing", "Processing"),
    ]
