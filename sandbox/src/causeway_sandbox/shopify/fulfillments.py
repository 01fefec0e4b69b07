"""Fulfillment orders and fulfillments: what the warehouse shipped, as Shopify records it.

Like everything else about an order, they are derived from the order's one REST
record (see store.py): each order has one fulfillment order (the sandbox has one
location), whose line items are the order's line items, and whose remaining
quantities are what the order's `fulfillments` have not shipped yet. So the
fulfillment order a hub reads, the `fulfillments/create` webhook it receives and
the order's `fulfillment_status` can never disagree.

Ids are derived too: the fulfillment order of order N is FulfillmentOrder/N and
the fulfillment order line item of line item L is FulfillmentOrderLineItem/L.

`fulfillmentCreate` checks its input the way Shopify does and answers a refusal
with userErrors (HTTP 200): an unknown or closed fulfillment order, a line item
of another fulfillment order, a quantity above what remains or below one.
"""

from __future__ import annotations

from typing import Any

from causeway_sandbox.shopify.connections import paginate
from causeway_sandbox.shopify.formats import gid, gql_time, parse_gid, parse_time
from causeway_sandbox.shopify.store import Store

UserErrors = list[dict[str, Any]]


def fulfilled_quantities(order: dict[str, Any]) -> dict[int, int]:
    """Line item id -> units shipped by the order's successful fulfillments."""
    shipped: dict[int, int] = {}
    for fulfillment in order.get("fulfillments") or []:
        if fulfillment.get("status") != "success":
            continue
        for line in fulfillment.get("line_items") or []:
            shipped[line["id"]] = shipped.get(line["id"], 0) + int(line["quantity"])
    return shipped


def remaining_quantities(order: dict[str, Any]) -> dict[int, int]:
    """Line item id -> units still to ship (shippable lines only)."""
    shipped = fulfilled_quantities(order)
    return {
        line["id"]: max(0, int(line["quantity"]) - shipped.get(line["id"], 0))
        for line in order.get("line_items") or []
        if line.get("requires_shipping", True)
    }


def fulfillment_order_status(order: dict[str, Any]) -> str:
    if order.get("cancelled_at"):
        return "CANCELLED"
    remaining = remaining_quantities(order)
    if not any(remaining.values()):
        return "CLOSED"
    if fulfilled_quantities(order):
        return "IN_PROGRESS"
    return "OPEN"


