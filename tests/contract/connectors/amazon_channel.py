"""Amazon as the channel contract's subject: the connector (Selling Partner API) against the
Amazon sandbox (causeway_sandbox.amazon), through a Wire; the sandbox's control API plays
buyer, seller and time.

What Amazon lacks, it declares (`lacks`, listed in docs/connectors/writing-a-connector.md):
no catalogue publishing (catalog-to-channels does not take Amazon) and no compare-and-set
(a listing's quantity is written as given, by a JSON_LISTINGS_FEED). Its stock scenarios
still run through the feed: createFeed is the write whose answer the wire loses.

Amazon sends no order webhooks: an ORDER_CHANGE notification names the order, and the job
it starts reads the order with getOrder (flows/orders_to_erp/notified.py). So what was
"delivered" for an order here is the connector's getOrder read of it as each notification
found it, one right after each change (the buyer's checkout, the seller's edit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from causeway.connectors.amazon.auth import LwaCredentials
from causeway.connectors.amazon.connector import AmazonConnector
from causeway.connectors.http_retry import RetryPolicy
from causeway.model import Order
from causeway.model.ports.channel import OrderChange
from causeway_sandbox.amazon import AmazonSandboxServer
from causeway_sandbox.amazon.settings import AmazonSandboxSettings
from tests.contract.connectors.channel_contract import Shown
from tests.contract.connectors.sandbox_channel import SandboxChannel
from tests.contract.connectors.wire import Wire, rest_call

MARKETPLACE = "ATVPDKIKX0DER"
PAGE = 2  # small pages, so that every listing in the suite spans several
PRODUCT_TYPE = "PRODUCT"


def sandbox_settings() -> AmazonSandboxSettings:
    return AmazonSandboxSettings(feed_processing_s=0.05)


class AmazonChannel(SandboxChannel):
    """The ChannelSubject of Amazon (tests/contract/connectors/channel_contract.py); its
    stock operations are SandboxChannel's (the connector's StockChannel port)."""

    name = "amazon"
    lacks: Mapping[str, str] = {
        "catalogue": "catalog-to-channels does not publish to Amazon (listings are made in "
        "Seller Central); the hub sets their quantities only",
        "compare-and-set": "a JSON_LISTINGS_FEED or patchListingsItem writes the quantity as given",
    }
    stock_write = rest_call("POST", r"/feeds/2021-06-30/feeds$")  # createFeed
    compare_and_set = False
    change_list_read = rest_call("GET", r"/orders/2026-01-01/orders$")  # searchOrders
    catalog_write = rest_call("PUT", r"/listings/2021-08-01/items/")  # never made: lacked

    def __init__(
        self,
        amazon: AmazonSandboxServer,
        wire: Wire,
        *,
        build: type[AmazonConnector] = AmazonConnector,
    ) -> None:
        super().__init__()
        self.sandbox = amazon
        self.wire = wire
        s = amazon.settings
        self.connector = build(
            wire.url,
            LwaCredentials(
                token_url=amazon.token_url,
                client_id=s.client_id,
                client_secret=s.client_secret,
                refresh_token=s.refresh_token,
            ),
            marketplace_ids=[MARKETPLACE],
            selling_partner_id=s.selling_partner_id,
            system="amazon",
            retry=RetryPolicy(backoff_initial=0.05, backoff_max=0.2),
            feed_poll_every=0.05,
            feed_timeout=10.0,
        )
        self._notified: dict[str, list[Order]] = {}

    # -- the connector: orders ---------------------------------------------------------

    def changes_since(self, since: datetime | None) -> Sequence[OrderChange]:
        return list(self.connector.order_changes_since(since, page_size=PAGE))

    def polled(self, order_id: str) -> Order:
        return self.connector.order_from_polled(self.connector.order_node(order_id))

    def delivered(self, order_id: str) -> list[Order]:
        return list(self._notified.get(order_id, []))

    def _notify(self, order_id: str) -> None:
        """Amazon's ORDER_CHANGE for the change just made, read as the job it starts does."""
        self._notified.setdefault(order_id, []).append(self.polled(order_id))

    def shows_edit(self, order: Order) -> bool:
        return order.fulfillment_status == "fulfilled"  # the seller shipped it

    # -- the store's other actors (the sandbox's control API) ---------------------------

    def shown(self, sku: str) -> list[Shown]:
        raise NotImplementedError("Amazon lacks catalogue publishing: no listing to show")

    def refuse(self, sku: str) -> None:
        raise NotImplementedError("Amazon lacks catalogue publishing: nothing to refuse")

    def stocked_product(self, quantity: int) -> str:
        sku = self.new_sku()
        listing = {"sku": sku, "productType": PRODUCT_TYPE, "quantity": quantity}
        self.sandbox.control("POST", "listings", json=listing)
        return sku

    def sell(self, sku: str, quantity: int) -> str:
        checkout = {"lines": [{"sku": sku, "quantity": quantity, "unit_price": "10.00"}]}
        order_id = str(self.sandbox.control("POST", "checkouts", json=checkout).json()["orderId"])
        self._notify(order_id)
        return order_id

    def edit(self, order_id: str) -> None:
        # The seller ships it (Seller Central): a new version, lastUpdatedTime now.
        self.sandbox.control("PATCH", f"orders/{order_id}", json={"fulfillmentStatus": "SHIPPED"})
        self._notify(order_id)

    def let_time_pass(self, seconds: int) -> None:
        self.sandbox.control("POST", "clock", json={"advance_seconds": seconds})

    def close(self) -> None:
        self.connector.close()
