"""WooCommerce as the channel contract's subject: the connector against the wire-compatible
sandbox (causeway_sandbox.woocommerce), through a Wire, with webhooks delivered to the
connector's own receiver; the sandbox's control API plays customer, merchant and time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.shopify.types import OrderChange
from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.connectors.woocommerce.ingress import WooCommerceIngress
from causeway.model import Order
from causeway_sandbox.woocommerce import WooSandboxServer, WooSandboxSettings
from tests.contract.connectors.channel_contract import Shown
from tests.contract.connectors.deliveries import Deliveries
from tests.contract.connectors.sandbox_channel import SandboxChannel
from tests.contract.connectors.wire import Wire, rest_call

SECRET = "contract-webhook-secret"
PAGE = 2  # small pages, so that every listing in the suite spans several


def sandbox_settings() -> WooSandboxSettings:
    # East of UTC, as the Shopify subject's shop: a stamp read in site time without its
    # zone would put the cursor ahead of the truth.
    return WooSandboxSettings(utc_offset_minutes=120)


class WooCommerceChannel(SandboxChannel):
    """The ChannelSubject of WooCommerce (tests/contract/connectors/channel_contract.py); its
    stock, webhooks and clock are SandboxChannel's."""

    name = "woocommerce"
    lacks: Mapping[str, str] = {
        "compare-and-set": "WooCommerce's REST API writes stock_quantity as given",
    }
    stock_write = rest_call("POST", r"/wc/v3/products/batch$")
    compare_and_set = False
    change_list_read = rest_call("GET", r"/wc/v3/orders$")
    catalog_write = rest_call("POST", r"/wc/v3/products/batch$")

    def __init__(
        self,
        woo: WooSandboxServer,
        wire: Wire,
        *,
        build: type[WooCommerceConnector] = WooCommerceConnector,
        parse_webhook: Callable[[dict[str, Any]], Order] | None = None,
    ) -> None:
        super().__init__()
        self.sandbox = woo
        self.wire = wire
        self.connector = build(
            wire.url,
            woo.consumer_key,
            woo.consumer_secret,
            webhook_secret=SECRET,
            system="woo",
            weight_unit="kg",
            retry=RetryPolicy(backoff_initial=0.05, backoff_max=0.2),
        )
        # The connector's own reader of webhook bodies, unless a negative check breaks it.
        self.parse_webhook = parse_webhook or self.connector.order_from_webhook
        self.hooks = Deliveries(WooCommerceIngress("woo", SECRET)).start()
        self.connector.subscribe_webhooks(self.hooks.url, ["order.created", "order.updated"])

    # -- the connector: orders ---------------------------------------------------------

    def changes_since(self, since: datetime | None) -> Sequence[OrderChange]:
        return list(self.connector.order_changes_since(since, page_size=PAGE))

    def polled(self, order_id: str) -> Order:
        return self.connector.order_from_polled(self.connector.order_node(order_id))

    def shows_edit(self, order: Order) -> bool:
        return order.fulfillment_status == "fulfilled"  # the status `completed`

    # -- the store's other actors (the sandbox's control API) ---------------------------

    def shown(self, sku: str) -> list[Shown]:
        found = httpx.get(
            self.sandbox.api_url + "products",
            params={"sku": sku, "status": "any"},
            auth=self.sandbox.auth,
            trust_env=False,
        ).json()
        return [(Decimal(p["price"]), p["status"] == "publish") for p in found]

    def refuse(self, sku: str) -> None:
        refused = {sku: "Products need a brand (a catalogue plugin's rule)."}
        self.sandbox.control("PUT", "refused-skus", json=refused)

    def stocked_product(self, quantity: int) -> str:
        sku = self.new_sku()
        product = {
            "name": sku,
            "sku": sku,
            "regular_price": "10.00",
            "manage_stock": True,
            "stock_quantity": quantity,
        }
        self.sandbox.control("POST", "products", json=product)
        return sku

    def sell(self, sku: str, quantity: int) -> str:
        checkout = {"lines": [{"sku": sku, "quantity": quantity}]}
        return str(self.sandbox.control("POST", "purchases", json=checkout).json()["id"])

    def edit(self, order_id: str) -> None:
        self.sandbox.control("POST", f"orders/{order_id}/status", json={"status": "completed"})
