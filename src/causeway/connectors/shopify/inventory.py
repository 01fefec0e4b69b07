"""Shopify inventory: SKUs to inventory items, and `available` read and set.

Quantities are set as absolutes with compare-and-set (`changeFromQuantity`, the
quantity the caller read): a value the store changed since it was read is reported
as stale, never overwritten blindly. Every call is batched (50 SKUs per search, 100
items per level read, 250 quantities per set), and every set carries an
idempotency key, so a call whose answer was lost and is sent again applies once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from causeway.connectors.shopify import queries as q
from causeway.connectors.shopify.client import ShopifyGraphQL
from causeway.connectors.shopify.graphql_models import (
    GqlInventoryItem,
    GqlUserError,
    GqlVariant,
    nodes_of,
    shaped,
)
from causeway.connectors.shopify.types import InventoryItemRef, QuantityChange, SetOutcome
from causeway.errors import InvalidPayloadError, RetryableError

log = logging.getLogger(__name__)

SKUS_PER_QUERY = 50  # keeps the search string and the match count small
IDS_PER_LEVELS_QUERY = 100
VARIANTS_PAGE = 250  # Shopify's maximum `first`
# COMPARE_QUANTITY_STALE is what versions before 2026-04 answered.
STALE = frozenset({"CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE"})
# Shopify is still applying an earlier send of this call, or that send failed: what
# became of the quantities is unknown until they are read again.
UNSETTLED = frozenset({"IDEMPOTENCY_CONCURRENT_REQUEST", "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"})

T = TypeVar("T")


class ShopifyInventory:
    def __init__(self, client: ShopifyGraphQL, system: str) -> None:
        self.client = client
        self.system = system

    def items_by_sku(self, skus: list[str]) -> dict[str, InventoryItemRef]:
        """Inventory items of these SKUs; SKUs Shopify does not have are absent.

        Shopify's sku: search matches loosely (prefixes, tokens), so only exact
        SKU matches are kept. A SKU on several variants is reported in the log
        and the first variant wins.
        """
        wanted = sorted({s for s in skus if s})
        found: dict[str, InventoryItemRef] = {}
        for batch in _chunks(wanted, SKUS_PER_QUERY):
            self._find_skus(batch, found)
        return found

    def _find_skus(
        self, batch: list[str], found: dict[str, InventoryItemRef], first: int | None = None
    ) -> None:
        # Room for ~5 loose matches per SKU; a variant costs 3 requested points, so a
        # single SKU does not ask for the full 752 points of a 250-variant page.
        first = first or min(VARIANTS_PAGE, max(50, 5 * len(batch)))
        search = " OR ".join(f"sku:{_search_value(sku)}" for sku in batch)
        data = self.client.execute(q.VARIANTS_BY_SKU, {"first": first, "query": search})
        nodes = nodes_of(data, "productVariants")
        if len(nodes) >= first:
            # Loose matches may have pushed exact ones off the page: look closer.
            if len(batch) > 1:
                half = len(batch) // 2
                self._find_skus(batch[:half], found)
                self._find_skus(batch[half:], found)
                return
            if first < VARIANTS_PAGE:
                self._find_skus(batch, found, VARIANTS_PAGE)
                return
            log.warning("SKU %s matches over %d variants in %s", batch[0], first, self.system)
        wanted = set(batch)
        for node in nodes:
            v = shaped(GqlVariant, node, "productVariants")
            if v.sku not in wanted or v.inventoryItem is None or v.product is None:
                continue
            if v.sku in found:
                if found[v.sku].variant_id != v.id:
                    log.warning("SKU %s is on several variants in %s", v.sku, self.system)
                continue
            found[v.sku] = InventoryItemRef(
                sku=v.sku,
                inventory_item_id=v.inventoryItem.id,
                variant_id=v.id,
                product_id=v.product.id,
            )

    def available(self, inventory_item_ids: list[str], location_id: str) -> dict[str, int]:
        """`available` per inventory item at the location; items not stocked there are absent."""
        result: dict[str, int] = {}
        for batch in _chunks(list(dict.fromkeys(inventory_item_ids)), IDS_PER_LEVELS_QUERY):
            data = self.client.execute(
                q.INVENTORY_LEVELS, {"ids": batch, "locationId": location_id}
            )
            nodes = data.get("nodes")
            if not isinstance(nodes, list):
                raise InvalidPayloadError("unexpected Shopify answer: nodes is missing")
            for node in nodes:
                if not node:  # unknown id, or not an InventoryItem
                    continue
                item = shaped(GqlInventoryItem, node, "inventory levels")
                if item.inventoryLevel is None:
                    continue
                for quantity in item.inventoryLevel.quantities:
                    if quantity.name == "available":
                        result[item.id] = quantity.quantity
        return result

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        """Set absolute `available` quantities, compare-and-set where a compare is given.

        Each change is sent with `changeFromQuantity`: its compare_quantity, or an
        explicit null for a change that deliberately does not compare (Shopify refuses
        a quantity without the field). Each call holds at most MAX_QUANTITIES_PER_SET
        changes; Shopify applies a call all or nothing.
        """
        outcome: dict[str, list[Any]] = {"applied": [], "stale": [], "failed": [], "errors": []}
        for chunk in _chunks(quantities, q.MAX_QUANTITIES_PER_SET):
            self._set_chunk(chunk, reason, reference_uri, outcome)
        return SetOutcome.model_validate(outcome)

    def _set_chunk(
        self,
        chunk: list[QuantityChange],
        reason: str,
        reference_uri: str | None,
        outcome: dict[str, list[Any]],
    ) -> None:
        pending = chunk
        while pending:
            errors = self._set_call(pending, reason, reference_uri)
            if not errors:
                outcome["applied"].extend(pending)
                return
            outcome["errors"].extend(
                f"{e.code or 'ERROR'}: {e.message}" + (f" ({'.'.join(e.field)})" if e.field else "")
                for e in errors
                if e.code not in STALE
            )
            by_index: dict[int, list[GqlUserError]] = {}
            for error in errors:
                index = _quantity_index(error.field, len(pending))
                by_index.setdefault(-1 if index is None else index, []).append(error)
            if -1 in by_index:
                # Shopify did not say which change it refused: the whole call is refused.
                stale = all(e.code in STALE for e in errors)
                outcome["stale" if stale else "failed"].extend(pending)
                return
            # It named the changes it refused: set those aside and send the rest again.
            for index, named in by_index.items():
                stale = all(e.code in STALE for e in named)
                outcome["stale" if stale else "failed"].append(pending[index])
            pending = [c for i, c in enumerate(pending) if i not in by_index]

    def _set_call(
        self, changes: list[QuantityChange], reason: str, reference_uri: str | None
    ) -> list[GqlUserError]:
        payload: dict[str, Any] = {
            "name": "available",
            "reason": reason,
            "quantities": [
                {
                    "inventoryItemId": change.inventory_item_id,
                    "locationId": change.location_id,
                    "quantity": change.quantity,
                    "changeFromQuantity": change.compare_quantity,
                }
                for change in changes
            ],
        }
        if reference_uri:
            payload["referenceDocumentUri"] = reference_uri
        # One key per call: the client's resends of a call whose answer was lost carry
        # the same key, so Shopify applies it once; the next call is a new write.
        variables = {"input": payload, "idempotencyKey": str(uuid.uuid4())}
        data = self.client.execute(q.INVENTORY_SET_QUANTITIES, variables)
        result = data.get("inventorySetQuantities") or {}
        errors = [
            shaped(GqlUserError, e, "inventorySetQuantities")
            for e in result.get("userErrors") or []
        ]
        unsettled = sorted({str(e.code) for e in errors if e.code in UNSETTLED})
        if unsettled:
            raise RetryableError(
                f"{self.system} has not settled an earlier send of a stock write "
                f"({', '.join(unsettled)}): the quantities are read again and set on retry"
            )
        return errors


def _search_value(value: str) -> str:
    """A value for Shopify search syntax; quoted when it holds syntax characters."""
    if value and not any(ch.isspace() or ch in "\"'\\:()" for ch in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _quantity_index(field: list[str] | None, size: int) -> int | None:
    """The change a userError names: field ["input", "quantities", "3", ...] -> 3."""
    if not field or "quantities" not in field:
        return None
    position = field.index("quantities") + 1
    if position < len(field) and field[position].isdigit() and int(field[position]) < size:
        return int(field[position])
    return None
