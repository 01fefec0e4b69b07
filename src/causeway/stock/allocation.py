"""How the sellable quantity is split between channels, and how a channel is kept from
giving back units it sold whose orders have not reached the hub yet.

A channel's quantity for a SKU:

    channel = min(cap, floor(share * sellable)) - the channel's safety stock, never below 0

with `sellable` from stock/sellable.py. A channel with neither share nor cap sees the
whole sellable quantity (the `targets:` form): such channels each may sell all of it, and
can oversell one another between two publishes.

The no-oversell invariant: when the configured shares sum to at most 1 and every channel
has a share, the quantities published to all channels sum to at most `sellable`, because
floor(s_i * S) <= s_i * S, a cap or safety stock only lowers a figure, and
sum(s_i * S) <= S. Caps alone do not give it (a cap is a ceiling, not a split).

Pure: the flow reads the quantities and publishes the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Allocation:
    """One channel's part of the sellable stock. share in (0, 1]; cap >= 0; None = no limit."""

    share: Fraction | None = None
    cap: int | None = None
    safety_stock: int = 0


def channel_quantity(sellable: int, allocation: Allocation) -> int:
    """Whole units one channel may show for one SKU."""
    quantity = sellable
    if allocation.share is not None:
        # Fraction, not float: 0.3 * 10 must be 3, not 2.9999999999999996 floored to 2.
        quantity = math.floor(allocation.share * sellable)
    if allocation.cap is not None:
        quantity = min(allocation.cap, quantity)
    return max(0, quantity - allocation.safety_stock)


def channel_quantities(sellable: Mapping[str, int], allocation: Allocation) -> dict[str, int]:
    return {sku: channel_quantity(qty, allocation) for sku, qty in sellable.items()}


def shares_split_the_stock(allocations: Sequence[Allocation]) -> bool:
    """True when the no-oversell invariant holds: every channel has a share, together <= 1."""
    shares = [a.share for a in allocations]
    return all(s is not None for s in shares) and sum(s for s in shares if s) <= 1


def without_unseen_sales(new: int, last_published: int | None, current: int | None) -> int:
    """The figure to set on a channel, compare-and-set or not.

    `current` is the channel's quantity read just before the write, `last_published` what
    the hub set last time. If the channel now shows less, it sold units since; those the
    hub already knows of (their orders are in `sellable`) show as `new` below
    `last_published`. What the channel sold beyond that, the hub does not know yet (the
    orders' webhooks are on their way): setting `new` as is would give those units back
    for sale, so they come off `new`. A sale known to the hub together with a restock in
    the ERP is taken for an unseen sale: the figure errs low, never high, and the next
    publish after the order arrives corrects it. Compare-and-set does not make this rule
    unnecessary: it refuses a write when the channel sold between this read and the
    write, while the sales this rule is about happened before the read. On a channel
    without it (WooCommerce) a sale between the read and the write is still lost; a
    restock typed into the channel (current above published) is not the hub's to keep
    and is overwritten.
    """
    if last_published is None or current is None:
        return new
    sold_in_channel = last_published - current
    known_to_hub = max(0, last_published - new)
    unseen = max(0, sold_in_channel - known_to_hub)
    return max(0, new - unseen)
