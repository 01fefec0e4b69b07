"""The seller's listings by SKU (Listings Items API v2021-08-01): what the hub reads of
them for stock, and the one-SKU patch of a listing's merchant-fulfilled quantity.

A listing is keyed by the seller's SKU, so a SKU is also its stock item's id. Its
`fulfillmentAvailability` says who counts its stock: `DEFAULT` is the seller's own
(merchant-fulfilled) quantity, which the hub publishes; any other code (`AMAZON_NA`,
`AMAZON_EU`, ...) is Fulfilment by Amazon, whose stock Amazon counts in its own
warehouses: the hub never publishes it. The models follow listingsItems_2021-08-01.json
as far as the hub reads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from pydantic import Field

from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.models import AmazonModel, parse

LISTINGS_PATH = "/listings/2021-08-01/items"
DEFAULT_CHANNEL = "DEFAULT"  # fulfillment_channel_code of the seller's own stock
SKUS_PER_SEARCH = 20  # searchListingsItems takes at most 20 identifiers and 20 a page
SEARCH_DATA = ("summaries", "fulfillmentAvailability")


class FulfillmentAvailability(AmazonModel):
    fulfillmentChannelCode: str
    quantity: int | None = Field(default=None, ge=0)


class ItemSummary(AmazonModel):
    marketplaceId: str | None = None
    productType: str | None = None


class ListingsItem(AmazonModel):
    sku: str
    summaries: tuple[ItemSummary, ...] = ()
    fulfillmentAvailability: tuple[FulfillmentAvailability, ...] = ()

    @property
    def fulfilled_by_amazon(self) -> bool:
        """FBA: some fulfilment channel other than the seller's own counts its stock."""
        return any(
            f.fulfillmentChannelCode != DEFAULT_CHANNEL for f in self.fulfillmentAvailability
        )

    @property
    def merchant_quantity(self) -> int | None:
        """The seller's own (DEFAULT) quantity; None when it has none yet."""
        for f in self.fulfillmentAvailability:
            if f.fulfillmentChannelCode == DEFAULT_CHANNEL:
                return f.quantity
        return None

    def product_type(self, marketplace_ids: Sequence[str]) -> str | None:
        """The Amazon product type (LUGGAGE, ...) in the first configured marketplace
        that says one: a PATCH must name it."""
        for marketplace in marketplace_ids:
            for summary in self.summaries:
                if summary.marketplaceId == marketplace and summary.productType:
                    return summary.productType
        return next((s.productType for s in self.summaries if s.productType), None)


class Pagination(AmazonModel):
    nextToken: str | None = None


class ItemSearchResults(AmazonModel):
    numberOfResults: int
    items: list[ListingsItem]
    pagination: Pagination | None = None


class Issue(AmazonModel):
    code: str
    message: str
    severity: Literal["ERROR", "WARNING", "INFO"]
    attributeNames: tuple[str, ...] = ()


class SubmissionResponse(AmazonModel):
    sku: str
    status: Literal["ACCEPTED", "INVALID", "VALID"]
    submissionId: str
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class AmazonStockItem:
    """A merchant-fulfilled listing: its stock item id is its SKU (the StockItem port)."""

    inventory_item_id: str
    product_type: str


class Listings:
    """One seller's listings in the configured marketplaces."""

    def __init__(
        self, client: AmazonClient, *, seller_id: str, marketplace_ids: Sequence[str]
    ) -> None:
        self.client = client
        self.seller_id = seller_id
        self.marketplace_ids = list(marketplace_ids)

    def by_sku(self, skus: Sequence[str]) -> dict[str, ListingsItem]:
        """SKU -> its listing, 20 SKUs a searchListingsItems call; SKUs not listed are absent."""
        found: dict[str, ListingsItem] = {}
        wanted = list(dict.fromkeys(skus))
        for start in range(0, len(wanted), SKUS_PER_SEARCH):
            chunk = wanted[start : start + SKUS_PER_SEARCH]
            for item in self._search(chunk):
                if item.sku in chunk:  # Amazon matches identifiers exactly; be sure
                    found[item.sku] = item
        return found

    def _search(self, skus: list[str]) -> Iterator[ListingsItem]:
        params: dict[str, str | int | Sequence[str] | None] = {
            "marketplaceIds": self.marketplace_ids,
            "identifiers": skus,
            "identifiersType": "SKU",
            "includedData": SEARCH_DATA,
            "pageSize": SKUS_PER_SEARCH,
        }
        path = f"{LISTINGS_PATH}/{quote(self.seller_id, safe='')}"
        while True:
            body = self.client.get("searchListingsItems", path, params)
            page = parse(ItemSearchResults, body, "searchListingsItems answer")
            yield from page.items
            token = page.pagination.nextToken if page.pagination else None
            if not token:
                return
            params = {**params, "pageToken": token}

    def patch_quantity(self, sku: str, product_type: str, quantity: int) -> SubmissionResponse:
        """Set the SKU's merchant-fulfilled quantity at once (patchListingsItem)."""
        body = {
            "productType": product_type,
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": DEFAULT_CHANNEL, "quantity": quantity}],
                }
            ],
        }
        answer = self.client.send(
            "PATCH",
            "patchListingsItem",
            f"{LISTINGS_PATH}/{quote(self.seller_id, safe='')}/{quote(sku, safe='')}",
            {"marketplaceIds": self.marketplace_ids, "includedData": ("issues",)},
            body,
        )
        return parse(SubmissionResponse, answer, f"patchListingsItem answer for SKU {sku}")


def refusal(sku: str, code: str, message: str, where: str) -> str:
    """How one of Amazon's refusals reads in the hub: the SKU, where, the code, the message."""
    return f"SKU {sku}: Amazon refused it ({where}): {code}: {message}"
