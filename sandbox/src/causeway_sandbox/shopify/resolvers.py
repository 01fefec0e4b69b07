"""Root fields of QueryRoot and Mutation: lookups, searches and the three mutations.

graphql-core's default resolver reads a dict key or calls an attribute with
`(info, **args)`, so the roots are plain objects whose methods carry the GraphQL
argument names (hence the camelCase parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLResolveInfo

from causeway_sandbox.shopify.checkouts import abandoned_checkout_view, checkout_field
from causeway_sandbox.shopify.connections import paginate
from causeway_sandbox.shopify.formats import gid, gql_time, parse_gid, parse_time
from causeway_sandbox.shopify.fulfillments import (
    create_fulfillment,
    fulfillment_order_view,
    fulfillment_view,
)
from causeway_sandbox.shopify.idempotency import once
from causeway_sandbox.shopify.inventory import set_quantities
from causeway_sandbox.shopify.products import ProductMutations, ProductQueries
from causeway_sandbox.shopify.search import Search
from causeway_sandbox.shopify.settings import SandboxSettings
from causeway_sandbox.shopify.store import Store, Variant
from causeway_sandbox.shopify.views import Views

Info = GraphQLResolveInfo


def _tags(text: str | None) -> list[str]:
    return [t.strip().lower() for t in (text or "").split(",") if t.strip()]


def _order_field(o: dict[str, Any], field: str) -> list[Any] | None:
    """Search fields of `orders(query:)`."""
    if field in ("updated_at", "created_at", "processed_at"):
        return [parse_time(o["updated_at" if field == "updated_at" else "created_at"])]
    status = "cancelled" if o.get("cancelled_at") else ("closed" if o.get("closed_at") else "open")
    simple: dict[str, list[Any]] = {
        "id": [o["id"]],
        "name": [o["name"], o["name"].lstrip("#")],
        "email": [o.get("email")],
        "financial_status": [o.get("financial_status")],
        "fulfillment_status": [o.get("fulfillment_status") or "unfulfilled"],
        "status": [status],
        "source_name": [o.get("source_name")],
        "tag": _tags(o.get("tags")),
        "sku": [line.get("sku") for line in o.get("line_items") or []],
        "test": [bool(o.get("test"))],
        "default": [o["name"], o.get("email"), str(o["number"])],
    }
    return simple.get(field)


def _variant_field(store: Store) -> Callable[[Variant, str], list[Any] | None]:
    def get(v: Variant, field: str) -> list[Any] | None:
        product = store.products[v.product_id]
        level = store.levels.get((v.inventory_item_id, store.default_location_id))
        values: dict[str, list[Any]] = {
            "sku": [v.sku],
            "title": [v.title],
            "id": [v.id],
            "product_id": [v.product_id],
            "barcode": [v.barcode],
            "product_status": [product.status.lower()],
            "inventory_quantity": [level.get("available") if level else 0],
            "updated_at": [v.updated_at],
            "created_at": [v.created_at],
            "default": [v.sku, v.title, product.title],
        }
        return values.get(field)

    return get


class QueryRootResolver(ProductQueries):
    """QueryRoot: every read a hub makes."""

    def __init__(self, store: Store, views: Views, settings: SandboxSettings) -> None:
        self.store = store
        self.views = views
        self.settings = settings

    def _search(self, info: Info, text: str | None, getter: Any, rows: list[Any]) -> list[Any]:
        search = Search(text, getter, self.store.clock.shop_tz)
        found = search.filter(rows)
        if search.warnings:
            info.context["search"].append(
                {
                    "path": [info.path.key],
                    "query": search.text,
                    "warnings": search.warnings,
                }
            )
        return found

    def currentAppInstallation(self, info: Info) -> dict[str, Any]:
        return {
            "id": "gid://shopify/AppInstallation/1",
            "accessScopes": [
                {"handle": handle, "description": f"The {handle} access scope."}
                for handle in self.settings.access_scopes
            ],
        }

    def shop(self, info: Info) -> dict[str, Any]:
        offset = self.store.clock.offset_text()
        return {
            "id": "gid://shopify/Shop/1",
            "name": self.settings.shop_name,
            "email": self.settings.shop_email,
            "myshopifyDomain": self.settings.shop_domain,
            "currencyCode": self.settings.currency,
            "ianaTimezone": f"Etc/GMT{'+' if offset.startswith('-') else '-'}{int(offset[1:3])}"
            if offset != "+00:00"
            else "UTC",
            "timezoneAbbreviation": "UTC" if offset == "+00:00" else offset,
            "timezoneOffset": offset.replace(":", ""),
            "timezoneOffsetMinutes": self.settings.shop_utc_offset_minutes,
        }

    def orders(
        self,
        info: Info,
        sortKey: str = "PROCESSED_AT",
        query: str | None = None,
        savedSearchId: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        rows = self._search(info, query, _order_field, list(self.store.orders.values()))

        def key(o: dict[str, Any]) -> tuple[Any, int]:
            if sortKey == "UPDATED_AT":
                return gql_time(parse_time(o["updated_at"])), o["id"]
            if sortKey in ("CREATED_AT", "PROCESSED_AT"):
                return gql_time(parse_time(o["created_at"])), o["id"]
            if sortKey == "ORDER_NUMBER":
                return o["number"], o["id"]
            if sortKey == "TOTAL_PRICE":
                return int(Decimal(o["total_price"]) * 100), o["id"]
            return o["id"], o["id"]

        return paginate(rows, sort=sortKey, key=key, node=self.views.order, **page)

    def abandonedCheckouts(
        self,
        info: Info,
        sortKey: str = "ID",
        query: str | None = None,
        savedSearchId: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        """Checkouts no order came from (checkouts.py), searchable by updated_at."""
        unfinished = [c for c in self.store.checkouts.values() if not c.get("completed_at")]
        rows = self._search(info, query, checkout_field, unfinished)

        def key(c: dict[str, Any]) -> tuple[Any, int]:
            if sortKey == "CREATED_AT":
                return gql_time(parse_time(c["created_at"])), c["id"]
            if sortKey == "TOTAL_PRICE":
                return int(Decimal(c["total_price"]) * 100), c["id"]
            return c["id"], c["id"]

        currency = self.views.shop_currency
        return paginate(
            rows, sort=sortKey, key=key, node=lambda c: abandoned_checkout_view(c, currency), **page
        )

    def order(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        rest = self.store.orders.get(number) if kind == "Order" else None
        return self.views.order(rest) if rest else None

    def productVariants(
        self,
        info: Info,
        sortKey: str = "ID",
        query: str | None = None,
        savedSearchId: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        rows = self._search(
            info, query, _variant_field(self.store), list(self.store.variants.values())
        )
        keys: dict[str, Callable[[Variant], tuple[Any, int]]] = {
            "SKU": lambda v: (v.sku, v.id),
            "TITLE": lambda v: (v.title, v.id),
            "POSITION": lambda v: (v.position, v.id),
        }
        key = keys.get(sortKey, lambda v: (v.id, v.id))
        return paginate(rows, sort=sortKey, key=key, node=self.views.variant, **page)

    def productVariant(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        v = self.store.variants.get(number) if kind == "ProductVariant" else None
        return self.views.variant(v) if v else None

    def product(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        p = self.store.products.get(number) if kind == "Product" else None
        return self.views.product(p) if p else None

    def inventoryItem(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        item = self.store.items.get(number) if kind == "InventoryItem" else None
        return self.views.inventory_item(item) if item else None

    def locations(
        self,
        info: Info,
        sortKey: str = "NAME",
        query: str | None = None,
        includeLegacy: bool = False,
        includeInactive: bool = False,
        **page: Any,
    ) -> dict[str, Any]:
        rows = [loc for loc in self.store.locations.values() if includeInactive or loc.is_active]
        rows = self._search(
            info,
            query,
            lambda loc, f: {
                "name": [loc.name],
                "id": [loc.id],
                "active": [loc.is_active],
                "default": [loc.name],
            }.get(f),
            rows,
        )
        key = (
            (lambda loc: (loc.name, loc.id))
            if sortKey == "NAME"
            else (lambda loc: (loc.id, loc.id))
        )
        return paginate(rows, sort=sortKey, key=key, node=self.views.location, **page)

    def location(self, info: Info, id: str | None = None) -> dict[str, Any] | None:
        if id is None:
            return self.views.location(self.store.locations[self.store.default_location_id])
        kind, number = parse_gid(id)
        loc = self.store.locations.get(number) if kind == "Location" else None
        return self.views.location(loc) if loc else None

    def node(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        s, v = self.store, self.views
        if kind == "InventoryLevel" and "inventory_item_id=" in id:
            item_id = int(id.rsplit("inventory_item_id=", 1)[1].split("&")[0])
            level = s.levels.get((item_id, number))
            return v.level(level) if level else None
        lookups: dict[str, Callable[[], dict[str, Any] | None]] = {
            "Order": lambda: v.order(s.orders[number]) if number in s.orders else None,
            "Product": lambda: v.product(s.products[number]) if number in s.products else None,
            "ProductVariant": lambda: (
                v.variant(s.variants[number]) if number in s.variants else None
            ),
            "InventoryItem": lambda: (
                v.inventory_item(s.items[number]) if number in s.items else None
            ),
            "Location": lambda: v.location(s.locations[number]) if number in s.locations else None,
            "Customer": lambda: v.customer(number),
            "WebhookSubscription": lambda: (
                v.subscription(s.subscriptions[number]) if number in s.subscriptions else None
            ),
            "FulfillmentOrder": lambda: (
                fulfillment_order_view(v, s.orders[number]) if number in s.orders else None
            ),
            "InventoryAdjustmentGroup": lambda: (
                v.adjustment_group(s.adjustment_groups[number])
                if number in s.adjustment_groups
                else None
            ),
        }
        return lookups.get(kind, lambda: None)()

    def nodes(self, info: Info, ids: list[str]) -> list[dict[str, Any] | None]:
        return [self.node(info, i) for i in ids]

    def webhookSubscriptions(
        self,
        info: Info,
        sortKey: str = "CREATED_AT",
        query: str | None = None,
        format: str | None = None,
        topics: list[str] | None = None,
        uri: str | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        rows = [
            s
            for s in self.store.subscriptions.values()
            if (format is None or s.format == format)
            and (topics is None or s.topic in topics)
            and (uri is None or s.uri == uri)
        ]
        rows = self._search(
            info,
            query,
            lambda s, f: {
                "topic": [s.topic.lower()],
                "id": [s.id],
                "default": [s.uri],
            }.get(f),
            rows,
        )

        def key(s):
            return (s.id, s.id)

        return paginate(rows, sort=sortKey, key=key, node=self.views.subscription, **page)

    def webhookSubscription(self, info: Info, id: str) -> dict[str, Any] | None:
        kind, number = parse_gid(id)
        sub = self.store.subscriptions.get(number) if kind == "WebhookSubscription" else None
        return self.views.subscription(sub) if sub else None


class MutationResolver(ProductMutations):
    """Mutation: stock writes and webhook subscriptions."""

    def __init__(self, store: Store, views: Views, settings: SandboxSettings) -> None:
        self.store = store
        self.views = views
        self.settings = settings

    def inventorySetQuantities(self, info: Info, input: dict[str, Any]) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            group, errors = set_quantities(self.store, input, info.context["api_version"])
            return {
                "inventoryAdjustmentGroup": self.views.adjustment_group(group) if group else None,
                "userErrors": errors,
            }

        return once(
            self.store,
            info,
            input,
            run,
            refused=lambda error: {"inventoryAdjustmentGroup": None, "userErrors": [error]},
        )

    def webhookSubscriptionCreate(
        self, info: Info, topic: str, webhookSubscription: dict[str, Any]
    ) -> dict[str, Any]:
        data = webhookSubscription
        address = data.get("uri") or data.get("callbackUrl")
        field = ["webhookSubscription", "uri" if data.get("uri") else "callbackUrl"]

        def refuse(message: str, at: list[str] | None = None) -> dict[str, Any]:
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": at or field, "message": message}],
            }

        if not address:
            return refuse("Address can't be blank")
        parts = urlsplit(address)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            if parts.scheme in ("pubsub", "arn"):
                return refuse(
                    f"Address protocol {parts.scheme} is valid on Shopify but the "
                    "sandbox only delivers over HTTP(S)"
                )
            return refuse("Address is invalid")
        if parts.scheme == "http" and not self.settings.allow_http_webhooks:
            return refuse("Address protocol http:// is not supported")
        if (data.get("format") or "JSON") != "JSON":
            return refuse(
                "The sandbox only delivers JSON webhooks", ["webhookSubscription", "format"]
            )
        if self.store.find_subscription(topic, address) is not None:
            return refuse("Address for this topic has already been taken")
        sub = self.store.add_subscription(
            topic=topic,
            uri=address,
            format="JSON",
            include_fields=data.get("includeFields"),
            filter=data.get("filter"),
        )
        return {"webhookSubscription": self.views.subscription(sub), "userErrors": []}

    def fulfillmentCreate(
        self, info: Info, fulfillment: dict[str, Any], message: str | None = None
    ) -> dict[str, Any]:
        created, errors = create_fulfillment(self.store, fulfillment)
        return {
            "fulfillment": fulfillment_view(created) if created else None,
            "userErrors": errors,
        }

    def webhookSubscriptionDelete(self, info: Info, id: str) -> dict[str, Any]:
        kind, number = parse_gid(id)
        if kind == "WebhookSubscription" and self.store.remove_subscription(number):
            return {
                "deletedWebhookSubscriptionId": gid("WebhookSubscription", number),
                "userErrors": [],
            }
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
        }
