"""The sandbox seller's listings (Listings Items API v2021-08-01): kept by SKU in Amazon's
shape, read by searchListingsItems and getListingsItem with `includedData`, changed by a
JSON patch of `/attributes/fulfillment_availability` (patchListingsItem and the PATCH
messages of a JSON_LISTINGS_FEED, feeds.py).

A listing whose fulfilment channel is not DEFAULT (AMAZON_NA, ...) is fulfilled by Amazon:
its quantity is Amazon's to count, so the sandbox leaves it out of fulfillmentAvailability,
as Amazon does (the processing report example's FBA item has a channel and no quantity).

Refusals the sandbox makes, as ERROR issues (code, message):
- a PATCH of a SKU the seller does not list: 4000001, "SKU '<sku>' not found". Amazon
  itself may accept such a PATCH as an incomplete, offer-only listing (its issue #2797);
  the sandbox refuses it so that a client's per-SKU refusals can be tested;
- a PATCH that is not a fulfillment_availability list of {fulfillment_channel_code,
  quantity >= 0}: 4000002;
- a SKU a test made refuse (`POST /_sandbox/listings/refusals`): the code and message given.
"""

from __future__ import annotations

import copy
import threading
import zlib
from typing import Any

from causeway_sandbox.amazon.store import Clock, iso

DEFAULT = "DEFAULT"
INCLUDED = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
NOT_FOUND = "4000001"
INVALID_PATCH = "4000002"

Issue = dict[str, Any]


def issue(code: str, message: str, *, severity: str = "ERROR", **more: Any) -> Issue:
    return {"code": code, "message": message, "severity": severity, "categories": [], **more}


