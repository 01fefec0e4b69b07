"""The sandbox's answers validate against Amazon's own OpenAPI model of Orders v2026-01-01."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import jsonschema
import pytest

from causeway.connectors.amazon.orders import order_from_amazon
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import MARKETPLACE, new_order, orders_model, vendor_orders

ORDERS = "/orders/2026-01-01/orders"
ALL_DATA = (
    "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT"
)


def validate(body: Any, definition: str) -> None:
    model = orders_model()
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def token(amazon: AmazonSandboxServer) -> str:
    s = amazon.settings
    answer = httpx.post(
        amazon.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": s.refresh_token,
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    return str(body["access_token"])


def get(amazon: AmazonSandboxServer, path: str, **params: str) -> httpx.Response:
    return httpx.get(
        amazon.endpoint + path, params=params, headers={"x-amz-access-token": token(amazon)}
    )


def test_the_validator_catches_a_wrong_shape() -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate({"orders": [{"orderId": "1"}]}, "SearchOrdersResponse")


def test_search_pages_validate_and_carry_the_rate_limit(amazon: AmazonSandboxServer) -> None:
    vendor = [
        {**o, "salesChannel": {**o["salesChannel"], "marketplaceId": MARKETPLACE}}
        for o in vendor_orders()
    ]
    for o in vendor:
        o.pop("lastUpdatedTime")  # the sandbox's clock stamps them now
    amazon.control("POST", "orders", json=vendor)
    seen = 0
    answer = get(
        amazon,
        ORDERS,
        lastUpdatedAfter="2020-01-01T00:00:00Z",
        marketplaceIds=MARKETPLACE,
        includedData=ALL_DATA,
        maxResultsPerPage="3",
    )
    while True:
        assert answer.status_code == 200
        assert answer.headers["x-amzn-RateLimit-Limit"] == "50"
        body = answer.json()
        validate(body, "SearchOrdersResponse")
        seen += len(body["orders"])
        next_token = body.get("pagination", {}).get("nextToken")
        if not next_token:
            break
        answer = get(
            amazon,
            ORDERS,
            paginationToken=next_token,
            marketplaceIds=MARKETPLACE,
            includedData=ALL_DATA,
            maxResultsPerPage="3",
        )
    assert seen == len(vendor)


def test_get_order_validates_and_leaves_out_what_was_not_asked(
    amazon: AmazonSandboxServer,
) -> None:
    amazon.control("POST", "orders", json=new_order("111-0000000-0000001"))
    full = get(amazon, f"{ORDERS}/111-0000000-0000001", includedData=ALL_DATA)
    validate(full.json(), "GetOrderResponse")
    bare = get(amazon, f"{ORDERS}/111-0000000-0000001").json()
    validate(bare, "GetOrderResponse")
    assert {"buyer", "recipient", "proceeds", "fulfillment"} & set(bare["order"]) == set()
    assert "proceeds" not in bare["order"]["orderItems"][0]


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        ({"next_429": 1}, 429),
        ({"next_5xx": 1, "status_5xx": 500}, 500),
        ({"next_5xx": 1, "status_5xx": 503}, 503),
    ],
)
def test_errors_are_in_amazons_format(
    amazon: AmazonSandboxServer, setup: dict[str, int], status: int
) -> None:
    amazon.control("PUT", "faults", json=setup)
    answer = get(amazon, f"{ORDERS}/111-0000000-0000001")
    assert answer.status_code == status
    validate(answer.json(), "ErrorList")
    if status == 429:
        assert answer.json()["errors"][0]["code"] == "QuotaExceeded"


def test_not_found_and_bad_input_are_error_lists(amazon: AmazonSandboxServer) -> None:
    missing = get(amazon, f"{ORDERS}/999-0000000-0000000")
    assert missing.status_code == 404
    validate(missing.json(), "ErrorList")
    bad = get(
        amazon, ORDERS, marketplaceIds=MARKETPLACE
    )  # neither createdAfter nor lastUpdatedAfter
    assert bad.status_code == 400
    validate(bad.json(), "ErrorList")


def test_an_expired_token_is_refused_as_unauthorized(amazon: AmazonSandboxServer) -> None:
    access = token(amazon)
    amazon.control("POST", "tokens/expire")
    answer = httpx.get(amazon.endpoint + f"{ORDERS}/1", headers={"x-amz-access-token": access})
    assert answer.status_code == 403
    validate(answer.json(), "ErrorList")
    assert answer.json()["errors"][0]["code"] == "Unauthorized"


def test_the_token_endpoint_refuses_a_wrong_refresh_token(amazon: AmazonSandboxServer) -> None:
    s = amazon.settings
    answer = httpx.post(
        amazon.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|revoked",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
        },
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_a_checkout_of_skus_becomes_an_order_that_validates_and_maps(
    amazon: AmazonSandboxServer,
) -> None:
    lines = [
        {"sku": "WID-001", "quantity": 2, "unit_price": "10.00"},
        {"sku": "GAD-001", "quantity": 1, "unit_price": "25.00"},
    ]
    body = {"lines": lines, "status": "PENDING", "shipping": "4.90", "tax_rate": "0.10"}
    made = amazon.control("POST", "checkouts", json=body).json()
    answer = get(amazon, f"{ORDERS}/{made['orderId']}", includedData=ALL_DATA)
    validate(answer.json(), "GetOrderResponse")
    order = order_from_amazon(answer.json())
    assert [(line.sku, line.quantity) for line in order.lines] == [("WID-001", 2), ("GAD-001", 1)]
    assert order.awaiting_payment and order.channel_status == "PENDING"
    assert order.shipping_address is None and order.customer.email is None  # not paid yet
    assert order.total == Decimal("54.89")  # 45.00 + 4.90 shipping + 10 % tax on both
    assert order.total_tax == Decimal("4.99")
    refused = httpx.post(f"{amazon.url}/_sandbox/checkouts", json={"lines": []})
    assert refused.status_code == 422


@pytest.mark.parametrize("unpaid", ["PENDING", "PENDING_AVAILABILITY"])
def test_an_unpaid_order_has_no_buyer_nor_address_until_it_is_paid(
    amazon: AmazonSandboxServer, unpaid: str
) -> None:
    line = {"sku": "WID-001", "quantity": 1, "unit_price": "5.00"}
    body = {"lines": [line], "status": unpaid, "buyer_name": "Jane Buyer"}
    order_id = amazon.control("POST", "checkouts", json=body).json()["orderId"]

    def as_searched() -> dict[str, Any]:
        found = get(
            amazon,
            ORDERS,
            lastUpdatedAfter="2020-01-01T00:00:00Z",
            marketplaceIds=MARKETPLACE,
            includedData=ALL_DATA,
        ).json()
        validate(found, "SearchOrdersResponse")
        (order,) = found["orders"]
        return dict(order)

    def as_got() -> dict[str, Any]:
        found = get(amazon, f"{ORDERS}/{order_id}", includedData=ALL_DATA).json()
        validate(found, "GetOrderResponse")
        return dict(found["order"])

    for unpaid_view in (as_searched(), as_got()):
        # Absent, not empty: Amazon leaves the restricted blocks out altogether.
        assert {"buyer", "recipient"} & set(unpaid_view) == set()
        assert unpaid_view["fulfillment"]["fulfillmentStatus"] == unpaid
    amazon.control("POST", "clock", json={"advance_seconds": 2})
    amazon.control("PATCH", f"orders/{order_id}", json={"fulfillmentStatus": "UNSHIPPED"})
    for paid_view in (as_searched(), as_got()):
        assert paid_view["buyer"]["buyerName"] == "Jane Buyer"
        assert paid_view["recipient"]["deliveryAddress"]["addressLine1"] == "410 Terry Ave N"


def test_a_search_by_creation_lists_what_was_created_since_not_what_changed(
    amazon: AmazonSandboxServer,
) -> None:
    def sku_line(sku: str) -> dict[str, Any]:
        return {"lines": [{"sku": sku, "quantity": 1, "unit_price": "5.00"}]}

    old = amazon.control("POST", "checkouts", json=sku_line("WID-001")).json()
    amazon.control("POST", "clock", json={"advance_seconds": 3600})
    since = amazon.control("POST", "clock", json={"advance_seconds": 0}).json()["now"]
    amazon.control("PATCH", f"orders/{old['orderId']}", json={"fulfillmentStatus": "SHIPPED"})
    new = amazon.control("POST", "checkouts", json=sku_line("WID-001")).json()
    by_creation = get(amazon, ORDERS, createdAfter=since, marketplaceIds=MARKETPLACE)
    by_change = get(amazon, ORDERS, lastUpdatedAfter=since, marketplaceIds=MARKETPLACE)
    validate(by_creation.json(), "SearchOrdersResponse")
    assert "createdBefore" in by_creation.json()
    assert [o["orderId"] for o in by_creation.json()["orders"]] == [new["orderId"]]
    assert {o["orderId"] for o in by_change.json()["orders"]} == {old["orderId"], new["orderId"]}


def test_a_merchant_fulfilled_checkout_takes_its_units_off_the_listing(
    amazon: AmazonSandboxServer,
) -> None:
    amazon.control("POST", "listings", json={"sku": "SOLD-1", "productType": "P", "quantity": 5})
    amazon.control(
        "POST",
        "listings",
        json={"sku": "FBA-1", "productType": "P", "fulfillmentChannelCode": "AMAZON_NA"},
    )
    for sku, quantity in (("SOLD-1", 2), ("SOLD-1", 4), ("FBA-1", 1)):
        line = {"sku": sku, "quantity": quantity, "unit_price": "5.00"}
        fulfilled_by = "AMAZON" if sku.startswith("FBA") else "MERCHANT"
        amazon.control("POST", "checkouts", json={"lines": [line], "fulfilled_by": fulfilled_by})
    listed = amazon.control("GET", "listings").json()
    assert (listed["SOLD-1"], listed["FBA-1"]) == (0, None)  # never below 0; FBA is Amazon's
