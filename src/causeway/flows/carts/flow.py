"""carts: which shoppers' checkouts end in an order, which are left, which come back.

A store announces a checkout when the shopper gives contact details
(checkouts/create) and each time it changes (checkouts/update); its orders/create
names the checkout the order came from. This flow keeps one cart per checkout
(engine/carts.py) and its state by the rule in abandonment.py:

- a checkout webhook inserts the cart or, when it is newer than what is kept, replaces
  its contents (an older update, delivered late, changes nothing); a checkout that
  says it completed is an order made;
- an order marks its cart completed, or recovered if it had been counted abandoned;
  one whose checkout the hub has not seen yet leaves a placeholder the checkout's
  webhook fills in;
- a run (the schedule's, every `sweep_every`) first reads the store's abandoned
  checkouts updated since the last poll (the webhooks lost on the way are found
  there), then counts abandoned every open cart unchanged for `abandon_after_minutes`.

The flow is exclusive: the sweep, the poll and the webhooks of one checkout all write
the same row, and carts are few enough that one batch at a time is plenty.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from causeway.engine import carts
from causeway.engine.carts import CartRow
from causeway.engine.cursors import Cursor
from causeway.engine.inbox import Inbox, InboxRecord, StoredEvent
from causeway.engine.jobs import NewJob, ordering_key
from causeway.engine.store import Store
from causeway.errors import InvalidPayloadError
from causeway.flows.base import FlowBase
from causeway.flows.carts.abandonment import ABANDONED, OPEN, RECOVERED, Abandonment, is_newer
from causeway.flows.channels import channel_of
from causeway.flows.events import json_object
from causeway.model.carts import Cart, CartOrder
from causeway.model.ports.carts import CartChannel
from causeway.model.topics import CHECKOUT_CREATED, CHECKOUT_UPDATED, ORDER_CREATED

log = logging.getLogger("causeway.flows.carts")

NAME = "carts"
CHECKOUT_TOPICS = (CHECKOUT_CREATED, CHECKOUT_UPDATED)
TOPICS = (*CHECKOUT_TOPICS, ORDER_CREATED)
# The poll's watermark, per store; re-read with this overlap (engine/cursors.py).
STREAM = "abandoned-checkouts"
OVERLAP = timedelta(minutes=10)


def cart_job(record: InboxRecord, inbox_id: int) -> NewJob:
    """A checkout's jobs run in order under the checkout's key; an order's under a key of
    its own ("cart-of" the order), so it never waits for the order's ERP jobs."""
    if record.topic in CHECKOUT_TOPICS:
        key = ordering_key(record.source, record.entity_key)
    else:
        key = ordering_key(record.source, "cart-of", record.entity_key)
    return NewJob(NAME, key, {"inbox_id": inbox_id})


