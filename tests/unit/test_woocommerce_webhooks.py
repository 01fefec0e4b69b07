"""WooCommerce deliveries at the hub's door: signed changes stored, everything else refused.

Each refusal says why and stores nothing; the ping WooCommerce sends to test a new
webhook is answered and stored nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from causeway.config.systems import WooCommerceSystem
from causeway.connectors.ingress import WebhookRejected
from causeway.connectors.woocommerce import WooCommerceIngress, build_ingress
from causeway.connectors.woocommerce import webhooks as wh
from causeway.connectors.woocommerce.webhooks import is_ping, verify_signature
from tests.unit.woocommerce_payloads import order

SECRET = "whsec-for-the-woo-store"
DELIVERY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def signed(body: bytes, secret: str = SECRET) -> str:
    """What WooCommerce puts in X-WC-Webhook-Signature (computed here independently)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def headers(body: bytes, topic: str = "order.updated", **extra: str) -> dict[str, str]:
    resource, event = topic.split(".")
    return {
        "X-WC-Webhook-Source": "https://shop.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": signed(body),
        "X-WC-Webhook-ID": "142",
        "X-WC-Webhook-Delivery-ID": DELIVERY,
        "Content-Type": "application/json",
        **extra,
    }


def receive(body: bytes, hdrs: dict[str, str] | None = None) -> list[Any]:
    ingress = WooCommerceIngress("woo", SECRET)
    return ingress.records("POST", "/webhooks/woo", hdrs or headers(body), body)


def rejected(body: bytes, hdrs: dict[str, str] | None = None) -> WebhookRejected:
    with pytest.raises(WebhookRejected) as caught:
        receive(body, hdrs)
    return caught.value


ORDER = json.dumps(order()).encode()


def test_a_signed_order_update_is_one_record_keyed_by_delivery_order_and_version() -> None:
    (record,) = receive(ORDER)
    assert (record.source, record.topic, record.entity_key) == (
        "woo",
        "orders/updated",
        "order:727",
    )
    assert record.event_id == f"wc:{DELIVERY}:order:727:2017-03-22T19:28:08"
    assert record.body == ORDER
    assert record.headers["x-wc-webhook-delivery-id"] == DELIVERY
    assert "x-wc-webhook-signature" not in record.headers  # not worth storing


def test_a_second_delivery_of_the_same_version_in_the_same_second_is_the_same_event() -> None:
    (first,) = receive(ORDER)
    (again,) = receive(ORDER)
    newer = json.dumps(order(date_modified_gmt="2017-03-22T19:30:00")).encode()
    (changed,) = receive(newer)
    other = json.dumps(order(id=728)).encode()
    (another_order,) = receive(other)  # the same delivery id: WooCommerce's is per second
    assert first.event_id == again.event_id
    assert len({first.event_id, changed.event_id, another_order.event_id}) == 3


def test_a_deleted_order_is_keyed_by_its_id_alone() -> None:
    body = b'{"id": 727}'
    (record,) = receive(body, headers(body, "order.deleted"))
    assert (record.topic, record.entity_key) == ("orders/delete", "order:727")
    assert record.event_id == f"wc:{DELIVERY}:order:727:-"


def test_a_product_update_is_keyed_by_the_product() -> None:
    body = json.dumps({"id": 794, "sku": "A", "date_modified_gmt": "2017-03-23T20:01:14"}).encode()
    (record,) = receive(body, headers(body, "product.updated"))
    assert record.entity_key == "product:794"


def test_the_ping_is_answered_and_stored_nowhere() -> None:
    # Form-encoded and unsigned, as WC_Webhook::deliver_ping sends it.
    ping = {"Content-Type": "application/x-www-form-urlencoded"}
    assert receive(b"webhook_id=142", ping) == []
    assert is_ping(b"webhook_id=142\n") and not is_ping(b"webhook_id=142&x=1")


@pytest.mark.parametrize(
    "signature",
    [
        signed(ORDER, "someone-elses-secret"),
        signed(ORDER + b" "),
        "",
        "not base64 at all",
    ],
)
def test_a_forged_or_broken_signature_is_refused_with_401(signature: str) -> None:
    error = rejected(ORDER, headers(ORDER, **{"X-WC-Webhook-Signature": signature}))
    assert error.status == 401
    assert "systems.woo.webhook_secret" in str(error)


