"""Which store lines, and how many units, a done ERP shipment fulfils; and its tracking URL.

The store's state is written as Shopify sends it and read through the Shopify
connector's mapping into the channel port's terms, as the flow gets it."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from causeway.config import parse_config
from causeway.connectors.shopify.fulfillments import (
    GqlFulfillment,
    GqlOrderFulfillment,
    GqlTrackingInfo,
    as_state,
)
from causeway.errors import ConfigError, PermanentError
from causeway.flows.fulfillments_to_channels.decisions import (
    plan_fulfillment,
    reached_store,
    tracking_url,
)
from causeway.model.ports.channel import FulfillmentLine, FulfillmentState
from causeway.model.ports.erp import DoneShipment, ShippedLine
from tests.unit.test_config import ENV, EXAMPLE

FO = "gid://shopify/FulfillmentOrder/1"


def shopify_order(*lines: tuple[str, int, int], status: str = "OPEN") -> GqlOrderFulfillment:
    """An order's fulfillment state: (sku, ordered, still to fulfil) per line."""
    return GqlOrderFulfillment.model_validate(
        {
            "id": "gid://shopify/Order/1",
            "name": "#1001",
            "displayFulfillmentStatus": "UNFULFILLED",
            "fulfillments": [],
            "fulfillmentOrders": {
                "nodes": [
                    {
                        "id": FO,
                        "status": status,
                        "lineItems": {
                            "nodes": [
                                {
                                    "id": f"gid://shopify/FulfillmentOrderLineItem/{i}",
                                    "sku": sku,
                                    "totalQuantity": total,
                                    "remainingQuantity": left,
                                }
                                for i, (sku, total, left) in enumerate(lines, start=1)
                            ]
                        },
                    }
                ]
            },
        }
    )


def store_order(*lines: tuple[str, int, int], status: str = "OPEN") -> FulfillmentState:
    return as_state(shopify_order(*lines, status=status))


def shipped(*lines: tuple[str, str]) -> list[ShippedLine]:
    return [ShippedLine(sku=sku, quantity=Decimal(q), sale_id=7) for sku, q in lines]


def line(n: int, quantity: int) -> FulfillmentLine:
    return FulfillmentLine(FO, f"gid://shopify/FulfillmentOrderLineItem/{n}", quantity)


def test_a_full_shipment_fulfils_every_line_and_completes_the_order() -> None:
    plan = plan_fulfillment(
        shipped(("WID-001", "2"), ("GAD-001", "1.0")),
        store_order(("WID-001", 2, 2), ("GAD-001", 1, 1)),
        "CS1",
    )
    assert plan.lines == (line(1, 2), line(2, 1))
    assert plan.complete


def test_a_partial_shipment_fulfils_only_its_lines_and_quantities() -> None:
    plan = plan_fulfillment(
        shipped(("WID-001", "1")), store_order(("WID-001", 3, 3), ("GAD-001", 2, 2)), "CS1"
    )
    assert plan.lines == (line(1, 1),)
    assert not plan.complete


def test_the_back_order_fulfils_what_the_first_shipment_left() -> None:
    plan = plan_fulfillment(
        shipped(("WID-001", "2"), ("GAD-001", "2")),
        store_order(("WID-001", 3, 2), ("GAD-001", 2, 2)),
        "CS2",
    )
    assert plan.lines == (line(1, 2), line(2, 2))
    assert plan.complete


def test_a_sku_on_two_store_lines_fills_them_in_order_and_moves_of_one_sku_add_up() -> None:
    plan = plan_fulfillment(
        shipped(("WID-001", "2"), ("WID-001", "1")),
        store_order(("WID-001", 1, 1), ("WID-001", 4, 4)),
        "CS3",
    )
    assert plan.lines == (line(1, 1), line(2, 2))
    assert not plan.complete


def test_a_sku_the_store_order_does_not_have_is_refused_with_its_name() -> None:
    with pytest.raises(PermanentError, match=r"CS4 ships NOPE-1, which store order #1001"):
        plan_fulfillment(shipped(("NOPE-1", "1")), store_order(("WID-001", 1, 1)), "CS4")


