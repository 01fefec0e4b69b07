"""What a store gives the carts flow: its checkouts, read from webhooks and from a poll.

A store that announces checkouts (Shopify: checkouts/create, checkouts/update; the
`abandonedCheckouts` query behind them) implements `CartChannel`; the carts flow
(flows/carts/) never sees the vendor's shapes, only the neutral `Cart` and `CartOrder`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from causeway.model.carts import Cart, CartOrder


class CartChannel(Protocol):
    def cart_from_webhook(self, body: dict[str, Any]) -> Cart:
        """A checkouts/* webhook body as a Cart; raises InvalidPayloadError when it is none."""
        ...

    def cart_order_from_webhook(self, body: dict[str, Any]) -> CartOrder | None:
        """An orders/create body's checkout (None: the order came from no checkout, such
        as a draft or point-of-sale order)."""
        ...

    def abandoned_carts_since(self, since: datetime | None, page_size: int = 10) -> Iterator[Cart]:
        """The store's unfinished checkouts updated at or after `since`, oldest first."""
        ...
