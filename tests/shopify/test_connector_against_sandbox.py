"""The Shopify connector against the wire-compatible sandbox (real HTTP on 127.0.0.1).

The sandbox was written from Shopify's public contract by someone else: it
computes query costs, throttles, answers userErrors with HTTP 200, signs webhooks
and injects faults. Passing here means the connector follows that contract, not
merely that it agrees with itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from causeway.connectors.shopify.client import RetryPolicy
from causeway.connectors.shopify.connector import QuantityChange, ShopifyConnector
from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.connectors.shopify.webhooks import WebhookHeaders, entity_key, verify_webhook
from causeway.errors import PermanentError
from causeway.model import FinancialStatus

sandbox = pytest.importorskip(
    "causeway_sandbox.shopify.server", reason="the Shopify sandbox is not in this tree yet"
)
settings_module = pytest.importorskip("causeway_sandbox.shopify.settings")
SandboxServer = sandbox.SandboxServer
SandboxSettings = settings_module.SandboxSettings

Shop = Any  # a started SandboxServer


@pytest.fixture
def start_shop() -> Iterator[Callable[..., Shop]]:
    started: list[Shop] = []

    def start(**settings: Any) -> Shop:
        shop = SandboxServer(SandboxSettings(**settings)).start()
        started.append(shop)
        return shop

    yield start
    for shop in started:
        shop.stop()


@pytest.fixture
def shop(start_shop: Callable[..., Shop]) -> Shop:
    return start_shop()


def connect(shop: Shop, **options: Any) -> ShopifyConnector:
    return ShopifyConnector(shop.url, shop.settings.access_token, system="shop-test", **options)


def add_product(shop: Shop, sku: str, quantity: int = 10, price: str = "10.00") -> dict[str, Any]:
    body = {"title": f"Product {sku}", "sku": sku, "price": price, "quantity": quantity}
    result: dict[str, Any] = shop.control("POST", "products", json=body).json()
    return result


def place_order(shop: Shop, lines: list[tuple[str, int]], **extra: Any) -> dict[str, Any]:
    body = {
        "email": "Ann.Lee@Example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "lines": [{"sku": sku, "quantity": n} for sku, n in lines],
        **extra,
    }
    order: dict[str, Any] = shop.control("POST", "orders", json=body).json()["order"]
    return order


def operations(shop: Shop) -> list[str]:
    return [c["operationName"] for c in shop.control("GET", "calls").json()]


# ------------------------------------------------------------------------ SKUs


def test_products_created_through_the_control_api_are_found_by_exact_sku(shop: Shop) -> None:
    widget = add_product(shop, "WID-001")
    add_product(shop, "WID-0010")  # a loose match for "WID-001" that must not win
    spaced = add_product(shop, "GAD 2")  # needs quoting in the search syntax
    with connect(shop) as connector:
        found = connector.inventory_items_by_sku(["WID-001", "GAD 2", "NOPE-404", "WID-001"])
    assert set(found) == {"WID-001", "GAD 2"}
    ref = found["WID-001"]
    assert ref.inventory_item_id == widget["inventory_item_gid"]
    assert ref.variant_id == widget["variant_gid"]
    assert ref.product_id == widget["product_gid"]
    assert found["GAD 2"].inventory_item_id == spaced["inventory_item_gid"]


def test_many_skus_are_looked_up_in_batches(shop: Shop) -> None:
    skus = [f"BULK-{n:03d}" for n in range(120)]
    for sku in skus:
        add_product(shop, sku)
    shop.control("DELETE", "calls")
    with connect(shop) as connector:
        found = connector.inventory_items_by_sku(skus)
    assert sorted(found) == skus
    assert operations(shop).count("VariantsBySku") == 3  # 50 + 50 + 20


# ------------------------------------------------------------------- inventory


def test_quantities_are_read_and_set_absolutely(shop: Shop) -> None:
    created = add_product(shop, "WID-001", quantity=5)
    with connect(shop) as connector:
        location = connector.primary_location_id()
        assert location == created["location_gid"]
        item = connector.inventory_items_by_sku(["WID-001"])["WID-001"].inventory_item_id
        assert connector.available_quantities([item], location) == {item: 5}

        checked = QuantityChange(
            inventory_item_id=item, location_id=location, quantity=9, compare_quantity=5
        )
        outcome = connector.set_available([checked], reference_uri="causeway://test")
        assert outcome.applied == [checked] and not outcome.stale and not outcome.errors
        assert connector.available_quantities([item], location) == {item: 9}

        unchecked = QuantityChange(inventory_item_id=item, location_id=location, quantity=12)
        assert connector.set_available([unchecked]).applied == [unchecked]
    assert shop.control("GET", "inventory").json()["WID-001"] == 12


def test_a_stale_compare_quantity_comes_back_as_stale_and_the_rest_is_applied(shop: Shop) -> None:
    add_product(shop, "WID-001", quantity=5)
    add_product(shop, "GAD-002", quantity=7)
    with connect(shop) as connector:
        location = connector.primary_location_id()
        refs = connector.inventory_items_by_sku(["WID-001", "GAD-002"])
        widget, gadget = refs["WID-001"].inventory_item_id, refs["GAD-002"].inventory_item_id
        read = connector.available_quantities([widget, gadget], location)
        place_order(shop, [("WID-001", 2)])  # a sale between our read and our write

        stale = QuantityChange(
            inventory_item_id=widget,
            location_id=location,
            quantity=20,
            compare_quantity=read[widget],
        )
        fresh = QuantityChange(
            inventory_item_id=gadget,
            location_id=location,
            quantity=30,
            compare_quantity=read[gadget],
        )
        outcome = connector.set_available([stale, fresh])
        assert outcome.stale == [stale]
        assert outcome.applied == [fresh]
        assert outcome.errors == [] and outcome.failed == []
        assert shop.control("GET", "inventory").json()["WID-001"] == 3  # the sale survived

        # What the caller does with a stale change: re-read, retry.
        again = connector.available_quantities([widget], location)[widget]
        retry = stale.model_copy(update={"compare_quantity": again})
        assert connector.set_available([retry]).applied == [retry]
    assert shop.control("GET", "inventory").json() == {"WID-001": 20, "GAD-002": 30}


def test_an_unknown_inventory_item_is_an_error_not_an_exception(shop: Shop) -> None:
    add_product(shop, "WID-001", quantity=5)
    with connect(shop) as connector:
        location = connector.primary_location_id()
        bogus = QuantityChange(
            inventory_item_id="gid://shopify/InventoryItem/1", location_id=location, quantity=1
        )
        outcome = connector.set_available([bogus])
    assert outcome.failed == [bogus] and outcome.applied == []
    assert outcome.errors and all(isinstance(e, str) for e in outcome.errors)


# ---------------------------------------------------------------------- orders


def test_changed_orders_are_listed_oldest_change_first_and_fetched_whole(shop: Shop) -> None:
    add_product(shop, "WID-001", quantity=100, price="10.00")
    old = place_order(shop, [("WID-001", 1)])
    shop.control("POST", "clock", json={"advance_seconds": 60})
    since = datetime.fromisoformat(old["updated_at"]) + timedelta(seconds=30)
    first = place_order(shop, [("WID-001", 1)])
    shop.control("POST", "clock", json={"advance_seconds": 1})
    second = place_order(shop, [("WID-001", 2)], financial_status="authorized")
    shop.control("POST", "clock", json={"advance_seconds": 1})
    shop.control("POST", f"orders/{first['id']}/update", json={"note": "gift wrap"})
    with connect(shop) as connector:
        changes = list(connector.order_changes_since(since, page_size=1))  # 2 pages
        orders = [connector.order(c.external_id) for c in changes]
        single = connector.order(str(second["id"]))
    # Oldest change first; the order changed before `since` is not there.
    assert [c.external_id for c in changes] == [str(second["id"]), str(first["id"])]
    assert [c.updated_at for c in changes] == [o.updated_at for o in orders]
    assert orders[0].updated_at <= orders[1].updated_at
    assert orders[1].note == "gift wrap"
    assert orders[0].financial_status is FinancialStatus.AUTHORIZED
    assert orders[0].customer.email == "ann.lee@example.com"
    assert [line.quantity for line in orders[0].lines] == [2]
    assert single == orders[0]
    assert operations(shop).count("OrdersChangedSince") == 2


def test_the_polled_graphql_order_maps_exactly_like_its_webhook_body(shop: Shop) -> None:
    add_product(shop, "WID-001", quantity=100, price="10.00")
    add_product(shop, "GAD 2", quantity=100, price="7.5")
    rest = place_order(
        shop,
        [("WID-001", 2), ("GAD 2", 1)],
        shipping_price="4.90",
        shipping_title="Standard",
        tax_rate="0.2",
        landing_site="https://shop.example/?ref=spring",
        referring_site="https://search.example/",
        tags=["b2b", "vip"],
        note="leave at door",
        financial_status="partially_paid",
    )
    with connect(shop) as connector:
        node = connector.order_node(str(rest["id"]))
    from_webhook, from_poll = order_from_rest(rest), order_from_graphql(node)
    assert from_webhook.model_dump_json() == from_poll.model_dump_json()
    assert from_poll.external_id == str(rest["id"])
    assert [line.sku for line in from_poll.lines] == ["WID-001", "GAD 2"]
    assert from_poll.financial_status is FinancialStatus.PARTIALLY_PAID
    assert from_poll.attribution.landing_site_ref == "spring"
    assert from_poll.customer.email == "ann.lee@example.com"
    assert from_poll.tags == ("b2b", "vip")


# ------------------------------------------------------------------ throttling


def test_a_tiny_bucket_makes_the_client_wait_not_fail(start_shop: Callable[..., Shop]) -> None:
    # Half Shopify's standard bucket, refilling slowly: just above the dearest
    # query used here (152 points), far below what the loop below asks for.
    shop = start_shop(bucket_max=500, restore_rate=100)
    skus = [f"T-{n:02d}" for n in range(30)]
    for sku in skus:
        add_product(shop, sku, quantity=4)
    with connect(shop) as connector:
        refs = connector.inventory_items_by_sku(skus)
        location = connector.primary_location_id()
        ids = [r.inventory_item_id for r in refs.values()]
        for _ in range(10):  # 10 x ~91 points against 500 + 100/s: must wait
            assert set(connector.available_quantities(ids, location).values()) == {4}
        waited = connector.client.budget.waits + connector.client.throttle_waits
    assert waited > 0, "the bucket never ran short: the test did not test throttling"


@pytest.mark.parametrize(
    "faults", [{"error_rate_5xx": 0.3}, {"rate_429": 0.3}], ids=["5xx-30%", "429-30%"]
)
def test_injected_faults_at_30_percent_still_complete(shop: Shop, faults: dict[str, float]) -> None:
    skus = [f"F-{n:02d}" for n in range(6)]
    for sku in skus:
        add_product(shop, sku, quantity=3)
    shop.control("PUT", "faults", json=faults)
    retry = RetryPolicy(max_attempts=12, backoff_initial=0.05, backoff_max=0.5)
    with connect(shop, retry=retry) as connector:
        location = connector.primary_location_id()
        refs = connector.inventory_items_by_sku(skus)
        changes = [
            QuantityChange(
                inventory_item_id=r.inventory_item_id,
                location_id=location,
                quantity=n + 10,
                compare_quantity=3,
            )
            for n, r in enumerate(refs[s] for s in skus)
        ]
        outcomes = [connector.set_available([c]) for c in changes]
        hits = connector.client.transient_retries + connector.client.throttle_waits
    shop.control("PUT", "faults", json={"error_rate_5xx": 0, "rate_429": 0})
    assert all(o.applied and not o.stale and not o.errors for o in outcomes)
    assert shop.control("GET", "inventory").json() == {s: n + 10 for n, s in enumerate(skus)}
    assert hits > 0, "no fault was injected: the test did not test recovery"


def test_a_wrong_access_token_is_a_permanent_error_naming_the_token(shop: Shop) -> None:
    connector = ShopifyConnector(shop.url, "shpat_wrong")
    with pytest.raises(PermanentError, match="access_token") as caught:
        connector.locations()
    assert "shpat_wrong" not in str(caught.value)
    connector.close()


# -------------------------------------------------------------------- webhooks


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def test_subscribed_webhooks_arrive_signed_and_parse(shop: Shop) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    uri = f"http://127.0.0.1:{server.server_address[1]}/webhooks/shopify"
    try:
        add_product(shop, "WID-001", quantity=10)
        with connect(shop) as connector:
            first = connector.subscribe_webhooks(uri, ["orders/create", "orders/updated"])
            again = connector.subscribe_webhooks(uri, ["orders/create", "orders/updated"])
        assert first == again  # idempotent: existing subscriptions are reused
        assert operations(shop).count("WebhookSubscriptionCreate") == 2
        order = place_order(shop, [("WID-001", 1)])
        shop.control("POST", "deliveries/wait", json={"timeout": 10})
    finally:
        server.shutdown()
        server.server_close()
    creates = [(h, b) for h, b in received if h.get("X-Shopify-Topic") == "orders/create"]
    assert creates, (
        f"no orders/create delivery among {[h.get('X-Shopify-Topic') for h, _ in received]}"
    )
    headers, body = creates[0]
    assert verify_webhook(shop.settings.api_secret, body, headers.get("X-Shopify-Hmac-Sha256"))
    assert not verify_webhook("another-secret", body, headers.get("X-Shopify-Hmac-Sha256"))
    meta = WebhookHeaders.from_headers(headers)
    assert meta.topic == "orders/create" and meta.event_id and not meta.problems
    assert meta.shop_domain == shop.settings.shop_domain
    payload = json.loads(body)
    assert entity_key(meta.topic, payload) == f"order:{order['id']}"
    assert order_from_rest(payload) == order_from_rest(order)