def test_a_delivery_without_a_signature_is_refused() -> None:
    hdrs = headers(ORDER)
    del hdrs["X-WC-Webhook-Signature"]
    assert rejected(ORDER, hdrs).status == 401


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"   ", "empty body"),
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b"[1, 2]", "JSON list, not an object"),
        (b'{"name": "no id"}', "no id"),
        (b'{"id": -3}', "no id"),
        (b'{"id": "727; DROP"}', "no id"),
    ],
)
def test_a_signed_body_that_is_not_a_resource_is_refused_with_the_reason(
    body: bytes, reason: str
) -> None:
    error = rejected(body)
    assert error.status == 400
    assert reason in str(error)


@pytest.mark.parametrize("topic", ["action.woocommerce_add_to_cart", "", "order"])
def test_a_topic_that_is_no_resource_change_is_refused(topic: str) -> None:
    hdrs = headers(ORDER) | {"X-WC-Webhook-Topic": topic}
    error = rejected(ORDER, hdrs)
    assert error.status == 400 and "not a change of a WooCommerce resource" in str(error)


def test_a_delivery_id_that_cannot_be_stored_gives_way_to_the_bodys_digest() -> None:
    (record,) = receive(ORDER, headers(ORDER, **{"X-WC-Webhook-Delivery-ID": "x" * 500}))
    assert record.event_id.startswith("wc:sha256:")
    assert len(record.event_id) <= 128


def test_header_names_are_read_whatever_their_case() -> None:
    lowered = {k.lower(): v for k, v in headers(ORDER).items()}
    (record,) = receive(ORDER, lowered)
    assert record.entity_key == "order:727"


def test_no_receiver_without_a_secret() -> None:
    with pytest.raises(ValueError, match="webhook_secret is empty"):
        WooCommerceIngress("woo", "  ")
    assert not verify_signature("", ORDER, signed(ORDER, ""))


def test_the_receiver_of_a_configured_store() -> None:
    system = WooCommerceSystem(
        type="woocommerce",
        url="https://shop.example",
        consumer_key="ck_x",
        consumer_secret="cs_y",
        webhook_secret=SECRET,
    )
    (record,) = build_ingress("store-b", system).records("POST", "/", headers(ORDER), ORDER)
    assert record.source == "store-b"


def test_a_restored_order_is_received_as_an_update_and_keeps_woocommerces_topic() -> None:
    (record,) = receive(ORDER, headers(ORDER, "order.restored"))
    assert record.topic == "orders/updated"
    assert record.headers["x-wc-webhook-topic"] == "order.restored"


def test_the_hubs_topics_are_subscribed_as_woocommerces_each_once() -> None:
    # WooCommerce announces payments, cancellations and refunds with order.updated.
    wanted = ["orders/create", "orders/updated", "orders/paid", "refunds/create", "products/update"]
    assert wh.woo_topics(wanted) == [
        "order.created",
        "order.updated",
        "order.restored",
        "product.updated",
    ]
    assert wh.woo_topics(["order.deleted"]) == ["order.deleted"]


def test_the_update_of_a_cancelled_order_is_also_the_hubs_cancellation() -> None:
    body = json.dumps({**order(), "status": "cancelled"}).encode()
    update, cancellation = receive(body)
    assert (update.topic, cancellation.topic) == ("orders/updated", "orders/cancelled")
    assert cancellation.event_id == f"{update.event_id}:c" and cancellation.body == body
    # Any other update is one record.
    (only,) = receive(ORDER)
    assert only.topic == "orders/updated"


def test_the_update_of_a_refunded_order_is_also_the_hubs_refund_each_time() -> None:
    """WooCommerce has no refund topic: every update of an order that lists refunds is
    also refunds/create; returns-to-erp books each refund once, by its id."""
    refunded = order(refunds=[{"id": 730, "reason": "", "total": "-6.00"}])
    body = json.dumps(refunded).encode()
    update, refund = receive(body)
    assert (update.topic, refund.topic) == ("orders/updated", "refunds/create")
    assert refund.event_id == f"{update.event_id}:r" and refund.entity_key == "order:727"
    # Cancelled and refunded: the three changes of the hub's, each its own event.
    both = json.dumps({**refunded, "status": "cancelled"}).encode()
    topics = [r.topic for r in receive(both)]
    assert topics == ["orders/updated", "orders/cancelled", "refunds/create"]
    # A new order is only its creation, whatever it lists.
    (created,) = receive(body, headers(body, "order.created"))
    assert created.topic == "orders/create"