def test_more_than_the_order_still_has_to_fulfil_is_refused() -> None:
    with pytest.raises(PermanentError, match=r"ships 3 x WID-001.*only 1 left.*by hand"):
        plan_fulfillment(shipped(("WID-001", "3")), store_order(("WID-001", 3, 1)), "CS5")


def test_a_closed_fulfillment_order_has_nothing_left_to_fulfil() -> None:
    with pytest.raises(PermanentError, match="only 0 left"):
        plan_fulfillment(
            shipped(("WID-001", "1")), store_order(("WID-001", 1, 0), status="CLOSED"), "CS6"
        )


def test_a_shipment_of_a_cancelled_store_order_is_refused_and_says_so() -> None:
    with pytest.raises(PermanentError, match="#1001 is cancelled"):
        plan_fulfillment(
            shipped(("WID-001", "1")), store_order(("WID-001", 1, 1), status="CANCELLED"), "CS6"
        )


def test_fractions_of_a_unit_and_empty_shipments_are_refused() -> None:
    order = store_order(("WID-001", 3, 3))
    with pytest.raises(PermanentError, match="whole units"):
        plan_fulfillment(shipped(("WID-001", "1.5")), order, "CS7")
    with pytest.raises(PermanentError, match="no shipped quantities"):
        plan_fulfillment(shipped(("WID-001", "0")), order, "CS8")
    with pytest.raises(PermanentError, match="without a SKU"):
        plan_fulfillment(shipped(("", "1")), order, "CS9")


def test_the_tracking_url_comes_from_the_carriers_template() -> None:
    templates = {"UPS": "https://www.ups.com/track?tracknum={number}"}
    assert tracking_url(templates, "ups ", "1Z9") == "https://www.ups.com/track?tracknum=1Z9"
    assert tracking_url(templates, "DHL", "1Z9") is None
    assert tracking_url(templates, "UPS", None) is None
    assert tracking_url(templates, None, "1Z9") is None


def flows_config(**settings: object) -> dict:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["flows"]["fulfillments-to-channels"] = {"source": "erp", "targets": ["shop"], **settings}
    return data


def test_the_flow_settings_have_defaults_and_a_template_needs_its_number() -> None:
    config = parse_config(flows_config(), env=ENV)
    settings = config.flows.fulfillments_to_channels
    assert settings is not None
    assert settings.effective_schedule().describe() == "every 1m"
    assert (settings.notify_customer, settings.tracking_urls) == (False, {})
    with pytest.raises(ConfigError, match=r"tracking_urls\.UPS.*\{number\}"):
        parse_config(flows_config(tracking_urls={"UPS": "https://ups.example/track"}), env=ENV)


def with_fulfillments(*tracking: str | None, status: str = "SUCCESS") -> FulfillmentState:
    order = shopify_order(("WID-001", 3, 3))
    return as_state(
        order.model_copy(
            update={
                "fulfillments": [
                    GqlFulfillment(
                        id=f"gid://shopify/Fulfillment/{i}",
                        status=status,
                        trackingInfo=[GqlTrackingInfo(company="UPS", number=n)] if n else [],
                    )
                    for i, n in enumerate(tracking, start=1)
                ]
            }
        )
    )


def done(tracking_number: str | None) -> DoneShipment:
    return DoneShipment(
        id=1, number="CS1", done_at="2026-11-27T10:00:00Z", tracking_number=tracking_number
    )


def test_an_earlier_attempt_is_found_by_its_tracking_number() -> None:
    order = with_fulfillments("1ZA", "1ZB")
    found = reached_store(done("1ZB"), order, None)
    assert found is not None and found.id.endswith("/2")
    assert reached_store(done("1ZC"), order, "pending:1") is None
    cancelled = with_fulfillments("1ZB", status="CANCELLED")
    assert reached_store(done("1ZB"), cancelled, None) is None


def test_without_a_tracking_number_the_fulfillment_made_after_the_intent_is_ours() -> None:
    order = with_fulfillments("1ZA", None)
    found = reached_store(done(None), order, "pending:1")
    assert found is not None and found.id.endswith("/2")
    assert reached_store(done(None), order, "pending:2") is None  # the write never landed
    assert reached_store(done(None), order, None) is None  # no attempt was made
