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
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
from pydantic import BaseModel

from causeway.connectors.shopify import addresses, checkouts, fulfillments
from causeway.connectors.shopify import queries as q
from causeway.connectors.shopify.api_versions import API_VERSION, support_warning
from causeway.connectors.shopify.client import RetryPolicy, ShopifyGraphQL
from causeway.connectors.shopify.graphql_models import (
    GqlOrdersPage,
    GqlUserError,
    GqlWebhookSubscription,
    nodes_of,
    shaped,
)
from causeway.connectors.shopify.inventory import ShopifyInventory
from causeway.connectors.shopify.mapping import (
    gid_tail,
    order_from_graphql,
    order_from_rest,
    order_updated_at,
)
from causeway.connectors.shopify.payments import payment_from_rest
from causeway.connectors.shopify.products import Listing, ShopifyCatalog
from causeway.connectors.shopify.refunds import cancellation_from_rest, refund_from_rest
from causeway.connectors.shopify.types import (
    InventoryItemRef,
    Location,
    OrderChange,
    QuantityChange,
    SetOutcome,
)
from causeway.engine.rate import RateBudget
from causeway.errors import MissingMasterDataError, PermanentError
from causeway.model import Order
from causeway.model.carts import Cart, CartOrder
from causeway.model.catalog import CatalogItem
from causeway.model.payment import OrderPayment
from causeway.model.ports.carts import CartChannel
from causeway.model.ports.channel import (
    AnnouncedRefunds,
    Channel,
    FulfillmentState,
    PublishedFulfillment,
)
from causeway.model.ports.records import RecordAddresses
from causeway.model.returns import Cancellation, Refund

__all__ = [
    "InventoryItemRef",
    "Location",
    "OrderChange",
    "QuantityChange",
    "SetOutcome",
    "ShopifyConnector",
    "order_gid",
    "product_gid",
    "webhook_topic_enum",
]

log = logging.getLogger(__name__)


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def webhook_topic_enum(topic: str) -> str:
    """The WebhookSubscriptionTopic enum of a topic: orders/create -> ORDERS_CREATE."""
    return topic.strip().replace("/", "_").upper()


def order_gid(external_id: str) -> str:
    """The Order gid GraphQL wants for a numeric id (a gid passes through)."""
    return external_id if external_id.startswith("gid://") else f"gid://shopify/Order/{external_id}"


