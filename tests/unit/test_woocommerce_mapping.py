"""A WooCommerce order, payment, cancellation and refund as the hub reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.woocommerce.order_events import (
    cancellation_from_woo,
    order_updated_at,
    payment_from_woo,
    refunds_listed,
)
from causeway.connectors.woocommerce.orders import order_from_woo, parse_order
from causeway.connectors.woocommerce.refunds import refund_from_woo
from causeway.connectors.woocommerce.taxes import derived_rate
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import FinancialStatus
from causeway.model.consistency import inconsistencies
from causeway.model.returns import Restock
from tests.unit.woocommerce_payloads import line, order, refund


def test_a_coupon_order_adds_up_with_the_discount_on_its_lines() -> None:
    body = order(
        [line(1, "MUG", 2, "20.00", total="18.00", tax="1.35")],
        coupon_lines=[
            {"id": 5, "code": "spring10", "discount": "2.00", "discount_tax": "0.15"},
        ],
    )
    mapped = order_from_woo(body)
    (mug,) = mapped.lines
    assert (mug.unit_price, mug.discount, mug.net) == (
        Decimal("10.00"),
        Decimal("2.00"),
        Decimal("18.00"),
    )
    assert [d.code for d in mapped.discounts] == ["spring10"]
    assert mapped.discounts[0].value == Decimal("2.00")
    assert (mapped.subtotal, mapped.total_discounts) == (Decimal("18.00"), Decimal("2.00"))
    assert mapped.total == Decimal("29.35")
    assert inconsistencies(mapped) == []


def test_a_percent_coupon_of_woocommerce_8_keeps_its_percentage() -> None:
    body = order(
        [line(1, "MUG", 1, "20.00", total="18.00")],
        coupon_lines=[
            {
                "id": 5,
                "code": "ten",
                "discount": "2.00",
                "discount_type": "percent",
                "nominal_amount": 10,
            }
        ],
    )
    (discount,) = order_from_woo(body).discounts
    assert (discount.kind, discount.value) == ("percentage", Decimal(10))


def test_a_subtotal_that_does_not_divide_by_the_quantity_still_comes_to_its_total() -> None:
    mapped = order_from_woo(order([line(1, "PEN", 3, "10.00")]))
    (pen,) = mapped.lines
    assert pen.unit_price == Decimal("3.333334")
    assert pen.net == Decimal("10.00")
    assert Decimal(0) <= pen.discount < Decimal("0.01")
    assert inconsistencies(mapped) == []


def test_taxed_shipping_is_on_the_shipping_line_and_in_the_order_tax() -> None:
    mapped = order_from_woo(order(shipping_tax="0.75"))
    (ship,) = mapped.shipping_lines
    assert [(t.title, t.rate, t.amount) for t in ship.tax_lines] == [
        ("State Tax", Decimal("0.075"), Decimal("0.75"))
    ]
    assert mapped.tax_lines[0].amount == Decimal("1.20")
    assert inconsistencies(mapped) == []


def test_the_rate_woocommerce_states_is_taken_as_it_is() -> None:
    body = order()
    body["tax_lines"][0]["rate_percent"] = 7.25
    (tax,) = order_from_woo(body).tax_lines
    assert tax.rate == Decimal("0.0725")


def test_a_zero_rate_on_a_tax_that_charged_money_is_read_back_from_the_amounts() -> None:
    # A current store reports rate_percent 0 for tax lines saved before WooCommerce 5.7.
    saved_before = order()
    saved_before["tax_lines"][0]["rate_percent"] = 0
    (tax,) = order_from_woo(saved_before).tax_lines
    assert tax.rate == Decimal("0.075")  # 0.45 on the line of 6.00


@pytest.mark.parametrize(
    ("charged", "rate"),
    [
        ([(Decimal("100.00"), Decimal("19.00"))], Decimal("0.19")),
        ([(Decimal("200.00"), Decimal("14.50")), (Decimal("12.50"), Decimal("0.91"))], "0.0725"),
        ([(Decimal("40.00"), Decimal("2.20"))], Decimal("0.055")),
        ([], Decimal(0)),
    ],
)
def test_a_rate_is_read_back_from_the_amounts_at_its_coarsest(
    charged: list[tuple[Decimal, Decimal]], rate: Decimal | str
) -> None:
    assert derived_rate(charged) == Decimal(rate)


def test_a_fee_line_is_refused_with_the_reason_and_what_to_do() -> None:
    body = order(fee_lines=[{"id": 9, "name": "Gift wrap", "total": "3.00", "total_tax": "0"}])
    with pytest.raises(PermanentError, match=r"fee line\(s\) \(Gift wrap 3.00\).*by hand"):
        order_from_woo(body)


def test_a_line_of_no_units_is_refused() -> None:
    with pytest.raises(PermanentError, match="quantity 0"):
        order_from_woo(order([line(1, "X", 0, "0.00")]))


def test_a_malformed_order_names_the_field() -> None:
    body = order()
    body["line_items"][0]["total"] = "lots"
    with pytest.raises(InvalidPayloadError, match=r"line_items\.0\.total"):
        order_from_woo(body)
    with pytest.raises(InvalidPayloadError, match="expected a JSON object"):
        order_from_woo(["not", "an", "order"])


def test_a_registered_customer_keeps_their_id_and_an_empty_shipping_address_is_none() -> None:
    blank = {k: "" for k in ("first_name", "last_name", "address_1", "city", "postcode")}
    mapped = order_from_woo(order(customer_id=12) | {"shipping": blank | {"country": ""}})
    assert mapped.customer.external_id == "12"
    assert mapped.customer.email == "john.doe@example.com"
    assert mapped.shipping_address is None


def test_order_attribution_meta_is_the_orders_attribution() -> None:
    meta = [
        {"id": 1, "key": "_wc_order_attribution_utm_source", "value": "newsletter"},
        {"id": 2, "key": "_wc_order_attribution_referrer", "value": "https://mail.example/"},
        {"id": 3, "key": "_wc_order_attribution_session_entry", "value": "https://shop/x"},
    ]
    attribution = order_from_woo(order(meta_data=meta)).attribution
    assert (attribution.source_name, attribution.referring_site, attribution.landing_site) == (
        "newsletter",
        "https://mail.example/",
        "https://shop/x",
    )
    assert order_from_woo(order()).attribution.source_name == "checkout"


@pytest.mark.parametrize(
    ("changes", "status", "received"),
    [
        ({}, FinancialStatus.PAID, Decimal("29.35")),
        ({"status": "on-hold", "date_paid_gmt": None}, FinancialStatus.PENDING, Decimal(0)),
        ({"status": "completed", "date_paid_gmt": None}, FinancialStatus.PAID, Decimal("29.35")),
        ({"status": "refunded"}, FinancialStatus.REFUNDED, Decimal("29.35")),
        ({"status": "cancelled", "date_paid_gmt": None}, FinancialStatus.VOIDED, Decimal(0)),
        (
            {"refunds": [{"id": 3, "reason": "", "total": "-5.00"}]},
            FinancialStatus.PARTIALLY_REFUNDED,
            Decimal("29.35"),
        ),
    ],
)
def test_what_an_order_says_was_paid(
    changes: dict[str, Any], status: FinancialStatus, received: Decimal
) -> None:
    body = (
        order([line(1, "SKU-1", 2, "6.00", tax="0.45"), line(2, "Bar3", 1, "12.00", tax="0.90")])
        | changes
    )
    payment = payment_from_woo(body)
    assert (payment.financial_status, payment.received) == (status, received)
    assert payment.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)


def test_a_cancelled_order_is_a_cancellation_stamped_with_its_last_change() -> None:
    cancelled = cancellation_from_woo(order(status="cancelled"))
    assert cancelled is not None
    assert (cancelled.order_external_id, cancelled.order_number) == ("727", "727")
    assert cancelled.cancelled_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert cancellation_from_woo(order()) is None


def test_a_stored_bodys_change_time_or_none_when_it_cannot_say() -> None:
    assert order_updated_at(b'{"id": 5, "date_modified_gmt": "2024-05-01T10:00:00"}') == datetime(
        2024, 5, 1, 10, tzinfo=UTC
    )
    assert order_updated_at(b'{"id": 5}') is None
    assert order_updated_at(b"garbage") is None
    assert order_updated_at(b"[1]") is None


def test_refunds_the_order_lists_are_named_oldest_first() -> None:
    listed = [{"id": 9, "total": "-1.00"}, {"id": 4, "total": "-2.00"}]
    announced = refunds_listed(order(refunds=listed))
    assert (announced.order_external_id, announced.refund_ids) == ("727", ("4", "9"))


def test_a_refund_of_a_shipped_and_restocked_line_is_a_return() -> None:
    body = order(
        [
            line(1, "MUG", 2, "20.00", meta_data=[{"key": "_restock_refunded_items", "value": 1}]),
            line(2, "PEN", 1, "5.00"),
        ],
        status="completed",
        date_completed_gmt="2017-03-23T09:00:00",
    )
    mapped = refund_from_woo(
        refund(30, [(1, 1, "10.00"), (2, 1, "5.00")], "15.00", reason=" broken "),
        parse_order(body),
    )
    assert (mapped.external_id, mapped.order_external_id) == ("30", "727")
    assert (mapped.refunded_amount, mapped.currency, mapped.note) == (
        Decimal("15.00"),
        "USD",
        "broken",
    )
    mug, pen = mapped.lines
    assert (mug.line_item_id, mug.sku, mug.quantity, mug.unit_price) == (
        "1",
        "MUG",
        1,
        Decimal("10.00"),
    )
    assert (mug.restock, pen.restock) == (Restock.RETURN, Restock.NO_RESTOCK)
    assert mapped.created_at == datetime(2017, 3, 23, 13, tzinfo=UTC)


def test_restocked_items_of_an_order_not_shipped_yet_are_a_cancellation_of_them() -> None:
    restocked = [{"key": "_restock_refunded_items", "value": "2"}]
    body = order([line(1, "MUG", 2, "20.00", meta_data=restocked)])
    (mug,) = refund_from_woo(refund(31, [(1, 2, "20.00")], "20.00"), parse_order(body)).lines
    assert (mug.quantity, mug.restock) == (2, Restock.CANCEL)


def test_an_amount_only_refund_has_no_lines() -> None:
    body = refund(32, [(1, 0, "3.00")], "3.00")
    mapped = refund_from_woo(body, parse_order(order()))
    assert mapped.lines == () and mapped.refunded_amount == Decimal("3.00")
