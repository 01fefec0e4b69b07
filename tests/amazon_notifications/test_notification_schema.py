"""The ORDER_CHANGE model reads Amazon's own schema example, keeps unknown fields, and
refuses what the inbox could not key (no notification id, no order id, another type)."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
from pydantic import ValidationError

from causeway.connectors.amazon_notifications import OrderChangeNotification
from tests.amazon_notifications.local_sqs import example_notification, notification
from tests.vendor_samples import load_sample


def test_the_schemas_own_example_is_read_with_the_fields_the_hub_keys_on() -> None:
    parsed = OrderChangeNotification.model_validate(example_notification())

    assert parsed.notification_id == "d0e9e693-c3ad-4373-979f-ed4ec98dd746"
    assert parsed.event_time == datetime(2020, 1, 11, 0, 9, 53, 109000, tzinfo=UTC)
    assert parsed.amazon_order_id == "903-8868176-2219830"
    assert parsed.order_change_type == "BuyerRequestedChange"
    assert parsed.order_status == "Unshipped"
    change = parsed.payload.order_change_notification
    assert change.order_change_trigger is not None
    assert change.order_change_trigger.change_reason == "Buyer Requested Cancel"
    assert change.summary is not None and change.summary.fulfillment_type == "MFN"
    (item,) = change.summary.order_items
    assert (item.seller_sku, item.quantity, item.is_buyer_requested_cancel) == (
        "SellerSKUID1",
        10,
        True,
    )


def test_the_test_notifications_are_valid_against_amazons_schema() -> None:
    """What the queue tests send is what Amazon would: checked with the vendor's schema."""
    schema = load_sample("amazon", "OrderChangeNotification.json")
    jsonschema.validate(notification("n-1", "111-0000001-0000001", status="Canceled"), schema)


def test_fields_amazon_adds_later_are_kept_and_new_values_accepted() -> None:
    body = notification("n-2", "111-0000002-0000002", status="SomeFutureStatus")
    body["Payload"]["OrderChangeNotification"]["Summary"]["NewField"] = {"x": 1}
    body["NewTopLevel"] = "kept"

    parsed = OrderChangeNotification.model_validate(body)

    assert parsed.order_status == "SomeFutureStatus"
    assert parsed.model_extra == {"NewTopLevel": "kept"}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("NotificationMetadata", "NotificationId"), None, "NotificationId"),
        (("Payload", "OrderChangeNotification", "AmazonOrderId"), "", "AmazonOrderId"),
        (("NotificationType",), "ANY_OFFER_CHANGED", "NotificationType"),
        (("EventTime",), "yesterday", "EventTime"),
    ],
)
def test_a_notification_the_inbox_cannot_key_is_refused(
    path: tuple[str, ...], value: object, field: str
) -> None:
    body = example_notification()
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value

    with pytest.raises(ValidationError, match=field):
        OrderChangeNotification.model_validate(body)
