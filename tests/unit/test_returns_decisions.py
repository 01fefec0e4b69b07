"""Cancellations and refunds: reading Shopify's payloads and deciding what the ERP gets."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.shopify.refunds import cancellation_from_rest, refund_from_rest
from causeway.connectors.shopify.webhooks import entity_key
from causeway.connectors.tryton.cancellations import (
    Document,
    SaleFacts,
    is_cancelled,
    plan_cancellation,
)
from causeway.connectors.tryton.returns import (
    ReturnProgress,
    return_lines,
    without_pending_returns,
)
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.flows.returns_to_erp import plan_returns
from causeway.model.returns import RefundLine, Restock

D = Decimal


def refund_payload(**changes: Any) -> dict[str, Any]:
    """A refunds/create body in Shopify's REST shape (as in the Admin REST Refund docs)."""
    body: dict[str, Any] = {
        "id": 929361464,
        "order_id": 450789469,
        "created_at": "2026-03-14T10:00:00-04:00",
        "note": "wrong size",
        "user_id": None,
        "processed_at": "2026-03-14T10:00:00-04:00",
        "restock": True,
        "admin_graphql_api_id": "gid://shopify/Refund/929361464",
        "duties": [],
        "order_adjustments": [],
        "refund_line_items": [
            {
                "id": 104689539,
                "line_item_id": 703073504,
                "location_id": 487838322,
                "quantity": 1,
                "restock_type": "return",
                "subtotal": 199.0,
                "subtotal_set": {"shop_money": {"amount": "199.00", "currency_code": "USD"}},
                "total_tax": 3.98,
                "line_item": {
                    "id": 703073504,
                    "title": "IPod Nano - 8gb",
                    "sku": "IPOD2008BLACK",
                    "price": "199.00",
                    "quantity": 1,
                },
            }
        ],
        "transactions": [
            {
                "id": 1068278475,
                "order_id": 450789469,
                "kind": "refund",
                "gateway": "bogus",
                "status": "success",
                "amount": "202.98",
                "currency": "USD",
            },
            {
                "id": 1068278476,
                "order_id": 450789469,
                "kind": "refund",
                "gateway": "bogus",
                "status": "failure",
                "amount": "5.00",
                "currency": "USD",
            },
        ],
    }
    body.update(changes)
    return body


def test_a_refund_payload_becomes_refund_lines_with_sku_price_and_restock() -> None:
    refund = refund_from_rest(refund_payload())
    assert refund.external_id == "929361464"
    assert refund.order_external_id == "450789469"
    assert refund.created_at == datetime(2026, 3, 14, 14, 0, tzinfo=UTC)
    (line,) = refund.lines
    assert (line.sku, line.quantity, line.unit_price, line.restock) == (
        "IPOD2008BLACK",
        1,
        D("199.00"),
        Restock.RETURN,
    )
    assert line.comes_back
    # Only the successful refund transaction moved money.
    assert refund.refunded_amount == D("202.98")
    assert refund.currency == "USD"


def test_a_refund_without_its_line_item_is_refused_naming_the_field() -> None:
    body = refund_payload()
    del body["refund_line_items"][0]["line_item"]
    with pytest.raises(InvalidPayloadError, match="line_item"):
        refund_from_rest(body)


def test_an_unknown_restock_type_is_refused() -> None:
    body = refund_payload()
    body["refund_line_items"][0]["restock_type"] = "teleport"
    with pytest.raises(InvalidPayloadError, match="restock_type"):
        refund_from_rest(body)


def test_refunds_and_cancellations_are_keyed_by_their_order() -> None:
    assert entity_key("refunds/create", refund_payload()) == "order:450789469"
    assert entity_key("orders/cancelled", {"id": 450789469}) == "order:450789469"


def test_a_cancelled_order_payload_gives_when_and_why() -> None:
    cancellation = cancellation_from_rest(
        {
            "id": 450789469,
            "name": "#1001",
            "cancelled_at": "2026-03-14T10:00:00-04:00",
            "cancel_reason": "customer",
            "line_items": "whatever the orders flow thinks of them",
        }
    )
    assert cancellation.order_external_id == "450789469"
    assert cancellation.order_number == "#1001"
    assert cancellation.reason == "customer"
    assert cancellation.cancelled_at == datetime(2026, 3, 14, 14, 0, tzinfo=UTC)


def test_a_cancellation_without_cancelled_at_is_refused() -> None:
    with pytest.raises(InvalidPayloadError, match="no cancelled_at"):
        cancellation_from_rest({"id": 1, "name": "#1001", "cancelled_at": None})


# -- cancelling a Tryton sale -----------------------------------------------------------


def facts(
    state: str = "processing",
    shipments: tuple[Document, ...] = (Document(7, "S7", "waiting"),),
    invoices: tuple[Document, ...] = (Document(9, None, "draft"),),
    shipment_state: str = "waiting",
    invoice_state: str = "pending",
) -> SaleFacts:
    return SaleFacts(
        sale_id=1,
        reference="shop-1001",
        number="SO1",
        state=state,
        shipment_state=shipment_state,
        invoice_state=invoice_state,
        shipments=shipments,
        invoices=invoices,
    )


def test_a_processing_sale_is_cancelled_by_cancelling_shipments_and_invoices() -> None:
    plan = plan_cancellation(facts())
    assert plan.shipments == (7,)
    assert plan.invoices == (9,)
    assert plan.handle_exceptions
    assert not plan.cancel_quotation