def product_gid(external_id: str) -> str:
    """The Product gid of a numeric id, as a products/update webhook names it (a gid
    passes through)."""
    if external_id.startswith("gid://"):
        return external_id
    return f"gid://shopify/Product/{external_id}"


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
        api_version: str = API_VERSION,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Raises ValueError for an api_version that is not YYYY-01/04/07/10."""
        self.system = system
        warning = support_warning(api_version, datetime.now(UTC).date())
        if warning:
            log.warning("%s: %s", system, warning)
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
        self.inventory = ShopifyInventory(self.client, system)

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """The record's page in the store's admin (addresses.py)."""
        return addresses.admin_url(self.client.shop_url, entity_type, external_id)

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
            page = shaped(GqlOrdersPage, data.get("orders"), "orders")
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

    # ------------------------------------------- webhook bodies and polled nodes
    # (the channel port's parsers: the inbox keeps Shopify's JSON, only this reads it)

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        return order_from_rest(body)

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        return order_from_graphql(node)

    def order_updated_at(self, body: bytes) -> datetime | None:
        return order_updated_at(body)

    def cart_from_webhook(self, body: dict[str, Any]) -> Cart:
        return checkouts.cart_from_rest(body)

    def cart_order_from_webhook(self, body: dict[str, Any]) -> CartOrder | None:
        return checkouts.cart_order_from_rest(body)

    def abandoned_carts_since(self, since: datetime | None, page_size: int = 10) -> Iterator[Cart]:
        """Checkouts not completed, updated at or after `since` (abandonedCheckouts)."""
        return checkouts.pages(self.client.execute, since, page_size)

    def payment_from_webhook(self, body: dict[str, Any]) -> OrderPayment:
        return payment_from_rest(body)

    def cancellation_from_webhook(self, body: dict[str, Any]) -> Cancellation:
        return cancellation_from_rest(body)

    # A polled order (GraphQL) lists no refunds: they come by refunds/create alone.
    polled_orders_list_refunds = False

    def refunds_announced(self, body: dict[str, Any]) -> AnnouncedRefunds:
        """A refunds/create body is one refund."""
        refund = refund_from_rest(body)
        return AnnouncedRefunds(
            order_external_id=refund.order_external_id, refund_ids=(refund.external_id,)
        )

    def refunds_from_webhook(self, body: dict[str, Any]) -> list[Refund]:
        return [refund_from_rest(body)]

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

    def fulfillment_state(self, order_id: str) -> FulfillmentState:
        """order_fulfillment in the channel port's terms."""
        return fulfillments.as_state(self.order_fulfillment(order_id))

    def publish_fulfillment(
        self,
        lines: Sequence[fulfillments.FulfillmentLine],
        *,
        tracking: fulfillments.Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        """create_fulfillment in the channel port's terms."""
        created = self.create_fulfillment(lines, tracking=tracking, notify_customer=notify_customer)
        return fulfillments.as_published(created)

    # --------------------------------------------------------------- locations

    def locations(self) -> list[Location]:
        data = self.client.execute(q.LOCATIONS, {"first": 250})
        return [shaped(Location, node, "locations") for node in nodes_of(data, "locations")]

    def primary_location_id(self) -> str:
        """The first active location: where stock goes when none is configured."""
        for location in self.locations():
            if location.is_active:
                return location.id
        raise MissingMasterDataError(
            f"{self.system} has no active location: activate one in Shopify, or set "
            f"`location` in the {self.system} configuration"
        )

    # --------------------------------------------------------------- inventory
    # (inventory.py: SKU lookup, reading and setting `available` with compare-and-set)

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, InventoryItemRef]:
        return self.inventory.items_by_sku(skus)

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str
    ) -> dict[str, int]:
        return self.inventory.available(inventory_item_ids, location_id)

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        return self.inventory.set_available(quantities, reason=reason, reference_uri=reference_uri)

    # --------------------------------------------------------------- catalogue

    def listings_by_sku(self, skus: Sequence[str]) -> dict[str, Listing]:
        return self.catalog.listings_by_sku(skus)

    def unfinished_listings(self, skus: Sequence[str]) -> dict[str, Listing]:
        return self.catalog.unfinished_by_handle(skus)

    def create_listing(self, item: CatalogItem) -> Listing:
        return self.catalog.create(item)

    def sync_listing(self, listing: Listing, item: CatalogItem) -> bool:
        return self.catalog.sync(listing, item)

    def publish_listings(
        self, items: Mapping[str, tuple[Listing | None, CatalogItem]]
    ) -> dict[str, Listing | PermanentError]:
        return self.catalog.publish(items)

    def archive_listing(self, listing: Listing, sku: str) -> bool:
        return self.catalog.archive(listing, sku)

    def product_id_of(self, webhook_id: str) -> str:
        return product_gid(webhook_id)

    # ---------------------------------------------------------------- webhooks

    def access_scopes(self) -> tuple[str, set[str]]:
        """(the shop's name, the access scopes its merchant granted this app)."""
        data = self.client.execute(q.APP_ACCESS)
        shop = data.get("shop") or {}
        installation = data.get("currentAppInstallation") or {}
        scopes = {
            str(scope.get("handle"))
            for scope in installation.get("accessScopes") or []
            if isinstance(scope, Mapping)
        }
        return str(shop.get("name") or self.system), scopes

    def webhook_subscriptions(self, uri: str) -> dict[str, str]:
        """Topic enum (ORDERS_CREATE) -> subscription id, of the subscriptions to `uri`."""
        data = self.client.execute(q.WEBHOOK_SUBSCRIPTIONS, {"first": 250})
        return {
            w.topic: w.id
            for w in (
                shaped(GqlWebhookSubscription, n, "webhookSubscriptions")
                for n in nodes_of(data, "webhookSubscriptions")
            )
            if w.uri == uri
        }

    def subscribe_webhooks(self, uri: str, topics: list[str]) -> dict[str, str]:
        """Make sure each topic ("orders/create") is delivered to `uri`; create what is missing.

        Returns the subscription id of every topic, existing or new.
        """
        existing = self.webhook_subscriptions(uri)
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
                shaped(GqlUserError, e, "webhookSubscriptionCreate")
                for e in created.get("userErrors") or []
            ]
            subscription = created.get("webhookSubscription")
            if errors or not isinstance(subscription, Mapping):
                messages = "; ".join(e.message for e in errors) or "no subscription returned"
                raise PermanentError(
                    f"could not subscribe {self.system} to {topic} at {uri}: {messages}"
                )
            result[topic] = shaped(
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


if TYPE_CHECKING:  # mypy checks here that the connector is every port it claims to be

    def _is_a_channel(connector: ShopifyConnector) -> Channel[Listing]:
        return connector

    def _gives_addresses(connector: ShopifyConnector) -> RecordAddresses:
        return connector

    def _gives_carts(connector: ShopifyConnector) -> CartChannel:
        return connector