class ListingsStore:
    def __init__(self, clock: Clock, default_marketplace: str) -> None:
        self.clock = clock
        self.default_marketplace = default_marketplace
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self.refusals: dict[str, tuple[str, str]] = {}  # SKU -> (code, message)
        self.patched: list[tuple[str, int]] = []  # (SKU, quantity) in the order applied

    def reset(self) -> None:
        with self._lock:
            self._items.clear()
            self.refusals.clear()
            self.patched.clear()

    def put(self, seed: dict[str, Any]) -> dict[str, Any]:
        """A listing from {"sku", "productType", "quantity"} or {"fulfillmentChannelCode":
        "AMAZON_NA"} for FBA, "itemName", "marketplaceIds"; stored in Amazon's shape."""
        sku = seed["sku"]
        now = iso(self.clock.now())
        channel = seed.get("fulfillmentChannelCode", DEFAULT)
        availability: dict[str, Any] = {"fulfillmentChannelCode": channel}
        if channel == DEFAULT and seed.get("quantity") is not None:
            availability["quantity"] = int(seed["quantity"])
        item = {
            "sku": sku,
            "summaries": [
                {
                    "marketplaceId": marketplace,
                    "asin": seed.get(
                        "asin", "B0" + format(zlib.crc32(sku.encode()) % 10**8, "08d")
                    ),
                    "productType": seed["productType"],
                    "conditionType": "new_new",
                    "status": ["BUYABLE", "DISCOVERABLE"],
                    "itemName": seed.get("itemName", sku),
                    "createdDate": now,
                    "lastUpdatedDate": now,
                }
                for marketplace in seed.get("marketplaceIds", [self.default_marketplace])
            ],
            "attributes": {},
            "issues": [],
            "offers": [],
            "fulfillmentAvailability": [availability],
            "procurement": [],
            "relationships": [],
            "productTypes": [
                {"marketplaceId": m, "productType": seed["productType"]}
                for m in seed.get("marketplaceIds", [self.default_marketplace])
            ],
        }
        with self._lock:
            self._items[sku] = item
        return copy.deepcopy(item)

    def get(self, sku: str, included: list[str]) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(sku)
            return view(item, included) if item is not None else None

    def search(self, skus: list[str], included: list[str]) -> list[dict[str, Any]]:
        with self._lock:
            return [view(self._items[s], included) for s in skus if s in self._items]

    def quantities(self) -> dict[str, int | None]:
        """SKU -> its DEFAULT quantity (None: FBA, or none set)."""
        with self._lock:
            return {sku: _default_quantity(item) for sku, item in self._items.items()}

    def patch(self, sku: str, product_type: Any, patches: Any) -> list[Issue]:
        """Apply a listing's patches; the ERROR issues that refused them (none: applied)."""
        refused = self.refusals.get(sku)
        if refused is not None:
            return [issue(refused[0], refused[1])]
        with self._lock:
            item = self._items.get(sku)
            if item is None:
                return [issue(NOT_FOUND, f"SKU '{sku}' not found")]
            if not isinstance(product_type, str) or not product_type:
                return [issue(INVALID_PATCH, "'productType' is required but not supplied.")]
            availability = _availability(patches)
            if availability is None:
                return [
                    issue(
                        INVALID_PATCH,
                        "The sandbox takes a 'replace' or 'merge' of "
                        "/attributes/fulfillment_availability with fulfillment_channel_code "
                        "and a quantity of 0 or more",
                        attributeNames=["fulfillment_availability"],
                    )
                ]
            item["fulfillmentAvailability"] = availability
            for summary in item["summaries"]:
                summary["lastUpdatedDate"] = iso(self.clock.now())
            quantity = _default_quantity(item)
            if quantity is not None:
                self.patched.append((sku, quantity))
            return []

    def sell(self, quantities: dict[str, int], *, strict: bool) -> str | None:
        """A buyer's purchase of merchant-fulfilled units: Amazon takes them off each SKU's
        DEFAULT quantity at once. `strict` (a marketplace that sells from its listings):
        every SKU lowered, or none of them and the reason (a SKU not listed, not enough
        left), as Amazon refuses an order beyond the listing's quantity. Otherwise what a
        listing has is lowered, never below 0, and a SKU not listed is left alone."""
        with self._lock:
            if strict:
                for sku, wanted in quantities.items():
                    item = self._items.get(sku)
                    left = _default_quantity(item) if item is not None else None
                    if left is None:
                        return f"SKU '{sku}' is not listed with a merchant-fulfilled quantity"
                    if left < wanted:
                        return f"SKU '{sku}': {wanted} asked, {left} left"
            for sku, wanted in quantities.items():
                item = self._items.get(sku)
                for entry in item["fulfillmentAvailability"] if item else []:
                    if (
                        entry["fulfillmentChannelCode"] == DEFAULT
                        and entry.get("quantity") is not None
                    ):
                        entry["quantity"] = max(0, int(entry["quantity"]) - wanted)
            return None


def _availability(patches: Any) -> list[dict[str, Any]] | None:
    if not isinstance(patches, list) or not patches:
        return None
    result: list[dict[str, Any]] | None = None
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in ("replace", "merge"):
            return None
        if patch.get("path") != "/attributes/fulfillment_availability":
            return None
        value = patch.get("value")
        if not isinstance(value, list) or not value:
            return None
        result = []
        for entry in value:
            code = entry.get("fulfillment_channel_code") if isinstance(entry, dict) else None
            quantity = entry.get("quantity") if isinstance(entry, dict) else None
            if not isinstance(code, str) or not _count(quantity):
                return None
            result.append({"fulfillmentChannelCode": code, "quantity": quantity})
    return result


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _default_quantity(item: dict[str, Any]) -> int | None:
    for entry in item["fulfillmentAvailability"]:
        if entry["fulfillmentChannelCode"] == DEFAULT:
            quantity = entry.get("quantity")
            return int(quantity) if quantity is not None else None
    return None


def view(item: dict[str, Any], included: list[str]) -> dict[str, Any]:
    """The item with only the `includedData` asked for (summaries by default)."""
    asked = included or ["summaries"]
    return {"sku": item["sku"], **{k: copy.deepcopy(item[k]) for k in asked if k in item}}


def valid_included(values: list[str]) -> bool:
    return all(v in INCLUDED for v in values)