def _line_view(views: Any, order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    remaining = remaining_quantities(order).get(line["id"], 0)
    return {
        "__typename": "FulfillmentOrderLineItem",
        "id": gid("FulfillmentOrderLineItem", line["id"]),
        "lineItem": views.line_item(line, order["currency"], order),
        "productTitle": line["title"],
        "remainingQuantity": remaining,
        "requiresShipping": bool(line.get("requires_shipping", True)),
        "sku": line.get("sku"),
        "totalQuantity": int(line["quantity"]),
        "variantTitle": line.get("variant_title"),
    }


def fulfillment_order_view(views: Any, order: dict[str, Any]) -> dict[str, Any]:
    lines = [ln for ln in order.get("line_items") or [] if ln.get("requires_shipping", True)]

    def line_items(info: Any, **args: Any) -> dict[str, Any]:
        return paginate(
            lines,
            sort="POSITION",
            key=lambda row: (lines.index(row), row["id"]),
            node=lambda row: _line_view(views, order, row),
            **args,
        )

    return {
        "__typename": "FulfillmentOrder",
        "id": gid("FulfillmentOrder", order["id"]),
        "createdAt": gql_time(parse_time(order["created_at"])),
        "updatedAt": gql_time(parse_time(order["updated_at"])),
        "orderId": gid("Order", order["id"]),
        "orderName": order["name"],
        "status": fulfillment_order_status(order),
        "lineItems": line_items,
    }


def fulfillment_orders_field(views: Any, order: dict[str, Any]) -> Any:
    """The resolver of Order.fulfillmentOrders (one per order; none without shippable lines)."""
    rows = [order] if any(ln.get("requires_shipping", True) for ln in order["line_items"]) else []

    def resolve(info: Any, displayable: bool = False, query: str | None = None, **args: Any) -> Any:
        shown = [o for o in rows if not displayable or fulfillment_order_status(o) != "CLOSED"]
        return paginate(
            shown,
            sort="ID",
            key=lambda o: (o["id"], o["id"]),
            node=lambda o: fulfillment_order_view(views, o),
            **args,
        )

    return resolve


def fulfillment_view(fulfillment: dict[str, Any]) -> dict[str, Any]:
    numbers = fulfillment.get("tracking_numbers") or []
    urls = fulfillment.get("tracking_urls") or []
    # One trackingInfo per number, its URL beside it when there is one.
    tracking = [
        {
            "company": fulfillment.get("tracking_company"),
            "number": number,
            "url": urls[i] if i < len(urls) else None,
        }
        for i, number in enumerate(numbers)
    ]
    if not tracking and fulfillment.get("tracking_company"):
        tracking = [{"company": fulfillment["tracking_company"], "number": None, "url": None}]
    return {
        "__typename": "Fulfillment",
        "id": gid("Fulfillment", fulfillment["id"]),
        "legacyResourceId": str(fulfillment["id"]),
        "name": fulfillment["name"],
        "status": str(fulfillment["status"]).upper(),
        "totalQuantity": sum(int(ln["quantity"]) for ln in fulfillment["line_items"]),
        "createdAt": gql_time(parse_time(fulfillment["created_at"])),
        "updatedAt": gql_time(parse_time(fulfillment["updated_at"])),
        "trackingInfo": lambda info, first=None: tracking[:first] if first else tracking,
    }


def fulfillments_field(order: dict[str, Any]) -> Any:
    """The resolver of Order.fulfillments(first:), oldest first as Shopify lists them."""
    views = [fulfillment_view(f) for f in order.get("fulfillments") or []]
    return lambda info, first=None: views[:first] if first else views


# ---------------------------------------------------------------- fulfillmentCreate


def _error(message: str, *path: str | int) -> dict[str, Any]:
    return {"field": ["fulfillment", *map(str, path)], "message": message}


def _wanted(
    store: Store, groups: list[dict[str, Any]]
) -> tuple[dict[str, Any] | None, dict[int, int], UserErrors]:
    """(the order, line item id -> quantity to ship, errors) from lineItemsByFulfillmentOrder."""
    if not groups:
        return (
            None,
            {},
            [
                _error(
                    "Line items by fulfillment order can't be blank", "lineItemsByFulfillmentOrder"
                )
            ],
        )
    order: dict[str, Any] | None = None
    wanted: dict[int, int] = {}
    errors: UserErrors = []
    for g, group in enumerate(groups):
        at = ("lineItemsByFulfillmentOrder", g)
        kind, number = parse_gid(group["fulfillmentOrderId"], argument="fulfillmentOrderId")
        found = store.orders.get(number) if kind == "FulfillmentOrder" else None
        if found is None:
            errors.append(_error("Fulfillment order does not exist.", *at, "fulfillmentOrderId"))
            continue
        if order is not None and found["id"] != order["id"]:
            errors.append(_error("All fulfillment orders must belong to the same order.", *at))
            continue
        order = found
        status = fulfillment_order_status(found)
        if status in ("CLOSED", "CANCELLED"):
            errors.append(
                _error(
                    f"Fulfillment order {group['fulfillmentOrderId']} has an unfulfillable "
                    f"status= {status.lower()}.",
                    *at,
                    "fulfillmentOrderId",
                )
            )
            continue
        remaining = remaining_quantities(found)
        items = group.get("fulfillmentOrderLineItems")
        if not items:
            # Shopify: no line items given means every remaining unit of the order.
            for line_id, left in remaining.items():
                if left:
                    wanted[line_id] = wanted.get(line_id, 0) + left
            continue
        for i, item in enumerate(items):
            where = (*at, "fulfillmentOrderLineItems", i)
            kind, line_id = parse_gid(item["id"], argument="id")
            if kind != "FulfillmentOrderLineItem" or line_id not in remaining:
                errors.append(_error("Fulfillment order line item does not exist.", *where, "id"))
                continue
            quantity = int(item["quantity"])
            total = wanted.get(line_id, 0) + quantity
            if quantity < 1 or total > remaining[line_id]:
                errors.append(
                    _error(
                        "Invalid fulfillment order line item quantity requested.",
                        *where,
                        "quantity",
                    )
                )
                continue
            wanted[line_id] = total
    return order, wanted, errors


def create_fulfillment(
    store: Store, data: dict[str, Any]
) -> tuple[dict[str, Any] | None, UserErrors]:
    """Apply fulfillmentCreate; returns (the new REST fulfillment, userErrors)."""
    with store.lock:
        order, wanted, errors = _wanted(store, data.get("lineItemsByFulfillmentOrder") or [])
        if errors or order is None:
            return None, errors
        if not wanted:
            return None, [_error("Nothing left to fulfill.", "lineItemsByFulfillmentOrder")]
        tracking = data.get("trackingInfo") or {}
        numbers = list(
            tracking.get("numbers") or ([tracking["number"]] if tracking.get("number") else [])
        )
        urls = list(tracking.get("urls") or ([tracking["url"]] if tracking.get("url") else []))
        now = store.clock.now()
        stamp = store.clock.rest_time(now)
        fulfillment_id = store.next_id("Fulfillment")
        lines = [
            {**line, "quantity": wanted[line["id"]]}
            for line in order["line_items"]
            if line["id"] in wanted
        ]
        fulfillment: dict[str, Any] = {
            "created_at": stamp,
            "id": fulfillment_id,
            "order_id": order["id"],
            "service": "manual",
            "status": "success",
            "tracking_company": tracking.get("company"),
            "updated_at": stamp,
            "tracking_number": numbers[0] if numbers else None,
            "tracking_numbers": numbers,
            "tracking_url": urls[0] if urls else None,
            "tracking_urls": urls,
            "receipt": {},
            "line_items": lines,
            "name": f"{order['name']}.{len(order.get('fulfillments') or []) + 1}",
            "location_id": store.default_location_id,
            "shipment_status": None,
            "admin_graphql_api_id": gid("Fulfillment", fulfillment_id),
        }
        order.setdefault("fulfillments", []).append(fulfillment)
        remaining = remaining_quantities(order)
        for line in order["line_items"]:
            if line["id"] in wanted:
                line["fulfillment_status"] = (
                    "fulfilled" if not remaining.get(line["id"]) else "partial"
                )
        complete = not any(remaining.values())
        order["fulfillment_status"] = "fulfilled" if complete else "partial"
        order["updated_at"] = stamp
        if data.get("notifyCustomer"):
            store.notifications.append(
                {
                    "order_id": order["id"],
                    "fulfillment_id": fulfillment_id,
                    "email": order.get("email"),
                }
            )
        store.emit("fulfillments/create", fulfillment)
        store.emit("orders/fulfilled" if complete else "orders/partially_fulfilled", order)
        store.emit("orders/updated", order)
        return fulfillment, []
