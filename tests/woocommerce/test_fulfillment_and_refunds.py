"""An order's life written back to WooCommerce (shipments, status) and its refunds read.

The shipments are planned by fulfillments-to-channels' own decisions
(flows/fulfillments_to_channels/decisions.py), the same ones that fulfil a Shopify order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.errors import PermanentError
from causeway.flows.fulfillments_to_channels.decisions import (
    Plan,
    plan_fulfillment,
    reached_store,
)
from causeway.model.ports.channel import Tracking
from causeway.model.ports.erp import DoneShipment, ShippedLine
from causeway.model.returns import Restock
from tests.woocommerce.conftest import add_product, buy, connect

UPS = Tracking(company="UPS", number="1Z999AA10123456784", url="https://ups.example/1Z999")


def order_of(woo: Any, order_id: int) -> dict[str, Any]:
    return woo.control("GET", f"orders/{order_id}").json()  # type: ignore[no-any-return]


def notes(woo: Any, order_id: int) -> list[str]:
    answer = httpx.get(f"{woo.api_url}orders/{order_id}/notes", auth=woo.auth, trust_env=False)
    return [n["note"] for n in answer.json()]


def shipped(*lines: tuple[str, int], number: str | None = UPS.number) -> DoneShipment:
    return DoneShipment(
        id=41,
        number="SHIP/41",
        sales={7: "woo-727"},
        carrier="UPS" if number else None,
        tracking_number=number,
        done_at=datetime(2026, 5, 4, 10, tzinfo=UTC),
        lines=tuple(ShippedLine(sku=sku, quantity=Decimal(n), sale_id=7) for sku, n in lines),
    )


def meta(order: dict[str, Any], key: str) -> Any:
    return next((m["value"] for m in order["meta_data"] if m["key"] == key), None)


def test_a_partial_then_a_final_shipment_complete_the_order(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5)
    add_product(woo, "PEN", 5)
    placed = buy(woo, ("MUG", 2), ("PEN", 1))
    order_id = str(placed["id"])

    state = store.fulfillment_state(order_id)
    assert not state.fully_fulfilled and not state.fulfillments
    plan = plan_fulfillment(shipped(("MUG", 1)).lines, state, "SHIP/41")
    assert not plan.complete
    first = store.publish_fulfillment(plan.lines, tracking=UPS, notify_customer=True)
    assert first.tracking_numbers == (UPS.number,)
    after = order_of(woo, placed["id"])
    assert after["status"] == "processing"
    assert f"UPS tracking number {UPS.number}" in notes(woo, placed["id"])[0]

    state = store.fulfillment_state(order_id)
    assert not state.fully_fulfilled and len(state.fulfillments) == 1
    assert state.tracking_numbers == {UPS.number}
    rest = plan_fulfillment(shipped(("MUG", 1), ("PEN", 1), number=None).lines, state, "SHIP/42")
    assert rest.complete
    store.publish_fulfillment(rest.lines)
    assert order_of(woo, placed["id"])["status"] == "completed"
    assert store.fulfillment_state(order_id).fully_fulfilled


def one_mug_to_ship(woo: Any, store: WooCommerceConnector) -> tuple[int, str, Plan]:
    """An order of one mug, and the plan to ship it: (order id, as text, plan)."""
    add_product(woo, "MUG", 5)
    placed = buy(woo, ("MUG", 1))
    order_id = str(placed["id"])
    plan = plan_fulfillment(shipped(("MUG", 1)).lines, store.fulfillment_state(order_id), "S")
    return placed["id"], order_id, plan


def test_a_shipment_written_before_a_crash_is_found_not_written_twice(
    woo: Any, store: WooCommerceConnector
) -> None:
    placed_id, order_id, plan = one_mug_to_ship(woo, store)
    store.publish_fulfillment(plan.lines, tracking=UPS)
    # The hub crashed before recording it; the next attempt looks first, as the flow does.
    earlier = reached_store(shipped(("MUG", 1)), store.fulfillment_state(order_id), None)
    assert earlier is not None and earlier.tracking_numbers == (UPS.number,)
    with pytest.raises(PermanentError, match="was it fulfilled in the store by hand"):
        plan_fulfillment(shipped(("MUG", 1)).lines, store.fulfillment_state(order_id), "S")
    assert sum("causeway shipment" in n for n in notes(woo, placed_id)) == 1


def test_the_note_survives_a_crash_between_note_and_record(
    woo: Any, store: WooCommerceConnector
) -> None:
    placed_id, order_id, plan = one_mug_to_ship(woo, store)
    store.fulfillment.add_note(order_id, f"Shipped: 1 x MUG. [causeway shipment {order_id}-1]")
    store.publish_fulfillment(plan.lines, tracking=UPS)  # the attempt after the crash
    assert sum("causeway shipment" in n for n in notes(woo, placed_id)) == 1
    assert order_of(woo, placed_id)["status"] == "completed"


def test_tracking_goes_to_the_shipment_tracking_extension_where_the_order_shows_it(
    woo: Any,
) -> None:
    add_product(woo, "MUG", 5)
    with_extension = buy(
        woo, ("MUG", 1), meta_data=[{"key": "_wc_shipment_tracking_items", "value": []}]
    )
    without = buy(woo, ("MUG", 1))
    with connect(woo) as store:
        for placed in (with_extension, without):
            state = store.fulfillment_state(str(placed["id"]))
            plan = plan_fulfillment(shipped(("MUG", 1)).lines, state, "S")
            store.publish_fulfillment(plan.lines, tracking=UPS)
    (tracked,) = meta(order_of(woo, with_extension["id"]), "_wc_shipment_tracking_items")
    assert (tracked["tracking_number"], tracked["custom_tracking_provider"]) == (UPS.number, "UPS")
    assert tracked["custom_tracking_link"] == UPS.url
    assert meta(order_of(woo, without["id"]), "_wc_shipment_tracking_items") is None
    assert meta(order_of(woo, without["id"]), "_causeway_shipments")[0]["number"] == UPS.number


def test_a_cancelled_order_is_not_shipped(woo: Any, store: WooCommerceConnector) -> None:
    add_product(woo, "MUG", 5)
    placed = buy(woo, ("MUG", 1))
    store.set_order_status(str(placed["id"]), "cancelled")
    with pytest.raises(PermanentError, match="is cancelled"):
        plan_fulfillment(shipped(("MUG", 1)).lines, store.fulfillment_state(str(placed["id"])), "S")


def test_only_the_four_hub_statuses_are_written(store: WooCommerceConnector) -> None:
    with pytest.raises(ValueError, match="processing, completed, cancelled, refunded"):
        store.set_order_status("1", "on-hold")


def test_refunds_are_read_with_their_lines_and_money(woo: Any, store: WooCommerceConnector) -> None:
    add_product(woo, "MUG", 5, regular_price="10.00")
    placed = buy(woo, ("MUG", 2))
    line_id = placed["line_items"][0]["id"]
    woo.control(
        "POST",
        f"orders/{placed['id']}/refunds",
        json={
            "amount": "10.75",
            "reason": "one arrived broken",
            "api_restock": False,
            "line_items": [
                {
                    "id": line_id,
                    "quantity": 1,
                    "refund_total": "10.00",
                    "refund_tax": [{"id": 75, "refund_total": "0.75"}],
                }
            ],
        },
    )
    (refund,) = store.refunds(str(placed["id"]))
    assert (refund.refunded_amount, refund.currency, refund.note) == (
        Decimal("10.75"),
        "USD",
        "one arrived broken",
    )
    (line,) = refund.lines
    assert (line.line_item_id, line.sku, line.quantity, line.unit_price) == (
        str(line_id),
        "MUG",
        1,
        Decimal("10.00"),
    )
    assert line.restock == Restock.NO_RESTOCK


def test_restocked_items_of_a_completed_order_come_back_as_a_return(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5, regular_price="10.00")
    placed = buy(woo, ("MUG", 2))
    woo.control("POST", f"orders/{placed['id']}/status", json={"status": "completed"})
    line_id = placed["line_items"][0]["id"]
    woo.control(
        "POST",
        f"orders/{placed['id']}/refunds",
        json={
            "api_refund": False,
            "line_items": [{"id": line_id, "quantity": 1, "refund_total": "10.00"}],
        },
    )
    (refund,) = store.refunds(str(placed["id"]))
    assert refund.lines[0].restock == Restock.RETURN
