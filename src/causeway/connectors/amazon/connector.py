"""The Amazon connector: a seller's Amazon orders, in canonical terms (the OrderChannel port).

It reads orders: changed since a cursor (searchOrders by lastUpdatedAfter, page by page),
one order in full (getOrder), and both read into the canonical Order (orders.py). Stock
goes out by listings feeds and patches (stock.py: the StockChannel port); a shipment done
in the ERP is confirmed with its carrier and tracking (shipments.py: the
FulfillmentChannel port). ORDER_CHANGE notifications and fees come in later slices
(docs/connectors/amazon.md).

Two things keep the calls few, because searchOrders refills one request every three
minutes and getOrder one every two seconds:
- the search asks for the blocks the mapping reads (`includedData`), so an order the
  search listed is already whole: order_node hands back the search's own copy of it and
  calls getOrder only for an order the last search did not list;
- an order's items come with it in the search: there is no per-order items call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from causeway.config.systems import AmazonSystem
from causeway.connectors.amazon import account_fees, finances, notified_units
from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.feeds import FeedSubmitter
from causeway.connectors.amazon.listings import AmazonStockItem, Listings
from causeway.connectors.amazon.models import SearchOrdersResponse, parse
from causeway.connectors.amazon.orders import order_from_amazon, parse_order
from causeway.connectors.amazon.shipments import AmazonShipments
from causeway.connectors.amazon.stock import AmazonStock
from causeway.connectors.http_retry import RetryPolicy
from causeway.engine.rate import RateBudgets
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import Order
from causeway.model.ports.channel import (
    FulfillmentLine,
    FulfillmentState,
    OrderChange,
    PublishedFulfillment,
    QuantityChange,
    SetOutcome,
    Tracking,
)
from causeway.model.ports.fees import AccountFeePeriods, OrderFees, RefundedOrders
from causeway.model.returns import Cancellation

ORDERS_PATH = "/orders/2026-01-01/orders"
# The blocks the mapping reads, and no more: each one Amazon leaves out is work it
# does not do and data (a buyer's) the hub does not hold.
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT")
MAX_PER_PAGE = 100
# Amazon's search is eventually consistent: an order updated a moment ago can show up in
# it a little later with its earlier lastUpdatedTime. Each search therefore reaches this
# far back before the cursor it is given (beside the engine's own overlap), and the hub
# drops the versions it already has.
SEARCH_OVERLAP = timedelta(minutes=2)
# "Every order" (no cursor yet): Amazon keeps orders searchable for about two years.
EVERY_ORDER_SINCE = timedelta(days=730)


class AmazonConnector:
    """One selling account's orders in the configured marketplaces (`system`)."""

    def __init__(
        self,
        endpoint: str,
        credentials: LwaCredentials,
        *,
        marketplace_ids: list[str],
        selling_partner_id: str,
        budgets: RateBudgets | None = None,
        system: str = "amazon",
        timeout: float = 30.0,
        search_overlap: timedelta = SEARCH_OVERLAP,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        feed_poll_every: float = 15.0,
        feed_timeout: float = 900.0,
    ) -> None:
        if not marketplace_ids:
            raise ValueError("an Amazon connector needs at least one marketplace id")
        self.system = system
        self.marketplace_ids = list(marketplace_ids)
        self.search_overlap = search_overlap
        self.client = AmazonClient(
            endpoint,
            credentials,
            selling_partner_id=selling_partner_id,
            budgets=budgets,
            timeout=timeout,
            retry=retry,
            transport=transport,
        )
        # The last search's copy of each order it listed, for order_node (see above).
        self._searched: dict[str, dict[str, Any]] = {}
        self.shipments = AmazonShipments(self.client, self.marketplace_ids)
        self.stock = AmazonStock(
            Listings(self.client, seller_id=selling_partner_id, marketplace_ids=marketplace_ids),
            FeedSubmitter(
                self.client,
                marketplace_ids=marketplace_ids,
                poll_every=feed_poll_every,
                timeout=feed_timeout,
            ),
            system=system,
        )

    # ------------------------------------------------------------------ orders

    def search_pages(
        self, updated_after: datetime, page_size: int = MAX_PER_PAGE
    ) -> Iterator[SearchOrdersResponse]:
        """Each page of searchOrders for orders updated at or after `updated_after`."""
        params: dict[str, Any] = {
            "lastUpdatedAfter": _iso(updated_after),
            "marketplaceIds": self.marketplace_ids,
            "includedData": INCLUDED_DATA,
            "maxResultsPerPage": max(1, min(page_size, MAX_PER_PAGE)),
        }
        while True:
            body = self.client.get("searchOrders", ORDERS_PATH, params)
            if isinstance(body, dict) and isinstance(body.get("orders"), list):
                for raw in body["orders"]:
                    parse_order(raw)  # a bad order is named by its id, not its position
            page = parse(SearchOrdersResponse, body, "searchOrders answer")
            for raw in body["orders"]:
                self._searched[raw["orderId"]] = raw
            yield page
            token = page.pagination.nextToken if page.pagination else None
            if not token:
                return
            # A next page is asked with the token alone beside the marketplaces and the
            # data sets: Amazon refuses the filters again next to it.
            params = {
                "paginationToken": token,
                "marketplaceIds": self.marketplace_ids,
                "includedData": INCLUDED_DATA,
                "maxResultsPerPage": params["maxResultsPerPage"],
            }

    def order_changes_since(
        self, since: datetime | None, page_size: int = MAX_PER_PAGE
    ) -> Iterator[OrderChange]:
        """Orders changed at or after `since` (a little before it: SEARCH_OVERLAP), oldest
        change first, each once in its newest version.

        Amazon does not say in which order its pages come, so every page is read before
        anything is yielded: an order updated while the pages are read is listed in the
        version the search saw, and its newer change is after the cursor this read leaves.
        """
        now = datetime.now(UTC)
        start = (now - EVERY_ORDER_SINCE) if since is None else _aware(since) - self.search_overlap
        self._searched = {}
        newest: dict[str, datetime] = {}
        for page in self.search_pages(start, page_size):
            for order in page.orders:
                known = newest.get(order.orderId)
                if known is None or order.lastUpdatedTime > known:
                    newest[order.orderId] = order.lastUpdatedTime
        for order_id, updated in sorted(newest.items(), key=lambda kv: (kv[1], kv[0])):
            yield OrderChange(external_id=order_id, updated_at=updated)
        # The poll that read these changes is done: a later order_node (an ORDER_CHANGE
        # notification's) must get the order as it is then, not as this search saw it.
        self._searched = {}

    def order_node(self, external_id: str) -> dict[str, Any]:
        """The order as the last search listed it, or else as getOrder gives it."""
        cached = self._searched.pop(external_id, None)
        if cached is not None:
            return cached
        body = self.client.get(
            "getOrder", f"{ORDERS_PATH}/{external_id}", {"includedData": INCLUDED_DATA}
        )
        if not isinstance(body, dict) or not isinstance(body.get("order"), dict):
            raise InvalidPayloadError(f"Amazon getOrder {external_id} answered without an order")
        return dict(body["order"])

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        return order_from_amazon(node)

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        """Amazon has no order webhooks: its ORDER_CHANGE notifications come through an SQS
        queue and name the order, which is then read with getOrder (a later slice)."""
        raise PermanentError(
            "Amazon sends no order webhooks: its orders come in by the poll (searchOrders); "
            "a body that reached the webhook receiver for an Amazon system is not Amazon's"
        )

    def cancellation_from_webhook(self, body: dict[str, Any]) -> Cancellation | None:
        """Amazon has no cancellation webhook: a cancelled order comes as a polled order
        whose state is CANCELLED (CancellationChannel reads it with order_from_polled)."""
        raise PermanentError(
            "Amazon sends no cancellation webhooks: its cancelled orders come in by the poll "
            "and its ORDER_CHANGE notifications; a body that reached the webhook receiver "
            "for an Amazon system is not Amazon's"
        )

    def order_updated_at(self, body: bytes) -> datetime | None:
        try:
            return parse_order(json.loads(body)).lastUpdatedTime
        except (ValueError, InvalidPayloadError):
            return None

    def units_notified(self, body: bytes) -> dict[str, Decimal]:
        """The units an ORDER_CHANGE names, held until the order is fetched (NotifiedUnits)."""
        return notified_units.units_notified(body)

    # ------------------------------------------------------------------- stock

    def primary_location_id(self) -> str:
        return self.stock.primary_location_id()

    def inventory_items_by_sku(self, skus: list[str]) -> dict[str, AmazonStockItem]:
        return self.stock.inventory_items_by_sku(skus)

    def available_quantities(
        self, inventory_item_ids: list[str], location_id: str
    ) -> dict[str, int]:
        return self.stock.available_quantities(inventory_item_ids, location_id)

    def set_available(
        self,
        quantities: list[QuantityChange],
        *,
        reason: str = "correction",
        reference_uri: str | None = None,
    ) -> SetOutcome:
        return self.stock.set_available(quantities, reason=reason, reference_uri=reference_uri)

    @property
    def settle_every(self) -> float:
        return self.stock.settle_every

    @property
    def settle_within(self) -> float:
        return self.stock.settle_within

    def settled(self, receipt: str, submitted: Sequence[QuantityChange]) -> SetOutcome | None:
        """What Amazon made of a feed set_available submitted (stock.py); None: not yet."""
        return self.stock.settled(receipt, submitted)

    # ------------------------------------------------------------- shipments

    def fulfillment_state(self, order_id: str) -> FulfillmentState:
        """The order's items left to ship and its packages so far (shipments.py)."""
        return self.shipments.state(order_id)

    def publish_fulfillment(
        self,
        lines: Sequence[FulfillmentLine],
        *,
        tracking: Tracking | None = None,
        notify_customer: bool = False,
    ) -> PublishedFulfillment:
        """Confirm one package with its carrier and tracking (Amazon tells the buyer)."""
        return self.shipments.confirm(lines, tracking)

    # -------------------------------------------------------------------- fees

    def order_fees(self, external_id: str, page_size: int = finances.MAX_PER_PAGE) -> OrderFees:
        """The order's marketplace fees posted so far (ChannelFees port; finances.py)."""
        return finances.order_fees(self.client, external_id, page_size)

    def refunded_orders_since(
        self, since: datetime, page_size: int = finances.MAX_PER_PAGE
    ) -> RefundedOrders:
        """The orders with refund events posted since `since` (ChannelFees port; one paged
        listFinancialEvents over every order, finances.py)."""
        return finances.refunded_orders_since(self.client, since, page_size=page_size)

    def account_fees_since(
        self, since: datetime, page_size: int = finances.MAX_PER_PAGE
    ) -> AccountFeePeriods:
        """The settlement periods started since `since`: the closed ones with their
        account fees, the open ones named (ChannelFees port; account_fees.py)."""
        return account_fees.account_fees_since(self.client, since, page_size=page_size)

    def close(self) -> None:
        self.client.close()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _iso(value: datetime) -> str:
    return _aware(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_connector(name: str, system: AmazonSystem, budgets: RateBudgets) -> AmazonConnector:
    """The connector of a configured `type: amazon` system."""
    return AmazonConnector(
        system.endpoint,
        LwaCredentials(
            token_url=system.token_url,
            client_id=system.client_id.get_secret_value(),
            client_secret=system.client_secret.get_secret_value(),
            refresh_token=system.refresh_token.get_secret_value(),
        ),
        marketplace_ids=system.marketplace_ids,
        selling_partner_id=system.selling_partner_id,
        budgets=budgets,
        system=name,
        timeout=system.timeout,
        feed_poll_every=system.feed_poll_every,
        feed_timeout=system.feed_timeout,
    )
