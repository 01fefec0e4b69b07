"""Amazon's ORDER_CHANGE notifications, read from the SQS queue the Notifications API
delivers them to, into the hub's inbox (docs/connectors/amazon.md, "Notifications").

Kept apart from the Selling Partner API client (connectors/amazon): this package speaks
SQS only, and needs nothing of the order API but the notification's own schema.
"""

from causeway.connectors.amazon_notifications.reader import (
    REJECTED_TOPIC,
    TOPIC,
    DrainCounts,
    NotificationReader,
    drain,
)
from causeway.connectors.amazon_notifications.schema import OrderChangeNotification
from causeway.connectors.amazon_notifications.settings import QueueSettings, queue_settings

__all__ = [
    "REJECTED_TOPIC",
    "TOPIC",
    "DrainCounts",
    "NotificationReader",
    "OrderChangeNotification",
    "QueueSettings",
    "drain",
    "queue_settings",
]
