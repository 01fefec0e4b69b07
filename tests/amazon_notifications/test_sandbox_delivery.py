"""The Amazon sandbox delivers ORDER_CHANGE to a real queue as Amazon does: one message per
order change, in Amazon's schema, at least once and not always when asked to be unreliable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from causeway.connectors.amazon_notifications import OrderChangeNotification
from causeway_sandbox.amazon import AmazonSandboxServer
from tests.amazon_notifications.local_sqs import LocalSqs
from tests.vendor_samples import load_sample


@pytest.fixture(scope="module")
def amazon() -> Iterator[AmazonSandboxServer]:
    with AmazonSandboxServer() as server:
        yield server


def subscribe(amazon: AmazonSandboxServer, local_sqs: LocalSqs, **reliability: float) -> str:
    amazon.control("POST", "reset")
    queue_url = local_sqs.new_queue()
    destination = {"queue_url": queue_url, "endpoint_url": local_sqs.endpoint_url}
    amazon.control("POST", "notifications/destination", json=destination | reliability)
    return queue_url


def checkout(amazon: AmazonSandboxServer, status: str = "UNSHIPPED") -> str:
    body = {"lines": [{"sku": "WID-001", "quantity": 3, "unit_price": "10.00"}], "status": status}
    return str(amazon.control("POST", "checkouts", json=body).json()["orderId"])


def received(local_sqs: LocalSqs, queue_url: str) -> list[dict[str, Any]]:
    client, bodies = local_sqs.client(), []
    while True:
        answer = client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_each_change_of_an_order_is_one_notification_in_amazons_schema(
    amazon: AmazonSandboxServer, local_sqs: LocalSqs
) -> None:
    queue_url = subscribe(amazon, local_sqs)
    order_id = checkout(amazon, status="PENDING")
    amazon.control("PATCH", f"orders/{order_id}", json={"fulfillmentStatus": "UNSHIPPED"})

    bodies = received(local_sqs, queue_url)

    schema = load_sample("amazon", "OrderChangeNotification.json")
    for body in bodies:
        jsonschema.validate(body, schema)
    read = [OrderChangeNotification.model_validate(body) for body in bodies]
    assert [n.amazon_order_id for n in read] == [order_id, order_id]
    summaries = [body["Payload"]["OrderChangeNotification"]["Summary"] for body in bodies]
    assert [s["OrderStatus"] for s in summaries] == ["Pending", "Unshipped"]
    assert summaries[0]["OrderItems"][0]["SellerSKU"] == "WID-001"
    assert summaries[0]["OrderItems"][0]["Quantity"] == 3
    assert len({n.notification_id for n in read}) == 2


def test_an_unreliable_delivery_loses_some_and_sends_some_twice_under_one_id(
    amazon: AmazonSandboxServer, local_sqs: LocalSqs
) -> None:
    queue_url = subscribe(amazon, local_sqs, lose=0.3, duplicate=0.5)
    for _ in range(20):
        checkout(amazon)

    bodies = received(local_sqs, queue_url)
    delivery = amazon.control("GET", "notifications").json()

    assert delivery["lost"] > 0 and delivery["duplicated"] > 0
    assert delivery["lost"] + len(delivery["notification_ids"]) == 20
    assert (
        len(bodies)
        == delivery["sent"]
        == len(delivery["notification_ids"]) + delivery["duplicated"]
    )
    ids = [body["NotificationMetadata"]["NotificationId"] for body in bodies]
    assert set(ids) == set(delivery["notification_ids"])


def test_without_a_subscription_nothing_is_sent_and_a_bad_destination_is_refused(
    amazon: AmazonSandboxServer, local_sqs: LocalSqs
) -> None:
    queue_url = subscribe(amazon, local_sqs)
    amazon.control("DELETE", "notifications/destination")
    checkout(amazon)
    assert received(local_sqs, queue_url) == []
    with pytest.raises(httpx.HTTPStatusError) as refused:
        amazon.control("POST", "notifications/destination", json={"lose": 2})
    assert refused.value.response.status_code == 422
    assert "queue_url" in refused.value.response.text
