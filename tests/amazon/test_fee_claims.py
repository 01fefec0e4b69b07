"""Guarantee claims (A-to-z) and chargebacks of an Amazon order (the Finances API v0's
GuaranteeClaimEventList and ChargebackEventList, ShipmentEventLists like RefundEventList):
the model has them, the sandbox posts them in Amazon's schema, and the connector reads
each kind as its own numbered series beside the refunds, whose numbers do not change."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.finances import (
    ADJUSTMENT_LISTS,
    ListFinancialEventsResponse,
    refunds_of,
)
from causeway.connectors.amazon.models import parse
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order
from tests.amazon.test_fee_refunds import refund, refund_order
from tests.amazon.test_finances import EXCERPT, ORDER, events, seed_events, shipment, validate
from tests.amazon.test_refund_poll import A, B, C, ago, posted

Connect = Callable[..., AmazonConnector]


def test_the_model_lists_claims_and_chargebacks_as_shipment_events() -> None:
    lists = EXCERPT["definitions"]["FinancialEvents"]["properties"]
    for name in ADJUSTMENT_LISTS.values():
        assert lists[name]["$ref"] == "#/definitions/ShipmentEventList"
    assert "guarantee claim" in lists["GuaranteeClaimEventList"]["description"]
    assert "chargeback" in lists["ChargebackEventList"]["description"]


def test_a_claim_and_a_chargeback_are_their_own_series_and_refunds_keep_their_numbers() -> None:
    commission = ("Commission", "1.00")
    lists = {
        "RefundEventList": [
            refund("2026-12-02T10:00:00Z", commission, adjustment="ADJ-1"),
            refund("2026-12-05T10:00:00Z", commission, adjustment="ADJ-4"),
        ],
        # A claim posted between the two refunds, a chargeback before them all.
        "GuaranteeClaimEventList": [
            refund("2026-12-03T10:00:00Z", ("Commission", "2.00"), adjustment="ADJ-2")
        ],
        "ChargebackEventList": [
            refund("2026-12-01T10:00:00Z", ("Commission", "0.50"), adjustment="ADJ-0")
        ],
    }
    body = {"payload": {"FinancialEvents": lists}}
    validate(body)
    page = parse(ListFinancialEventsResponse, body, "answer")
    found = [
        (r.kind, r.number, r.key, r.totals())
        for kind, name in ADJUSTMENT_LISTS.items()
        for r in refunds_of(getattr(page.payload.FinancialEvents, name), kind=kind)
    ]
    assert found == [
        ("refund", 1, "ADJ-1", {"USD": Decimal("-1.00")}),
        ("refund", 2, "ADJ-4", {"USD": Decimal("-1.00")}),
        ("claim", 1, "ADJ-2", {"USD": Decimal("-2.00")}),
        ("chargeback", 1, "ADJ-0", {"USD": Decimal("-0.50")}),
    ]


def test_the_sandbox_posts_claims_and_chargebacks_the_connector_reads_apart(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    amazon.control("POST", "orders", json=[new_order(ORDER, quantity=4, status="SHIPPED")])
    one = {"items": [{"sku": "WID-1", "quantity": 1}]}
    assert refund_order(amazon, ORDER, **one).status_code == 200
    for kind in ("claim", "chargeback", "refund"):
        amazon.control("POST", "clock", json={"advance_seconds": 60})
        answer = refund_order(amazon, ORDER, kind=kind, **one)
        assert answer.status_code == 200, answer.text
    unknown = refund_order(amazon, ORDER, kind="goodwill")
    assert unknown.status_code == 422
    spent = refund_order(amazon, ORDER, kind="claim")  # every unit is paid back already
    assert spent.status_code == 409 and "refunded already" in spent.text

    whole = events(amazon, ORDER).json()
    validate(whole)
    lists = whole["payload"]["FinancialEvents"]
    assert [len(lists[n]) for n in ADJUSTMENT_LISTS.values()] == [2, 1, 1]
    (claimed,) = lists["GuaranteeClaimEventList"][0]["ShipmentItemAdjustmentList"]
    assert [f["FeeType"] for f in claimed["ItemFeeAdjustmentList"]] == [
        "ReferralFee",
        "RefundCommission",
    ]
    paged = events(amazon, ORDER, MaxResultsPerPage="2").json()
    validate(paged)

    fees = connect().order_fees(ORDER, page_size=2)
    assert [(r.label, r.totals()) for r in fees.refunds] == [
        ("refund 1", {"USD": Decimal("-1.20")}),  # 1.50 given back, 0.30 kept
        ("refund 2", {"USD": Decimal("-1.20")}),
        ("claim 1", {"USD": Decimal("-1.20")}),
        ("chargeback 1", {"USD": Decimal("-1.20")}),
    ]
    assert len({r.key for r in fees.refunds}) == 4


def test_the_date_range_poll_names_orders_with_a_claim_or_a_chargeback(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    commission = ("Commission", "1.00")
    amazon.control(
        "POST",
        f"financial-events/{A}",
        json={"GuaranteeClaimEventList": [posted(refund("x", commission), ago(minutes=30), A)]},
    )
    amazon.control(
        "POST",
        f"financial-events/{B}",
        json={"ChargebackEventList": [posted(refund("x", commission), ago(minutes=20), B)]},
    )
    seed_events(amazon, C, posted(shipment(C, ("Commission", "-1.00")), ago(minutes=10), C))
    found = connect().refunded_orders_since(ago(hours=2), page_size=1)
    assert found.order_ids == (A, B)  # C only shipped
