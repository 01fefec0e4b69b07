"""The catalogue in a WooCommerce store: find listings by SKU, create, update, archive.

A product is created with its SKU in the same request, so a create that landed is
always found again by its SKU (there is no half-made product to finish, as a Shopify
product without its variant's SKU can be); a create whose answer was lost and is sent
again is refused by WooCommerce as a duplicated SKU, and the product already there is
taken instead. Every write goes through the batch endpoints (batch.py): several items
cost one request, and a refused item carries WooCommerce's reason alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from causeway.connectors.woocommerce import catalog
from causeway.connectors.woocommerce.batch import BatchItem, ItemOutcome, write_batch
from causeway.connectors.woocommerce.catalog import StoreWeightUnit
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooProduct, parse
from causeway.connectors.woocommerce.refusals import WooCommerceError
from causeway.connectors.woocommerce.skus import find_by_sku
from causeway.errors import PermanentError
from causeway.model.catalog import CatalogItem

DUPLICATE_SKU = "product_invalid_sku"  # WC_Product::set_sku: "Invalid or duplicated SKU."
PRODUCTS_BATCH = "/products/batch"
WEIGHT_UNIT_SETTING = "/settings/products/woocommerce_weight_unit"


@dataclass(frozen=True)
class Listing:
    """What the store shows for one SKU: its product, and the variation holding the SKU
    when it is one."""

    product: WooProduct
    variation: WooProduct | None = None

    @property
    def product_id(self) -> str:
        """The id of what carries the SKU (the variation's own, for a variation): the id
        WooCommerce's product.updated webhook names when someone edits it."""
        return str(self.shown.id)

    @property
    def shown(self) -> WooProduct:
        """What carries the SKU's own fields (price, weight, status)."""
        return self.variation or self.product

    def batch_path(self) -> str:
        if self.variation is not None:
            return f"/products/{self.product.id}/variations/batch"
        return PRODUCTS_BATCH


class WooCatalog:
    """The product side of one WooCommerce store, over the connector's client."""

    def __init__(
        self, client: WooCommerceClient, system: str, weight_unit: StoreWeightUnit | None = None
    ) -> None:
        self.client = client
        self.system = system
        self._weight_unit = weight_unit

    def listings_by_sku(self, skus: Sequence[str]) -> dict[str, Listing]:
        return {
            sku: Listing(found.product, found.variation)
            for sku, found in find_by_sku(self.client, skus).items()
        }

    def create(self, item: CatalogItem) -> Listing:
        """A new simple product showing the item, or the one a lost answer already made."""
        return self._single(self.publish({item.sku: (None, item)}), item.sku)

    def sync(self, listing: Listing, item: CatalogItem) -> bool:
        """Make the listing show the item, sending only what differs; False: nothing did."""
        if not self._changes(listing, item):
            return False
        self._single(self.publish({item.sku: (listing, item)}), item.sku)
        return True

    def archive(self, listing: Listing, sku: str) -> bool:
        """Take the SKU off sale (status private; never deleted)."""
        if listing.shown.status == catalog.ARCHIVED:
            return False
        body = {"id": listing.shown.id, "status": catalog.ARCHIVED}
        (outcome,) = write_batch(
            self.client, listing.batch_path(), [BatchItem("update", body, sku)], what="product"
        )
        if outcome.error is not None:
            raise outcome.error
        return True

    def publish(
        self, items: Mapping[str, tuple[Listing | None, CatalogItem]]
    ) -> dict[str, Listing | PermanentError]:
        """SKU -> its listing once the store shows the item, or why it refused it.

        Creates and updates of products share /products/batch calls, variations go to
        their product's; only fields that differ are sent, and a listing needing
        nothing is not sent.
        """
        result: dict[str, Listing | PermanentError] = {}
        writes: dict[str, list[tuple[Listing | None, BatchItem]]] = {}
        for sku, (listing, item) in items.items():
            if listing is None:
                body = {
                    "type": "simple",
                    **catalog.wanted_fields(item, self._unit(item), variation=False),
                }
                writes.setdefault(PRODUCTS_BATCH, []).append((None, BatchItem("create", body, sku)))
                continue
            fields = self._changes(listing, item)
            if not fields:
                result[sku] = listing
                continue
            batch = BatchItem("update", {"id": listing.shown.id, **fields}, sku)
            writes.setdefault(listing.batch_path(), []).append((listing, batch))
        for path, pairs in writes.items():
            outcomes = write_batch(self.client, path, [b for _, b in pairs], what="product")
            for (listing, _), outcome in zip(pairs, outcomes, strict=True):
                ref = outcome.item.ref
                result[ref] = (
                    self._created(outcome) if listing is None else self._updated(listing, outcome)
                )
        return result

    def weight_unit(self) -> StoreWeightUnit:
        """The store's weight unit (configured, else read once from its settings)."""
        if self._weight_unit is None:
            try:
                setting = self.client.get(WEIGHT_UNIT_SETTING)
            except WooCommerceError as refused:
                raise PermanentError(
                    f"{self.system}: could not read the store's weight unit ({refused}); set "
                    f"systems.{self.system}.weight_unit to the unit in WooCommerce > Settings > "
                    f"Products (kg, g, lbs or oz), then replay"
                ) from None
            value = setting.get("value") if isinstance(setting, dict) else None
            if value not in ("kg", "g", "lbs", "oz"):
                raise PermanentError(
                    f"{self.system} answered weight unit {value!r}; set "
                    f"systems.{self.system}.weight_unit to kg, g, lbs or oz"
                )
            self._weight_unit = value
        return self._weight_unit

    # ----------------------------------------------------------------- private

    def _unit(self, item: CatalogItem) -> StoreWeightUnit | None:
        return self.weight_unit() if item.weight is not None and item.weight_unit else None

    def _changes(self, listing: Listing, item: CatalogItem) -> dict[str, Any]:
        variation = listing.variation is not None
        return catalog.changes(item, listing.shown, self._unit(item), variation=variation)

    def _created(self, outcome: ItemOutcome) -> Listing | PermanentError:
        if outcome.written is not None:
            return Listing(parse(WooProduct, outcome.written, "product"))
        error = outcome.error
        if isinstance(error, WooCommerceError) and error.code == DUPLICATE_SKU:
            # Sent before, its answer lost: the product is there under this SKU.
            existing = self.listings_by_sku([outcome.item.ref]).get(outcome.item.ref)
            if existing is not None:
                return existing
        return error or PermanentError(f"product {outcome.item.ref} not created")

    def _updated(self, listing: Listing, outcome: ItemOutcome) -> Listing | PermanentError:
        if outcome.written is None:
            return outcome.error or PermanentError(f"product {outcome.item.ref} not updated")
        shown = parse(WooProduct, outcome.written, "product")
        if listing.variation is not None:
            return Listing(listing.product, shown)
        return Listing(shown)

    @staticmethod
    def _single(result: Mapping[str, Listing | PermanentError], sku: str) -> Listing:
        outcome = result[sku]
        if isinstance(outcome, PermanentError):
            raise outcome
        return outcome
