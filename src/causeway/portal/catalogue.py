"""The catalogue a business customer sees (docs/portal/catalogue.md): the ERP's salable
products, the prices the company's price list gives them with their quantity breaks,
and what is available now in the warehouses it may ship from.

Everything comes from the ERP through its port (model/ports/portal.py ErpPortalCatalogue),
read in batches and kept for `portal.cache_seconds` (caching.py):
- the product list: shared by every company, refreshed in the background once stale;
- prices: per company (party) and SKU; only the SKUs of the page being shown are read;
- availability: the ERP's forecast per warehouse, per SKU, shared by every company.

Available now = the ERP's forecast in a warehouse the company may ship from
(portal_companies.warehouses; None: every warehouse) minus what the hub holds for
orders not in the ERP yet, by the same rule the stores' stock is published by
(stock/sellable.py): a store order waiting for orders-to-erp comes off the warehouse
its sale will ship from (or off every warehouse when that is not known), and a portal
checkout waiting for its approver or being placed comes off every warehouse.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from causeway.engine import portal_held
from causeway.engine.portal_accounts import Company
from causeway.errors import CausewayError, PermanentError
from causeway.flows.orders_to_erp.declaration import channel_terms
from causeway.model.ports.portal import (
    Availability,
    ErpPortalCatalogue,
    PartyPrices,
    PortalProduct,
    PriceBreak,
)
from causeway.portal.caching import Snapshot, TimedValues
from causeway.stock.held import held_by_channel
from causeway.stock.sellable import HeldStock

if TYPE_CHECKING:
    from causeway.hub import Hub

PER_PAGE = 24


class CatalogueUnavailable(Exception):
    """The ERP did not answer; the message says so in words a customer can read."""


@dataclass(frozen=True)
class Offer:
    """One product as one company sees it: its price breaks and what it can have now."""

    product: PortalProduct
    currency: str
    breaks: tuple[PriceBreak, ...]  # empty: no price for this company (not orderable)
    available: Mapping[str, Decimal]  # warehouse code -> units available now

    @property
    def sku(self) -> str:
        return self.product.sku

    @property
    def total_available(self) -> Decimal:
        return sum(self.available.values(), Decimal(0))

    def unit_price(self, quantity: Decimal) -> Decimal | None:
        found = None
        for price_break in self.breaks:
            if quantity >= price_break.min_quantity or found is None:
                found = price_break.unit_price
        return found


@dataclass(frozen=True)
class Found:
    """A page of search results."""

    products: list[PortalProduct]
    total: int
    page: int
    pages: int
    categories: list[str]  # every category, for the filter


def search(
    products: Sequence[PortalProduct],
    text: str = "",
    category: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Found:
    """Products whose name or SKU contains every word of `text` (any case), in `category`
    when given; page `page` (from 1) of them."""
    words = text.casefold().split()
    matching = [
        p
        for p in products
        if (not category or category in p.categories)
        and all(w in p.sku.casefold() or w in p.name.casefold() for w in words)
    ]
    pages = max(1, -(-len(matching) // per_page))
    page = min(max(1, page), pages)
    categories = sorted({c for p in products for c in p.categories})
    start = (page - 1) * per_page
    return Found(matching[start : start + per_page], len(matching), page, pages, categories)


def available_now(
    availability: Availability | None,
    held: HeldStock,
    warehouse_keys: Mapping[str, str],
    allowed: Sequence[str] | None,
) -> dict[str, Decimal]:
    """Warehouse code -> units available now: the forecast of each warehouse the company
    may ship from, less what comes off it (HeldStock.against), rounded down, never below
    zero. `warehouse_keys`: code -> the key held stock is counted by."""
    if availability is None:
        return {}
    result: dict[str, Decimal] = {}
    for code, forecast in availability.by_warehouse.items():
        if allowed is not None and code not in allowed:
            continue
        key = warehouse_keys.get(code, code)
        value = forecast - held.against([key]).get(availability.sku, Decimal(0))
        result[code] = max(Decimal(0), value.to_integral_value(rounding=ROUND_FLOOR))
    return result


class Catalogue:
    """One per hub (catalogue_of): the ERP's catalogue with its caches."""

    def __init__(
        self,
        erp: ErpPortalCatalogue,
        *,
        cache_seconds: float,
        held: Callable[[], HeldStock] = HeldStock,
        warehouse_key: Callable[[str | None], str] | None = None,
        refresh_in_background: bool = True,
    ) -> None:
        """refresh_in_background: serve stale prices and stock while they are read again
        (caching.py); False: a stale one is read before the page is shown."""
        self.erp = erp
        self._held_reader = held
        self._warehouse_key = warehouse_key
        self._products: Snapshot[dict[str, PortalProduct]] = Snapshot(cache_seconds)
        self._prices: TimedValues[tuple[int, str], tuple[PriceBreak, ...]] = TimedValues(
            cache_seconds, refresh_in_background=refresh_in_background
        )
        self._price_lists: dict[int, tuple[str, str | None]] = {}  # party -> currency, list
        self._stock: TimedValues[str, Availability] = TimedValues(
            cache_seconds, refresh_in_background=refresh_in_background
        )
        # Read synchronously (a local query): an order taken shows at the next expiry.
        self._held: TimedValues[str, HeldStock] = TimedValues(
            cache_seconds, refresh_in_background=False
        )
        self._keys: dict[str, str] = {}

    def _ask(self, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except CausewayError as exc:
            raise CatalogueUnavailable(
                "The catalogue cannot be read from our ERP right now; please try again in "
                f"a minute. ({exc})"
            ) from exc

    # -- products ----------------------------------------------------------------------------
    def products(self) -> dict[str, PortalProduct]:
        """SKU -> product, every salable product, in the ERP's SKU order."""
        return self._ask(
            lambda: self._products.get(lambda: {p.sku: p for p in self.erp.portal_products()})
        )

    def product(self, sku: str) -> PortalProduct | None:
        return self.products().get(sku)

    def search(self, text: str = "", category: str = "", page: int = 1) -> Found:
        return search(list(self.products().values()), text, category, page)

    # -- what one company sees ---------------------------------------------------------------
    def prices(self, party_id: int, skus: Sequence[str]) -> PartyPrices:
        def load(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[PriceBreak, ...]]:
            read = self.erp.party_prices(party_id, [sku for _, sku in keys])
            self._price_lists[party_id] = (read.currency, read.price_list)
            return {(party_id, sku): tuple(b) for sku, b in read.breaks.items()}

        found = self._ask(lambda: self._prices.get_many([(party_id, s) for s in skus], load))
        if party_id not in self._price_lists:  # every SKU cached before a restart of the list
            self._ask(lambda: load([]))
        currency, price_list = self._price_lists[party_id]
        breaks = {sku: value for (_, sku), value in found.items() if value}
        return PartyPrices(currency=currency, price_list=price_list, breaks=breaks)

    def availability(self, company: Company, skus: Sequence[str]) -> dict[str, dict[str, Decimal]]:
        """SKU -> warehouse code -> units available now to this company."""
        stock = self._ask(lambda: self._stock.get_many(skus, self._read_stock))
        held = self._held.get_many(["held"], lambda _: {"held": self._held_reader()})["held"]
        assert held is not None
        keys = self._ask(
            lambda: self._keys_of({c for a in stock.values() if a for c in a.by_warehouse})
        )
        return {sku: available_now(stock.get(sku), held, keys, company.warehouses) for sku in skus}

    def _read_stock(self, skus: list[str]) -> Mapping[str, Availability]:
        return self.erp.availability(skus, None)

    def _keys_of(self, codes: set[str]) -> dict[str, str]:
        """Warehouse code -> the key held stock is counted by (the ERP's warehouse_key)."""
        for code in codes - set(self._keys):
            try:
                key = self._warehouse_key(code) if self._warehouse_key else code
            except PermanentError:
                key = code
            self._keys[code] = key
        return self._keys

    def offers(self, company: Company, products: Sequence[PortalProduct]) -> list[Offer]:
        """The products as this company sees them: two batched reads (prices, stock)."""
        skus = [p.sku for p in products]
        prices = self.prices(company.party_id, skus)
        stock = self.availability(company, skus)
        return [
            Offer(p, prices.currency, tuple(prices.breaks.get(p.sku, ())), stock.get(p.sku, {}))
            for p in products
        ]

    def image(self, sku: str, index: int) -> tuple[bytes, str] | None:
        """The image through the hub: only of a salable product, only one it has."""
        product = self.product(sku)
        if product is None or not 0 <= index < product.image_count:
            return None
        return self._ask(lambda: self.erp.product_image(sku, index))


# -- one catalogue per hub -------------------------------------------------------------------
_CATALOGUES: weakref.WeakKeyDictionary[Hub, Catalogue] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def catalogue_of(hub: Hub) -> Catalogue:
    """The hub's catalogue (made on first use), reading the ERP named by portal.erp."""
    with _LOCK:
        found = _CATALOGUES.get(hub)
        if found is None:
            found = _CATALOGUES[hub] = _make(hub)
        return found


def _make(hub: Hub) -> Catalogue:
    name = hub.config.portal.erp or ""
    erp = hub.connectors[name]
    warehouse_key = getattr(erp, "warehouse_key", None)

    def held() -> HeldStock:
        by_store = held_by_channel(hub.store, hub.inbox, hub.jobs, hub.connectors)
        ships_from: dict[str, str | None] = {}
        for store, terms in channel_terms(hub.config.flows, name).items():
            if store in by_store and warehouse_key is not None:
                try:
                    ships_from[store] = warehouse_key(terms.warehouse)
                except PermanentError:
                    continue  # its orders park for it; held against every warehouse
        stock = HeldStock.of_channels(by_store, ships_from)
        portal = portal_held.held_by_checkouts(hub.store)
        anywhere = dict(stock.anywhere)
        for sku, units in portal.items():
            anywhere[sku] = anywhere.get(sku, Decimal(0)) + units
        return HeldStock(stock.by_warehouse, anywhere)

    return Catalogue(
        erp, cache_seconds=hub.config.portal.cache_seconds, held=held, warehouse_key=warehouse_key
    )
