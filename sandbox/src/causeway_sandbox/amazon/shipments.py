"""Orders v0 `confirmShipment` (POST /orders/v0/orders/{orderId}/shipmentConfirmation), as
Amazon checks and applies it, and the confirmations the control API shows.

The body is checked like Amazon's: marketplaceId (the order's), packageDetail with its
required fields (packageReferenceId of positive digits, carrierCode, carrierName when the
code is "Other", trackingNumber, shipDate in ISO 8601, orderItems), items of the order,
quantities of at least one and not beyond what is still unshipped; an order that is
pending, cancelled or fulfilled by Amazon cannot be confirmed. A package confirmed again
under the same packageReferenceId with the same items is the same package: its carrier and
tracking are updated, its units not shipped twice (another set of items under that id is
refused). A confirmed package is added to the order's `packages` (v2026-01-01 shape), its
items' quantityFulfilled / quantityUnfulfilled move, the order becomes PARTIALLY_SHIPPED or
SHIPPED and its lastUpdatedTime now.
"""

from __future__ import annotations

import copy
import re
import threading
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from causeway_sandbox.amazon.store import OrderStore, iso

CONFIRM_PATH = "/orders/v0/orders/{order_id}/shipmentConfirmation"
_REQUIRED = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")


class Refused(Exception):
    """An answer in Amazon's error format: status, code, message, details."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _invalid(message: str, details: str = "") -> Refused:
    return Refused(400, "InvalidInput", message, details)


class Confirmations:
    """Every confirmation accepted, oldest first, as the control API shows them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []

    def reset(self) -> None:
        with self._lock:
            self._log.clear()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._log.append(entry)

    def list(self, order_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._log if order_id in (None, e["orderId"])]


def confirm_shipment(store: OrderStore, log: Confirmations, order_id: str, body: Any) -> None:
    """Check `body` against order `order_id` and apply it; Refused with Amazon's answer."""
    detail = _checked_shape(body)

    def apply(order: dict[str, Any]) -> bool:
        _check_order(order, body["marketplaceId"])
        items = {i["orderItemId"]: i for i in order.get("orderItems", [])}
        wanted = _wanted(detail["orderItems"], items)
        packages = order.setdefault("packages", [])
        same = next(
            (p for p in packages if p["packageReferenceId"] == detail["packageReferenceId"]),
            None,
        )
        if same is not None:
            before = {i["orderItemId"]: i["quantity"] for i in same.get("packageItems", [])}
            if before != wanted:
                raise _invalid(
                    "packageReferenceId is already used by another package of this order",
                    detail["packageReferenceId"],
                )
            same.update(_package_fields(detail))  # the same package: carrier and tracking
            return True
        for item_id, quantity in wanted.items():
            left = _unshipped(items[item_id])
            if quantity > left:
                raise _invalid(
                    f"Quantity {quantity} of order item {item_id} exceeds the {left} unshipped",
                    item_id,
                )
        for item_id, quantity in wanted.items():
            item = items[item_id]
            done = item.setdefault("fulfillment", {})
            shipped = _shipped(item) + quantity
            done["quantityFulfilled"] = shipped
            done["quantityUnfulfilled"] = item["quantityOrdered"] - shipped
        packages.append(
            {
                "packageReferenceId": detail["packageReferenceId"],
                "createdTime": iso(store.clock.now()),
                "packageStatus": {"status": "SHIPPED"},
                **_package_fields(detail),
                "packageItems": [{"orderItemId": k, "quantity": v} for k, v in wanted.items()],
            }
        )
        status = "SHIPPED" if all(_unshipped(i) == 0 for i in items.values()) else (
            "PARTIALLY_SHIPPED"
        )  # fmt: skip
        order.setdefault("fulfillment", {})["fulfillmentStatus"] = status
        return True

    if not store.modify(order_id, apply):
        raise Refused(404, "NotFound", "The order was not found", order_id)
    log.add({"orderId": order_id, "received": iso(store.clock.now()), **copy.deepcopy(body)})


