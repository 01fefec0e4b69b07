"""The flash sale's Amazon (bench/flash_sale.py): the Amazon sandbox as a selling marketplace
(a checkout takes the listing's DEFAULT quantity and is refused beyond it), its feeds
processed in FEED_PROCESSING_S, and each order's ORDER_CHANGE put on an SQS queue (moto's
server, spoken to with boto3 as the hub speaks to AWS) the moment the order is taken, as
Amazon's Notifications API does in production; the hub reads it with a 1 s long poll."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
from botocore.config import Config

from causeway_sandbox.amazon.server import AmazonSandboxServer
from causeway_sandbox.amazon.settings import AmazonSandboxSettings

MARKETPLACE = "ATVPDKIKX0DER"
REGION = "us-east-1"
KEY_ID = SECRET = "testing"  # moto's; nothing here may reach AWS
# Amazon takes minutes to process a JSON_LISTINGS_FEED; the sandbox takes this long, and
# the hub asks getFeed every FEED_POLL_EVERY: short enough for a bench, long enough to
# show a feed's cost against a store's single call. CAUSEWAY_BENCH_FEED_SECONDS=60 plays
# Amazon's real minutes (the other channels must not wait for them).
FEED_PROCESSING_S = float(os.environ.get("CAUSEWAY_BENCH_FEED_SECONDS", "2"))
FEED_POLL_EVERY = "500ms"
PRODUCT_TYPE = "PRODUCT"

_sqs_lock = threading.Lock()
_sqs_endpoint: str | None = None


def sqs_endpoint() -> str:
    """moto's SQS server on 127.0.0.1, started once for the whole benchmark."""
    global _sqs_endpoint
    with _sqs_lock:
        if _sqs_endpoint is None:
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

            server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            server.start()
            host, port = server.get_host_and_port()
            _sqs_endpoint = f"http://{host}:{port}"
        return _sqs_endpoint


def sqs_client(endpoint: str) -> Any:
    return boto3.client(
        "sqs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(retries={"total_max_attempts": 2}),
    )


@dataclass
class AmazonShelf:
    """One side's Amazon: the listing of its SKU, its buyers' checkouts, its queue."""

    sku: str
    server: AmazonSandboxServer
    queue_url: str
    sqs_endpoint: str
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.server.url, timeout=30)

    def shown(self) -> int:
        """The listing's DEFAULT quantity (feeds processed by now applied first)."""
        return int(self.client.get("/_sandbox/listings").json()[self.sku] or 0)

    def buy(self, buyer: int, price: str) -> bool:
        """One unit bought (the sandbox sends its ORDER_CHANGE to the queue, as Amazon
        does). False: refused (sold out)."""
        body = {
            "lines": [{"sku": self.sku, "quantity": 1, "unit_price": price}],
            "tax_rate": "0.10",
            "buyer_name": f"Flash Buyer {buyer}",
        }
        response = self.client.post("/_sandbox/checkouts", json=body)
        if response.status_code == 409:
            return False
        response.raise_for_status()  # Amazon puts its ORDER_CHANGE on the queue
        return True

    def sold(self) -> int:
        """Units of the SKU in the orders Amazon took: the measured figure."""
        orders, _ = self.server.sandbox.store.search(
            updated_after=datetime(2000, 1, 1, tzinfo=UTC),
            updated_before=None,
            marketplaces=[],
            included=[],
            page_size=1_000_000,
            after_key=None,
        )
        return sum(
            int(item["quantityOrdered"])
            for order in orders
            for item in order["orderItems"]
            if item["product"]["sellerSku"] == self.sku
        )

    def stock_writes(self) -> int:
        """Feeds created and listings patched: the hub's publishes to Amazon."""
        calls = self.client.get("/_sandbox/calls").json()
        return sum(
            1
            for c in calls
            if c["operation"] in ("createFeed", "patchListingsItem") and c["status"] < 300
        )

    def feeds(self) -> list[dict[str, Any]]:
        return list(self.client.get("/_sandbox/feeds").json())

    def close(self) -> None:
        self.client.close()
        self.server.stop()


def open_amazon(sku: str) -> AmazonShelf:
    """Amazon listing `sku` merchant-fulfilled with nothing in stock yet (the hub's first
    publish stocks it), selling from that listing, with a fresh ORDER_CHANGE queue."""
    settings = AmazonSandboxSettings(
        sell_from_listings=True, feed_processing_s=FEED_PROCESSING_S, marketplace_id=MARKETPLACE
    )
    server = AmazonSandboxServer(settings).start()
    seed = {"sku": sku, "productType": PRODUCT_TYPE, "quantity": 0, "itemName": f"Flash {sku}"}
    server.control("POST", "listings", json=seed)
    endpoint = sqs_endpoint()
    queue = sqs_client(endpoint).create_queue(
        QueueName=f"order-change-{sku.lower()}", Attributes={"VisibilityTimeout": "30"}
    )
    shelf = AmazonShelf(sku, server, str(queue["QueueUrl"]), endpoint)
    # The app's ORDER_CHANGE subscription: every order Amazon takes is notified there.
    server.control("POST", "notifications/destination", json=queue_settings(shelf))
    return shelf


def queue_settings(shelf: AmazonShelf) -> dict[str, Any]:
    return {
        "queue_url": shelf.queue_url,
        "region": REGION,
        "endpoint_url": shelf.sqs_endpoint,
        "access_key_id": KEY_ID,
        "secret_access_key": SECRET,
    }


def amazon_system(shelf: AmazonShelf) -> dict[str, Any]:
    """causeway.yaml's Amazon system for the shelf, its notifications read from the queue."""
    return shelf.server.system_config(
        feed_poll_every=FEED_POLL_EVERY,
        notifications={**queue_settings(shelf), "wait_seconds": 1},
    )
