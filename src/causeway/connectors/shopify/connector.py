"""The Shopify connector: what flows ask of a Shopify store, in canonical terms.

Reads orders (polled by updated_at, oldest change first, so a cursor can follow),
resolves SKUs to inventory items, reads and sets `available` stock with
compare-and-set, and keeps webhook subscriptions in place. It speaks only through
ShopifyGraphQL (auth, cost throttling, retries) and only with the documents in
queries.py, the same ones the sandbox is tested with.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from causeway.connectors.shopify import fulfillments
from causeway.connectors.shopify import queries as q
from causeway.connectors.shopify.client import RetryPolicy, ShopifyGraphQL
from causeway.connectors.shopify.graphql_models import (
    GqlInventoryItem,
    GqlOrdersPage,
    GqlUserError,
    GqlVariant,
    GqlWebhookSubscription,
)
from causeway.connectors.shopify.mapping import gid_tail, order_from_graphql
from causeway.connectors.shopify.products import Listing, ShopifyCatalog
from causeway.connectors.shopify.rest_models import describe_errors
from causeway.connectors.shopify.types import (
    InventoryItemRef,
    Location,
    OrderChange,
    QuantityChange,
    SetOutcome,
)
from causeway.engine.rate import RateBudget
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import Order
from causeway.model.catalog import CatalogItem

__all__ = [
    "InventoryItemRef",
    "Location",
    "OrderChange",
    "QuantityChange",
    "SetOutcome",
    "ShopifyConnector",
    "order_gid",
    "webhook_topic_enum",
]

log = logging.getLogger(__name__)

SKUS_PER_QUERY = 50  # keeps the search string and the match count small
IDS_PER_LEVELS_QUERY = 100
VARIANTS_PAGE = 250  # Shopify's maximum `first`
STALE = "COMPARE_QUANTITY_STALE"


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _shape(model: type[M], value: Any, what: str) -> M:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise InvalidPayloadError(
            f"unexpected Shopify answer for {what}: {describe_errors(error)}"
        ) from None


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _search_value(value: str) -> str:
    """A value for Shopify search syntax; quoted when it holds syntax characters."""
    if value and not any(ch.isspace() or ch in "\"'\\:()" for ch in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def webhook_topic_enum(topic: str) -> str:
    """The WebhookSubscriptionTopic enum of a topic: orders/create -> ORDERS_CREATE."""
    return topic.strip().replace("/", "_").upper()


def order_gid(external_id: str) -> str:
    """The Order gid GraphQL wants for a numeric id (a gid passes through)."""
    return external_id if external_id.startswith("gid://") else f"gid://shopify/Order/{external_id}"


class ShopifyConnector:
    """One configured Shopify store (`system`), over one access token."""

    def __init__(
        self,
        shop_url: str,
        access_token: str,
        *,
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        system: str = "shop",
        api_version: str = q.API_VERSION,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.system = system
        self.client = ShopifyGraphQL(
            shop_url,
            access_token,
            budget=budget,
            timeout=timeout,
            api_version=api_version,
            retry=retry,
            transport=transport,
        )
        self.catalog = ShopifyCatalog(self.client, system)

    # ------------------------------------------------------------------ orders

    def order_changes_since(
        self, since: datetime | None, page_size: int = 100
    ) -> Iterator[OrderChange]:
        """Orders changed at or after `since`, oldest change first (about 1 point each).

        The poller compares these with what the hub already has and fetches only
        the orders it is missing (order_node), because a full order is too
        expensive to list by the page.
        """
        search = None
        if since is not None:
            when = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
            search = f"updated_at:>='{when.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        after: str | None = None
        while True:
            data = self.client.execute(
                q.ORDERS_CHANGED_SINCE, {"first": page_size, "after": after, "query": search}
            )
            page = _shape(GqlOrdersPage, data.get("orders"), "orders")
            for stamp in page.nodes:
                yield OrderChange(
                    external_id=stamp.legacyResourceId or gid_tail(stamp.id),
                    updated_at=stamp.updatedAt.astimezone(UTC),
                )
            if not page.pageInfo.hasNextPage or not page.pageInfo.endCursor:
                return
            after = page.pageInfo.endCursor

    def order_node(self, external_id: str) -> dict[str, Any]:
        """One order as Shopify sends it (queries.ORDER_FIELDS), by numeric id or gid.

        Kept raw for the inbox, so that an order that does not parse is parked
        by its job with the reason instead of stopping the poll.
        """
        data = self.client.execute(q.ORDER_BY_ID, {"id": order_gid(external_id)})
        node = data.get("order")
        if not isinstance(node, dict):
            raise PermanentError(
                f"order {external_id} not found in {self.system}: it was deleted, or the "
                f"id belongs to another shop"
            )
        return node

    def order(self, external_id: str) -> Order:
        """One order by its numeric id ("450789469") or gid, in canonical form."""
        return order_from_graphql(self.order_node(external_id))

    # ------------------------------------------------------------ fulfillments

    def order_fulfillment(self, external_id: str) -> fulfillments.GqlOrderFulfillment:
        """The order's fulfillment orders and existing fulfillments (fulfillments.py)."""
        return fulfillments.order_fulfillment(self.client, order_gid(external_id), self.system)

    def create_fulfillment(
        self,
        lines: Sequence[fulfillments.FulfillmentLine],
        *,
        tracking: fulfillments.Tracking | None = None,
        notify_customer: bool = False,
    ) -> fulfillments.GqlFulfillment:
        return fulfillments.create_fulfillment(
            self.client,
            lines,
            tracking=tracking,
            notify_customer=notify_customer,
            system=self.system,
        )

    # --------------------------------------------------------------- locations

    def locations(self) -> list[Location]:
        data = self.client.execute(q.LOCATIONS, {"first": 250})
        return [_shape(Location, node, "locations") for node in _nodes(data, "locations")]

    def primary_location_id(self) -> str:
        """The first active location: where stock goes when none is configured."""
        for location in self.locations():
            if location.is_active:
                return location.id
        raise PermanentError(
            f"{self.system} has no active location: activate one in Shopify, or set "
            f"`location` in the {self.system} configuration"
        )

    # --------------------------------------------------------------- inventory

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, InventoryItemRef]:
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
        nodes = _nodes(data, "productVariants")
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
            v = _shape(GqlVariant, node, "productVariants")
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

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str
    ) -> dict[str, int]:
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
                item = _shape(GqlInventoryItem, node, "inventory levels")
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

        Changes with and without compare_quantity go in separate calls, because
        ignoreCompareQuantity applies to a whole call. Each call holds at most
        MAX_QUANTITIES_PER_SET changes; Shopify applies a call all or nothing.
        """
        outcome: dict[str, list[Any]] = {"applied": [], "stale": [], "failed": [], "errors": []}
        checked = [c for c in quantities if c.compare_quantity is not None]
        unchecked = [c for c in quantities if c.compare_quantity is None]
        for group, ignore in ((checked, False), (unchecked, True)):
            for chunk in _chunks(group, q.MAX_QUANTITIES_PER_SET):
                self._set_chunk(chunk, ignore, reason, reference_uri, outcome)
        return SetOutcome(**outcome)

    def _set_chunk(
        self,
        chunk: list[QuantityChange],
        ignore_compare: bool,
        reason: str,
        reference_uri: str | None,
        outcome: dict[str, list[Any]],
    ) -> None:
        pending = chunk
        while pending:
            errors = self._set_call(pending, ignore_compare, reason, reference_uri)
            if not errors:
                outcome["applied"].extend(pending)
                return
            outcome["errors"].extend(
                f"{e.code or 'ERROR'}: {e.message}" + (f" ({'.'.join(e.field)})" if e.field else "")
                for e in errors
                if e.code != STALE
            )
            by_index: dict[int, list[GqlUserError]] = {}
            for error in errors:
                index = _quantity_index(error.field, len(pending))
                by_index.setdefault(-1 if index is None else index, []).append(error)
            if -1 in by_index:
                # Shopify did not say which change it refused: the whole call is refused.
                stale = all(e.code == STALE for e in errors)
                outcome["stale" if stale else "failed"].extend(pending)
                return
            # It named the changes it refused: set those aside and send the rest again.
            for index, named in by_index.items():
                stale = all(e.code == STALE for e in named)
                outcome["stale" if stale else "failed"].append(pending[index])
            pending = [c for i, c in enumerate(pending) if i not in by_index]

    def _set_call(
        self,
        changes: list[QuantityChange],
        ignore_compare: bool,
        reason: str,
        reference_uri: str | None,
    ) -> list[GqlUserError]:
        items: list[dict[str, Any]] = []
        for change in changes:
            item: dict[str, Any] = {
                "inventoryItemId": change.inventory_item_id,
                "locationId": change.location_id,
                "quantity": change.quantity,
            }
            if change.compare_quantity is not None:
                item["compareQuantity"] = change.compare_quantity
            items.append(item)
        payload: dict[str, Any] = {"name": "available", "reason": reason, "quantities": items}
        if ignore_compare:
            payload["ignoreCompareQuantity"] = True
        if reference_uri:
            payload["referenceDocumentUri"] = reference_uri
        data = self.client.execute(q.INVENTORY_SET_QUANTITIES, {"input": payload})
        result = data.get("inventorySetQuantities") or {}
        return [
            _shape(GqlUserError, e, "inventorySetQuantities")
            for e in result.get("userErrors") or []
        ]

    # --------------------------------------------------------------- catalogue

    def listings_by_sku(self, skus: Sequence[str]) -> dict[str, Listing]:
        return self.catalog.listings_by_sku(skus)

    def unfinished_listings(self, skus: Sequence[str]) -> dict[str, Listing]:
        return self.catalog.unfinished_by_handle(skus)

    def create_listing(self, item: CatalogItem) -> Listing:
        return self.catalog.create(item)

    def sync_listing(self, listing: Listing, item: CatalogItem) -> bool:
        return self.catalog.sync(listing, item)

    def archive_listing(self, listing: Listing, sku: str) -> bool:
        return self.catalog.archive(listing, sku)

    # ---------------------------------------------------------------- webhooks

    def subscribe_webhooks(self, uri: str, topics: list[str]) -> dict[str, str]:
        """Make sure each topic ("orders/create") is delivered to `uri`; create what is missing.

        Returns the subscription id of every topic, existing or new.
        """
        data = self.client.execute(q.WEBHOOK_SUBSCRIPTIONS, {"first": 250})
        existing = {
            w.topic: w.id
            for w in (
                _shape(GqlWebhookSubscription, n, "webhookSubscriptions")
                for n in _nodes(data, "webhookSubscriptions")
            )
            if w.uri == uri
        }
        result: dict[str, str] = {}
        for topic in topics:
            enum = webhook_topic_enum(topic)
            if enum in existing:
                result[topic] = existing[enum]
                continue
            data = self.client.execute(
                q.WEBHOOK_SUBSCRIPTION_CREATE,
                {"topic": enum, "webhookSubscription": {"uri": uri, "format": "JSON"}},
            )
            created = data.get("webhookSubscriptionCreate") or {}
            errors = [
                _shape(GqlUserError, e, "webhookSubscriptionCreate")
                for e in created.get("userErrors") or []
            ]
            subscription = created.get("webhookSubscription")
            if errors or not isinstance(subscription, Mapping):
                messages = "; ".join(e.message for e in errors) or "no subscription returned"
                raise PermanentError(
                    f"could not subscribe {self.system} to {topic} at {uri}: {messages}"
                )
            result[topic] = _shape(
                GqlWebhookSubscription, subscription, "webhookSubscriptionCreate"
            ).id
            existing[enum] = result[topic]
        return result

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _nodes(data: Mapping[str, Any], connection: str) -> list[Any]:
    value = data.get(connection)
    nodes = value.get("nodes") if isinstance(value, Mapping) else None
    if not isinstance(nodes, list):
        raise InvalidPayloadError(f"unexpected Shopify answer: {connection}.nodes is missing")
    return nodes


def _quantity_index(field: list[str] | None, size: int) -> int | None:
    """The change a userError names: field ["input", "quantities", "3", ...] -> 3."""
    if not field or "quantities" not in field:
        return None
    position = field.index("quantities") + 1
    if position < len(field) and field[position].isdigit() and int(field[position]) < size:
        return int(field[position])
    return None
