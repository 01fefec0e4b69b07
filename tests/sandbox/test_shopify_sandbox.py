"""The Shopify sandbox's contract, exercised over real HTTP the way a connector would.

Each test starts its own sandbox (a uvicorn thread on 127.0.0.1) and, where
webhooks are involved, a tiny receiving server, so nothing is shared between
tests and everything runs through the same transport a hub uses in production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify import queries as q
from causeway_sandbox.shopify import FaultSettings, SandboxServer, SandboxSettings
from causeway_sandbox.shopify.search import Search

SECRET, TOKEN = "test-secret", "shpat_test"
# The order queries in queries.py cost ~2143 points under Shopify's published (linear)
# cost rules, more than the 1000-point single-query limit: these settings lift the
# limits so the documents' data can be checked (see test_order_documents_cost...).
ROOMY = {"max_query_cost": 10**9, "bucket_max": 10**9, "restore_rate": 10**9}
# Real Shopify payloads carry these keys too; the GraphQL fields need them.
EXTRA_ORDER_KEYS = {"phone", "tags", "admin_graphql_api_id", "payment_gateway_names"} | {
    "total_outstanding",
    "current_total_price",
    "current_subtotal_price",
    "current_total_tax",
    "current_total_discounts",
    "discount_applications",
    "total_tip_received",
}


# One client for every call the tests make: a new httpx client per call would spend
# ~20 ms building a TLS context each time.
HTTP = httpx.Client(trust_env=False, timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _close_http() -> Iterator[None]:
    yield
    HTTP.close()


def _vendor_order() -> dict[str, Any]:
    for base in (Path(__file__).parents[2], Path("/work/shared")):
        path = base / "vendor-samples" / "shopify" / "order.json"
        if path.exists():
            return json.loads(path.read_text())["order"]  # type: ignore[no-any-return]
    pytest.skip("vendor-samples/shopify/order.json not found")


@pytest.fixture
def make_shop() -> Iterator[Callable[..., SandboxServer]]:
    started: list[SandboxServer] = []

    def make(**settings: Any) -> SandboxServer:
        defaults: dict[str, Any] = {
            "api_secret": SECRET,
            "access_token": TOKEN,
            "webhook_retry_initial_s": 0.05,
        }
        shop = SandboxServer(SandboxSettings(**{**defaults, **settings})).start()
        started.append(shop)
        return shop

    yield make
    for shop in started:
        shop.stop()


class Receiver:
    """A webhook endpoint that records every request and answers from a script."""

    def __init__(self, script: list[int | float] | None = None) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.script = list(script or [])  # ints: status to answer; floats: seconds to stall
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                action = receiver.script.pop(0) if receiver.script else 200
                if isinstance(action, float):
                    time.sleep(action)
                    action = 200
                self.send_response(action)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # do not wait for a deliberately stalled handler
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhooks/shopify"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(script: list[int | float] | None = None) -> Receiver:
        made.append(Receiver(script))
        return made[-1]

    yield make
    for r in made:
        r.close()


def gql(
    shop: SandboxServer, query: str, variables: dict[str, Any] | None = None, token: str = TOKEN
) -> httpx.Response:
    return HTTP.post(
        shop.graphql_url,
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
    )


def subscribe(shop: SandboxServer, url: str, topics: Iterable[str]) -> None:
    """Subscribe `url` to each topic (JSON), as the connector does at `causeway run`."""
    for topic in topics:
        result = gql(
            shop,
            q.WEBHOOK_SUBSCRIPTION_CREATE,
            {"topic": topic, "webhookSubscription": {"callbackUrl": url, "format": "JSON"}},
        )
        assert result.json()["data"]["webhookSubscriptionCreate"]["userErrors"] == []


def stock(shop: SandboxServer, sku: str, quantity: int = 10, price: str = "19.99") -> dict:
    return shop.control(
        "POST",
        "products",
        json={"title": f"Product {sku}", "sku": sku, "price": price, "quantity": quantity},
    ).json()


def checkout(shop: SandboxServer, **extra: Any) -> dict[str, Any]:
    body = {
        "email": "ann@example.com",
        "first_name": "Ann",
        "last_name": "Lee",
        "lines": [{"sku": "WID-001", "quantity": 2}],
        **extra,
    }
    return shop.control("POST", "orders", json=body).json()["order"]  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the documents


def test_every_document_in_queries_py_runs_and_returns_the_right_data(make_shop) -> None:
    shop = make_shop(**ROOMY)
    wid, gad = stock(shop, "WID-001", 10, "19.99"), stock(shop, "GAD-001", 3, "5.00")
    order = checkout(
        shop,
        phone="+15550100",
        lines=[
            {"sku": "WID-001", "quantity": 2},
            {"sku": "GAD-001", "quantity": 1, "price": "4.50"},
        ],
        shipping_price="7.50",
        tax_rate="0.0825",
        tags=["vip", "b2c"],
        landing_site="/?ref=abc",
        referring_site="https://www.google.com/",
    )
    assert (order["total_line_items_price"], order["total_tax"], order["total_price"]) == (
        "44.48",
        "3.67",
        "55.65",
    )  # 3.30 + 0.37 tax, rounded per line, half up

    data = gql(shop, q.ORDER_BY_ID, {"id": order["admin_graphql_api_id"]}).json()
    assert "errors" not in data
    got = data["data"]["order"]
    assert got["name"] == "#1001" and got["tags"] == ["vip", "b2c"] and got["phone"] == "+15550100"
    assert got["totalPriceSet"]["shopMoney"] == {"amount": "55.65", "currencyCode": "USD"}
    assert got["totalTaxSet"]["shopMoney"]["amount"] == "3.67"
    assert got["currentSubtotalPriceSet"]["shopMoney"]["amount"] == "44.48"  # Decimal, as Shopify
    assert got["displayFinancialStatus"] == "PAID"
    assert got["displayFulfillmentStatus"] == "UNFULFILLED"
    assert got["updatedAt"].endswith("Z")
    lines = got["lineItems"]["nodes"]
    assert [(li["sku"], li["quantity"]) for li in lines] == [("WID-001", 2), ("GAD-001", 1)]
    assert lines[0]["taxLines"][0]["priceSet"]["shopMoney"]["amount"] == "3.3"
    assert got["taxLines"][0]["rate"] == 0.0825
    assert got["customerJourneySummary"]["firstVisit"]["referrerUrl"] == "https://www.google.com/"
    assert got["shippingLines"]["nodes"][0]["originalPriceSet"]["shopMoney"]["amount"] == "7.5"

    page = gql(
        shop, q.ORDERS_CHANGED_SINCE, {"first": 5, "query": "updated_at:>='2020-01-01T00:00:00Z'"}
    ).json()
    assert "errors" not in page and page["data"]["orders"]["nodes"][0]["id"] == got["id"]
    assert page["data"]["orders"]["nodes"][0]["updatedAt"] == got["updatedAt"]

    variants = gql(shop, q.VARIANTS_BY_SKU, {"first": 10, "query": "sku:WID-001 OR sku:GAD-001"})
    nodes = variants.json()["data"]["productVariants"]["nodes"]
    assert {n["sku"]: n["price"] for n in nodes} == {"WID-001": "19.99", "GAD-001": "5.00"}
    assert nodes[0]["inventoryItem"] == {"id": wid["inventory_item_gid"], "tracked": True}

    locations = gql(shop, q.LOCATIONS, {"first": 5}).json()["data"]["locations"]["nodes"]
    assert locations == [{"id": wid["location_gid"], "name": "Main warehouse", "isActive": True}]

    levels = gql(
        shop,
        q.INVENTORY_LEVELS,
        {
            "ids": [wid["inventory_item_gid"], gad["inventory_item_gid"]],
            "locationId": wid["location_gid"],
        },
    ).json()
    assert [n["inventoryLevel"]["quantities"] for n in levels["data"]["nodes"]] == [
        [{"name": "available", "quantity": 8}],
        [{"name": "available", "quantity": 2}],
    ]

    created = gql(
        shop,
        q.WEBHOOK_SUBSCRIPTION_CREATE,
        {
            "topic": "ORDERS_CREATE",
            "webhookSubscription": {"uri": "https://127.0.0.1/h", "format": "JSON"},
        },
    ).json()
    sub = created["data"]["webhookSubscriptionCreate"]
    assert sub["userErrors"] == [] and sub["webhookSubscription"]["topic"] == "ORDERS_CREATE"
    listed = gql(shop, q.WEBHOOK_SUBSCRIPTIONS, {"first": 10}).json()
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [sub["webhookSubscription"]]


def test_the_order_documents_fit_shopifys_single_query_limit_and_wider_ones_are_refused(
    make_shop,
) -> None:
    shop = make_shop()
    stock(shop, "WID-001")
    order = checkout(shop)
    fits = gql(shop, q.ORDER_BY_ID, {"id": order["admin_graphql_api_id"]}).json()
    assert "errors" not in fits
    assert 800 < fits["extensions"]["cost"]["requestedQueryCost"] <= 1000
    listed = gql(shop, q.ORDERS_CHANGED_SINCE, {"first": 250}).json()
    assert listed["extensions"]["cost"]["requestedQueryCost"] < 300
    too_wide = q.ORDER_BY_ID.replace("lineItems(first: 100)", "lineItems(first: 250)")
    body = gql(shop, too_wide, {"id": order["admin_graphql_api_id"]}).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["extensions"]["cost"]["requestedQueryCost"] > 1000
    assert body["extensions"]["cost"]["actualQueryCost"] is None


def test_bad_token_is_401_and_bad_documents_are_200_with_located_errors(make_shop) -> None:
    shop = make_shop()
    bad = gql(shop, q.LOCATIONS, {"first": 1}, token="nope")
    assert bad.status_code == 401
    assert bad.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }
    wrong = gql(shop, "query { shop { name nope } }")
    assert wrong.status_code == 200
    error = wrong.json()["errors"][0]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["message"] == "Field 'nope' doesn't exist on type 'Shop'"
    assert error["locations"] == [{"line": 1, "column": 21}]
    assert shop.control("GET", "calls").json()[0]["status"] == 401


# ---------------------------------------------------------------- cost and throttle


def test_bucket_drains_throttles_then_restores(make_shop) -> None:
    shop = make_shop(bucket_max=50, restore_rate=10)
    mutation = (
        'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1")'
        " { userErrors { message } } }"
    )
    seen = []
    for _ in range(5):
        cost = gql(shop, mutation).json()["extensions"]["cost"]
        seen.append(cost["throttleStatus"]["currentlyAvailable"])
        assert cost["requestedQueryCost"] == cost["actualQueryCost"] == 10
    assert seen == sorted(seen, reverse=True) and seen[-1] < 10
    throttled = gql(shop, mutation)
    assert throttled.status_code == 200
    body = throttled.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 50.0
    time.sleep(1.05)  # 10 points/s restores the 10 a mutation costs
    assert "errors" not in gql(shop, mutation).json()
    too_big = gql(shop, q.LOCATIONS, {"first": 60}).json()  # 2 + 60 > 50 available at most
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_actual_cost_refunds_what_was_not_returned(make_shop) -> None:
    shop = make_shop()
    cost = gql(shop, q.LOCATIONS, {"first": 100}).json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (102, 3)
    assert cost["throttleStatus"]["currentlyAvailable"] >= 997


# ---------------------------------------------------------------- webhooks


def _signed(headers: dict[str, str], body: bytes) -> bool:
    digest = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(digest, headers["X-Shopify-Hmac-Sha256"])


def test_orders_are_delivered_as_signed_rest_webhooks(make_shop, receiver) -> None:
    sample = _vendor_order()
    shop, hook = make_shop(), receiver()
    stock(shop, "WID-001")
    subscribe(shop, hook.url, ("ORDERS_CREATE", "ORDERS_UPDATED"))
    order = checkout(shop)
    shop.control("POST", "clock", json={"advance_seconds": 60})
    shop.control("POST", f"orders/{order['id']}/update", json={"note": "gift wrap"})
    assert shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]

    assert [h["X-Shopify-Topic"] for h, _ in hook.requests] == ["orders/create", "orders/updated"]
    for headers, body in hook.requests:
        assert _signed(headers, body)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Shopify-Shop-Domain"] == "causeway-sandbox.myshopify.com"
        assert headers["X-Shopify-API-Version"] == "2026-10"
        for name in ("X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At"):
            assert headers[name]
        payload = json.loads(body)
        assert set(payload) == set(sample) | EXTRA_ORDER_KEYS
        assert set(payload["line_items"][0]) >= set(sample["line_items"][0])
        assert set(payload["customer"]) >= set(sample["customer"])
    created, updated = (json.loads(b) for _, b in hook.requests)
    assert created["id"] == updated["id"] and updated["note"] == "gift wrap"
    assert updated["updated_at"] > created["updated_at"]
    assert created["updated_at"].endswith("-05:00")  # REST: shop-local time
    assert not _signed(
        {"X-Shopify-Hmac-Sha256": hook.requests[0][0]["X-Shopify-Hmac-Sha256"]},
        hook.requests[0][1] + b" ",
    )


def test_failed_deliveries_are_retried_with_the_same_body_and_event_id(make_shop, receiver) -> None:
    shop = make_shop(webhook_timeout_s=0.3)
    hook = receiver([0.6, 500, 200])  # a timeout, a 500, then success
    stock(shop, "WID-001")
    shop.control("PUT", "webhooks", json={"uri": hook.url, "topics": ["orders/create"]})
    checkout(shop)
    assert shop.control("POST", "deliveries/wait", json={"timeout": 10}).json()["idle"]
    assert len(hook.requests) == 3
    bodies = {body for _, body in hook.requests}
    events = {h["X-Shopify-Event-Id"] for h, _ in hook.requests}
    hooks = {h["X-Shopify-Webhook-Id"] for h, _ in hook.requests}
    assert len(bodies) == len(events) == len(hooks) == 1
    log = shop.control("GET", "deliveries").json()
    assert [(e["attempt"], e["status"]) for e in log] == [(1, "timeout"), (2, 500), (3, 200)]


def test_duplicate_rate_one_sends_every_webhook_twice(make_shop, receiver) -> None:
    shop = make_shop(duplicate_rate=1.0)  # fault knobs may be given flat, too
    hook = receiver()
    stock(shop, "WID-001")
    shop.control("PUT", "webhooks", json={"uri": hook.url})
    checkout(shop)
    checkout(shop)
    assert shop.control("POST", "deliveries/wait").json()["idle"]
    events = [h["X-Shopify-Event-Id"] for h, _ in hook.requests]
    assert len(events) == 4 and len(set(events)) == 2
    assert all(events.count(e) == 2 for e in events)


def test_a_lost_answer_is_retried_as_a_timeout_with_the_same_event_id(make_shop, receiver) -> None:
    shop = make_shop(webhook_timeout_rate=1.0)
    hook = receiver()
    stock(shop, "WID-001")
    shop.control("PUT", "webhooks", json={"uri": hook.url, "topics": ["orders/create"]})
    checkout(shop)
    deadline = time.monotonic() + 10
    while not shop.control("GET", "deliveries").json() and time.monotonic() < deadline:
        time.sleep(0.01)
    shop.control("PUT", "faults", json={"webhook_timeout_rate": 0.0})  # let the retry through
    assert shop.control("POST", "deliveries/wait").json()["idle"]
    log = shop.control("GET", "deliveries").json()
    # The receiver acknowledged the first attempt; the store counted it lost and resent it.
    assert [(e["attempt"], e["status"]) for e in log][:1] == [(1, "timeout")]
    assert log[-1]["status"] == 200 and len(log) >= 2
    events = {h["X-Shopify-Event-Id"] for h, _ in hook.requests}
    assert len(hook.requests) == len(log) and len(events) == 1


def test_out_of_order_shuffles_within_a_window(make_shop, receiver) -> None:
    shop = make_shop(seed=7, faults=FaultSettings(out_of_order=True, out_of_order_window=5))
    hook = receiver()
    stock(shop, "WID-001", quantity=100)
    shop.control("PUT", "webhooks", json={"uri": hook.url, "topics": ["orders/create"]})
    names = [checkout(shop, lines=[{"sku": "WID-001", "quantity": 1}])["name"] for _ in range(5)]
    assert shop.control("POST", "deliveries/wait").json()["idle"]
    received = [json.loads(body)["name"] for _, body in hook.requests]
    assert sorted(received) == names and received != names


# ---------------------------------------------------------------- inventory


def _set(shop: SandboxServer, quantities: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    variables = {
        "input": {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": "gid://causeway/StockSync/1",
            "quantities": quantities,
            **extra,
        },
        "idempotencyKey": str(uuid.uuid4()),
    }
    return gql(shop, q.INVENTORY_SET_QUANTITIES, variables).json()  # type: ignore[no-any-return]


def _row(p: dict[str, Any], qty: int, change_from: int | None) -> dict[str, Any]:
    return {
        "inventoryItemId": p["inventory_item_gid"],
        "locationId": p["location_gid"],
        "quantity": qty,
        "changeFromQuantity": change_from,
    }


def test_inventory_set_quantities_is_an_atomic_compare_and_set(make_shop) -> None:
    shop = make_shop()
    a, b = stock(shop, "A-1", 5), stock(shop, "B-1", 7)

    done = _set(shop, [_row(a, 12, 5), _row(b, 0, 7)])["data"]["inventorySetQuantities"]
    assert done["userErrors"] == []
    changes = {
        (c["item"]["id"], c["name"]): (c["delta"], c["quantityAfterChange"])
        for c in done["inventoryAdjustmentGroup"]["changes"]
    }
    assert changes[(a["inventory_item_gid"], "available")] == (7, 12)
    assert changes[(b["inventory_item_gid"], "available")] == (-7, 0)
    assert shop.control("GET", "inventory").json() == {"A-1": 12, "B-1": 0}

    stale = _set(shop, [_row(a, 1, 12), _row(b, 1, 7)])["data"]["inventorySetQuantities"]
    assert stale["inventoryAdjustmentGroup"] is None
    assert [(e["code"], e["field"]) for e in stale["userErrors"]] == [
        ("CHANGE_FROM_QUANTITY_STALE", ["input", "quantities", "1", "changeFromQuantity"])
    ]
    assert shop.control("GET", "inventory").json() == {"A-1": 12, "B-1": 0}  # nothing applied

    forced = _set(shop, [_row(a, 3, None)])  # an explicit null: no compare, on purpose
    assert forced["data"]["inventorySetQuantities"]["userErrors"] == []
    unsaid = {k: v for k, v in _row(a, 3, 3).items() if k != "changeFromQuantity"}
    missing = _set(shop, [unsaid])["data"]["inventorySetQuantities"]["userErrors"]
    assert [(e["code"], e["field"]) for e in missing] == [
        ("COMPARE_QUANTITY_REQUIRED", ["input", "quantities", "0", "changeFromQuantity"])
    ]
    bad_name = _set(shop, [_row(a, 3, 3)], name="incoming")
    assert bad_name["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "INVALID_NAME"
    ghost = dict(_row(a, 3, 3), inventoryItemId="gid://shopify/InventoryItem/1")
    ghost_errors = _set(shop, [ghost])["data"]["inventorySetQuantities"]["userErrors"]
    assert ghost_errors[0]["code"] == "INVALID_INVENTORY_ITEM"


def test_more_than_250_quantities_are_refused_before_anything_runs(make_shop) -> None:
    shop = make_shop()
    a = stock(shop, "A-1", 5)
    body = _set(shop, [_row(a, 9, 5)] * 251)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert shop.control("GET", "inventory").json() == {"A-1": 5}


# ---------------------------------------------------------------- search and paging


def test_orders_changed_since_filters_and_paginates(make_shop) -> None:
    shop = make_shop(**ROOMY)
    stock(shop, "WID-001", quantity=50)
    orders = []
    for _ in range(5):
        orders.append(checkout(shop, lines=[{"sku": "WID-001", "quantity": 1}]))
        shop.control("POST", "clock", json={"advance_seconds": 60})
    first = gql(shop, q.ORDER_BY_ID, {"id": orders[2]["admin_graphql_api_id"]}).json()
    since = first["data"]["order"]["updatedAt"]

    name_of = {str(o["id"]): o["name"] for o in orders}

    def names(query: str) -> list[str]:
        out, after = [], None
        while True:
            page = gql(
                shop, q.ORDERS_CHANGED_SINCE, {"first": 2, "after": after, "query": query}
            ).json()["data"]["orders"]
            out += [name_of[n["legacyResourceId"]] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                return out
            after = page["pageInfo"]["endCursor"]

    assert names(f"updated_at:>='{since}'") == ["#1003", "#1004", "#1005"]
    assert names(f"updated_at:>={since}") == ["#1003", "#1004", "#1005"]
    assert names(f'updated_at:>"{since}"') == ["#1004", "#1005"]
    assert names(f"updated_at:<'{since}'") == ["#1001", "#1002"]
    assert names(f"updated_at:<={since}") == ["#1001", "#1002", "#1003"]
    shop.control("POST", f"orders/{orders[0]['id']}/update", json={"tags": ["late"]})
    assert names(f"updated_at:>='{since}'") == ["#1003", "#1004", "#1005", "#1001"]
    bad = gql(shop, q.ORDERS_CHANGED_SINCE, {"first": 1, "after": "bogus"}).json()
    assert bad["errors"][0]["message"] == "Invalid cursor for current pagination sort."


def test_search_syntax() -> None:
    from datetime import UTC

    def run(text: str, rows: list[dict[str, Any]]) -> list[str]:
        search = Search(text, lambda r, f: [r[f]] if f in r else None, UTC)
        return [r["sku"] for r in search.filter(rows)]

    rows = [{"sku": "A-1", "tag": "x"}, {"sku": "B-2", "tag": "y"}, {"sku": "C-3", "tag": "x"}]
    assert run("sku:A-1 OR sku:'C-3'", rows) == ["A-1", "C-3"]
    assert run("tag:x -sku:A-1", rows) == ["C-3"]
    assert run("(sku:A* OR sku:B*) AND NOT tag:y", rows) == ["A-1"]
    assert run("nosuch:1", rows) == ["A-1", "B-2", "C-3"]


# ---------------------------------------------------------------- API faults


def test_5xx_and_429_are_injected_at_their_configured_rates(make_shop) -> None:
    shop = make_shop(seed=3)
    shop.control("PUT", "faults", json={"error_rate_5xx": 0.2, "rate_429": 0.1})
    statuses, retry_after = [], set()
    for _ in range(300):
        r = gql(shop, q.LOCATIONS, {"first": 1})
        statuses.append(r.status_code)
        if r.status_code == 429:
            retry_after.add(r.headers["Retry-After"])
        if r.status_code == 502:
            assert r.headers["content-type"].startswith("text/html")
    share_5xx = sum(s in (502, 503) for s in statuses) / len(statuses)
    share_429 = statuses.count(429) / len(statuses)
    assert 0.13 < share_5xx < 0.27 and 0.05 < share_429 < 0.16
    assert retry_after <= {"1.0", "2.0"} and {502, 503} <= set(statuses)
    assert len(shop.control("GET", "calls").json()) == 300

    shop.control("PUT", "faults", json={"error_rate_5xx": 0, "rate_429": 0, "latency_ms": 150})
    started = time.monotonic()
    assert gql(shop, q.LOCATIONS, {"first": 1}).status_code == 200
    assert time.monotonic() - started >= 0.15
    shop.control("DELETE", "calls")
    assert shop.control("GET", "calls").json() == []


def test_checkout_refuses_to_oversell_a_deny_variant(make_shop) -> None:
    shop = make_shop()
    stock(shop, "WID-001", quantity=1)
    response = HTTP.post(
        f"{shop.url}/_sandbox/orders",
        json={
            "email": "a@example.com",
            "first_name": "A",
            "last_name": "B",
            "lines": [{"sku": "WID-001", "quantity": 2}],
        },
    )
    assert response.status_code == 422 and "out of stock" in response.text
    assert shop.control("GET", "inventory").json() == {"WID-001": 1}
    placed = checkout(shop, lines=[{"sku": "WID-001", "quantity": 1}])
    assert shop.control("GET", f"orders/{placed['id']}").json()["order"] == placed
