"""A channel whose stored bodies are the canonical Order itself, as a drop folder's are:
what flow tests feed orders through when the store's own shapes are beside the point."""

from __future__ import annotations

from typing import Any

from causeway.connectors.files.connector import FilesConnector
from causeway.model.ports.channel import OrderChange


class CanonicalOrders:
    """Reads its bodies as a drop folder does (the files connector's own reading, which
    needs no folder); never polled: no change feed, no order fetched again."""

    order_from_webhook = FilesConnector.order_from_webhook
    order_from_polled = FilesConnector.order_from_polled
    order_updated_at = FilesConnector.order_updated_at

    def order_changes_since(self, since: object, page_size: int = 100) -> list[OrderChange]:
        return []

    def order_node(self, external_id: str) -> dict[str, Any]:
        raise LookupError(external_id)
