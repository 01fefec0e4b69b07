"""The sandbox's orders, its clock and the searchOrders / getOrder views of them.

Orders are kept in Amazon's own v2026-01-01 shape with every block; a view leaves out
the blocks `includedData` did not ask for, as Amazon does. Pages are keysets (the last
order's creation time and id, in an opaque nextToken) over the orders updated before the
first page's instant (`lastUpdatedBefore`), so an order updated while a client pages is
neither skipped nor listed twice: its new version is for the next search. A view of an
order not paid yet (Pending) leaves out its buyer and recipient, as Amazon does: they
come once the order moves on (Unshipped, ...).
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

# includedData -> the order's blocks and its items' blocks it brings.
BLOCKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BUYER": (("buyer",), ()),
    "RECIPIENT": (("recipient",), ()),
    "PROCEEDS": (("proceeds",), ("proceeds",)),
    "EXPENSE": ((), ("expense",)),
    "PROMOTION": ((), ("promotion",)),
    "CANCELLATION": ((), ("cancellation",)),
    "FULFILLMENT": (("fulfillment",), ("fulfillment",)),
    "PACKAGES": (("packages",), ()),
    "TAX": (("tax",), ("tax",)),
    "PAYMENT": (("payment",), ()),
    "FULFILLMENT_ORDERS": (("fulfillmentOrders",), ()),
}

# Amazon gives no buyer nor delivery address before the payment is authorised. The vendor
# model ordersV0.json says it of the address (Order.ShippingAddress): "`ShippingAddress` is
# only available for orders with the following status values: Unshipped,
# `PartiallyShipped`, Shipped and `InvoiceUnconfirmed`." orders_2026-01-01.json does not
# repeat it for `recipient` nor say it of `buyer`; Amazon's developer support does, in
# amzn/selling-partner-api-models#4536: "Buyer Information is available for Unshipped,
# PartiallyShipped, Shipped Orders." Withheld means absent: the blocks are left out.
NOT_PAID_YET = frozenset({"PENDING", "PENDING_AVAILABILITY"})
WITHHELD_UNTIL_PAID = ("buyer", "recipient")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Clock:
    """Real UTC time plus an offset the control API moves (tests never sleep)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0) + self.offset


# Told of every change the store makes: the order as it now is, and why (notifications.py).
OrderListener = Callable[[dict[str, Any], str], None]


class OrderStore:
    def __init__(self, clock: Clock, listener: OrderListener | None = None) -> None:
        self.clock = clock
        self.listener = listener
        self._lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}

    def _changed(self, order: dict[str, Any], reason: str) -> None:
        if self.listener is not None:
            self.listener(copy.deepcopy(order), reason)

    def reset(self) -> None:
        with self._lock:
            self._orders.clear()

    def put(self, order: dict[str, Any]) -> dict[str, Any]:
        """Add or replace an order; times it lacks are the clock's."""
        order = copy.deepcopy(order)
        now = iso(self.clock.now())
        order.setdefault("createdTime", now)
        order.setdefault("lastUpdatedTime", now)
        with self._lock:
            new = order["orderId"] not in self._orders
            self._orders[order["orderId"]] = order
        self._changed(order, "New order" if new else "Order replaced")
        return order

    def update(self, order_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """A change by Amazon or the seller: `fulfillmentStatus`, or whole blocks; the order's
        lastUpdatedTime becomes the clock's now."""
        with self._lock:
            order = self._orders.get(order_id)
            if order is None:
                return None
            changes = dict(changes)
            status = changes.pop("fulfillmentStatus", None)
            if status is not None:
                order.setdefault("fulfillment", {})["fulfillmentStatus"] = status
            order.update(copy.deepcopy(changes))
            order["lastUpdatedTime"] = iso(self.clock.now())
            changed = copy.deepcopy(order)
        self._changed(changed, "Order status changed" if status else "Order changed")
        return changed

    def modify(self, order_id: str, change: Callable[[dict[str, Any]], object]) -> bool:
        """Run `change` on a copy of the order and keep it, with lastUpdatedTime now, unless
        it raises (the order is then as it was); False when there is no such order."""
        with self._lock:
            order = self._orders.get(order_id)
            if order is None:
                return False
            changed = copy.deepcopy(order)
            change(changed)
            changed["lastUpdatedTime"] = iso(self.clock.now())
            self._orders[order_id] = changed
        self._changed(changed, "Order changed")
        return True

    def get(self, order_id: str, included: list[str]) -> dict[str, Any] | None:
        with self._lock:
            order = self._orders.get(order_id)
            return view(order, included) if order is not None else None

    def search(
        self,
        *,
        updated_after: datetime,
        updated_before: datetime | None,
        by_creation: bool = False,
        marketplaces: list[str],
        included: list[str],
        page_size: int,
        after_key: tuple[str, str] | None,
    ) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
        """The orders updated (by_creation: created) between the two instants."""
        stamp = "createdTime" if by_creation else "lastUpdatedTime"
        with self._lock:
            found = [
                o
                for o in self._orders.values()
                if updated_after <= parse_time(o[stamp])
                and (updated_before is None or parse_time(o[stamp]) <= updated_before)
                and (not marketplaces or o["salesChannel"].get("marketplaceId") in marketplaces)
            ]
            found.sort(key=_key)
            if after_key is not None:
                found = [o for o in found if _key(o) > after_key]
            page = found[:page_size]
            more = len(found) > page_size
            return [view(o, included) for o in page], (_key(page[-1]) if more else None)


def _key(order: dict[str, Any]) -> tuple[str, str]:
    return (iso(parse_time(order["createdTime"])), order["orderId"])


def view(order: dict[str, Any], included: list[str]) -> dict[str, Any]:
    """The order with only the blocks `included` asks for, and without what Amazon
    withholds while it is not paid yet."""
    shown = copy.deepcopy(order)
    if (shown.get("fulfillment") or {}).get("fulfillmentStatus") in NOT_PAID_YET:
        for block in WITHHELD_UNTIL_PAID:
            shown.pop(block, None)
    for name, (order_blocks, item_blocks) in BLOCKS.items():
        if name in included:
            continue
        for block in order_blocks:
            shown.pop(block, None)
        for item in shown.get("orderItems", []):
            for block in item_blocks:
                item.pop(block, None)
    return shown


def encode_token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode_token(token: str) -> dict[str, Any] | None:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None
    return state if isinstance(state, dict) else None
