"""The ERP ships an Amazon order: the connector confirms the package with carrier and
tracking (Orders v0 confirmShipment), in full or item by item, never twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from causeway.config import parse_config
from causeway.connectors.amazon import AmazonConnector
from causeway.connectors.amazon.rates import USAGE_PLANS
from causeway.connectors.amazon.shipments import carrier_fields, package_reference
from causeway.errors import PermanentError
from causeway.flows.fulfillments_to_channels.decisions import plan_fulfillment, reached_store
from causeway.model.ports.channel import FulfillmentChannel, FulfillmentLine, Tracking
from causeway.model.ports.erp import DoneShipment, ShippedLine
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon.conftest import MARKETPLACE
from tests.amazon.shipping_support import unshipped_order, v0_validate, v2026_validate
from tests.amazon.test_config import GOOD
from tests.amazon.test_sandbox_contract import token
from tests.unit.files_support import hub_config

Connect = Callable[..., AmazonConnector]
ALL_DATA = "FULFILLMENT,PACKAGES"


def seed(amazon: AmazonSandboxServer, *orders: dict[str, Any]) -> None:
    amazon.control("POST", "orders", json=list(orders))


def confirmations(amazon: AmazonSandboxServer, order_id: str) -> list[dict[str, Any]]:
    answer = amazon.control("GET", f"shipment-confirmations?orderId={order_id}")
    return answer.json()  # type: ignore[no-any-return]


def whole_order(state_lines: Any, order_id: str) -> list[FulfillmentLine]:
    return [FulfillmentLine(order_id, line.id, line.remaining) for line in state_lines]


def test_the_amazon_connector_is_a_fulfillment_channel(connect: Connect) -> None:
    assert isinstance(connect(), FulfillmentChannel)


def test_fulfillments_to_channels_takes_an_amazon_system_as_a_target(tmp_path: Path) -> None:
    data = hub_config(tmp_path)
    data["systems"]["amazon"] = dict(GOOD)
    data["flows"]["fulfillments-to-channels"] = {"source": "erp", "targets": ["amazon"]}
    config = parse_config(data, env={})
    assert config.flows.settings("fulfillments-to-channels").targets == ["amazon"]  # type: ignore[union-attr]


def test_confirm_shipment_has_amazons_documented_usage_plan() -> None:
    plan = USAGE_PLANS["confirmShipment"]
    assert (plan.rate, plan.burst) == (2.0, 10)


def test_an_order_is_one_fulfilment_order_of_its_items_left_to_ship(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    seed(amazon, unshipped_order("111-0000001-0000001", [("WID-1", 3), ("GAD-1", 1)]))
    state = connect().fulfillment_state("111-0000001-0000001")
    (fo,) = state.fulfillment_orders
    assert (fo.id, fo.status, state.fully_fulfilled) == ("111-0000001-0000001", "open", False)
    assert [(ln.id, ln.sku, ln.remaining) for ln in fo.lines] == [
        ("11100000010000001" + "01", "WID-1", 3),
        ("11100000010000001" + "02", "GAD-1", 1),
    ]
    assert state.fulfillments == ()


def test_a_full_shipment_is_confirmed_with_carrier_and_tracking_and_the_order_is_shipped(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000002-0000002"
    seed(amazon, unshipped_order(order_id, [("WID-1", 2), ("GAD-1", 1)]))
    connector = connect()
    state = connector.fulfillment_state(order_id)
    lines = whole_order(state.fulfillment_orders[0].lines, order_id)

    made = connector.publish_fulfillment(lines, tracking=Tracking("ups", "1ZAMZ0001"))

    (sent,) = confirmations(amazon, order_id)
    detail = sent["packageDetail"]
    assert sent["marketplaceId"] == MARKETPLACE
    assert (detail["carrierCode"], detail["trackingNumber"]) == ("UPS", "1ZAMZ0001")
    assert detail["packageReferenceId"] == made.id == package_reference(order_id, "1ZAMZ0001")
    assert [(i["orderItemId"], i["quantity"]) for i in detail["orderItems"]] == [
        (line.line_item_id, line.quantity) for line in lines
    ]
    after = connector.fulfillment_state(order_id)
    assert after.fully_fulfilled and after.fulfillment_orders[0].status == "closed"
    assert after.tracking_numbers == {"1ZAMZ0001"}
    assert [f.id for f in after.fulfillments] == [made.id]


def test_a_partial_shipment_confirms_its_items_and_a_second_package_the_rest(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000003-0000003"
    seed(amazon, unshipped_order(order_id, [("WID-1", 3), ("GAD-1", 2)]))
    connector = connect()
    widget, gadget = connector.fulfillment_state(order_id).fulfillment_orders[0].lines

    connector.publish_fulfillment(
        [FulfillmentLine(order_id, widget.id, 1)], tracking=Tracking("FedEx", "FX-1")
    )

    partial = connector.fulfillment_state(order_id)
    assert not partial.fully_fulfilled
    assert [ln.remaining for ln in partial.fulfillment_orders[0].lines] == [2, 2]
    order = _get_order(amazon, order_id)
    assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"

    connector.publish_fulfillment(
        [FulfillmentLine(order_id, widget.id, 2), FulfillmentLine(order_id, gadget.id, 2)],
        tracking=Tracking("Royal Mail", "RM-2"),
    )
    final = connector.fulfillment_state(order_id)
    assert final.fully_fulfilled and final.tracking_numbers == {"FX-1", "RM-2"}
    shipped = _get_order(amazon, order_id)
    assert shipped["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert shipped["lastUpdatedTime"] >= order["lastUpdatedTime"]
    assert [i["fulfillment"]["quantityFulfilled"] for i in shipped["orderItems"]] == [3, 2]
    v2026_validate({"order": shipped}, "GetOrderResponse")


def test_a_retried_confirmation_is_the_same_package_not_a_second_one(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000004-0000004"
    seed(amazon, unshipped_order(order_id, [("WID-1", 2)]))
    connector = connect()
    (line,) = connector.fulfillment_state(order_id).fulfillment_orders[0].lines
    lines = [FulfillmentLine(order_id, line.id, 1)]

    first = connector.publish_fulfillment(lines, tracking=Tracking("DHL", "JD0001"))
    again = connector.publish_fulfillment(lines, tracking=Tracking("DHL", "JD0001"))

    assert first.id == again.id
    state = connector.fulfillment_state(order_id)
    assert [f.id for f in state.fulfillments] == [first.id]
    assert state.fulfillment_orders[0].lines[0].remaining == 1  # one unit shipped, not two


def test_amazons_refusal_is_a_permanent_error_with_its_message(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000005-0000005"
    seed(amazon, unshipped_order(order_id, [("WID-1", 1)]))
    connector = connect()
    (line,) = connector.fulfillment_state(order_id).fulfillment_orders[0].lines

    with pytest.raises(PermanentError, match=r"order 111-0000005-0000005.*exceeds the 1 unshipped"):
        connector.publish_fulfillment(
            [FulfillmentLine(order_id, line.id, 2)], tracking=Tracking("UPS", "1ZTOOMANY")
        )
    assert confirmations(amazon, order_id) == []
    assert connector.fulfillment_state(order_id).fulfillment_orders[0].lines[0].remaining == 1


def test_a_shipment_without_tracking_is_refused_before_anything_is_sent(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000006-0000006"
    seed(amazon, unshipped_order(order_id, [("WID-1", 1)]))
    connector = connect()
    (line,) = connector.fulfillment_state(order_id).fulfillment_orders[0].lines
    with pytest.raises(PermanentError, match=r"has no tracking number: set it on the shipment"):
        connector.publish_fulfillment(
            [FulfillmentLine(order_id, line.id, 1)], tracking=Tracking("UPS", None)
        )
    calls = [c["operation"] for c in amazon.control("GET", "calls").json()]
    assert "confirmShipment" not in calls


def test_an_unknown_order_is_a_permanent_error(connect: Connect) -> None:
    with pytest.raises(PermanentError, match=r"404"):
        connect().fulfillment_state("111-9999999-9999999")


@pytest.mark.parametrize(
    ("erp_carrier", "fields"),
    [
        ("ups", {"carrierCode": "UPS", "carrierName": "UPS"}),
        ("Federal Express", {"carrierCode": "FedEx", "carrierName": "FedEx"}),
        (" fedex ", {"carrierCode": "FedEx", "carrierName": "FedEx"}),
        ("DHL eCommerce", {"carrierCode": "DHL eCommerce", "carrierName": "DHL eCommerce"}),
        ("Our own van", {"carrierCode": "Other", "carrierName": "Our own van"}),
    ],
)
def test_the_erp_carrier_becomes_amazons_code_or_other_with_its_name(
    erp_carrier: str, fields: dict[str, str]
) -> None:
    assert carrier_fields(erp_carrier) == fields


def test_the_flows_decisions_read_amazons_one_fulfilment_order(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    """plan_fulfillment maps the ERP's shipped SKUs onto the order's items; after the
    confirmation, reached_store finds the package by its tracking number (a crash retry)."""
    order_id = "111-0000011-0000011"
    seed(amazon, unshipped_order(order_id, [("WID-1", 2), ("GAD-1", 1)]))
    connector = connect()
    state = connector.fulfillment_state(order_id)
    widget, _ = state.fulfillment_orders[0].lines
    shipment = DoneShipment(
        id=7,
        number="CS7",
        done_at=datetime.now(UTC),
        carrier="UPS",
        tracking_number="1ZFLOW7",
        lines=(ShippedLine(sku="WID-1", quantity=Decimal(2), sale_id=1),),
    )

    plan = plan_fulfillment(shipment.lines, state, shipment.number)

    assert plan.lines == (FulfillmentLine(order_id, widget.id, 2),) and not plan.complete
    assert reached_store(shipment, state, None) is None
    made = connector.publish_fulfillment(plan.lines, tracking=Tracking("UPS", "1ZFLOW7"))
    after = connector.fulfillment_state(order_id)
    assert reached_store(shipment, after, None) == made
    with pytest.raises(PermanentError, match=r"has only 0 left to fulfil"):
        plan_fulfillment(shipment.lines, after, "CS8")


# -- the contract: requests and answers against Amazon's v0 model ---------------------------
def test_the_request_body_validates_against_confirm_shipment_request(
    amazon: AmazonSandboxServer, connect: Connect
) -> None:
    order_id = "111-0000007-0000007"
    seed(amazon, unshipped_order(order_id, [("WID-1", 1), ("GAD-1", 1)]))
    connector = connect()
    lines = whole_order(connector.fulfillment_state(order_id).fulfillment_orders[0].lines, order_id)
    connector.publish_fulfillment(lines, tracking=Tracking("Bike courier", "BC-77"))
    (sent,) = confirmations(amazon, order_id)
    body = {k: v for k, v in sent.items() if k not in ("orderId", "received")}
    v0_validate(body, "ConfirmShipmentRequest")
    assert body["packageDetail"]["carrierCode"] == "Other"
    assert body["packageDetail"]["carrierName"] == "Bike courier"


def test_the_validator_catches_a_wrong_request() -> None:
    with pytest.raises(jsonschema.ValidationError):
        v0_validate({"marketplaceId": MARKETPLACE, "packageDetail": {}}, "ConfirmShipmentRequest")


def _get_order(amazon: AmazonSandboxServer, order_id: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{amazon.endpoint}/orders/2026-01-01/orders/{order_id}",
        params={"includedData": ALL_DATA},
        headers={"x-amz-access-token": token(amazon)},
    )
    assert answer.status_code == 200
    return answer.json()["order"]  # type: ignore[no-any-return]


def _confirm(amazon: AmazonSandboxServer, order_id: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{amazon.endpoint}/orders/v0/orders/{order_id}/shipmentConfirmation",
        json=body,
        headers={"x-amz-access-token": token(amazon)},
    )


def _package(item_id: str, quantity: int, **changes: Any) -> dict[str, Any]:
    detail = {
        "packageReferenceId": "1",
        "carrierCode": "UPS",
        "trackingNumber": "1Z1",
        "shipDate": "2026-01-02T10:00:00Z",
        "orderItems": [{"orderItemId": item_id, "quantity": quantity}],
    }
    return {"marketplaceId": MARKETPLACE, "packageDetail": {**detail, **changes}}


BAD_BODIES: list[tuple[str, Callable[[str], Any], str]] = [
    ("no marketplace", lambda i: {"packageDetail": _package(i, 1)["packageDetail"]}, "market"),
    ("another marketplace", lambda i: {**_package(i, 1), "marketplaceId": "A1PA6795UKMFR9"}, ""),
    ("no tracking", lambda i: _package(i, 1, trackingNumber=""), "trackingNumber"),
    ("letters in the reference", lambda i: _package(i, 1, packageReferenceId="PKG-1"), "numeric"),
    ("Other without a name", lambda i: _package(i, 1, carrierCode="Other"), "carrierName"),
    ("a date that is not ISO", lambda i: _package(i, 1, shipDate="02/21/2022"), "shipDate"),
    ("an item of another order", lambda i: _package("99999999999999", 1), "not in this order"),
    ("no units", lambda i: _package(i, 0), "positive"),
    ("more than unshipped", lambda i: _package(i, 3), "exceeds"),
]


@pytest.mark.parametrize(("case", "make", "says"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_the_sandbox_refuses_what_amazon_refuses_in_amazons_error_format(
    amazon: AmazonSandboxServer, case: str, make: Callable[[str], Any], says: str
) -> None:
    order_id = "111-0000008-0000008"
    (order,) = amazon.control(
        "POST", "orders", json=[unshipped_order(order_id, [("WID-1", 2)])]
    ).json()
    item_id = order["orderItems"][0]["orderItemId"]

    answer = _confirm(amazon, order_id, make(item_id))

    assert answer.status_code == 400, case
    v0_validate(answer.json(), "ConfirmShipmentErrorResponse")
    (error,) = answer.json()["errors"]
    assert says in f"{error['message']} {error['details']}"
    assert answer.headers["x-amzn-RateLimit-Limit"] == "50"
    assert _get_order(amazon, order_id)["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"


@pytest.mark.parametrize(
    ("status", "fulfilled_by", "says"),
    [
        ("PENDING", "MERCHANT", "pending"),
        ("CANCELLED", "MERCHANT", "canceled"),
        ("UNSHIPPED", "AMAZON", "fulfilled by Amazon"),
    ],
)
def test_an_order_that_cannot_ship_is_refused(
    amazon: AmazonSandboxServer, status: str, fulfilled_by: str, says: str
) -> None:
    order_id = "111-0000009-0000009"
    (order,) = amazon.control(
        "POST",
        "orders",
        json=[unshipped_order(order_id, [("WID-1", 1)], status=status, fulfilled_by=fulfilled_by)],
    ).json()
    answer = _confirm(amazon, order_id, _package(order["orderItems"][0]["orderItemId"], 1))
    assert answer.status_code == 400
    v0_validate(answer.json(), "ConfirmShipmentErrorResponse")
    assert says in answer.json()["errors"][0]["message"]


def test_an_unknown_order_is_a_404_in_amazons_format(amazon: AmazonSandboxServer) -> None:
    answer = _confirm(amazon, "111-0000000-0000000", _package("1", 1))
    assert answer.status_code == 404
    v0_validate(answer.json(), "ConfirmShipmentErrorResponse")


def test_a_confirmation_answers_204_and_the_package_validates_as_amazons(
    amazon: AmazonSandboxServer,
) -> None:
    order_id = "111-0000010-0000010"
    (order,) = amazon.control(
        "POST", "orders", json=[unshipped_order(order_id, [("WID-1", 2)])]
    ).json()
    body = _package(order["orderItems"][0]["orderItemId"], 2, shippingMethod="UPS Ground")
    v0_validate(body, "ConfirmShipmentRequest")

    answer = _confirm(amazon, order_id, body)

    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["x-amzn-RateLimit-Limit"] == "50"
    shipped = _get_order(amazon, order_id)
    v2026_validate({"order": shipped}, "GetOrderResponse")
    (package,) = shipped["packages"]
    v2026_validate(package, "OrderPackage")
    assert (package["carrier"], package["trackingNumber"], package["shippingService"]) == (
        "UPS",
        "1Z1",
        "UPS Ground",
    )
    assert shipped["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
