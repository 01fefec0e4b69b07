"""When a cart counts as abandoned, and what an order does to it: pure decisions.

Shopify sends no "abandoned" event (nothing happens at the moment a shopper leaves);
abandonment is a state the hub decides by the clock. The rule, in one place:

- a cart is `open` while it is being worked on;
- an open cart that has not changed for `abandon_after` seconds, with no order, is
  `abandoned` (measured from the store's own `updated_at`, so a late webhook or a poll
  that finds it hours later decides the same);
- an order from an open cart makes it `completed`; an order from an abandoned cart
  makes it `recovered`: the sale the recovery e-mails are for. A completed or recovered
  cart stays as it is: a redelivered order or a stray checkout update changes nothing.

The functions take the time as an argument (no clock of their own), so tests drive it.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN = "open"
ABANDONED = "abandoned"
RECOVERED = "recovered"
COMPLETED = "completed"
STATES = (OPEN, ABANDONED, RECOVERED, COMPLETED)
# The states an order has already closed: nothing moves a cart out of them.
ORDERED = (RECOVERED, COMPLETED)


@dataclass(frozen=True)
class Abandonment:
    """The configured rule: how long an open cart may sit unchanged, in seconds."""

    after_seconds: float

    def is_abandoned(self, state: str, last_change: float | None, now: float) -> bool:
        """Whether a cart in `state`, last changed at `last_change` (epoch seconds), counts
        as abandoned at `now`. A cart with no known change time is never abandoned by
        the clock: it is a placeholder an order made, and an order is not abandonment."""
        if state != OPEN or last_change is None:
            return False
        return now - last_change >= self.after_seconds

    def due_before(self, now: float) -> float:
        """Open carts last changed at or before this time are due to be counted abandoned."""
        return now - self.after_seconds

    def after_order(self, state: str, last_change: float | None, ordered_at: float) -> str:
        """The state of a cart in `state` once an order placed at `ordered_at` came from it.

        An abandoned cart whose order was placed before the rule's time ran out was never
        really left: the sweep counted it while the order's webhook was still on its way,
        so it is completed, not recovered."""
        if state in ORDERED:
            return state
        if state == ABANDONED and not (
            last_change is not None and ordered_at - last_change < self.after_seconds
        ):
            return RECOVERED
        return COMPLETED


def is_newer(incoming: float, stored: float | None) -> bool:
    """Whether a checkout update stamped `incoming` replaces what is stored: only a
    strictly newer one does (an equal stamp is a redelivery, an older one is stale)."""
    return stored is None or incoming > stored