class Carts(FlowBase[None]):
    name = NAME
    batch_size = 50
    exclusive = True  # see the module docstring

    def __init__(
        self,
        store: Store,
        inbox: Inbox,
        *,
        channels: Mapping[str, CartChannel],
        abandon_after: timedelta,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not channels:
            raise ValueError(f"{NAME} needs at least one store")
        self.store = store
        self.inbox: Inbox = inbox
        self.channels = dict(channels)
        self.rule = Abandonment(abandon_after.total_seconds())
        self.clock = clock

    # -- events -----------------------------------------------------------------------
    def validate_event(self, event: StoredEvent) -> object:
        """The cart (or the order's checkout) the store's connector reads; nothing kept."""
        channel = channel_of(NAME, self.channels, event)
        if event.topic in CHECKOUT_TOPICS:
            return channel.cart_from_webhook(json_object(event))
        return channel.cart_order_from_webhook(json_object(event))

    def on_event(self, event: StoredEvent) -> None:
        channel = channel_of(NAME, self.channels, event)
        if event.topic in CHECKOUT_TOPICS:
            self.keep(event.source, channel.cart_from_webhook(json_object(event)))
        elif event.topic == ORDER_CREATED:
            order = channel.cart_order_from_webhook(json_object(event))
            if order is not None:
                self.ordered(event.source, order)
        else:
            raise InvalidPayloadError(f"{NAME} takes no {event.topic} events")

    # -- runs ---------------------------------------------------------------------------
    def on_run(self, payload: Mapping[str, Any]) -> None:
        """Poll every store, then apply the rule; a store that cannot be polled fails the
        run (it is retried) but neither stops the other stores' polls nor the rule."""
        failures: list[Exception] = []
        for system in self.channels:
            try:
                self.reconcile(system)
            except Exception as exc:  # the run's outcome, once the rest is done
                failures.append(exc)
        self.sweep()
        if failures:
            raise failures[0]

    def reconcile(self, system: str) -> int:
        """Keep every abandoned checkout the store lists as changed since the last poll;
        returns how many were new or newer than what the hub had."""
        cursor = Cursor(self.store, system, STREAM, OVERLAP, flow=NAME)
        seen: datetime | None = None
        changed = 0
        for cart in self.channels[system].abandoned_carts_since(cursor.window_start()):
            changed += self.keep(system, cart) != "stale"
            seen = cart.updated_at if seen is None or cart.updated_at > seen else seen
        cursor.advance(seen)
        if changed:
            log.info("%s: %d checkouts found by the poll", system, changed)
        return changed

    def sweep(self, now: float | None = None) -> int:
        """Count abandoned every open cart unchanged for the configured time; returns how
        many. Each is stamped with the moment the rule made it abandoned, however late
        the sweep ran."""
        at = self.clock() if now is None else now
        count = 0
        with self.store.transaction() as conn:
            due = carts.changed_before(conn, OPEN, list(self.channels), self.rule.due_before(at))
            for row in due:
                if self.rule.is_abandoned(row.state, row.updated_at, at):
                    assert row.updated_at is not None  # is_abandoned says so
                    abandoned_at = row.updated_at + self.rule.after_seconds
                    carts.set_state(conn, row.id, ABANDONED, abandoned_at=abandoned_at)
                    count += 1
        return count

    # -- what a cart becomes -------------------------------------------------------------
    def keep(self, system: str, cart: Cart) -> str:
        """Insert or update the cart: "new", "updated", or "stale" (an older update)."""
        with self.store.transaction() as conn:
            row = carts.find(conn, system, cart.checkout_id)
            if row is None:
                carts.insert_cart(conn, system, cart, OPEN)
                outcome = "new"
            elif not is_newer(cart.updated_at.timestamp(), row.updated_at):
                return "stale"
            else:
                carts.replace_contents(conn, row.id, cart)
                outcome = "updated"
            if cart.completed_at is not None:  # the store says an order came from it
                stored = carts.find(conn, system, cart.checkout_id)
                assert stored is not None
                self._order_made(conn, stored, None, cart.completed_at.timestamp())
        return outcome

    def ordered(self, system: str, order: CartOrder) -> None:
        """An order came from a checkout: its cart is completed, or recovered."""
        at = order.created_at.timestamp()
        with self.store.transaction() as conn:
            row = self._cart_of(conn, system, order)
            if row is not None:
                self._order_made(conn, row, order.order_id, at)
            elif order.checkout_id is not None:
                carts.insert_ordered(
                    conn,
                    system,
                    order.checkout_id,
                    state=self.rule.after_order(OPEN, None, at),
                    order_id=order.order_id,
                    completed_at=at,
                    checkout_token=order.checkout_token,
                    cart_token=order.cart_token,
                )

    @staticmethod
    def _cart_of(conn: Connection, system: str, order: CartOrder) -> CartRow | None:
        if order.checkout_id is not None:
            row = carts.find(conn, system, order.checkout_id)
            if row is not None:
                return row
        for token in (order.checkout_token, order.cart_token):
            if token:
                row = carts.find_by_token(conn, system, token)
                if row is not None:
                    return row
        return None

    def _order_made(self, conn: Connection, row: CartRow, order_id: str | None, at: float) -> None:
        state = self.rule.after_order(row.state, row.updated_at, at)
        stamps: dict[str, Any] = {}
        if order_id is not None and row.order_id is None:
            stamps["order_id"] = order_id
        if state != row.state:
            stamps["completed_at"] = at
            if state == RECOVERED:
                stamps["recovered_at"] = at
            elif row.state == ABANDONED:  # counted abandoned by a sweep ahead of the order
                stamps["abandoned_at"] = None
        if stamps or state != row.state:
            carts.set_state(conn, row.id, state, **stamps)
