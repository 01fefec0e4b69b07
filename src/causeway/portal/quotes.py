"""The cart as the ERP prices it, kept for a few seconds (portal.cache_seconds).

A buyer opens the checkout form (the cart priced by the ERP: Tryton computes each line's
price from the company's price list) and presses "Place order" seconds later, with the
same cart: checkout then takes the quote the form just had, instead of asking Tryton to
compute the same prices again. Prices are safe to keep that long (the catalogue shows
prices as old); what is never kept:

- the credit position: checkout reads it from the ERP every time (portal/checkout.py);
- the delivery address: checkout checks the one chosen against the company's addresses
  as the ERP has them now;
- the sale's prices: the portal-orders flow has the ERP price the sale itself when it
  places it (connectors/tryton/portal_sales.py), whatever was quoted.

A quote is kept per company (its ERP party) and exact cart (each SKU and quantity): a
changed quantity is a new quote. A quote the ERP refused (a quantity rule, a product no
longer sold) is not kept: the next request asks again. A stale quote is read again at
once, never served while a background read refreshes it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from causeway.model.ports.portal import PortalQuote, PortalSale, PortalSaleLine
from causeway.portal.caching import TimedValues

if TYPE_CHECKING:
    from causeway.hub import Hub

Key = tuple[int, tuple[tuple[str, Decimal], ...]]  # party, the cart's (SKU, quantity)


class QuotingErp(Protocol):
    def quote_portal_sale(self, sale: PortalSale) -> PortalQuote: ...


class Quotes:
    def __init__(self, seconds: float) -> None:
        self._cache: TimedValues[Key, PortalQuote] = TimedValues(
            seconds, refresh_in_background=False
        )

    def quote(
        self, erp: QuotingErp, party_id: int, lines: Sequence[tuple[str, Decimal]]
    ) -> PortalQuote:
        """The cart's quote: kept from the last few seconds, else read from the ERP (whose
        error reaches the caller)."""
        key: Key = (party_id, tuple((sku, Decimal(quantity)) for sku, quantity in lines))

        def read(keys: list[Key]) -> dict[Key, PortalQuote]:
            return {wanted: erp.quote_portal_sale(draft(*wanted)) for wanted in keys}

        found = self._cache.get_many([key], read)[key]
        assert found is not None  # read() answers for every key it is given, or raises
        return found

    def forget(self) -> None:
        self._cache.forget()


def draft(party_id: int, lines: tuple[tuple[str, Decimal], ...]) -> PortalSale:
    """The cart as a sale to price (nothing is written)."""
    return PortalSale(
        reference="quote",
        party_id=party_id,
        lines=tuple(PortalSaleLine(sku=sku, quantity=quantity) for sku, quantity in lines),
    )


_QUOTES: weakref.WeakKeyDictionary[Hub, Quotes] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def quotes_of(hub: Hub) -> Quotes:
    """The hub's quotes (made on first use), kept for portal.cache_seconds."""
    with _LOCK:
        found = _QUOTES.get(hub)
        if found is None:
            found = _QUOTES[hub] = Quotes(hub.config.portal.cache_seconds)
        return found
