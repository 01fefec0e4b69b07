"""Abandoned carts end to end against the Shopify sandbox: its signed checkouts/* and
orders/create webhooks go through the Shopify ingress (signature verified) into the
inbox, the carts flow runs on a worker, and the abandonment clock is driven by the test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import orjson
import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.shopify.webhooks import sign_body
from causeway.engine import carts
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.jobs import JobQueue, NewJob
from causeway.engine.store import Store
from causeway.engine.worker import Worker
from causeway.flows.carts import (
    ABANDONED,
    COMPLETED,
    NAME,
    OPEN,
    RECOVERED,
    TOPICS,
    Carts,
    cart_job,
)
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from tests.sandbox.test_shopify_sandbox import SECRET, TOKEN, Receiver, stock, subscribe

SYSTEM = "shop"
HOUR = 3600.0
WEBHOOKS = ("CHECKOUTS_CREATE", "CHECKOUTS_UPDATE", "ORDERS_CREATE")


class Hub:
    """The parts of the hub a cart goes through: ingress, inbox, jobs, a worker, the flow,
    and a clock the test moves."""

    def __init__(self, store: Store, shop: SandboxServer, hook: Receiver) -> None:
        self.store, self.shop, self.hook = store, shop, hook
        self.now = time.time()
        self.queue = JobQueue(store)
        self.inbox = Inbox(store, self.queue, self.route)
        self.ingress = ShopifyIngress(SYSTEM, SECRET)
        self.flow = Carts(
            store,
            self.inbox,
            channels={SYSTEM: ShopifyConnector(shop.url, TOKEN, system=SYSTEM)},
            abandon_after=timedelta(hours=1),
            clock=lambda: self.now,
        )
        self.worker = Worker(store, self.queue, {NAME: self.flow})
        self.fed = 0

    @staticmethod
    def route(record: InboxRecord, inbox_id: int) -> list[NewJob]:
        return [cart_job(record, inbox_id)] if record.topic in TOPICS else []

    def deliveries(self) -> list[tuple[dict[str, str], bytes]]:
        """The webhooks the sandbox has sent since the last call, as received."""
        assert self.shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]
        new = self.hook.requests[self.fed :]
        self.fed = len(self.hook.requests)
        return new

    def receive(self, deliveries: list[tuple[dict[str, str], bytes]]) -> None:
        for headers, body in deliveries:
            self.inbox.accept(self.ingress.records("POST", "/webhooks/shop", headers, body))
        self.worker.run_until_idle()

    def sync(self) -> None:
        self.receive(self.deliveries())

    def scheduled_run(self) -> None:
        self.queue.enqueue(NewJob(NAME, f"{NAME}:run", {"run": True}))
        self.worker.run_until_idle()

    def cart(self, checkout_id: int) -> carts.CartRow:
        row = carts.get(self.store, SYSTEM, str(checkout_id))
        assert row is not None, f"no cart for checkout {checkout_id}"
        return row


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    settings = SandboxSettings(api_secret=SECRET, access_token=TOKEN, webhook_retry_initial_s=0.05)
    server = SandboxServer(settings).start()
    stock(server, "WID-001", price="10.00")
    yield server
    server.stop()


@pytest.fixture
def hook(shop: SandboxServer) -> Iterator[Receiver]:
    receiver = Receiver()
    subscribe(shop, receiver.url, WEBHOOKS)
    yield receiver
    receiver.close()


@pytest.fixture
def hub(sqlite_store: Store, shop: SandboxServer, hook: Receiver) -> Hub:
    return Hub(sqlite_store, shop, hook)


def start_checkout(shop: SandboxServer, quantity: int = 2) -> dict[str, Any]:
    body = {"email": "Ann@Example.com", "lines": [{"sku": "WID-001", "quantity": quantity}]}
    return shop.control("POST", "checkouts", json=body).json()["checkout"]  # type: ignore[no-any-return]


def order_from(shop: SandboxServer, checkout: dict[str, Any]) -> dict[str, Any]:
    body = {
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "lines": [{"sku": "WID-001", "quantity": 2}],
        "checkout_id": checkout["id"],
    }
    return shop.control("POST", "orders", json=body).json()["order"]  # type: ignore[no-any-return]


def test_a_checkout_left_for_the_configured_time_is_abandoned(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop)
    hub.sync()
    cart = hub.cart(checkout["id"])
    assert (cart.state, cart.total, cart.currency) == (OPEN, Decimal("20.00"), "USD")
    assert cart.email == "ann@example.com" and cart.line_count == 1
    assert cart.checkout_token == checkout["token"]

    assert cart.updated_at is not None
    hub.now = cart.updated_at + HOUR - 1
    assert hub.flow.sweep() == 0
    hub.now = cart.updated_at + HOUR + 5
    assert hub.flow.sweep() == 1
    left = hub.cart(checkout["id"])
    assert left.state == ABANDONED
    assert left.abandoned_at == cart.updated_at + HOUR  # when the rule made it so


def test_a_checkout_followed_by_an_order_is_completed_and_never_counted_abandoned(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop)
    hub.sync()
    order = order_from(shop, checkout)
    hub.sync()

    cart = hub.cart(checkout["id"])
    assert (cart.state, cart.order_id) == (COMPLETED, str(order["id"]))
    assert cart.completed_at is not None
    hub.now += 10 * HOUR
    hub.scheduled_run()
    assert hub.cart(checkout["id"]).state == COMPLETED
    assert hub.cart(checkout["id"]).abandoned_at is None


def test_an_abandoned_checkout_later_ordered_is_recovered(hub: Hub, shop: SandboxServer) -> None:
    checkout = start_checkout(shop)
    hub.sync()
    hub.now = time.time() + 2 * HOUR
    hub.flow.sweep()
    assert hub.cart(checkout["id"]).state == ABANDONED

    shop.control("POST", "clock", json={"advance_seconds": 2 * HOUR})  # the shopper comes back
    order = order_from(shop, checkout)
    hub.sync()
    cart = hub.cart(checkout["id"])
    assert (cart.state, cart.order_id) == (RECOVERED, str(order["id"]))
    assert cart.recovered_at is not None and cart.abandoned_at is not None


def test_an_order_whose_webhook_came_after_the_sweep_completes_the_cart_not_recovers_it(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop)
    hub.sync()
    order_from(shop, checkout)  # ordered within the hour...
    late = hub.deliveries()
    hub.now = time.time() + 2 * HOUR
    hub.flow.sweep()  # ...but the hub counted the cart before its webhooks arrived
    assert hub.cart(checkout["id"]).state == ABANDONED
    hub.receive(late)
    cart = hub.cart(checkout["id"])
    assert (cart.state, cart.abandoned_at) == (COMPLETED, None)


def test_an_older_checkout_update_delivered_late_does_not_overwrite_a_newer_one(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop, quantity=2)
    shop.control(
        "POST",
        f"checkouts/{checkout['id']}/update",
        json={"lines": [{"sku": "WID-001", "quantity": 5}]},
    )
    created, updated = hub.deliveries()
    hub.receive([updated])  # the newer one first
    hub.receive([created])  # then the older one, late

    cart = hub.cart(checkout["id"])
    assert (cart.total, cart.lines[0]["quantity"]) == (Decimal("50.00"), 5)
    assert (cart.state, cart.checkout_token) == (OPEN, checkout["token"])
    assert hub.queue.dead() == []


def test_a_checkout_whose_webhooks_were_lost_is_found_by_the_reconciling_poll(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop, quantity=3)
    hub.deliveries()  # delivered, then lost before the inbox
    assert carts.get(hub.store, SYSTEM, str(checkout["id"])) is None

    hub.scheduled_run()
    cart = hub.cart(checkout["id"])
    assert (cart.state, cart.total, cart.email) == (OPEN, Decimal("30.00"), "ann@example.com")
    assert cart.updated_at is not None
    hub.now = cart.updated_at + HOUR
    hub.scheduled_run()  # the same run counts it abandoned once its time is up
    assert hub.cart(checkout["id"]).state == ABANDONED


def test_a_checkout_completed_in_the_store_is_no_longer_listed_by_the_poll(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop)
    order_from(shop, checkout)
    hub.deliveries()  # all lost
    hub.scheduled_run()
    assert carts.get(hub.store, SYSTEM, str(checkout["id"])) is None


def test_a_bad_checkout_payload_is_parked_with_its_reason_and_the_rest_go_on(
    hub: Hub, shop: SandboxServer
) -> None:
    checkout = start_checkout(shop)
    [(headers, body)] = hub.deliveries()
    broken = orjson.loads(body)
    broken["id"] = 99
    del broken["total_price"]
    bad_body = orjson.dumps(broken)
    bad_headers = dict(headers)
    bad_headers["X-Shopify-Hmac-Sha256"] = sign_body(SECRET, bad_body)
    bad_headers["X-Shopify-Event-Id"] = "bad-checkout-1"
    hub.receive([(bad_headers, bad_body), (headers, body)])

    assert hub.cart(checkout["id"]).state == OPEN  # the good one went on
    [dead] = hub.queue.dead()
    assert dead["flow"] == NAME
    assert "total_price" in (dead["last_error"] or "")
    assert carts.get(hub.store, SYSTEM, "99") is None
    payload = hub.queue.get(dead["id"])["payload"]  # type: ignore[index]
    inbox_id = (orjson.loads(payload) if isinstance(payload, str) else payload)["inbox_id"]
    stored = hub.inbox.get(inbox_id)
    assert stored is not None and stored.body == bad_body  # kept for a replay


def test_a_forged_checkout_webhook_is_refused_and_nothing_is_stored(
    hub: Hub, shop: SandboxServer
) -> None:
    from causeway.connectors.ingress import WebhookRejected

    start_checkout(shop)
    [(headers, body)] = hub.deliveries()
    forged = body.replace(b'"20.00"', b'"0.01"')
    with pytest.raises(WebhookRejected):
        hub.ingress.records("POST", "/webhooks/shop", headers, forged)
