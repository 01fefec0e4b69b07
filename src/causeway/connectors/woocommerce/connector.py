"""The WooCommerce connector: what flows ask of a WooCommerce store, in canonical terms.

It is a channel (model/ports/channel.py), as ShopifyConnector is, so that the flows
serving a Shopify store serve a WooCommerce one the same way: orders changed since a
cursor and one order in full, stock read and set by SKU, the catalogue published by SKU,
fulfilments, webhook subscriptions. It adds what only a WooCommerce
store needs: payments, cancellations and refunds read from an order (WooCommerce has
no topics of their own), order status writes, order notes, and the health of its
webhooks, which WooCommerce disables after 5 failed deliveries.

It speaks only through WooCommerceClient (auth, pages, the host's limits, retries);
each concern lives in its own module, named below where it is used.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

import httpx

from causeway.config.systems import WooCommerceSystem
from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.woocommerce import addresses, order_events, webhook_health
from causeway.connectors.woocommerce.catalog import StoreWeightUnit
from causeway.connectors.woocommerce.client import MAX_PER_PAGE, Auth, WooCommerceClient
from causeway.connectors.woocommerce.fulfillment import TrackingMode, WooFulfillment
from causeway.connectors.woocommerce.models import WooOrder, WooOrderStamp, parse
from causeway.connectors.woocommerce.orders import order_from_woo, parse_order
from causeway.connectors.woocommerce.products import Listing, WooCatalog
from causeway.connectors.woocommerce.refunds import refund_from_woo
from causeway.connectors.woocommerce.refusals import WooCommerceNotFound
from causeway.connectors.woocommerce.stock import STORE_LOCATION, Location, StockItem, WooStock
from causeway.connectors.woocommerce.webhooks import woo_topics
from causeway.engine.rate import RateBudget, RateBudgets
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import Order
from causeway.model.catalog import CatalogItem
from causeway.model.payment import OrderPayment
from causeway.model.ports.channel import (
    AnnouncedRefunds,
    CancellationChannel,
    CatalogChannel,
    FulfillmentChannel,
    FulfillmentLine,
    FulfillmentState,
    OrderChange,
    OrderChannel,
    PaymentChannel,
    PublishedFulfillment,
    QuantityChange,
    RefundChannel,
    SetOutcome,
    StockChannel,
    Tracking,
)
from causeway.model.ports.records import RecordAddresses
from causeway.model.returns import Cancellation, Refund

log = logging.getLogger(__name__)

# WooCommerce's modified_after is exclusive and to the second: read from a second
# before the cursor, so a change in the cursor's own second is not missed.
MODIFIED_AFTER_MARGIN = timedelta(seconds=1)


class WooCommerceConnector:
    """One configured WooCommerce store (`system`), over one REST key."""

    # stock-to-channels reads this: no compare-and-set on stock_quantity (stock.py).
    compare_and_set = False
    # returns-to-erp reads this: a polled order is the webhook's JSON, refunds listed.
    polled_orders_list_refunds = True

    def __init__(
        self,
        url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        webhook_secret: str = "",
        auth: Auth = "header",
        budget: RateBudget | None = None,
        timeout: float = 30.0,
        per_page: int = MAX_PER_PAGE,
        system: str = "woo",
        weight_unit: StoreWeightUnit | None = None,
        shipment_tracking: TrackingMode = "auto",
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.system = system
        self.webhook_secret = webhook_secret
        self.client = WooCommerceClient(
            url,
            consumer_key,
            consumer_secret,
            auth=auth,
            budget=budget,
            timeout=timeout,
            per_page=per_page,
            retry=retry,
            transport=transport,
        )
        self.stock = WooStock(self.client, system)
        self.catalog = WooCatalog(self.client, system, weight_unit)
        self.fulfillment = WooFulfillment(self.client, system, shipment_tracking)
        # What the last look at the webhooks found (subscribe_webhooks, webhook_health):
        # its disabled_topics are what the hub alerts on (note_disabled_webhooks).
        self.last_webhook_health: webhook_health.WebhookHealth | None = None

    def record_url(self, entity_type: str, external_id: str) -> str | None:
        """The record's edit screen in the store's wp-admin (addresses.py)."""
        return addresses.admin_url(self.client.site_url, entity_type, external_id)

    # ------------------------------------------------------------------ orders

    def order_changes_since(
        self, since: datetime | None, page_size: int = MAX_PER_PAGE
    ) -> Iterator[OrderChange]:
        """Orders changed at or after `since` (every order when None), each once.

        Read newest change first: an order that changes (or is placed) while the pages
        are read moves to the front, onto a page already read, so the pages after it
        shift by one and an order is read twice (and yielded once), not skipped; its new
        change is newer than the poll's cursor, so the next poll reads it. Only an order
        leaving the list meanwhile (trashed) shifts the other way and can hide one order
        from this poll, whose webhook brought it anyway. A poll that fails half-way leaves
        its cursor where it was, and the next one reads it all again.
        """
        params: dict[str, Any] = {"orderby": "modified", "order": "desc", "dates_are_gmt": "true"}
        if since is not None:
            when = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
            after = when.replace(microsecond=0) - MODIFIED_AFTER_MARGIN
            params["modified_after"] = after.strftime("%Y-%m-%dT%H:%M:%S")
        seen: set[int] = set()
        for raw in self.client.items("/orders", params, per_page=page_size):
            try:
                stamp = parse(WooOrderStamp, raw, "order")
            except InvalidPayloadError as exc:
                log.warning("%s: an order in the list is unreadable, skipped: %s", self.system, exc)
                continue
            if stamp.id in seen or stamp.date_modified_gmt is None:
                continue
            seen.add(stamp.id)
            yield OrderChange(external_id=str(stamp.id), updated_at=stamp.date_modified_gmt)

    def order_node(self, external_id: str) -> dict[str, Any]:
        """One order as WooCommerce sends it (the webhook body's shape), kept raw for the
        inbox: an order that does not map is parked by its job, not by the poll."""
        try:
            # The default (view) context: what a webhook body holds, so both map the same.
            node = self.client.get(f"/orders/{external_id}")
        except WooCommerceNotFound:
            raise PermanentError(
                f"order {external_id} not found in {self.system}: it was deleted (or is in "
                f"the trash), or the id belongs to another store"
            ) from None
        if not isinstance(node, dict):
            raise InvalidPayloadError(f"{self.system} answered order {external_id} with no object")
        return node

    def order(self, external_id: str) -> Order:
        """One order by its id ("727"), in canonical form."""
        return order_from_woo(self.order_node(external_id))

    # The readers of stored bodies: a webhook's and a polled order are the same JSON.
    def order_from_webhook(self, body: Mapping[str, Any]) -> Order:
        return order_from_woo(body)

    def order_from_polled(self, node: Mapping[str, Any]) -> Order:
        return order_from_woo(node)

    def order_updated_at(self, body: bytes) -> datetime | None:
        return order_events.order_updated_at(body)

    # ------------------------------------------------ payments, cancellations, refunds

    def payment_from_webhook(self, body: Mapping[str, Any]) -> OrderPayment:
        return order_events.payment_from_woo(body)

    def cancellation_from_webhook(self, body: Mapping[str, Any]) -> Cancellation | None:
        return order_events.cancellation_from_woo(body)

    def payment(self, external_id: str) -> OrderPayment:
        return order_events.payment_from_woo(self.order_node(external_id))

    def cancellation(self, external_id: str) -> Cancellation | None:
        return order_events.cancellation_from_woo(self.order_node(external_id))

    def refunds(self, external_id: str) -> list[Refund]:
        """The order's refunds (GET /orders/{id}/refunds), oldest first, with their lines."""
        return self._refunds_of(parse_order(self.order_node(external_id)))

    def refunds_announced(self, body: Mapping[str, Any]) -> AnnouncedRefunds:
        """WooCommerce has no refund topic: the update of a refunded order (received as
        refunds/create too, ingress.py) lists every refund of the order by id."""
        return order_events.refunds_listed(body)

    def refunds_from_webhook(self, body: Mapping[str, Any]) -> list[Refund]:
        """The refunds of the order in an order update (or a polled order, the same JSON),
        read from the store. Their lines map onto the order as this body shows it, the
        first to announce them: a restocked line comes back if the order was completed
        by then (refunds.py), so one refunded before shipping stays a cancellation."""
        return self._refunds_of(parse_order(body))

    def _refunds_of(self, order: WooOrder) -> list[Refund]:
        found = [
            refund_from_woo(raw, order) for raw in self.client.items(f"/orders/{order.id}/refunds")
        ]
        return sorted(found, key=lambda r: (r.created_at, int(r.external_id)))

    # ---------------------------------------------------------- order writes

    def set_order_status(self, external_id: str, status: str) -> None:
        """processing, completed, cancelled or refunded (fulfillment.py says what each does)."""
        self.fulfillment.set_status(external_id, status)

    def add_order_note(self, external_id: str, note: str, *, customer_note: bool = False) -> int:
        return self.fulfillment.add_note(external_id, note, customer_note=customer_note)

    # ------------------------------------------------------------ fulfillments

    def fulfillment_state(self, order_id: str) -> FulfillmentState:
        """The order's lines left to ship and its shipments so far (fulfillment.py)."""
        return self.fulfillment.state(order_id)

    def publish_fulfillment(
        self,
        lines: Sequence[FulfillmentLine],
        *,
        tracking: Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        """Record a shipment: an order note, the order's meta (and the Shipment Tracking
        extension's), and `completed` once nothing is left to ship."""
        return self.fulfillment.ship(lines, tracking=tracking, notify_customer=notify_customer)

    # --------------------------------------------------------------- locations

    def locations(self) -> list[Location]:
        return [STORE_LOCATION]

    def primary_location_id(self) -> str:
        """WooCommerce has no locations: one stands for the store's stock."""
        return STORE_LOCATION.id

    # --------------------------------------------------------------- inventory
    # (stock.py: which product or variation holds a SKU; absolute stock_quantity)

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, StockItem]:
        return self.stock.items_by_sku(skus)

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str = STORE_LOCATION.id
    ) -> dict[str, int]:
        return self.stock.available(inventory_item_ids)

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        """Absolute quantities; WooCommerce has no compare-and-set (stock.py), and keeps no
        reason or reference for a stock change."""
        return self.stock.set_available(quantities)

    # --------------------------------------------------------------- catalogue

    def listings_by_sku(self, skus: Sequence[str]) -> dict[str, Listing]:
        return self.catalog.listings_by_sku(skus)

    def unfinished_listings(self, skus: Sequence[str]) -> dict[str, Listing]:
        """None: a WooCommerce product gets its SKU in the request that creates it, so a
        create that landed is found by listings_by_sku (products.py)."""
        return {}

    def create_listing(self, item: CatalogItem) -> Listing:
        return self.catalog.create(item)

    def sync_listing(self, listing: Listing, item: CatalogItem) -> bool:
        return self.catalog.sync(listing, item)

    def archive_listing(self, listing: Listing, sku: str) -> bool:
        return self.catalog.archive(listing, sku)

    def product_id_of(self, webhook_id: str) -> str:
        """A product.updated webhook names the product, or the variation, that changed:
        the id its listing carries (products.Listing.product_id)."""
        return webhook_id

    def publish_listings(
        self, items: Mapping[str, tuple[Listing | None, CatalogItem]]
    ) -> dict[str, Listing | PermanentError]:
        """Many SKUs in batches of 100: each SKU's listing, or why the store refused it."""
        return self.catalog.publish(items)

    # ---------------------------------------------------------------- webhooks

    def webhook_subscriptions(self, uri: str) -> dict[str, int]:
        """Topic ("order.created") -> webhook id, of the active webhooks delivering to `uri`."""
        return {
            w.topic: w.id
            for w in webhook_health.webhooks_at(self.client, uri)
            if w.status == "active"
        }

    def subscribe_webhooks(self, uri: str, topics: list[str]) -> dict[str, int]:
        """Make sure each topic (the hub's, orders/create, or WooCommerce's, order.created)
        is delivered to `uri`: create what is missing, switch disabled webhooks back on.
        Returns the webhook id of every WooCommerce topic delivering."""
        return self.webhook_health(uri, topics, create=True).delivering

    def webhook_health(
        self, uri: str, topics: Sequence[str], *, create: bool = False
    ) -> webhook_health.WebhookHealth:
        """The webhooks to `uri` of `topics` (as in subscribe_webhooks), disabled ones
        switched back on (webhook_health.py); the report's `disabled_topics`, named as
        WooCommerce's admin shows them, are what the hub alerts on."""
        self.last_webhook_health = webhook_health.look_after(
            self.client,
            uri,
            woo_topics(topics),
            secret=self.webhook_secret,
            system=self.system,
            create=create,
        )
        return self.last_webhook_health

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def build_connector(
    name: str, system: WooCommerceSystem, budgets: RateBudgets
) -> WooCommerceConnector:
    """The connector of a configured WooCommerce system, on its credential's budget."""
    key = system.consumer_key.get_secret_value()
    # One budget per key: every flow using it shares it.
    budget = budgets.for_credential(
        "woocommerce",
        system.url,
        key,
        capacity=max(1.0, 2 * system.requests_per_second),
        refill_per_second=system.requests_per_second,
    )
    return WooCommerceConnector(
        system.url,
        key,
        system.consumer_secret.get_secret_value(),
        webhook_secret=system.webhook_secret.get_secret_value(),
        auth=system.auth,
        budget=budget,
        timeout=system.timeout,
        per_page=system.per_page,
        system=name,
        weight_unit=system.weight_unit,
        shipment_tracking=system.shipment_tracking,
    )


if TYPE_CHECKING:  # mypy checks here that the connector is every port it claims to be

    def _ports(
        connector: WooCommerceConnector,
    ) -> tuple[
        OrderChannel,
        PaymentChannel,
        CancellationChannel,
        RefundChannel,
        StockChannel,
        CatalogChannel[Listing],
        FulfillmentChannel,
    ]:
        return (connector, connector, connector, connector, connector, connector, connector)

    def _gives_addresses(connector: WooCommerceConnector) -> RecordAddresses:
        return connector
