"""Finding what carries a SKU in WooCommerce: a product, or a variation of one.

`GET /products?sku=a,b,c` matches products by exact SKU (several at once, separated by
commas) but never variations, which live under their product
(`/products/{id}/variations`). SKUs no product carries are therefore looked for among
the variations of the store's variable products, read a page of 100 at a time: that
costs a request per variable product (more for one with over 100 variations), so
callers ask only for SKUs they do not know yet and keep what they found.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooProduct, parse

SKUS_PER_QUERY = 25  # keeps the query string short on hosts that limit it


@dataclass(frozen=True)
class Found:
    """What carries one SKU: a product, or a variation and the product it belongs to."""

    product: WooProduct
    variation: WooProduct | None = None

    @property
    def holder(self) -> WooProduct:
        """The one whose SKU, price, weight and stock are the SKU's."""
        return self.variation or self.product


def _batches(skus: Sequence[str]) -> Iterator[list[str]]:
    # A SKU holding a comma would be split by WooCommerce's own parser: it goes alone.
    plain = [s for s in skus if "," not in s]
    for start in range(0, len(plain), SKUS_PER_QUERY):
        yield plain[start : start + SKUS_PER_QUERY]
    for sku in skus:
        if "," in sku:
            yield [sku]


def find_by_sku(client: WooCommerceClient, skus: Sequence[str]) -> dict[str, Found]:
    """SKU -> what carries it, for the SKUs the store has (exact matches only)."""
    wanted = sorted({s for s in skus if s})
    found: dict[str, Found] = {}
    for batch in _batches(wanted):
        params = {"sku": ",".join(batch), "context": "edit", "status": "any"}
        for raw in client.items("/products", params):
            product = parse(WooProduct, raw, "product")
            if product.sku in batch and product.sku not in found:
                found[product.sku] = Found(product)
    missing = {s for s in wanted if s not in found}
    if missing:
        found.update(_variations_with(client, missing))
    return found


def _variations_with(client: WooCommerceClient, skus: set[str]) -> dict[str, Found]:
    found: dict[str, Found] = {}
    variable = client.items("/products", {"type": "variable", "context": "edit", "status": "any"})
    for raw in variable:
        product = parse(WooProduct, raw, "product")
        path = f"/products/{product.id}/variations"
        for raw_variation in client.items(path, {"context": "edit"}):
            variation = parse(WooProduct, raw_variation, "variation")
            if variation.sku in skus and variation.sku not in found:
                found[variation.sku] = Found(product, variation)
        if len(found) == len(skus):
            break
    return found
