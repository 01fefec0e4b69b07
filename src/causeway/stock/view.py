"""One SKU as the console's product page shows it, from the ERP, the hub and the stores.

- ERP stock: on hand and forecast in each warehouse a channel sells from, read live
  through the ERP port (ErpStock.stock_levels);
- what each channel was last told: the quantity stock-to-channels published and when
  (its links: (channel, "stock", ERP SKU), the fingerprint is the quantity);
- what is held by orders not in the ERP yet, by store (stock/held.py, as stock-to-channels
  computes it);
- catalog publish state and price per channel: catalog-to-channels' links say what each
  store was given; the ERP, read live at each channel's price list (ErpCatalog), says
  what it should show now, so a listing that is behind shows as such.

A system that does not answer is named with its reason; everything else still shows
(observability/live.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from causeway.config.channels import ChannelSettings
from causeway.engine import links
from causeway.engine.store import Store
from causeway.flows.catalog_to_channels.channels import CatalogChannelSettings
from causeway.flows.catalog_to_channels.decisions import fingerprint
from causeway.flows.catalog_to_channels.flow import DELETED, LISTING, PRODUCT, STORE_PRODUCT
from causeway.flows.stock_to_channels.publish import STOCK
from causeway.model.catalog import CatalogItem
from causeway.observability.live import DEADLINE, Answer, ask_all

if TYPE_CHECKING:
    from causeway.config.models import CausewayConfig
    from causeway.flows.stock_to_channels.declaration import StockChannelSettings

Held = Mapping[str, Mapping[str, Decimal]]  # store -> SKU -> units (stock/held.py)
NOT_IN_ERP = "the ERP has no such goods product"


@dataclass(frozen=True)
class ProductSources:
    """Where a SKU's data lives, from causeway.yaml."""

    erp: str | None = None  # stock-to-channels' source, else catalog-to-channels'
    # channel -> the ERP warehouses it sells from (() = the ERP connector's own)
    stock_channels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stock_sku_maps: Mapping[str, ChannelSettings] = field(default_factory=dict)
    catalog_erp: str | None = None
    catalog_channels: Mapping[str, CatalogChannelSettings] = field(default_factory=dict)

    @classmethod
    def of(cls, config: CausewayConfig) -> ProductSources:
        stock = config.flows.settings("stock-to-channels")
        catalog = config.flows.settings("catalog-to-channels")
        channels: list[StockChannelSettings] = list(getattr(stock, "channels", None) or [])
        catalog_channels: list[CatalogChannelSettings] = list(
            getattr(catalog, "channels", None) or []
        )
        stock_erp = getattr(stock, "source", None)
        catalog_erp = getattr(catalog, "source", None)
        return cls(
            erp=stock_erp or catalog_erp,
            stock_channels={c.system: c.warehouses for c in channels},
            stock_sku_maps={c.system: c for c in channels},
            catalog_erp=catalog_erp,
            catalog_channels={c.system: c for c in catalog_channels},
        )


@dataclass(frozen=True)
class WarehouseStock:
    warehouse: str | None  # as causeway.yaml names it; None: the ERP connector's own
    on_hand: Decimal | None = None
    forecast: Decimal | None = None
    problem: str | None = None  # the ERP did not answer, or has no such warehouse
    channels: tuple[str, ...] = ()  # the channels selling from it


@dataclass(frozen=True)
class ChannelTold:
    channel: str
    channel_sku: str
    quantity: int | None  # None: never published there
    at: datetime | None


@dataclass(frozen=True)
class Listing:
    channel: str
    channel_sku: str
    state: str  # for people: "on sale", "off sale", "not published", ...
    published_at: datetime | None = None
    price_list: str | None = None
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    problem: str | None = None


@dataclass(frozen=True)
class ProductView:
    sku: str
    erp: str | None
    title: str | None
    stock: tuple[WarehouseStock, ...]
    told: tuple[ChannelTold, ...]
    held: tuple[tuple[str, Decimal], ...]  # (store, units), stores holding some only
    listings: tuple[Listing, ...]
    erp_problem: str | None = None  # the ERP's stock could not be read at all

    @property
    def held_total(self) -> Decimal:
        return sum((units for _, units in self.held), Decimal(0))


