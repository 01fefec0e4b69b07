"""The Amazon connector: a seller's Amazon orders, in canonical terms (the OrderChannel port).

This first slice reads orders: changed since a cursor (searchOrders by lastUpdatedAfter,
page by page), one order in full (getOrder), and both read into the canonical Order
(orders.py). Stock (listings feeds), shipment confirmation, ORDER_CHANGE notifications
and fees come in later slices (docs/connectors/amazon.md).

Two things keep the calls few, because searchOrders refills one request every three
minutes and getOrder one every two seconds:
- the search asks for the blocks the mapping reads (`includedData`), so an order the
  search listed is already whole: order_node hands back the search's own copy of it and
  calls getOrder only for an order the last search did not list;
- an order's items come with it in the search: there is no per-order items call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from causeway.config.systems import AmazonSystem
from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.amazon.client import AmazonClient
from causeway.connectors.amazon.models import SearchOrdersResponse, parse
from causeway.connectors.amazon.orders import order_from_amazon, parse_order
from causeway.connectors.http_retry import RetryPolicy
from causeway.engine.rate import RateBudgets
from causeway.errors import InvalidPayloadError, PermanentError
from causeway.model import Order
from causeway.model.ports.channel import OrderChange
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
    )
