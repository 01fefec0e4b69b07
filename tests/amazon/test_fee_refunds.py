"""A refunded Amazon order's fee changes (the Finances API v0's RefundEventList): the
documented shape parses, each refund is one numbered set of fee changes summed with
Decimal, and the sandbox's refunds answer as the model says."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.finances import ListFinancialEventsResponse, fees_of, refunds_of
from causeway.connectors.amazon.models import parse
from causeway.connectors.tryton.channel_fees import one_currency
from causeway.errors import PermanentError
from causeway.model.ports.fees import ChannelFee
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order
from tests.amazon.test_finances import EXCERPT, ORDER, events, seed_events, shipment, validate

Connect = Callable[..., AmazonConnector]


def money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"CurrencyCode": currency, "CurrencyAmount": float(amount)}


def refund(
    posted: str, *fees: tuple[str, str], adjustment: str | None = None, currency: str = "USD"
) -> dict[str, Any]:
    """A RefundEventList event: one item adjustment with these (FeeType, amount) changes."""
    item: dict[str, Any] = {
        "SellerSKU": "WID-1",
        "ItemChargeAdjustmentList": [
            {"ChargeType": "Principal", "ChargeAmount": money("-10.00", currency)}
        ],
        "ItemFeeAdjustmentList": [
            {"FeeType": kind, "FeeAmount": money(a, currency)} for kind, a in fees
        ],
    }
    if adjustment:
        item["OrderAdjustmentItemId"] = adjustment
    return {"AmazonOrderId": ORDER, "PostedDate": posted, "ShipmentItemAdjustmentList": [item]}


def refund_order(amazon: AmazonSandboxServer, order_id: str, **body: Any) -> httpx.Response:
    """POST /_sandbox/orders/{id}/refund, its answer whatever its status."""
    return httpx.post(f"{amazon.url}/_sandbox/orders/{order_id}/refund", json=body)


def parsed(*refunds: dict[str, Any]) -> ListFinancialEventsResponse:
    body = {"payload": {"FinancialEvents": {"RefundEventList": list(refunds)}}}
    validate(body)
    return parse(ListFinancialEventsResponse, body, "answer")


def test_the_documented_refund_gives_the_commission_back_and_charges_the_refund_commission() -> (
    None
):
    body = EXCERPT["examples"]["listFinancialEventsByOrderId_refund"]
    validate(body)
    page = parse(ListFinancialEventsResponse, body, "answer")
    (done,) = refunds_of(page.payload.FinancialEvents.RefundEventList)
    assert (done.number, done.key) == (1, "456456465464")
    assert done.fees == (
        ChannelFee(fee_type="Commission", currency="USD", amount=Decimal("-3.81")),
        ChannelFee(fee_type="RefundCommission", currency="USD", amount=Decimal("0.76")),
    )
    assert done.totals() == {"USD": Decimal("-3.05")}  # a credit: Amazon owes it back


def test_refunds_are_numbered_by_posting_time_and_summed_with_decimal() -> None:
    later = refund("2026-12-03T10:00:00Z", ("Commission", "0.10"), ("Commission", "0.20"))
    earlier = refund(
        "2026-12-02T10:00:00Z",
        ("Commission", "8.00"),
        ("RefundCommission", "-2.00"),
        adjustment="ADJ-1",
    )
    page = parsed(later, earlier)  # Amazon's list order is not the posting order
    first, second = refunds_of(page.payload.FinancialEvents.RefundEventList)
    assert (first.number, first.key, first.totals()) == (1, "ADJ-1", {"USD": Decimal("-6.00")})
    # No adjustment id: the key is the PostedDate; 0.10 + 0.20 is exactly 0.30.
    assert (second.number, second.key) == (2, "2026-12-03T10:00:00+00:00")
    assert second.fees == (
        ChannelFee(fee_type="Commission", currency="USD", amount=Decimal("-0.30")),
    )


def test_a_refund_that_changed_no_fee_keeps_its_number_and_books_nothing() -> None:
    price_only = refund("2026-12-02T10:00:00Z", adjustment="ADJ-1")  # no fee adjustment
    cancelled_out = refund(
        "2026-12-03T10:00:00Z", ("Commission", "2.00"), ("Commission", "-2.00"), adjustment="ADJ-2"
    )
    real = refund("2026-12-04T10:00:00Z", ("Commission", "1.50"), adjustment="ADJ-3")
    page = parsed(price_only, cancelled_out, real)
    (only,) = refunds_of(page.payload.FinancialEvents.RefundEventList)
    assert (only.number, only.key) == (3, "ADJ-3")
    # The order's shipment fees are unchanged by its refunds.
    fees = fees_of(ORDER, [], {"refund": page.payload.FinancialEvents.RefundEventList})
    assert (fees.posted, fees.fees, len(fees.refunds)) == (False, (), 1)


def test_a_refund_in_two_currencies_is_kept_apart_and_refused_with_a_clear_message() -> None:
    usd = refund("2026-12-02T10:00:00Z", ("Commission", "1.50"), adjustment="ADJ-1")
    usd["ShipmentFeeAdjustmentList"] = [{"FeeType": "Commission", "FeeAmount": money("1.2", "EUR")}]
    (mixed,) = refunds_of(parsed(usd).payload.FinancialEvents.RefundEventList)
    assert mixed.totals() == {"EUR": Decimal("-1.2"), "USD": Decimal("-1.50")}
    with pytest.raises(PermanentError, match=r"fee refund 1 of S-1 are in EUR, USD: one supplier"):
        one_currency(mixed.fees, "fee refund 1 of S-1", "erp")


def test_the_sandboxs_refund_posts_a_refund_event_in_amazons_schema(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    amazon.control("POST", "orders", json=[new_order(ORDER, quantity=2, status="SHIPPED")])
    first = refund_order(amazon, ORDER, items=[{"sku": "WID-1", "quantity": 1}])
    assert first.status_code == 200, first.text
    answer = events(amazon, ORDER)
    validate(answer.json())
    lists = answer.json()["payload"]["FinancialEvents"]
    assert len(lists["ShipmentEventList"]) == 1 and len(lists["RefundEventList"]) == 1
    (item,) = lists["RefundEventList"][0]["ShipmentItemAdjustmentList"]
    assert item["ItemFeeAdjustmentList"] == [
        {"FeeType": "ReferralFee", "FeeAmount": money("1.50")},  # half of 15 % of 2 x 10.00
        {"FeeType": "RefundCommission", "FeeAmount": money("-0.30")},  # 20 % of it
    ]
    amazon.control("POST", "clock", json={"advance_seconds": 60})
    assert refund_order(amazon, ORDER).status_code == 200  # the rest: the other unit
    too_many = refund_order(amazon, ORDER)
    assert too_many.status_code == 409 and "refunded already" in too_many.text
    paged = events(amazon, ORDER, MaxResultsPerPage="2").json()
    validate(paged)
    assert paged["payload"]["NextToken"]

    fees = connect().order_fees(ORDER, page_size=2)
    assert fees.totals() == {"USD": Decimal("3.00")}  # the shipment's fees, unchanged
    assert [(r.number, r.totals()) for r in fees.refunds] == [
        (1, {"USD": Decimal("-1.20")}),
        (2, {"USD": Decimal("-1.20")}),
    ]
    assert fees.refunds[0].key != fees.refunds[1].key


def test_an_unshipped_order_is_not_refunded_and_seeded_refunds_are_served(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    amazon.control("POST", "orders", json=[new_order(ORDER)])
    refused = refund_order(amazon, ORDER)
    assert refused.status_code == 409 and "shipped" in refused.text
    seed_events(amazon, ORDER, shipment(ORDER, ("Commission", "-3.00")))
    amazon.control(
        "POST",
        f"financial-events/{ORDER}",
        json={"RefundEventList": [refund("2026-12-02T10:00:00Z", ("Commission", "3.00"))]},
    )
    validate(events(amazon, ORDER).json())
    fees = connect().order_fees(ORDER)
    assert fees.totals() == {"USD": Decimal("3.00")}
    assert [r.totals() for r in fees.refunds] == [{"USD": Decimal("-3.00")}]