def _checked_shape(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _invalid("Invalid Input", "the body is not a JSON object")
    if not isinstance(body.get("marketplaceId"), str) or not body["marketplaceId"]:
        raise _invalid("Invalid Input", "marketplaceId is required")
    detail = body.get("packageDetail")
    if not isinstance(detail, dict):
        raise _invalid("Invalid Input", "packageDetail is required")
    missing = [name for name in _REQUIRED if detail.get(name) in (None, "", [])]
    if missing:
        raise _invalid("Invalid Input", f"packageDetail: {', '.join(missing)} required")
    for name in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate"):
        if not isinstance(detail[name], str):
            raise _invalid("Invalid Input", f"packageDetail.{name} must be a string")
    if not re.fullmatch(r"[1-9][0-9]*", detail["packageReferenceId"]):
        raise _invalid(
            "Invalid Input", "packageDetail.packageReferenceId: only positive numeric values"
        )
    if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
        raise _invalid("Invalid Input", "packageDetail.carrierName is required for Other")
    try:
        datetime.fromisoformat(detail["shipDate"].replace("Z", "+00:00"))
    except ValueError:
        raise _invalid("Invalid Input", "packageDetail.shipDate must be ISO 8601") from None
    if not isinstance(detail["orderItems"], list):
        raise _invalid("Invalid Input", "packageDetail.orderItems must be a list")
    return detail


def _check_order(order: dict[str, Any], marketplace_id: str) -> None:
    if order["salesChannel"].get("marketplaceId") != marketplace_id:
        raise _invalid("Invalid Input", f"the order is not in marketplace {marketplace_id}")
    fulfillment = order.get("fulfillment") or {}
    if fulfillment.get("fulfilledBy") == "AMAZON":
        raise _invalid("The order is fulfilled by Amazon and cannot be confirmed by the seller")
    status = fulfillment.get("fulfillmentStatus")
    if status in ("PENDING", "PENDING_AVAILABILITY"):
        raise _invalid("The order is pending and cannot be shipped yet")
    if status in ("CANCELLED", "UNFULFILLABLE"):
        raise _invalid("The order is canceled and cannot be shipped")


def _wanted(lines: list[Any], items: dict[str, dict[str, Any]]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("orderItemId"), str):
            raise _invalid("Invalid Input", "packageDetail.orderItems[].orderItemId required")
        item_id, quantity = line["orderItemId"], line.get("quantity")
        if item_id not in items:
            raise _invalid(f"Order item {item_id} is not in this order", item_id)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise _invalid("Invalid Input", f"quantity of {item_id} must be a positive integer")
        if item_id in wanted:
            raise _invalid("Invalid Input", f"order item {item_id} is listed twice")
        wanted[item_id] = quantity
    return wanted


def _shipped(item: dict[str, Any]) -> int:
    return int((item.get("fulfillment") or {}).get("quantityFulfilled") or 0)


def _unshipped(item: dict[str, Any]) -> int:
    return int(item["quantityOrdered"]) - _shipped(item)


def _package_fields(detail: dict[str, Any]) -> dict[str, Any]:
    code = detail["carrierCode"]
    fields = {
        "carrier": detail.get("carrierName") if code == "Other" else code,
        "shipTime": detail["shipDate"],
        "trackingNumber": detail["trackingNumber"],
    }
    if detail.get("shippingMethod"):
        fields["shippingService"] = detail["shippingMethod"]
    return fields


# -- the control API -------------------------------------------------------------------
router = APIRouter(prefix="/_sandbox", tags=["sandbox control (not part of Amazon)"])


@router.get("/shipment-confirmations")
def confirmations(request: Request, orderId: str | None = None) -> list[dict[str, Any]]:
    """Every confirmShipment accepted (its body, orderId and when), oldest first."""
    return request.app.state.amazon.confirmations.list(orderId)  # type: ignore[no-any-return]
