"""The catalogue in a Shopify store: find listings by SKU or handle, create and update them.

One ERP SKU is one Shopify product with one variant. Its handle is made from the
SKU, so a product whose create landed but whose variant never got its SKU (the
hub crashed in between) is still found, by handle, and finished instead of
created twice. Writes follow the 2026-10 Admin GraphQL: productCreate (title,
description, handle, status), productUpdate, and productVariantsBulkUpdate for
price, compare-at price, SKU and weight. Each write sends only the fields that
differ from what the store shows (`listing_changes`). userErrors become a
PermanentError that names the SKU and Shopify's reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from causeway.connectors.descriptions import description_html
from causeway.connectors.shopify import product_queries as pq
from causeway.connectors.shopify.client import ShopifyGraphQL
from causeway.connectors.shopify.graphql_models import nodes_of, shaped
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model.catalog import CatalogItem

SKUS_PER_QUERY = 10
CENT = Decimal("0.01")
WEIGHT_UNITS = {"g": "GRAMS", "kg": "KILOGRAMS", "oz": "OUNCES", "lb": "POUNDS"}
ACTIVE, ARCHIVED = "ACTIVE", "ARCHIVED"


# ------------------------------------------------------------- Shopify's answers


class _Gql(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class GqlWeight(_Gql):
    unit: str
    value: float


class GqlMeasurement(_Gql):
    weight: GqlWeight | None = None


class GqlListingItem(_Gql):
    id: str
    measurement: GqlMeasurement | None = None


class GqlListingVariant(_Gql):
    id: str
    sku: str | None = None
    price: Decimal
    compareAtPrice: Decimal | None = None
    inventoryItem: GqlListingItem | None = None


class GqlListingProduct(_Gql):
    id: str
    handle: str
    title: str
    descriptionHtml: str = ""
    status: str


class GqlVariantWithProduct(GqlListingVariant):
    product: GqlListingProduct


class GqlVariantNodes(_Gql):
    nodes: list[GqlListingVariant] = []


class GqlProductWithVariants(GqlListingProduct):
    variants: GqlVariantNodes = GqlVariantNodes()


class GqlUserError(_Gql):
    code: str | None = None
    field: list[str] | None = None
    message: str


@dataclass(frozen=True)
class Listing:
    """What the store shows for one SKU: its product and the variant Causeway manages."""

    product: GqlListingProduct
    variant: GqlListingVariant

    @property
    def product_id(self) -> str:
        return self.product.id


# ------------------------------------------------------------- mapping, no I/O


def handle_for(sku: str) -> str:
    """The product handle of a SKU: Shopify's rule (lowercase, digits, hyphens)."""
    return "-".join(re.sub(r"[^0-9a-z]+", " ", sku.lower()).split())


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ListingChanges:
    """ProductUpdateInput and ProductVariantsBulkInput fields that differ (ids apart)."""

    product: dict[str, Any] = field(default_factory=dict)
    variant: dict[str, Any] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.product or self.variant)


def product_fields(item: CatalogItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "descriptionHtml": description_html(item.description),
        "status": ACTIVE if item.active else ARCHIVED,
    }


def variant_fields(item: CatalogItem) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "price": str(_money(item.price)),
        "compareAtPrice": (
            str(_money(item.compare_at_price)) if item.compare_at_price is not None else None
        ),
    }
    inventory: dict[str, Any] = {"sku": item.sku}
    if item.weight is not None and item.weight_unit is not None:
        weight = {"unit": WEIGHT_UNITS[item.weight_unit], "value": float(item.weight)}
        inventory["measurement"] = {"weight": weight}
    fields["inventoryItem"] = inventory
    return fields


def listing_changes(item: CatalogItem, listing: Listing | None) -> ListingChanges:
    """What to send so the store shows `item`; everything when there is no listing yet."""
    wanted_product, wanted_variant = product_fields(item), variant_fields(item)
    if listing is None:
        return ListingChanges(wanted_product, wanted_variant)
    p, v = listing.product, listing.variant
    have_product = {"title": p.title, "descriptionHtml": p.descriptionHtml, "status": p.status}
    product = {k: w for k, w in wanted_product.items() if have_product[k] != w}
    variant: dict[str, Any] = {}
    if v.price != Decimal(wanted_variant["price"]):
        variant["price"] = wanted_variant["price"]
    have_compare = v.compareAtPrice if v.compareAtPrice else None  # 0 shows as none
    wanted_compare = wanted_variant["compareAtPrice"]
    if (have_compare is None) != (wanted_compare is None) or (
        have_compare is not None and have_compare != Decimal(wanted_compare)
    ):
        variant["compareAtPrice"] = wanted_compare
    inventory: dict[str, Any] = {}
    if v.sku != item.sku:
        inventory["sku"] = item.sku
    wanted_weight = wanted_variant["inventoryItem"].get("measurement")
    measurement = v.inventoryItem.measurement if v.inventoryItem else None
    have = measurement.weight if measurement else None
    if wanted_weight and (
        have is None
        or have.unit != wanted_weight["weight"]["unit"]
        or round(have.value, 6) != round(wanted_weight["weight"]["value"], 6)
    ):
        inventory["measurement"] = wanted_weight
    if inventory:
        variant["inventoryItem"] = inventory
    return ListingChanges(product, variant)


