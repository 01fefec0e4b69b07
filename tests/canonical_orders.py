"""A channel whose stored bodies are the canonical Order itself, as a drop folder's are:
what flow tests feed orders through when the store's own shapes are beside the point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from causeway.connectors.files.orders import order_from_json
from causeway.model import Order
from causeway.model.ports.channel import OrderChange


class CanonicalOrders:
    """Never polled: it has no change feed and cannot fetch an order again."""

    def order_changes_since(self, since: object, page_size: int = 100) -> list[OrderChange]:
        return []

    def order_node(self, external_id: str) -> dict[str, Any]:
        raise LookupError(external_id)

    def order_from_webhook(self, body: dict[str, Any]) -> Order:
        return order_from_json(body)

    def order_from_polled(self, node: dict[str, Any]) -> Order:
        return order_from_json(node)

    def order_updated_at(self, body: bytes) -> datetime | None:
        try:
            return Order.model_validate_json(body).updated_at
        except ValueError:  # pydantic's ValidationError is one: unreadable, its job parks it
            return None
