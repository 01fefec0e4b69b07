"""Merchant-fulfilled Amazon orders ready to ship, and the v0 model's schemas."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

from tests.amazon.conftest import new_order, orders_model
from tests.vendor_samples import load_sample


def unshipped_order(
    order_id: str,
    lines: list[tuple[str, int]],
    *,
    status: str = "UNSHIPPED",
    fulfilled_by: str = "MERCHANT",
) -> dict[str, Any]:
    """An order of these (SKU, quantity) items, nothing shipped, no package yet."""
    base = new_order(order_id, status=status, fulfilled_by=fulfilled_by)
    template = base["orderItems"][0]
    items = []
    for n, (sku, quantity) in enumerate(lines, start=1):
        item = copy.deepcopy(template)
        item["orderItemId"] = f"{order_id.replace('-', '')}{n:02d}"
        item["quantityOrdered"] = quantity
        item["product"]["sellerSku"] = sku
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": quantity}
        items.append(item)
    base["orderItems"] = items
    base.pop("packages", None)
    return base


def v0_validate(body: Any, definition: str) -> None:
    """Validate against a definition of Amazon's Orders v0 model (ordersV0.json)."""
    model = load_sample("amazon", "ordersV0.json")
    schema = {"$ref": f"#/definitions/{definition}", "definitions": model["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)


def v2026_validate(body: Any, definition: str) -> None:
    """Validate against a definition of Amazon's Orders v2026-01-01 model."""
    schema = {"$ref": f"#/definitions/{definition}", "definitions": orders_model()["definitions"]}
    jsonschema.Draft4Validator(schema).validate(body)
