"""The webhook contract: signatures over raw bytes, headers, entity keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from causeway.connectors.shopify.ingress import ShopifyIngress
from causeway.connectors.shopify.webhooks import (
    UnkeyableWebhookError,
    WebhookHeaders,
    entity_key,
    sign_body,
    verify_webhook,
)
from causeway.errors import InvalidPayloadError

SECRET = "hush"
BODY = b'{"id": 450789469, "email": "bob.norman@hostmail.com"}'


def test_sign_body_is_base64_hmac_sha256_of_the_raw_bytes() -> None:
    expected = base64.b64encode(hmac.new(b"hush", BODY, hashlib.sha256).digest()).decode()
    assert sign_body(SECRET, BODY) == expected


def test_known_vector() -> None:
    # Computed independently: printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac key -binary | base64  # noqa: E501
    assert sign_body("key", b'{"a":1}') == "iKZ/JLvNrtDmyZdAS7eadDuvRMa6svTCcyjjAJ0i40I="


def test_verify_accepts_the_right_signature_and_tolerates_whitespace() -> None:
    signature = sign_body(SECRET, BODY)
    assert verify_webhook(SECRET, BODY, signature)
    assert verify_webhook(SECRET, BODY, f" {signature}\n")


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("other", BODY, sign_body(SECRET, BODY)),  # wrong secret
        (SECRET, BODY + b" ", sign_body(SECRET, BODY)),  # body changed by one byte
        (SECRET, json.dumps(json.loads(BODY)).encode() + b"\n", sign_body(SECRET, BODY)),
        (SECRET, BODY, None),  # no header
        (SECRET, BODY, ""),
        (SECRET, BODY, "not base64 at all ✓"),  # non-ASCII must not raise
        ("", BODY, sign_body("", BODY)),  # empty secret: anyone could sign
        ("  ", BODY, sign_body("  ", BODY)),  # so could they with a blank one
    ],
)
def test_verify_rejects(secret: str, body: bytes, header: str | None) -> None:
    assert verify_webhook(secret, body, header) is False


@pytest.mark.parametrize("empty", ["", " \t"])
def test_no_shopify_ingress_can_be_built_with_an_empty_webhook_secret(empty: str) -> None:
    with pytest.raises(ValueError, match="'shop': webhook_secret is empty"):
        ShopifyIngress("shop", empty)


def test_verify_is_over_raw_bytes_not_reserialised_json() -> None:
    raw = b'{"id":1,  "total_price":"10.00"}'
    reserialised = json.dumps(json.loads(raw)).encode()
    assert raw != reserialised
    assert verify_webhook(SECRET, raw, sign_body(SECRET, raw))
    assert not verify_webhook(SECRET, reserialised, sign_body(SECRET, raw))


def test_headers_parse_case_insensitively() -> None:
    headers = {
        "x-shopify-topic": "Orders/Create",
        "X-SHOPIFY-EVENT-ID": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Shop-Domain": "Example.myshopify.com",
        "X-Shopify-Triggered-At": "2023-03-29T18:00:27.877041743Z",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Hmac-Sha256": "ignored here",
    }
    parsed = WebhookHeaders.from_headers(headers)
    assert parsed.topic == "orders/create"
    assert parsed.event_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert parsed.webhook_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert parsed.shop_domain == "example.myshopify.com"
    assert parsed.triggered_at == datetime(2023, 3, 29, 18, 0, 27, 877041, tzinfo=UTC)
    assert parsed.api_version == "2026-10"
    assert parsed.problems == ()


def test_event_id_falls_back_to_webhook_id_for_older_api_versions() -> None:
    parsed = WebhookHeaders.from_headers(
        {
            "X-Shopify-Topic": "orders/updated",
            "X-Shopify-Webhook-Id": "b54557e4",
            "X-Shopify-Shop-Domain": "example.myshopify.com",
        }
    )
    assert parsed.event_id == "b54557e4"
    assert parsed.problems == ()


def test_headers_never_raise_but_name_what_is_missing() -> None:
    # A verified delivery must be storable whatever its headers look like.
    parsed = WebhookHeaders.from_headers({"X-Shopify-Triggered-At": "yesterday"})
    assert parsed.topic is None and parsed.event_id is None and parsed.triggered_at is None
    text = " | ".join(parsed.problems)
    assert "x-shopify-topic is missing" in text
    assert "x-shopify-shop-domain is missing" in text
    assert "X-Shopify-Event-Id" in text
    assert "x-shopify-triggered-at is not a timestamp" in text


@pytest.mark.parametrize(
    ("topic", "body", "key"),
    [
        ("orders/create", {"id": 450789469}, "order:450789469"),
        ("orders/updated", {"id": 450789469}, "order:450789469"),
        ("orders/delete", {"id": 450789469}, "order:450789469"),
        ("ORDERS/PAID", {"id": 1}, "order:1"),
        ("orders/edited", {"order_edit": {"id": 5, "order_id": 450789469}}, "order:450789469"),
        ("refunds/create", {"id": 9, "order_id": 450789469}, "order:450789469"),
        ("products/update", {"id": 632910392}, "product:632910392"),
        ("customers/create", {"id": 207119551}, "customer:207119551"),
        ("fulfillments/create", {"id": 255858046, "order_id": 1}, "fulfillment:255858046"),
        (
            "inventory_levels/update",
            {"inventory_item_id": 808950810, "location_id": 905684977},
            "inventory_item:808950810",
        ),
        ("collections/update", {"id": 7}, "collection:7"),  # unknown: resource name
    ],
)
def test_entity_key(topic: str, body: dict[str, object], key: str) -> None:
    assert entity_key(topic, body) == key
    assert entity_key(topic, json.dumps(body).encode()) == key


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"email": "x"}', b'{"id": true}'])
def test_entity_key_rejects_bodies_without_an_id(body: bytes) -> None:
    with pytest.raises(UnkeyableWebhookError) as caught:
        entity_key("orders/create", body)
    # Both an InvalidPayloadError (the engine parks it) and a ValueError.
    assert isinstance(caught.value, InvalidPayloadError)
    assert isinstance(caught.value, ValueError)
