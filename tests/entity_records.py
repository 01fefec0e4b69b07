"""A customer and a product as the flows leave them in the hub's store, and stand-ins for
the CRM and the ERP, for the console's customer and product pages (the view modules'
tests and the pages' tests share them)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from causeway.config.customers import CustomerSettings
from causeway.customers import merges
from causeway.customers.resolve import resolve
from causeway.engine import entities, links, timeline
from causeway.engine.store import Store
from causeway.errors import RetryableError
from causeway.model import StockLevel
from causeway.model.catalog import CatalogItem

DAY = 86400.0
CRM = "crm"


@dataclass(frozen=True)
class Ada:
    customer_id: str  # the survivor
    merged_id: str  # the WooCommerce record merged into it
    merge_id: int
    order_hub_id: str


def ada_with_history(store: Store, settings: CustomerSettings | None = None) -> Ada:
    """Ada bought in `shop` (order #1001, in the ERP as SO-7, with a service case on it),
    the CRM knows her as contact 501 under another first name, and an operator merged a
    WooCommerce record of hers (another e-mail) into her record."""
    settings = settings or CustomerSettings()
    ordered = time.time() - 3 * DAY
    seen = ordered - 30 * DAY  # when the systems said what they said
    with store.transaction() as conn:
        shop = resolve(
            conn,
            "shop",
            "c-1",
            {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"},
            seen,
            settings,
        )
        resolve(
            conn,
            CRM,
            "501",
            {"email": "ada@example.com", "first_name": "Augusta"},
            seen + 2,
            settings,
        )
        woo = resolve(
            conn,
            "woo",
            "w-9",
            {"email": "ada.l@example.org", "first_name": "A.", "last_name": "Lovelace"},
            seen + 1,
            settings,
        )
        merged = merges.merge(conn, shop.customer_id, woo.customer_id, "same person", settings)
        order = links.new_hub_id()
        links.save(conn, hub_id=order, system="shop", entity_type="order", external_id="1001")
        entities.merge(conn, order, {"number": "#1001", "erp_number": "SO-7"}, entity_type="order")
        timeline.record(conn, order, "received", at=ordered)
        timeline.record(conn, order, "in_erp", at=ordered + 5)
        links.save(
            conn,
            hub_id=shop.customer_id,
            system=CRM,
            entity_type="customer_order",
            external_id="shop:1001",
            fingerprint="25.00|shop/web|USD",
            remote_updated_at=ordered,
        )
        links.save(
            conn, hub_id=shop.customer_id, system=CRM, entity_type="contact", external_id="501"
        )
        links.save(conn, hub_id=order, system=CRM, entity_type="ticket", external_id="9001")
    return Ada(shop.customer_id, woo.customer_id, merged.merge_id, order)


CUSTOMER_FLOWS: dict[str, Any] = {
    "customers-to-crm": {"sources": ["shop"], "target": CRM},
    "cases": {"source": CRM, "stores": ["shop"]},
}


@dataclass
class Record:
    id: str
    properties: dict[str, str | None]

    def get(self, name: str) -> str | None:
        return self.properties.get(name)


@dataclass
class Batch:
    results: list[Record]
    errors: list[Any] = field(default_factory=list)


class FakeCrm:
    """The CRM's contacts and tickets as the port reads them; `down` fails every read as
    a CRM that does not answer."""

    def __init__(self, stages: Mapping[str, str] | None = None, *, down: bool = False) -> None:
        self.stages = dict(stages or {"9001": "1"})
        self.down = down

    def _answer(self) -> None:
        if self.down:
            raise RetryableError("HubSpot did not answer: connection refused")

    def read_contacts(self, ids: Sequence[str], properties: Sequence[str], **_: Any) -> Batch:
        self._answer()
        known = {"501": {"email": "ada@example.com", "firstname": "Augusta", "phone": "+44 20"}}
        return Batch([Record(i, dict(known[i])) for i in ids if i in known])

    def read_tickets(self, ids: Sequence[str], properties: Sequence[str]) -> Batch:
        self._answer()
        return Batch(
            [
                Record(i, {"subject": "Where is my parcel?", "hs_pipeline_stage": self.stages[i]})
                for i in ids
                if i in self.stages
            ]
        )


# -- a product --------------------------------------------------------------------------
SKU = "LAMP-1"
PRODUCT_ID = 42


def lamp(price: str = "30.00", *, active: bool = True) -> CatalogItem:
    return CatalogItem(
        sku=SKU, title="Desk lamp", price=Decimal(price), active=active, source_id=str(PRODUCT_ID)
    )


class FakeErp:
    """The ERP's stock and catalogue reads; `down` fails them all."""

    def __init__(
        self,
        levels: Mapping[str | None, tuple[str, str]] | None = None,
        prices: Mapping[str | None, str] | None = None,
        *,
        down: bool = False,
    ) -> None:
        # warehouse -> (on hand, forecast) of SKU; price list -> price
        self.levels = dict(levels or {None: ("40", "35")})
        self.prices = dict(prices or {None: "30.00"})
        self.down = down

    def _answer(self) -> None:
        if self.down:
            raise RetryableError("Tryton did not answer: connection refused")

    def stock_levels(
        self, skus: Sequence[str] | None = None, *, warehouse: str | None = None
    ) -> list[StockLevel]:
        self._answer()
        if warehouse not in self.levels or (skus is not None and SKU not in skus):
            return []
        on_hand, forecast = self.levels[warehouse]
        return [
            StockLevel(
                sku=SKU,
                location=warehouse or "WH",
                on_hand=Decimal(on_hand),
                forecast=Decimal(forecast),
            )
        ]

    def catalog_items(
        self, product_ids: Sequence[int], *, price_list: str | None = None
    ) -> dict[int, CatalogItem | BaseException]:
        self._answer()
        return {PRODUCT_ID: lamp(self.prices[price_list])} if PRODUCT_ID in product_ids else {}


PRODUCT_FLOWS: dict[str, Any] = {
    "stock-to-channels": {
        "source": "erp",
        "channels": [
            {"system": "shop"},
            {"system": "woo", "warehouse": "WH-EU", "sku_map": {SKU: "W-LAMP"}},
        ],
    },
    "catalog-to-channels": {
        "source": "erp",
        "channels": [
            {"system": "shop"},
            {"system": "woo", "price_list": "EUR Retail", "sku_map": {SKU: "W-LAMP"}},
        ],
    },
}


def lamp_published(store: Store, *, shown: CatalogItem | None = None) -> str:
    """stock-to-channels told `shop` 33 lamps (never `woo`); catalog-to-channels
    published the lamp (as `shown`) in `shop` only. Returns the product's hub id."""
    from causeway.flows.catalog_to_channels.decisions import fingerprint

    hub_id = links.new_hub_id()
    with store.transaction() as conn:
        links.save_fingerprints(conn, "shop", "stock", {SKU: (f"sku:{SKU}", "33")})
        links.save(
            conn,
            hub_id=hub_id,
            system="erp",
            entity_type="product",
            external_id=str(PRODUCT_ID),
            fingerprint="published",
        )
        links.save(
            conn,
            hub_id=hub_id,
            system="shop",
            entity_type="catalog",
            external_id=SKU,
            fingerprint=fingerprint(shown or lamp()),
        )
        links.save(
            conn, hub_id=hub_id, system="shop", entity_type="product", external_id="gid://p/7"
        )
    return hub_id