@dataclass(frozen=True)
class Recorded:
    """What the hub recorded of a SKU, before any system is asked."""

    told: tuple[ChannelTold, ...]
    listings: Mapping[str, links.Link]  # channel -> its catalog listing link
    product_id: int | None  # the ERP's product id, once catalog-to-channels published it
    mark: str | None  # catalog-to-channels' mark of the product (published, parked:...)
    in_store: frozenset[str]  # channels where a store product is linked to it

    @property
    def anything(self) -> bool:
        return any(t.quantity is not None for t in self.told) or bool(self.listings)


def _when(at: float | None) -> datetime | None:
    return datetime.fromtimestamp(at, UTC) if at else None


def read_recorded(store: Store, sku: str, sources: ProductSources) -> Recorded:
    told: list[ChannelTold] = []
    found: dict[str, links.Link] = {}
    product_id, mark, in_store = None, None, set()
    with store.read() as conn:
        for channel, settings in sources.stock_sku_maps.items():
            link = links.find(conn, channel, STOCK, sku)
            quantity = link.fingerprint if link else None
            told.append(
                ChannelTold(
                    channel,
                    settings.channel_sku(sku),
                    int(quantity) if quantity and quantity.isdigit() else None,
                    _when(link.updated_at) if link else None,
                )
            )
        for channel, catalog in sources.catalog_channels.items():
            listing = links.find(conn, channel, LISTING, catalog.channel_sku(sku))
            if listing is not None:
                found[channel] = listing
        # The listings of one ERP product share its hub id with the ERP product's link.
        for listing in found.values():
            for link in links.for_hub(conn, listing.hub_id):
                if link.system == sources.catalog_erp and link.entity_type == PRODUCT:
                    product_id, mark = int(link.external_id), link.fingerprint
                if link.entity_type == STORE_PRODUCT and link.system in found:
                    in_store.add(link.system)
            if product_id is not None:
                break
    return Recorded(tuple(told), found, product_id, mark, frozenset(in_store))


def listing_state(
    channel: CatalogChannelSettings,
    link: links.Link | None,
    item: CatalogItem | BaseException | None,
    *,
    in_store: bool,
    mark: str | None,
) -> str:
    """What a channel shows of the product, for people: the hub's record of what it
    published there, compared with what the ERP (item: read now) says it must show."""
    if link is not None and link.fingerprint == DELETED:
        return "archived: deleted in the ERP"
    if mark and mark.startswith("parked:"):
        return "not published: its job is parked (see Problems)"
    if isinstance(item, BaseException):
        return f"cannot be published: {item}"
    if link is None:
        if item is not None and not channel.listed(item).active:
            return "not sold here (outside the channel's assortment, or inactive)"
        return "not published yet"
    if item is None:
        return "published (the ERP was not read)"
    listed = channel.listed(item)
    if link.fingerprint != fingerprint(listed):
        return "out of date: the next catalog-to-channels run publishes the ERP's change"
    if listed.active:
        return "on sale"
    return "off sale (archived)" if in_store else "not sold here (outside its assortment)"


