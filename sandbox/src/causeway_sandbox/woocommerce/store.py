"""The store's data: products and variations, orders, refunds, notes, webhooks.

Records hold what WooCommerce stores; `product_views` and `order_views` write
them out in the REST shape. Ids come from one sequence for everything WordPress
keeps as a post (products, variations, orders, refunds), as on a real site, so an
order id and a product id never collide by accident in a client's test either.

Changes happen inside `store.change()`: it holds the lock and collects the
events, announced to the listeners (the webhook dispatcher) when the change is
done, each (topic, resource) once, as WooCommerce delivers a webhook at most once
per resource per request.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from causeway_sandbox.woocommerce.formats import SiteClock
from causeway_sandbox.woocommerce.settings import WooSandboxSettings

Listener = Callable[[str, int], None]

ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)


@dataclass
class Product:
    """A product or a variation (type "variation", parent_id set), as WC_Product keeps it."""

    id: int
    type: str
    name: str
    slug: str
    date_created: datetime
    date_modified: datetime
    parent_id: int = 0
    status: str = "publish"
    featured: bool = False
    catalog_visibility: str = "visible"
    description: str = ""
    short_description: str = ""
    sku: str = ""
    regular_price: str = ""
    sale_price: str = ""
    virtual: bool = False
    downloadable: bool = False
    tax_status: str = "taxable"
    tax_class: str = ""
    manage_stock: bool = False
    stock_quantity: int | None = None
    stock_status: str = "instock"  # as set; derived when stock is managed
    backorders: str = "no"
    sold_individually: bool = False
    weight: str = ""
    dimensions: dict[str, str] = field(
        default_factory=lambda: {"length": "", "width": "", "height": ""}
    )
    shipping_class: str = ""
    reviews_allowed: bool = True
    purchase_note: str = ""
    total_sales: int = 0
    menu_order: int = 0
    categories: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    attributes: list[dict[str, Any]] = field(default_factory=list)
    default_attributes: list[dict[str, Any]] = field(default_factory=list)
    variations: list[int] = field(default_factory=list)
    meta_data: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LineItem:
    id: int
    name: str
    product_id: int
    variation_id: int
    quantity: int
    price: Decimal  # per unit, before tax
    sku: str
    tax: Decimal
    # Stock movements write `_reduced_stock` and `_restock_refunded_items` here (stock.py).
    meta_data: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Refund:
    id: int
    order_id: int
    date_created: datetime
    amount: Decimal
    reason: str
    refunded_by: int
    refunded_payment: bool
    line_items: list[dict[str, Any]] = field(default_factory=list)
    meta_data: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Note:
    id: int
    order_id: int
    date_created: datetime
    note: str
    customer_note: bool
    author: str


@dataclass
class Order:
    id: int
    order_key: str
    status: str
    currency: str
    date_created: datetime
    date_modified: datetime
    created_via: str
    billing: dict[str, str]
    shipping: dict[str, str]
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    customer_id: int = 0
    customer_note: str = ""
    customer_ip_address: str = ""
    customer_user_agent: str = ""
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[dict[str, Any]] = field(default_factory=list)
    shipping_total: Decimal = Decimal("0")
    # The tax line's rate_percent as stored when the order was taxed (WooCommerce 5.7 on);
    # None for a tax line from before, which WooCommerce reads back as 0.
    tax_rate_percent: Decimal | None = None
    meta_data: list[dict[str, Any]] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    stock_reduced: bool = False
    trashed_from: str | None = None  # the status before the order went to the trash


@dataclass
class Webhook:
    id: int
    name: str
    status: str
    topic: str
    delivery_url: str
    secret: str
    date_created: datetime
    date_modified: datetime
    failure_count: int = 0
    pending_ping: bool = True  # WooCommerce's pending_delivery: no ping answered 200 yet


class Store:
    """All records and the lock that guards them."""

    def __init__(self, settings: WooSandboxSettings, clock: SiteClock) -> None:
        self.settings = settings
        self.clock = clock
        self.seed = settings.seed
        self.lock = threading.RLock()
        self.listeners: list[Listener] = []
        self.site_url = ""  # the WordPress home URL, with its trailing slash
        self._pending: list[tuple[str, int]] | None = None
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(f"{self.seed}:store")
            self.products: dict[int, Product] = {}
            self.orders: dict[int, Order] = {}
            self.refunds: dict[int, Refund] = {}
            self.notes: dict[int, Note] = {}
            self.webhooks: dict[int, Webhook] = {}
            # Settings written through /settings since the start (api_settings.py).
            self.options: dict[str, str] = {}
            # SKU -> the message a store plugin refuses its product with (control.py).
            self.refused_skus: dict[str, str] = {}
            # Starting numbers as on a site with some history (the samples' ids are 7xx).
            self._posts = itertools.count(700)
            self._items = itertools.count(300)
            self._meta = itertools.count(13000)
            self._comments = itertools.count(280)
            self._webhook_ids = itertools.count(140)
            self._images = itertools.count(790)

    # ------------------------------------------------------------------ ids

    def next_post_id(self) -> int:
        """The next free post id (ids loaded by the control API are skipped)."""
        while True:
            candidate = next(self._posts)
            if not (
                candidate in self.products or candidate in self.orders or candidate in self.refunds
            ):
                return candidate

    def next_item_id(self) -> int:
        return next(self._items)

    def next_meta_id(self) -> int:
        return next(self._meta)

    def next_comment_id(self) -> int:
        return next(self._comments)

    def next_webhook_id(self) -> int:
        return next(self._webhook_ids)

    def next_image_id(self) -> int:
        return next(self._images)

    def token(self, length: int = 13) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(length))

    # ------------------------------------------------------------------ changes

    @contextmanager
    def change(self) -> Iterator[None]:
        """Hold the lock for a change and announce its events once it is done."""
        with self.lock:
            outer = self._pending is None
            if outer:
                self._pending = []
            try:
                yield
                if not outer:
                    return
                events = list(dict.fromkeys(self._pending or []))
            finally:
                if outer:
                    self._pending = None
        for topic, resource_id in events:
            for listener in self.listeners:
                listener(topic, resource_id)

    def emit(self, topic: str, resource_id: int) -> None:
        """Record an event of the change in progress (lock held, inside `change()`)."""
        if self._pending is None:
            raise RuntimeError("emit() outside store.change()")
        self._pending.append((topic, resource_id))

    # ------------------------------------------------------------------ lookups

    def product_by_sku(self, sku: str) -> Product | None:
        for product in self.products.values():
            if sku and product.sku == sku:
                return product
        return None

    def add_meta(self, meta: list[dict[str, Any]], key: str, value: Any) -> None:
        meta.append({"id": self.next_meta_id(), "key": key, "value": value})
