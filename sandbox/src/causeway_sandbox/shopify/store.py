"""The sandbox shop's in-memory state: catalogue, stock, orders, subscriptions, call log.

Orders are kept in Shopify's REST shape (the body of an `orders/create` webhook)
and nothing else: GraphQL `Order` fields are computed from that one record, so
the webhook a hub receives and the order it later fetches can never disagree.

One re-entrant lock guards everything. GraphQL execution holds it for the whole
operation, which gives every query a consistent snapshot and makes a mutation
atomic, as Shopify's are. Changes Shopify would announce are handed to the
listeners (the webhook dispatcher) while the lock is held, so events leave in the
order the changes happened.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from causeway_sandbox.shopify.formats import SandboxClock, gid

# REST topic for each WebhookSubscriptionTopic value (they cannot be derived by rule:
# ORDERS_PARTIALLY_FULFILLED is orders/partially_fulfilled, INVENTORY_LEVELS_UPDATE is
# inventory_levels/update).
TOPICS: dict[str, str] = {
    "APP_UNINSTALLED": "app/uninstalled",
    "CHECKOUTS_CREATE": "checkouts/create",
    "CHECKOUTS_DELETE": "checkouts/delete",
    "CHECKOUTS_UPDATE": "checkouts/update",
    "CUSTOMERS_CREATE": "customers/create",
    "CUSTOMERS_DELETE": "customers/delete",
    "CUSTOMERS_UPDATE": "customers/update",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "FULFILLMENTS_UPDATE": "fulfillments/update",
    "INVENTORY_ITEMS_CREATE": "inventory_items/create",
    "INVENTORY_ITEMS_DELETE": "inventory_items/delete",
    "INVENTORY_ITEMS_UPDATE": "inventory_items/update",
    "INVENTORY_LEVELS_CONNECT": "inventory_levels/connect",
    "INVENTORY_LEVELS_DISCONNECT": "inventory_levels/disconnect",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_CREATE": "orders/create",
    "ORDERS_DELETE": "orders/delete",
    "ORDERS_EDITED": "orders/edited",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PAID": "orders/paid",
    "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "ORDERS_UPDATED": "orders/updated",
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_DELETE": "products/delete",
    "PRODUCTS_UPDATE": "products/update",
    "REFUNDS_CREATE": "refunds/create",
}
TOPIC_ENUMS: dict[str, str] = {rest: enum for enum, rest in TOPICS.items()}

# Inventory quantity names Shopify knows; on_hand is derived (see InventoryLevel.get).
QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
_ON_HAND_PARTS = (
    "available",
    "committed",
    "damaged",
    "quality_control",
    "reserved",
    "safety_stock",
)

# Id ranges of the size Shopify hands out today, so a hub that stores ids in a
# 32-bit column fails here.
_ID_BASES: dict[str, int] = {
    "Product": 8_100_000_000_000,
    "ProductVariant": 44_100_000_000_000,
    "InventoryItem": 46_100_000_000_000,
    "Location": 71_000_000_000,
    "Order": 6_100_000_000_000,
    "LineItem": 15_100_000_000_000,
    "ShippingLine": 5_100_000_000_000,
    "Customer": 7_900_000_000_000,
    "MailingAddress": 9_100_000_000_000,
    "WebhookSubscription": 1_500_000_000_000,
    "InventoryAdjustmentGroup": 31_000_000_000_000,
    "Checkout": 36_000_000_000_000,
    "Fulfillment": 5_600_000_000_000,
}


@dataclass
class Product:
    id: int
    title: str
    handle: str
    vendor: str
    product_type: str
    status: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    variant_ids: list[int] = field(default_factory=list)
    description_html: str = ""


@dataclass
class Variant:
    id: int
    product_id: int
    sku: str
    title: str
    price: Decimal
    inventory_item_id: int
    inventory_policy: str
    taxable: bool
    requires_shipping: bool
    grams: int
    position: int
    barcode: str | None
    created_at: datetime
    updated_at: datetime
    compare_at_price: Decimal | None = None


@dataclass
class InventoryItem:
    id: int
    variant_id: int
    sku: str
    tracked: bool
    requires_shipping: bool
    created_at: datetime
    updated_at: datetime
    # InventoryItem.measurement.weight: Shopify keeps the unit it was given.
    weight_value: float = 0.0
    weight_unit: str = "KILOGRAMS"


@dataclass
class Location:
    id: int
    name: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass
class InventoryLevel:
    item_id: int
    location_id: int
    quantities: dict[str, int]
    created_at: datetime
    updated_at: datetime

    def get(self, name: str) -> int:
        if name == "on_hand":
            return sum(self.quantities.get(part, 0) for part in _ON_HAND_PARTS)
        return self.quantities.get(name, 0)


@dataclass
class InventoryChange:
    name: str
    delta: int
    quantity_after: int
    item_id: int
    location_id: int


@dataclass
class AdjustmentGroup:
    id: int
    created_at: datetime
    reason: str
    reference_document_uri: str | None
    changes: list[InventoryChange]


@dataclass
class Subscription:
    id: int
    topic: str  # the WebhookSubscriptionTopic enum value, e.g. ORDERS_CREATE
    uri: str
    format: str
    include_fields: list[str]
    filter: str | None
    created_at: datetime
    updated_at: datetime


Listener = Callable[[str, dict[str, Any]], None]


class Store:
    """All the shop's state, behind one lock; see the module docstring."""

    def __init__(self, *, clock: SandboxClock, seed: int, shop_domain: str) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.shop_domain = shop_domain
        self.listeners: list[Listener] = []
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        """Forget everything except the default location (and the listeners)."""
        with self.lock:
            self.rng = random.Random(f"{self._seed}:store")
            self._counters: dict[str, int] = dict(_ID_BASES)
            self.products: dict[int, Product] = {}
            self.variants: dict[int, Variant] = {}
            self.items: dict[int, InventoryItem] = {}
            self.locations: dict[int, Location] = {}
            self.levels: dict[tuple[int, int], InventoryLevel] = {}
            self.orders: dict[int, dict[str, Any]] = {}
            # Order id -> its transactions (REST Transaction resources), oldest first.
            self.transactions: dict[int, list[dict[str, Any]]] = {}
            self.customers: dict[int, dict[str, Any]] = {}
            # Checkout id -> the REST checkout (checkouts.py), completed ones included.
            self.checkouts: dict[int, dict[str, Any]] = {}
            self.subscriptions: dict[int, Subscription] = {}
            # Where the app's configuration sends the privacy (compliance) webhooks:
            # customers/data_request, customers/redact, shop/redact (sandbox/shopify/compliance.py).
            self.compliance_uri: str | None = None
            self.adjustment_groups: dict[int, AdjustmentGroup] = {}
            # (mutation, @idempotent key) -> (its input, as JSON; its answer): idempotency.py
            self.idempotent: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
            self.calls: list[dict[str, Any]] = []
            # Shipping confirmations Shopify would have e-mailed (fulfillmentCreate notifyCustomer).
            self.notifications: list[dict[str, Any]] = []
            self.order_number = 1000
            now = self.clock.now()
            location = Location(self.next_id("Location"), "Main warehouse", True, now, now)
            self.locations[location.id] = location
            self.default_location_id = location.id

    # ---------------------------------------------------------------- helpers

    def next_id(self, kind: str) -> int:
        with self.lock:
            self._counters[kind] = self._counters.get(kind, 1_000_000) + 1
            return self._counters[kind]

    def token(self) -> str:
        """A 32-hex-digit token (cart_token, checkout_token...), from the seeded generator."""
        with self.lock:
            return f"{self.rng.getrandbits(128):032x}"

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        """Announce a change (REST topic, REST payload) to every listener."""
        for listener in list(self.listeners):
            listener(topic, payload)

    def record_call(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(entry)

    # ---------------------------------------------------------------- catalogue

    def variant_by_sku(self, sku: str) -> Variant | None:
        with self.lock:
            return next((v for v in self.variants.values() if v.sku == sku), None)

    def create_product(
        self,
        *,
        title: str,
        sku: str,
        price: Decimal,
        quantity: int,
        tracked: bool = True,
        inventory_policy: str = "deny",
        vendor: str = "Causeway Sandbox",
        product_type: str = "",
        grams: int = 0,
        requires_shipping: bool = True,
        taxable: bool = True,
        barcode: str | None = None,
    ) -> tuple[Product, Variant, InventoryItem, InventoryLevel]:
        """Create a one-variant product stocked at the default location."""
        with self.lock:
            if self.variant_by_sku(sku) is not None:
                raise ValueError(f"SKU {sku!r} already exists in the sandbox")
            now = self.clock.now()
            handle = "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())
            product = Product(
                self.next_id("Product"),
                title,
                handle or "product",
                vendor,
                product_type,
                "ACTIVE",
                [],
                now,
                now,
            )
            variant_id = self.next_id("ProductVariant")
            item = InventoryItem(
                self.next_id("InventoryItem"), variant_id, sku, tracked, requires_shipping, now, now
            )
            variant = Variant(
                variant_id,
                product.id,
                sku,
                "Default Title",
                price,
                item.id,
                inventory_policy,
                taxable,
                requires_shipping,
                grams,
                1,
                barcode,
                now,
                now,
            )
            product.variant_ids.append(variant.id)
            level = InventoryLevel(
                item.id, self.default_location_id, {"available": quantity}, now, now
            )
            self.products[product.id] = product
            self.variants[variant.id] = variant
            self.items[item.id] = item
            self.levels[(item.id, self.default_location_id)] = level
            return product, variant, item, level

    def inventory_by_sku(self) -> dict[str, int]:
        """`available` at the default location for every SKU."""
        with self.lock:
            result: dict[str, int] = {}
            for item in self.items.values():
                level = self.levels.get((item.id, self.default_location_id))
                result[item.sku] = level.get("available") if level else 0
            return result

    def level_payload(self, level: InventoryLevel) -> dict[str, Any]:
        """The REST inventory_level resource (body of inventory_levels/update)."""
        return {
            "inventory_item_id": level.item_id,
            "location_id": level.location_id,
            "available": level.get("available"),
            "updated_at": self.clock.rest_time(level.updated_at),
            "admin_graphql_api_id": (
                f"{gid('InventoryLevel', level.location_id)}?inventory_item_id={level.item_id}"
            ),
        }

    # ---------------------------------------------------------------- webhooks

    def add_subscription(
        self,
        *,
        topic: str,
        uri: str,
        format: str = "JSON",
        include_fields: list[str] | None = None,
        filter: str | None = None,
    ) -> Subscription:
        with self.lock:
            now = self.clock.now()
            sub = Subscription(
                self.next_id("WebhookSubscription"),
                topic,
                uri,
                format,
                list(include_fields or []),
                filter,
                now,
                now,
            )
            self.subscriptions[sub.id] = sub
            return sub

    def find_subscription(self, topic: str, uri: str) -> Subscription | None:
        with self.lock:
            return next(
                (s for s in self.subscriptions.values() if s.topic == topic and s.uri == uri),
                None,
            )

    def subscriptions_for(self, rest_topic: str) -> list[Subscription]:
        enum = TOPIC_ENUMS.get(rest_topic)
        with self.lock:
            return [s for s in self.subscriptions.values() if s.topic == enum]

    def remove_subscription(self, subscription_id: int) -> bool:
        with self.lock:
            return self.subscriptions.pop(subscription_id, None) is not None
