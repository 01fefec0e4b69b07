"""A storefront sends its events: they are stored once each, flattened for reports, with
money as Decimal text and without the visitor's personal details."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from causeway.hub import Hub
from tests.clickstream.conftest import STOREFRONT, batch, pixel_event, product_added, stored


def test_a_batch_of_events_is_accepted_and_stored(hub: Hub, client: TestClient) -> None:
    events = [pixel_event("page_viewed"), product_added(), pixel_event("product_viewed")]
    response = client.post("/collect/shop", content=batch(*events))
    assert response.status_code == 202, response.text
    assert response.json() == {"accepted": 3}
    assert response.headers["Access-Control-Allow-Origin"] == STOREFRONT
    rows = stored(hub)
    assert {row["event_id"] for row in rows} == {event["id"] for event in events}
    assert {row["name"] for row in rows} == {
        "page_viewed",
        "product_added_to_cart",
        "product_viewed",
    }
    assert all(row["customer_id"] is None for row in rows)  # stitching comes later


def test_a_single_event_is_accepted_as_it_comes_from_the_pixel(
    hub: Hub, client: TestClient
) -> None:
    event = pixel_event("page_viewed", client_id="browser-9")
    response = client.post("/collect/shop", json=event)
    assert response.status_code == 202
    (row,) = stored(hub)
    assert row["client_id"] == "browser-9"
    assert row["page_url"] == f"{STOREFRONT}/products/trail-shoe"
    assert row["referrer"] == "https://www.google.com/"


def test_a_resent_event_is_stored_once(hub: Hub, client: TestClient) -> None:
    event = product_added(id="sh-resent-1")
    for _ in range(3):
        assert client.post("/collect/shop", content=batch(event)).status_code == 202
    assert client.post("/collect/shop", content=batch(event, event)).status_code == 202
    assert [row["event_id"] for row in stored(hub)] == ["sh-resent-1"]


def test_an_added_to_cart_event_keeps_its_sku_quantity_and_money_as_decimal_text(
    hub: Hub, client: TestClient
) -> None:
    client.post("/collect/shop", content=batch(product_added(quantity=2, amount=179.8)))
    (row,) = stored(hub)
    assert (row["product_sku"], row["variant_id"]) == ("SHOE-42", "gid://shopify/ProductVariant/42")
    assert (row["quantity"], row["value"], row["currency"]) == (2, "179.8", "EUR")
    assert json.loads(row["data"])["cartLine"]["merchandise"]["sku"] == "SHOE-42"


def test_a_completed_checkout_keeps_its_total_and_order_but_not_the_buyers_details(
    hub: Hub, client: TestClient
) -> None:
    checkout = {
        "token": "c1",
        "currencyCode": "USD",
        "email": "jane@example.com",
        "phone": "+15555550100",
        "shippingAddress": {"address1": "1 Main St", "city": "Springfield"},
        "order": {"id": "gid://shopify/Order/450789469"},
        "totalPrice": {"amount": "59.95", "currencyCode": "USD"},
        "lineItems": [{"quantity": 2}, {"quantity": 1}],
    }
    event = pixel_event("checkout_completed", data={"checkout": checkout})
    assert client.post("/collect/shop", content=batch(event)).status_code == 202
    (row,) = stored(hub)
    assert (row["value"], row["currency"], row["quantity"]) == ("59.95", "USD", 3)
    kept = json.loads(row["data"])["checkout"]
    assert kept["order"] == {"id": "gid://shopify/Order/450789469"}
    assert not {"email", "phone", "shippingAddress"} & set(kept)
    assert "jane@example.com" not in row["data"]


def test_the_key_may_come_in_the_query_for_a_beacon(hub: Hub, client: TestClient) -> None:
    """navigator.sendBeacon sends no headers of its own: text/plain, the key in the URL."""
    key = client.headers.pop("X-Causeway-Collect-Key")
    response = client.post(
        f"/collect/shop?key={key}",
        content=batch(pixel_event()),
        headers={"Content-Type": "text/plain"},
    )
    assert response.status_code == 202
    assert len(stored(hub)) == 1
