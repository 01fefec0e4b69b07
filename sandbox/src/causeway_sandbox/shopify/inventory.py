"""`inventorySetQuantities`: absolute stock with compare-and-set, all or nothing.

Shopify checks the whole input before it changes anything: one stale compare,
unknown item or bad reason and the mutation returns `userErrors` with a null
`inventoryAdjustmentGroup`, and no quantity moves. That is what lets a hub publish
stock as a batch of compare-and-set writes and retry only after re-reading
(guarantee 4, no oversell).

The compare follows the version the call is answered as:
- before 2026-04, `compareQuantity` (COMPARE_QUANTITY_STALE), required unless the
  call sets `ignoreCompareQuantity`; 2026-01 also takes `changeFromQuantity`;
- from 2026-04, `changeFromQuantity` on every quantity (CHANGE_FROM_QUANTITY_STALE),
  an explicit null opting out; a quantity without it is refused, and the call must
  carry an idempotency key (idempotency.py);
- from 2026-10, a quantity may be set at a location the item is not stocked at yet
  (Shopify removed ITEM_NOT_STOCKED_AT_LOCATION): it is stocked there.

Error codes are Shopify's `InventorySetQuantitiesUserErrorCode` values of that
version; messages are Shopify's wording where it is documented.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from causeway_sandbox.shopify.formats import parse_gid
from causeway_sandbox.shopify.store import (
    AdjustmentGroup,
    InventoryChange,
    InventoryLevel,
    Store,
)

# The reasons Shopify accepts for a quantity change.
REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_canceled",
        "movement_created",
        "movement_received",
        "movement_updated",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
SETTABLE = ("available", "on_hand")
MAX_QUANTITY = 1_000_000_000
# Versions compare as text: "YYYY-MM" sorts by date.
CHANGE_FROM_ONLY = "2026-04"
STOCKS_ANYWHERE = "2026-10"


def _error(code: str, field: list[str], message: str) -> dict[str, Any]:
    return {"code": code, "field": field, "message": message}


def _valid_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def validate(store: Store, data: dict[str, Any], version: str) -> list[dict[str, Any]]:
    """Every user error in the input; empty means the mutation may apply."""
    errors: list[dict[str, Any]] = []
    name = data["name"]
    if name not in SETTABLE:
        errors.append(
            _error(
                "INVALID_NAME",
                ["input", "name"],
                "The quantity name must be either 'available' or 'on_hand'.",
            )
        )
    if data["reason"] not in REASONS:
        errors.append(
            _error(
                "INVALID_REASON",
                ["input", "reason"],
                "The specified reason is invalid. Valid values for reason are "
                + ", ".join(sorted(REASONS))
                + ".",
            )
        )
    uri = data.get("referenceDocumentUri")
    if uri is not None and not _valid_uri(uri):
        errors.append(
            _error(
                "INVALID_REFERENCE_DOCUMENT",
                ["input", "referenceDocumentUri"],
                "The specified reference document is invalid.",
            )
        )
    seen: set[tuple[int, int]] = set()
    for index, q in enumerate(data["quantities"]):
        at = ["input", "quantities", str(index)]
        item_kind, item_id = parse_gid(q["inventoryItemId"])
        location_kind, location_id = parse_gid(q["locationId"])
        if item_kind != "InventoryItem" or item_id not in store.items:
            errors.append(
                _error(
                    "INVALID_INVENTORY_ITEM",
                    [*at, "inventoryItemId"],
                    "The specified inventory item could not be found.",
                )
            )
            continue
        if location_kind != "Location" or location_id not in store.locations:
            errors.append(
                _error(
                    "INVALID_LOCATION",
                    [*at, "locationId"],
                    "The specified location could not be found.",
                )
            )
            continue
        if (item_id, location_id) in seen:
            errors.append(
                _error(
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                    at,
                    "The combination of inventoryItemId and locationId must be unique.",
                )
            )
            continue
        seen.add((item_id, location_id))
        level = store.levels.get((item_id, location_id))
        if level is None and version < STOCKS_ANYWHERE:
            errors.append(
                _error(
                    "ITEM_NOT_STOCKED_AT_LOCATION",
                    [*at, "locationId"],
                    "The specified inventory item is not stocked at the location.",
                )
            )
            continue
        if q["quantity"] < 0:
            errors.append(
                _error(
                    "INVALID_QUANTITY_NEGATIVE",
                    [*at, "quantity"],
                    "The quantity can't be negative.",
                )
            )
        if q["quantity"] > MAX_QUANTITY:
            errors.append(
                _error(
                    "INVALID_QUANTITY_TOO_HIGH",
                    [*at, "quantity"],
                    "The total quantity can't be higher than 1,000,000,000.",
                )
            )
        # An unknown name has no persisted quantity to compare with (INVALID_NAME says so).
        persisted = (level.get(name) if level else 0) if name in SETTABLE else None
        errors.extend(_compare_errors(data, q, at, persisted, version))
    return errors


def _compare_errors(
    data: dict[str, Any], q: dict[str, Any], at: list[str], persisted: int | None, version: str
) -> list[dict[str, Any]]:
    """The compare-and-set of one quantity, as the version answering the call does it."""
    if "changeFromQuantity" in q:  # given, even as null: the input says it on purpose
        expected = q["changeFromQuantity"]
        if expected is None or persisted is None or expected == persisted:
            return []
        return [
            _error(
                "CHANGE_FROM_QUANTITY_STALE",
                [*at, "changeFromQuantity"],
                "The changeFromQuantity value does not match persisted value.",
            )
        ]
    if version >= CHANGE_FROM_ONLY:
        return [
            _error(
                "COMPARE_QUANTITY_REQUIRED",
                [*at, "changeFromQuantity"],
                "The changeFromQuantity argument must be given to each quantity: pass null "
                "to opt out of the compare.",
            )
        ]
    if data.get("ignoreCompareQuantity"):
        return []
    compare = q.get("compareQuantity")
    if compare is None:
        return [
            _error(
                "COMPARE_QUANTITY_REQUIRED",
                [*at, "compareQuantity"],
                "The compareQuantity argument must be given to each quantity or ignored "
                "using ignoreCompareQuantity.",
            )
        ]
    if persisted is not None and compare != persisted:
        return [
            _error(
                "COMPARE_QUANTITY_STALE",
                [*at, "compareQuantity"],
                "The compareQuantity value does not match persisted value.",
            )
        ]
    return []


def set_quantities(
    store: Store, data: dict[str, Any], version: str
) -> tuple[AdjustmentGroup | None, list[dict[str, Any]]]:
    """Validate everything, then apply everything; announce inventory_levels/update."""
    with store.lock:
        errors = validate(store, data, version)
        if errors:
            return None, errors
        now = store.clock.now()
        name = data["name"]
        changes: list[InventoryChange] = []
        touched = []
        for q in data["quantities"]:
            item_id = parse_gid(q["inventoryItemId"])[1]
            location_id = parse_gid(q["locationId"])[1]
            level = store.levels.get((item_id, location_id))
            if level is None:  # 2026-10 on: setting a quantity stocks the item there
                level = InventoryLevel(item_id, location_id, {}, now, now)
                store.levels[(item_id, location_id)] = level
            delta = q["quantity"] - level.get(name)
            # Setting on_hand moves available by the same amount (on_hand = available
            # + committed + ...); either way both names change, and both are reported.
            level.quantities["available"] = level.get("available") + delta
            level.updated_at = now
            for changed in (name, "on_hand" if name == "available" else "available"):
                changes.append(
                    InventoryChange(changed, delta, level.get(changed), item_id, location_id)
                )
            if delta:
                touched.append(level)
        group = AdjustmentGroup(
            store.next_id("InventoryAdjustmentGroup"),
            now,
            data["reason"],
            data.get("referenceDocumentUri"),
            changes,
        )
        store.adjustment_groups[group.id] = group
        for level in touched:
            store.emit("inventory_levels/update", store.level_payload(level))
        return group, []
