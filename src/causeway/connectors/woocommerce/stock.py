"""Stock in a WooCommerce store: which product or variation holds a SKU's stock, how
many it shows, and setting that number.

WooCommerce keeps one stock figure per product (or per variation), `stock_quantity`,
counted only while `manage_stock` is on; it has no locations. A SKU's stock item is
named after the REST path of its holder, "product/93" or "product/22/variation/23",
so the writer knows which batch endpoint takes it.

Quantities are set as absolute values, always with `manage_stock: true` (a SKU the ERP
counts is counted by the store too). WooCommerce has no compare-and-set: a sale
between the hub's read and its write is overwritten by the hub's figure. The hub's
figure already leaves out the orders it has not placed in the ERP yet, and the sale's
order webhook makes the next stock run publish the lower figure, so the window is the
seconds between two runs; `compare_quantity` is accepted and not checked, and nothing
is ever reported stale.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from causeway.connectors.woocommerce.batch import BatchItem, write_batch
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooProduct, parse
from causeway.connectors.woocommerce.skus import find_by_sku
from causeway.model.ports.channel import QuantityChange, SetOutcome


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    is_active: bool = True


@dataclass(frozen=True)
class StockItem:
    """Where a SKU's stock lives in the store: the product or variation holding it."""

    sku: str
    inventory_item_id: str  # "product/93" or "product/22/variation/23"
    variant_id: str  # the holder's id: the variation's, else the product's
    product_id: str


# WooCommerce has one stock figure per product: a single location stands for it.
STORE_LOCATION = Location(id="store", name="WooCommerce stock")
_ITEM_ID = re.compile(r"product/(\d+)(?:/variation/(\d+))?")
IDS_PER_QUERY = 100


def stock_item_id(product_id: int, variation_id: int | None = None) -> str:
    if variation_id:
        return f"product/{product_id}/variation/{variation_id}"
    return f"product/{product_id}"


def parse_item_id(item_id: str) -> tuple[int, int | None] | None:
    """(product id, variation id or None) of a stock item id; None if it is not one."""
    match = _ITEM_ID.fullmatch(item_id)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


class WooStock:
    """The stock side of one WooCommerce store, over the connector's client."""

    def __init__(self, client: WooCommerceClient, system: str) -> None:
        self.client = client
        self.system = system

    def items_by_sku(self, skus: Sequence[str]) -> dict[str, StockItem]:
        return {
            sku: StockItem(
                sku=sku,
                inventory_item_id=stock_item_id(
                    found.product.id, found.variation.id if found.variation else None
                ),
                variant_id=str(found.holder.id),
                product_id=str(found.product.id),
            )
            for sku, found in find_by_sku(self.client, skus).items()
        }

    def available(self, item_ids: Iterable[str]) -> dict[str, int]:
        """Item id -> the quantity the store counts; items it does not count are absent."""
        products: list[int] = []
        variations: dict[int, list[int]] = defaultdict(list)
        for item_id in item_ids:
            parsed = parse_item_id(item_id)
            if parsed is None:
                continue
            product_id, variation_id = parsed
            if variation_id is None:
                products.append(product_id)
            else:
                variations[product_id].append(variation_id)
        found: dict[str, int] = {}
        for product in self._read("/products", products):
            if product.manage_stock is True and product.stock_quantity is not None:
                found[stock_item_id(product.id)] = product.stock_quantity
        for product_id, variation_ids in variations.items():
            for variation in self._read(f"/products/{product_id}/variations", variation_ids):
                # manage_stock "parent": the product counts for it, not the variation.
                if variation.manage_stock is True and variation.stock_quantity is not None:
                    found[stock_item_id(product_id, variation.id)] = variation.stock_quantity
        return found

    def set_available(self, changes: Sequence[QuantityChange]) -> SetOutcome:
        """Set each item's stock_quantity (absolute; no compare-and-set, see above).
        Outcomes keep the order of `changes`; each refusal is its own failure."""
        by_path: dict[str, list[tuple[int, BatchItem]]] = defaultdict(list)
        refused: dict[int, str] = {}
        for index, change in enumerate(changes):
            ids = parse_item_id(change.inventory_item_id)
            if ids is None:
                refused[index] = (
                    f"{self.system}: {change.inventory_item_id!r} is not a WooCommerce stock "
                    f"item (product/<id> or product/<id>/variation/<id>)"
                )
                continue
            product_id, variation_id = ids
            path = f"/products/{product_id}/variations/batch" if variation_id else "/products/batch"
            body = {
                "id": variation_id or product_id,
                "manage_stock": True,
                "stock_quantity": change.quantity,
            }
            by_path[path].append((index, BatchItem("update", body, change.inventory_item_id)))
        for path, pairs in by_path.items():
            outcomes = write_batch(
                self.client, path, [item for _, item in pairs], what=f"{self.system} stock of"
            )
            for (index, _item), outcome in zip(pairs, outcomes, strict=True):
                if outcome.error is not None:
                    refused[index] = str(outcome.error)
        return SetOutcome(
            applied=[c for i, c in enumerate(changes) if i not in refused],
            failed=[changes[i] for i in sorted(refused)],
            errors=[refused[i] for i in sorted(refused)],
        )

    def _read(self, path: str, ids: list[int]) -> Iterable[WooProduct]:
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[start : start + IDS_PER_QUERY]
            params = {"include": ",".join(map(str, chunk)), "context": "edit"}
            for raw in self.client.items(path, params):
                yield parse(WooProduct, raw, "product")