# ------------------------------------------------------------- the store


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


class ShopifyCatalog:
    """The product side of one Shopify store, over the connector's client."""

    def __init__(self, client: ShopifyGraphQL, system: str) -> None:
        self.client = client
        self.system = system

    def listings_by_sku(self, skus: Sequence[str]) -> dict[str, Listing]:
        """SKU -> its listing, for SKUs on a variant (exact matches only; search is loose)."""
        wanted = sorted({s for s in skus if s})
        found: dict[str, Listing] = {}
        for batch in _chunks(wanted, SKUS_PER_QUERY):
            search = " OR ".join(f"sku:{_quoted(sku)}" for sku in batch)
            data = self.client.execute(
                pq.CATALOG_VARIANTS_BY_SKU, {"first": 5 * len(batch), "query": search}
            )
            for node in nodes_of(data, "productVariants"):
                v = shaped(GqlVariantWithProduct, node, "productVariants")
                if v.sku in batch and v.sku not in found:
                    found[v.sku] = Listing(v.product, v)
        return found

    def unfinished_by_handle(self, skus: Sequence[str]) -> dict[str, Listing]:
        """SKU -> a product with the SKU's handle whose variant has no SKU yet: a create
        that landed before the hub could finish it."""
        handles = {handle_for(sku): sku for sku in skus if handle_for(sku)}
        found: dict[str, Listing] = {}
        for batch in _chunks(sorted(handles), SKUS_PER_QUERY):
            search = " OR ".join(f"handle:{_quoted(h)}" for h in batch)
            data = self.client.execute(
                pq.CATALOG_PRODUCTS_BY_HANDLE, {"first": 3 * len(batch), "query": search}
            )
            for node in nodes_of(data, "products"):
                p = shaped(GqlProductWithVariants, node, "products")
                variants = p.variants.nodes
                if p.handle in handles and variants and not variants[0].sku:
                    found[handles[p.handle]] = Listing(p, variants[0])
        return found

    def create(self, item: CatalogItem) -> Listing:
        """A new product for the SKU, with its handle, title, description and status."""
        fields = product_fields(item)
        data = self.client.execute(
            pq.PRODUCT_CREATE, {"product": {**fields, "handle": handle_for(item.sku)}}
        )
        result = self._result(data, "productCreate", item.sku)
        product = shaped(GqlProductWithVariants, result.get("product"), "productCreate")
        if not product.variants.nodes:
            raise InvalidPayloadError(f"productCreate of {item.sku} returned no variant")
        return Listing(product, product.variants.nodes[0])

    def sync(self, listing: Listing, item: CatalogItem) -> bool:
        """Make the listing show the item, sending only what differs; False: nothing did."""
        changes = listing_changes(item, listing)
        if changes:
            self.update(listing, changes, item.sku)
        return bool(changes)

    def publish(
        self, items: Mapping[str, tuple[Listing | None, CatalogItem]]
    ) -> dict[str, Listing | PermanentError]:
        """SKU -> its listing once it shows the item, or why Shopify refused it. One SKU
        at a time (a product and its variant are two mutations); a refusal stays that
        SKU's, anything else (Shopify unreachable) is raised."""
        result: dict[str, Listing | PermanentError] = {}
        for sku, (listing, item) in items.items():
            try:
                made = listing if listing is not None else self.create(item)
                self.sync(made, item)
                result[sku] = made
            except PermanentError as refused:
                result[sku] = refused
        return result

    def archive(self, listing: Listing, sku: str) -> bool:
        """Archive the listing (never delete: past orders keep their product)."""
        if listing.product.status == ARCHIVED:
            return False
        self.update(listing, ListingChanges(product={"status": ARCHIVED}), sku)
        return True

    def update(self, listing: Listing, changes: ListingChanges, sku: str) -> None:
        """Send the changes: productUpdate and/or productVariantsBulkUpdate, nothing else."""
        if changes.product:
            data = self.client.execute(
                pq.PRODUCT_UPDATE, {"product": {"id": listing.product.id, **changes.product}}
            )
            self._result(data, "productUpdate", sku)
        if changes.variant:
            data = self.client.execute(
                pq.PRODUCT_VARIANTS_BULK_UPDATE,
                {
                    "productId": listing.product.id,
                    "variants": [{"id": listing.variant.id, **changes.variant}],
                },
            )
            self._result(data, "productVariantsBulkUpdate", sku)

    def _result(self, data: Mapping[str, Any], mutation: str, sku: str) -> dict[str, Any]:
        result = data.get(mutation)
        if not isinstance(result, dict):
            raise InvalidPayloadError(f"unexpected Shopify answer: {mutation} is missing")
        errors = [shaped(GqlUserError, e, mutation) for e in result.get("userErrors") or []]
        if errors:
            reasons = "; ".join(
                (f"{'.'.join(e.field)}: " if e.field else "")
                + e.message
                + (f" ({e.code})" if e.code else "")
                for e in errors
            )
            raise PermanentError(f"{self.system} refused {mutation} for SKU {sku}: {reasons}")
        return result
