"""Orders the channel fulfils itself (Amazon FBA): which terms each order is placed on.

A marketplace that ships an order from its own warehouse has already sent the goods when
the hub sees the order. Its sale must not take stock from the merchant's warehouse, nor
be picked there: it is placed with the channel's `channel_fulfilled_warehouse` (the ERP's
stand-in for the marketplace's warehouse, e.g. "Amazon FBA") and shipped at once
(SaleTerms.shipped_by_channel). Without that setting such an order is not placed at all:
it is parked with a message naming the setting, never placed from the merchant's own
warehouse, which would sell the merchant's stock twice.

Pure: the flow (flow.py) places each group of a batch in one ERP call.
"""

from __future__ import annotations

from collections.abc import Mapping

from causeway.errors import PermanentError
from causeway.model import Order
from causeway.model.sale_terms import SaleTerms

SETTING = "channel_fulfilled_warehouse"


def fulfilled_terms(channel: SaleTerms | None, warehouse: str | None) -> SaleTerms | None:
    """The terms of the channel's own-fulfilled orders: the channel's, with `warehouse`
    and shipped at once; None when no such warehouse is configured."""
    if warehouse is None:
        return None
    return (channel or SaleTerms()).model_copy(
        update={"warehouse": warehouse, "shipped_by_channel": True}
    )


def by_terms(
    orders: Mapping[int, Order],
    terms: SaleTerms | None,
    fulfilled: SaleTerms | None,
    *,
    source: str,
) -> tuple[list[tuple[SaleTerms | None, dict[int, Order]]], dict[int, BaseException]]:
    """The batch split by the terms each order is placed on (the channel's, then those of
    orders the channel fulfilled), and the orders that cannot be placed with their reason."""
    merchant: dict[int, Order] = {}
    by_channel: dict[int, Order] = {}
    refused: dict[int, BaseException] = {}
    for job_id, order in orders.items():
        if not order.fulfilled_by_channel:
            merchant[job_id] = order
        elif fulfilled is None:
            refused[job_id] = not_configured(order, source)
        else:
            by_channel[job_id] = order
    groups = [(t, group) for t, group in ((terms, merchant), (fulfilled, by_channel)) if group]
    return groups, refused


def not_configured(order: Order, source: str) -> PermanentError:
    return PermanentError(
        f"order {order.number} is fulfilled by {source} from its own warehouse (e.g. Amazon "
        f"FBA), and orders-to-erp has no warehouse for such orders: set {SETTING} on channel "
        f"{source!r} (flows.orders-to-erp.channels) to the ERP warehouse that stands for the "
        f"channel's (e.g. \"Amazon FBA\"), then replay. It is not placed from the merchant's "
        f"own warehouse, whose stock it never took"
    )