def product_view(
    store: Store,
    sku: str,
    sources: ProductSources,
    connectors: Mapping[str, Any],
    held: Callable[[], Held],
    *,
    clean: Callable[[str], str] = str,
    deadline: float = DEADLINE,
) -> ProductView | None:
    """The SKU's page; None when neither the hub nor the ERP knows the SKU."""
    recorded = read_recorded(store, sku, sources)
    by_store = held()
    erp = connectors.get(sources.erp) if sources.erp else None
    warehouses: dict[str | None, list[str]] = {}
    for channel, named in sources.stock_channels.items():
        for warehouse in named or (None,):
            warehouses.setdefault(warehouse, []).append(channel)
    if erp is not None and not warehouses:
        warehouses[None] = []
    questions: dict[str, Callable[[], Any]] = {}
    for warehouse in warehouses:
        questions[f"stock:{warehouse or ''}"] = _stock_question(erp, sku, warehouse)
    catalog_erp = connectors.get(sources.catalog_erp) if sources.catalog_erp else None
    price_lists = {c.price_list for c in sources.catalog_channels.values()}
    if catalog_erp is not None and recorded.product_id is not None:
        for price_list in price_lists:
            questions[f"catalog:{price_list or ''}"] = _catalog_question(
                catalog_erp, recorded.product_id, price_list
            )
    answers = ask_all(questions, clean=clean, deadline=deadline)
    stock = tuple(
        _warehouse(warehouse, channels, answers[f"stock:{warehouse or ''}"], sku)
        for warehouse, channels in warehouses.items()
    )
    if not recorded.anything and not any(s.on_hand is not None for s in stock):
        if not any(by_store.get(s, {}).get(sku) for s in by_store):
            return None
    listings, title = _listings(sku, sources, recorded, answers)
    # Every warehouse failing the same way is the ERP not answering, said once on top.
    unread = [s.problem for s in stock if s.problem and s.on_hand is None]
    erp_problem = "; ".join(dict.fromkeys(unread)) if stock and len(unread) == len(stock) else None
    if erp_problem and all(p == NOT_IN_ERP for p in unread):
        erp_problem = None
    return ProductView(
        sku=sku,
        erp=sources.erp,
        title=title,
        stock=stock,
        told=recorded.told,
        held=tuple(
            (name, units[sku]) for name, units in sorted(by_store.items()) if units.get(sku)
        ),
        listings=listings,
        erp_problem=erp_problem,
    )


def _stock_question(erp: Any, sku: str, warehouse: str | None) -> Callable[[], Any]:
    return lambda: erp.stock_levels([sku], warehouse=warehouse)


def _catalog_question(erp: Any, product_id: int, price_list: str | None) -> Callable[[], Any]:
    return lambda: erp.catalog_items([product_id], price_list=price_list)


def _warehouse(
    warehouse: str | None, channels: list[str], answer: Answer[Any], sku: str
) -> WarehouseStock:
    if not answer.answered:
        return WarehouseStock(warehouse, problem=answer.problem, channels=tuple(channels))
    levels = [level for level in answer.value or [] if level.sku == sku]
    if not levels:
        return WarehouseStock(warehouse, problem=NOT_IN_ERP, channels=tuple(channels))
    return WarehouseStock(
        warehouse,
        on_hand=sum((level.on_hand for level in levels), Decimal(0)),
        forecast=sum((level.forecast for level in levels), Decimal(0)),
        channels=tuple(channels),
    )


def _listings(
    sku: str, sources: ProductSources, recorded: Recorded, answers: Mapping[str, Answer[Any]]
) -> tuple[tuple[Listing, ...], str | None]:
    rows, title = [], None
    for name, channel in sources.catalog_channels.items():
        link = recorded.listings.get(name)
        answer = answers.get(f"catalog:{channel.price_list or ''}")
        item: CatalogItem | BaseException | None = None
        problem = None
        if answer is not None and answer.answered:
            item = (answer.value or {}).get(recorded.product_id)
        elif answer is not None:
            problem = f"{sources.catalog_erp} did not answer: {answer.problem}"
        if isinstance(item, CatalogItem):
            title = title or item.title
        state = listing_state(
            channel, link, item, in_store=name in recorded.in_store, mark=recorded.mark
        )
        priced = item if isinstance(item, CatalogItem) else None
        rows.append(
            Listing(
                channel=name,
                channel_sku=channel.channel_sku(sku),
                state=state,
                published_at=_when(link.updated_at) if link and link.fingerprint else None,
                price_list=channel.price_list,
                price=priced.price if priced else None,
                compare_at_price=priced.compare_at_price if priced else None,
                problem=problem,
            )
        )
    return tuple(rows), title


__all__ = ["ProductSources", "ProductView", "listing_state", "product_view"]
