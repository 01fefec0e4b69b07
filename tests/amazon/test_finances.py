"""An Amazon order's fees from the Finances API v0 (listFinancialEventsByOrderId): the
documented shape parses, the sandbox answers as the model says, the connector pages and
tells "no fees posted yet" from fees."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.finances import ListFinancialEventsResponse, fees_of
from causeway.connectors.amazon.models import parse
from causeway.connectors.amazon.rates import USAGE_PLANS
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model.ports.fees import ChannelFee
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import new_order
from tests.amazon.test_sandbox_contract import token

Connect = Callable[..., AmazonConnector]
EXCERPT = json.loads((Path(__file__).parent / "finances" / "financesV0_excerpt.json").read_text())
ORDER = "113-0000000-0000001"


def validate(body: Any, definition: str = "ListFinancialEventsResponse") -> None:
    schema = {"$ref": f"#/definitions/{definition}", "definitions": EXCERPT["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def events(amazon: AmazonSandboxServer, order_id: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{amazon.endpoint}/finances/v0/orders/{order_id}/financialEvents",
        params=params,
        headers={"x-amz-access-token": token(amazon)},
    )


def shipment(order_id: str, *fees: tuple[str, str], currency: str = "USD") -> dict[str, Any]:
    return {
        "AmazonOrderId": order_id,
        "PostedDate": "2026-12-01T10:00:00Z",
        "ShipmentItemList": [
            {
                "SellerSKU": "WID-1",
                "ItemFeeList": [
                    {
                        "FeeType": kind,
                        "FeeAmount": {"CurrencyCode": currency, "CurrencyAmount": float(a)},
                    }
                    for kind, a in fees
                ],
            }
        ],
    }


def seed_events(amazon: AmazonSandboxServer, order_id: str, *shipments: dict[str, Any]) -> None:
    amazon.control("POST", f"financial-events/{order_id}", json=list(shipments))


def test_the_documented_answer_parses_and_its_fees_add_up_as_positive_costs() -> None:
    body = EXCERPT["examples"]["listFinancialEventsByOrderId"]
    validate(body)
    page = parse(ListFinancialEventsResponse, body, "listFinancialEventsByOrderId answer")
    assert page.payload.NextToken == "Next token value"
    fees = fees_of("444-555-3343433", list(page.payload.FinancialEvents.ShipmentEventList))
    assert fees.posted
    assert {f.fee_type: f.amount for f in fees.fees} == {
        "Commission": Decimal("3.81"),
        "FBAPerUnitFulfillmentFee": Decimal("3.22"),
        "FixedClosingFee": Decimal("26.87"),  # the shipment's 25.37 and the order's 1.5
    }
    assert fees.totals() == {"USD": Decimal("33.90")}
    validate(EXCERPT["examples"]["error400"])


def test_a_wrong_shape_is_named_by_its_field() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate({"payload": {"FinancialEvents": {"ShipmentEventList": [{"PostedDate": 1}]}}})
    bad = {"payload": {"FinancialEvents": {"ShipmentEventList": [{"ShipmentItemList": 3}]}}}
    with pytest.raises(InvalidPayloadError, match=r"ShipmentItemList"):
        parse(ListFinancialEventsResponse, bad, "answer")


def test_the_usage_plan_is_the_documented_one() -> None:
    plan = USAGE_PLANS["listFinancialEventsByOrderId"]
    assert (plan.rate, plan.burst) == tuple(EXCERPT["operation"]["usagePlan"].values())


def test_an_unshipped_order_has_no_fees_posted_yet(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    amazon.control("POST", "orders", json=[new_order(ORDER)])
    answer = events(amazon, ORDER)
    validate(answer.json())
    assert answer.headers["x-amzn-RateLimit-Limit"]
    fees = connect().order_fees(ORDER)
    assert (fees.posted, fees.fees) == (False, ())


def test_a_shipped_order_gets_a_referral_fee_and_fba_a_fulfilment_fee(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    merchant, fba = ORDER, "113-0000000-0000002"
    amazon.control(
        "POST",
        "orders",
        json=[
            new_order(merchant),
            new_order(fba, quantity=3, fulfilled_by="AMAZON", status="SHIPPED"),
        ],
    )
    amazon.control("PATCH", f"orders/{merchant}", json={"fulfillmentStatus": "SHIPPED"})
    validate(events(amazon, fba).json())
    connector = connect()
    assert connector.order_fees(merchant).fees == (
        ChannelFee(fee_type="ReferralFee", currency="USD", amount=Decimal("3.00")),
    )
    assert {f.fee_type: f.amount for f in connector.order_fees(fba).fees} == {
        "ReferralFee": Decimal("4.50"),  # 15% of 3 x 10.00
        "FBAPerUnitFulfillmentFee": Decimal("9.66"),  # 3 x 3.22
    }


def test_every_page_is_read_and_fees_summed_with_decimal(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed_events(
        amazon,
        ORDER,
        shipment(ORDER, ("Commission", "-0.10"), ("FixedClosingFee", "-1.80")),
        shipment(ORDER, ("Commission", "-0.20")),
        shipment(ORDER, ("Commission", "0.05")),  # a fee partly given back
    )
    first = events(amazon, ORDER, MaxResultsPerPage="1").json()
    validate(first)
    assert first["payload"]["NextToken"]
    fees = connect().order_fees(ORDER, page_size=1)
    assert {f.fee_type: f.amount for f in fees.fees} == {
        "Commission": Decimal("0.25"),
        "FixedClosingFee": Decimal("1.80"),
    }
    asked = [
        c
        for c in amazon.control("GET", "calls").json()
        if c["operation"] == "listFinancialEventsByOrderId"
    ]
    asked = asked[1:]  # the connector's calls, after the test's own first page
    assert len(asked) == 3
    assert "NextToken=" not in asked[0]["query"] and all(
        "NextToken=" in c["query"] for c in asked[1:]
    )


def test_amazons_error_is_a_permanent_error_naming_the_operation(
    amazon: AmazonSandboxServer,
) -> None:
    answer = events(amazon, ORDER, MaxResultsPerPage="101")
    assert answer.status_code == 400
    validate(answer.json())
    bad_token = events(amazon, ORDER, NextToken="not-a-token")
    assert bad_token.json()["errors"][0]["code"] == "InvalidInput"


def test_a_bad_order_id_is_refused_in_amazons_words(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    answer = events(amazon, "BAD-ORDER")
    assert answer.status_code == 400
    validate(answer.json())
    (error,) = answer.json()["errors"]
    assert {k: error[k] for k in ("code", "message")} == EXCERPT["examples"]["error400"]["errors"][
        0
    ]
    with pytest.raises(PermanentError, match=r"listFinancialEventsByOrderId.*Bad order ID"):
        connect().order_fees("BAD-ORDER")