def test_a_quotation_is_cancelled_directly() -> None:
    plan = plan_cancellation(facts(state="quotation", shipments=(), invoices=()))
    assert plan.cancel_quotation and not plan.shipments


def test_a_shipped_sale_is_refused_naming_the_shipment_and_what_to_do() -> None:
    shipped = facts(shipments=(Document(7, "S7", "done"), Document(8, "S8", "waiting")))
    with pytest.raises(PermanentError) as error:
        plan_cancellation(shipped, system="erp")
    message = str(error.value)
    assert "S7 (done)" in message and "S8" not in message
    assert "nothing was changed in erp" in message
    assert "replay" in message


def test_a_posted_invoice_the_company_may_not_cancel_is_refused() -> None:
    posted = facts(invoices=(Document(9, "INV9", "posted", allow_cancel=False),))
    with pytest.raises(PermanentError, match="invoice INV9 \\(posted\\)"):
        plan_cancellation(posted)


def test_a_sale_done_with_nothing_shipped_or_invoiced_is_already_cancelled() -> None:
    done = facts(
        state="done",
        shipments=(Document(7, "S7", "cancelled"),),
        invoices=(Document(9, None, "cancelled"),),
        shipment_state="none",
        invoice_state="none",
    )
    assert is_cancelled(done)
    assert plan_cancellation(done).nothing_to_do


def test_a_sale_done_because_it_shipped_is_not_cancelled() -> None:
    sent = facts(state="done", shipments=(Document(7, "S7", "done"),), shipment_state="sent")
    assert not is_cancelled(sent)
    with pytest.raises(PermanentError, match="S7"):
        plan_cancellation(sent)


# -- returns ----------------------------------------------------------------------------


def line(sku: str | None, quantity: int, restock: Restock = Restock.RETURN) -> RefundLine:
    return RefundLine(
        line_item_id=f"li-{sku}",
        sku=sku,
        title=f"Item {sku}",
        quantity=quantity,
        unit_price=D("10.00"),
        restock=restock,
    )


def refund_with(*lines: RefundLine) -> Any:
    return refund_from_rest(refund_payload()).model_copy(update={"lines": lines})


def test_returned_goods_and_money_only_lines_become_separate_return_sales() -> None:
    refund = refund_with(
        line("A", 1), line("B", 2, Restock.NO_RESTOCK), line("C", 1, Restock.CANCEL)
    )
    groups = plan_returns("shop-1001", refund)
    assert [(g.reference, [x.sku for x in g.lines], g.goods_come_back) for g in groups] == [
        ("shop-1001-R929361464", ["A"], True),
        ("shop-1001-R929361464-C", ["B"], False),
    ]


def test_a_money_only_refund_uses_the_plain_return_reference() -> None:
    groups = plan_returns("shop-1001", refund_with(line("B", 1, Restock.NO_RESTOCK)))
    assert [(g.reference, g.goods_come_back) for g in groups] == [("shop-1001-R929361464", False)]


def test_lines_cancelled_before_fulfilment_need_no_return() -> None:
    assert plan_returns("shop-1001", refund_with(line("C", 1, Restock.CANCEL))) == []


SOLD = [
    {
        "type": "line",
        "product": 11,
        "product.": {"code": "A"},
        "unit": 1,
        "unit_price": D("9.5000"),
        "taxes": [3],
        "quantity": 2.0,
    },
    {"type": "line", "product": 46, "product.": {"code": "SHIPPING"}, "unit": 1, "quantity": 1.0},
]


def test_return_lines_take_the_price_and_taxes_the_erp_sold_at_with_negative_quantity() -> None:
    (values,) = return_lines([line("A", 1), line("A", 1)], SOLD, label="return R1")
    assert values["product"] == 11
    assert values["quantity"] == -2.0
    assert values["unit_price"] == D("9.5000")
    assert values["taxes"] == [["add", [3]]]


@pytest.mark.parametrize(
    ("refunded", "problem"),
    [
        (line(None, 1), "has no SKU"),
        (line("Z", 1), "SKU Z is refunded but is not on the ERP sale"),
        (line("A", 3), "3 x A refunded but the ERP sale has only 2"),
    ],
)
def test_a_return_the_sale_cannot_explain_is_refused(refunded: RefundLine, problem: str) -> None:
    with pytest.raises(PermanentError, match=problem):
        return_lines([refunded], SOLD, label="return R1")


def test_a_return_counts_as_received_once_every_return_shipment_is() -> None:
    assert ReturnProgress(1, (("R1", "received"), ("R2", "done"))).received
    assert not ReturnProgress(1, (("R1", "received"), ("R2", "draft"))).received
    assert not ReturnProgress(1, ()).received


def test_goods_still_in_the_post_are_taken_off_the_forecast_until_received() -> None:
    records = [
        {"code": "A", "quantity": 10.0, "forecast_quantity": 9.0},
        {"code": "B", "quantity": 5.0, "forecast_quantity": 5.0},
    ]
    adjusted = without_pending_returns(records, {"A": D(2)})
    assert [(r["code"], r["forecast_quantity"]) for r in adjusted] == [("A", D(7)), ("B", 5.0)]
    assert records[0]["forecast_quantity"] == 9.0  # the input is left as it was
