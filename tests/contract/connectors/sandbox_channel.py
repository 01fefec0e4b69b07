"""What a channel subject over one of the project's sandboxes (causeway_sandbox) has in
common, whatever the vendor: stock one SKU at a time over the connector's stock
operations, as stock-to-channels uses them (find the SKU's inventory item, read its
quantity at the primary location, set it with the quantity read as the compare value);
webhooks read back through the connector's receiver; the sandbox's clock.

(When the neutral ports land, `connector` is typed with the channel port.)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

from causeway.connectors.shopify.types import QuantityChange
from causeway.errors import PermanentError
from causeway.flows.stock_to_channels.settlement import deferred, wait_for
from causeway.model import Order
from causeway.model.catalog import CatalogItem
from tests.contract.connectors.channel_contract import SetResult
from tests.contract.connectors.deliveries import Deliveries


class SandboxChannel:
    """A subclass sets `connector`, `sandbox` (with its control API), `hooks` (subscribed
    to the order topics) and `parse_webhook`, after calling this __init__."""

    connector: Any
    sandbox: Any
    hooks: Deliveries
    parse_webhook: Callable[[dict[str, Any]], Order]

    def __init__(self) -> None:
        self._items: dict[str, str] = {}
        self._location: str | None = None
        self._skus = (f"CONTRACT-{n}" for n in itertools.count(1))

    def new_sku(self) -> str:
        return next(self._skus)

    # -- the connector: stock ----------------------------------------------------------

    def _item(self, sku: str) -> str:
        if sku not in self._items:
            found = self.connector.inventory_items_by_sku([sku])
            self._items[sku] = found[sku].inventory_item_id
        return self._items[sku]

    def _location_id(self) -> str:
        if self._location is None:
            self._location = str(self.connector.primary_location_id())
        return self._location

    def stock(self, sku: str) -> int:
        item = self._item(sku)
        return int(self.connector.available_quantities([item], self._location_id())[item])

    def set_stock(self, sku: str, quantity: int, *, expected: int | None) -> SetResult:
        change = QuantityChange(
            inventory_item_id=self._item(sku),
            location_id=self._location_id(),
            quantity=quantity,
            compare_quantity=expected,
        )
        outcome = self.connector.set_available([change], reference_uri="causeway://contract")
        if outcome.submitted:  # a channel that decides later (Amazon's feed): wait for it
            outcome = wait_for(deferred(self.connector, self.connector.system), outcome)
        if outcome.applied:
            return "applied"
        if outcome.stale:
            return "stale"
        raise PermanentError(f"{self.connector.system} refused the set of {sku}: {outcome.errors}")

    # -- the connector: catalogue ------------------------------------------------------

    def publish(self, items: Sequence[CatalogItem]) -> Mapping[str, object]:
        skus = [item.sku for item in items]
        found = dict(self.connector.listings_by_sku(skus))
        missing = [sku for sku in skus if sku not in found]
        if missing:
            found |= self.connector.unfinished_listings(missing)
        wanted = {item.sku: (found.get(item.sku), item) for item in items}
        return dict(self.connector.publish_listings(wanted))

    # -- webhooks and time -------------------------------------------------------------

    def delivered(self, order_id: str) -> list[Order]:
        self.sandbox.control("POST", "deliveries/wait", json={"timeout": 20})
        records = self.hooks.of(f"order:{order_id}")
        return [self.parse_webhook(json.loads(record.body)) for record in records]

    def let_time_pass(self, seconds: int) -> None:
        # Seconds passing in the store lets what it had to deliver go out first: a
        # delivery still queued when the next change lands would carry that change
        # (WooCommerce builds the payload when it sends), which no real pause allows.
        self.sandbox.control("POST", "deliveries/wait", json={"timeout": 20})
        self.sandbox.control("POST", "clock", json={"advance_seconds": seconds})

    def close(self) -> None:
        self.connector.close()
        self.hooks.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
