"""Shopify as the channel contract's subject: the connector against the wire-compatible
sandbox (causeway_sandbox.shopify), through a Wire, with webhooks delivered to the
connector's own receiver; the sandbox's control API plays shopper, merchant and time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.shopify import product_queries as pq
from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.connectors.shopify.types import OrderChange
from causeway.model import Order
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from tests.contract.connectors.channel_contract import Shown
from tests.contract.connectors.deliveries import Deliveries
from tests.contract.connectors.sandbox_channel import SandboxChannel
from tests.contract.connectors.wire import Wire, graphql_operation

SECRET, TOKEN = "contract-webhook-secret", "shpat_contract"
PAGE = 2  # small pages, so that every listing in the suite spans several
EDIT_NOTE = "changed by the connector contract"  # what the merchant's edit writes


def sandbox_settings() -> SandboxSettings:
    # A shop east of UTC: a stamp read as local time without its zone would put the
    # cursor ahead of the truth here, and changes would be skipped, not merely re-read.
    return SandboxSettings(api_secret=SECRET, access_token=TOKEN, shop_utc_offset_minutes=120)


class ShopifyChannel(SandboxChannel):
    """The ChannelSubject of Shopify (tests/contract/connectors/channel_contract.py); its
    stock, webhooks and clock are SandboxChannel's."""

    name = "shopify"
    lacks: Mapping[str, str] = {}  # every capability of the contract
    stock_write = graphql_operation("InventorySetQuantities")
    compare_and_set = True
    change_list_read = graphql_operation("OrdersChangedSince")
    catalog_write = graphql_operation("ProductCreate")

    def __init__(
        self,
        shop: SandboxServer,
        wire: Wire,
        *,
        build: type[ShopifyConnector] = ShopifyConnector,
        parse_webhook: Callable[[dict[str, Any]], Order] = order_from_rest,
    ) -> None:
        super().__init__()
        self.sandbox = shop
        self.wire = wire
        self.connector = build(
            wire.url,
            shop.settings.access_token,
            system="shop",
            retry=RetryPolicy(backoff_initial=0.05, backoff_max=0.2),
        )
        self.parse_webhook = parse_webhook  # a negative check passes a broken parser
        self.hooks = Deliveries(ShopifyIngress("shop", shop.settings.api_secret)).start()
        self.connector.subscribe_webhooks(self.hooks.url, ["orders/create", "orders/updated"])

    # -- the connector: orders ---------------------------------------------------------

    def changes_since(self, since: datetime | None) -> list[OrderChange]:
        return list(self.connector.order_changes_since(since, page_size=PAGE))

    def polled(self, order_id: str) -> Order:
        return order_from_graphql(self.connector.order_node(order_id))

    def shows_edit(self, order: Order) -> bool:
        return order.note == EDIT_NOTE

    # -- the store's other actors (the sandbox's control API) ---------------------------

    def shown(self, sku: str) -> list[Shown]:
        response = httpx.post(
            self.sandbox.graphql_url,
            json={
                "query": pq.CATALOG_VARIANTS_BY_SKU,
                "variables": {"first": 10, "query": f'sku:"{sku}"'},
            },
            headers={"X-Shopify-Access-Token": TOKEN},
            trust_env=False,
        )
        nodes = response.json()["data"]["productVariants"]["nodes"]
        return [
            (Decimal(n["price"]), n["product"]["status"] == "ACTIVE")
            for n in nodes
            if n["sku"] == sku
        ]

    def refuse(self, sku: str) -> None:
        # A merchant's own product already holds the handle the SKU's product would get.
        mine = {"title": sku, "sku": f"HANDMADE-{sku}", "price": "1.00", "quantity": 0}
        self.sandbox.control("POST", "products", json=mine)

    def stocked_product(self, quantity: int) -> str:
        sku = self.new_sku()
        product = {"title": sku, "sku": sku, "price": "10.00", "quantity": quantity}
        self.sandbox.control("POST", "products", json=product)
        return sku

    def sell(self, sku: str, quantity: int) -> str:
        checkout = {
            "email": "ann@example.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "lines": [{"sku": sku, "quantity": quantity}],
        }
        return str(self.sandbox.control("POST", "orders", json=checkout).json()["id"])

    def edit(self, order_id: str) -> None:
        self.sandbox.control("POST", f"orders/{order_id}/update", json={"note": EDIT_NOTE})
