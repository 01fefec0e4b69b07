"""GraphQL objects computed from the store, field by field, the way Shopify derives them.

Each function returns a dict whose keys are GraphQL field names; a field that
takes arguments is a callable `(info, **args)`, which graphql-core's default
resolver calls. Orders are read from their REST record only (see store.py), so
`Order.totalTaxSet` is `total_tax` and `Order.updatedAt` is `updated_at` in UTC.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from causeway_sandbox.shopify.connections import paginate
from causeway_sandbox.shopify.formats import (
    gid,
    gql_decimal,
    gql_money_scalar,
    gql_time,
    parse_time,
)
from causeway_sandbox.shopify.fulfillments import fulfillment_orders_field, fulfillments_field
from causeway_sandbox.shopify.inventory_views import InventoryViews
from causeway_sandbox.shopify.pricing import line_level_discount
from causeway_sandbox.shopify.products import plain_text
from causeway_sandbox.shopify.store import Product, Store, Subscription, Variant

FINANCIAL = {
    "pending": "PENDING",
    "authorized": "AUTHORIZED",
    "partially_paid": "PARTIALLY_PAID",
    "paid": "PAID",
    "partially_refunded": "PARTIALLY_REFUNDED",
    "refunded": "REFUNDED",
    "voided": "VOIDED",
    "expired": "EXPIRED",
}
FULFILLMENT = {
    None: "UNFULFILLED",
    "fulfilled": "FULFILLED",
    "partial": "PARTIALLY_FULFILLED",
    "restocked": "RESTOCKED",
}


class Views(InventoryViews):
    """Builds GraphQL-shaped dicts for one shop (its domain and API version)."""

    def __init__(self, store: Store, *, api_version: str, shop_currency: str) -> None:
        self.store = store
        self.api_version = api_version
        self.shop_currency = shop_currency

    # ---------------------------------------------------------------- shared shapes

    @staticmethod
    def money_bag(amount: str | Decimal, currency: str) -> dict[str, Any]:
        m = {"amount": gql_decimal(amount), "currencyCode": currency}
        return {"shopMoney": m, "presentmentMoney": dict(m)}

    def tax_lines(self, lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
        return [
            {
                "title": t["title"],
                "rate": t["rate"],
                "ratePercentage": round(float(t["rate"]) * 100, 4),
                "priceSet": self.money_bag(t["price"], currency),
                "channelLiable": False,
                "source": "Shopify",
            }
            for t in lines
        ]

    @staticmethod
    def address(rest: dict[str, Any] | None, owner_id: int) -> dict[str, Any] | None:
        if not rest:
            return None
        area = ", ".join(p for p in (rest.get("city"), rest.get("province_code")) if p)
        return {
            "id": gid("MailingAddress", owner_id) + "?model_name=Address",
            "address1": rest.get("address1"),
            "address2": rest.get("address2"),
            "city": rest.get("city"),
            "company": rest.get("company"),
            "country": rest.get("country"),
            "countryCodeV2": rest.get("country_code"),
            "firstName": rest.get("first_name"),
            "lastName": rest.get("last_name"),
            "formattedArea": f"{area}, {rest.get('country')}" if area else rest.get("country"),
            "latitude": float(rest["latitude"]) if rest.get("latitude") else None,
            "longitude": float(rest["longitude"]) if rest.get("longitude") else None,
            "name": rest.get("name"),
            "phone": rest.get("phone"),
            "province": rest.get("province"),
            "provinceCode": rest.get("province_code"),
            "zip": rest.get("zip"),
        }

    # ---------------------------------------------------------------- orders

    def customer(self, customer_id: int) -> dict[str, Any] | None:
        rest = self.store.customers.get(customer_id)
        if rest is None:
            return None
        name = " ".join(p for p in (rest.get("first_name"), rest.get("last_name")) if p)
        return {
            "__typename": "Customer",
            "id": gid("Customer", rest["id"]),
            "legacyResourceId": str(rest["id"]),
            "firstName": rest.get("first_name"),
            "lastName": rest.get("last_name"),
            "displayName": name or rest.get("email") or "",
            "email": rest.get("email"),
            "phone": rest.get("phone"),
            "defaultEmailAddress": ({"emailAddress": rest["email"]} if rest.get("email") else None),
            "defaultPhoneNumber": {"phoneNumber": rest["phone"]} if rest.get("phone") else None,
            "note": rest.get("note"),
            "tags": [t.strip() for t in (rest.get("tags") or "").split(",") if t.strip()],
            "createdAt": gql_time(parse_time(rest["created_at"])),
            "updatedAt": gql_time(parse_time(rest["updated_at"])),
            "numberOfOrders": str(rest.get("orders_count", 0)),
            "verifiedEmail": bool(rest.get("verified_email")),
            "amountSpent": {
                "amount": gql_decimal(rest.get("total_spent") or "0"),
                "currencyCode": self.shop_currency,
            },
            "defaultAddress": self.address(rest.get("default_address"), rest["id"]),
        }

    def journey(self, order: dict[str, Any]) -> dict[str, Any] | None:
        landing, referrer = order.get("landing_site"), order.get("referring_site")
        if not landing and not referrer:
            return None
        if landing and landing.startswith("/"):
            landing = f"https://{self.store.shop_domain}{landing}"
        host = urlsplit(referrer).hostname if referrer else None
        visit = {
            "__typename": "CustomerVisit",
            "id": gid("CustomerVisit", order["id"]),
            "landingPage": landing,
            "referrerUrl": referrer,
            "source": (host.removeprefix("www.") if host else "direct"),
            "occurredAt": gql_time(parse_time(order["created_at"])),
        }
        return {
            "firstVisit": visit,
            "lastVisit": dict(visit),
            "ready": True,
            "customerOrderIndex": None,
            "daysToConversion": 0,
        }

    def discount_application(
        self, application: dict[str, Any], index: int, currency: str
    ) -> dict[str, Any]:
        kind = {
            "discount_code": "DiscountCodeApplication",
            "manual": "ManualDiscountApplication",
            "script": "ScriptDiscountApplication",
        }.get(application.get("type") or "", "AutomaticDiscountApplication")
        value: dict[str, Any] = (
            {"__typename": "PricingPercentageValue", "percentage": float(application["value"])}
            if application["value_type"] == "percentage"
            else {
                "__typename": "MoneyV2",
                "amount": gql_decimal(application["value"]),
                "currencyCode": currency,
            }
        )
        return {
            "__typename": kind,
            "index": index,
            "allocationMethod": application["allocation_method"].upper(),
            "targetSelection": application["target_selection"].upper(),
            "targetType": application["target_type"].upper(),
            "value": value,
            "code": application.get("code"),
            "title": application.get("title") or application.get("code"),
            "description": application.get("description"),
        }

    def allocations(
        self, order: dict[str, Any], allocations: list[dict[str, Any]], currency: str
    ) -> list[dict[str, Any]]:
        applications = order.get("discount_applications") or []
        return [
            {
                "allocatedAmountSet": self.money_bag(a["amount"], currency),
                "discountApplication": self.discount_application(
                    applications[a["discount_application_index"]],
                    a["discount_application_index"],
                    currency,
                ),
            }
            for a in allocations
        ]

    def line_item(
        self, line: dict[str, Any], currency: str, order: dict[str, Any]
    ) -> dict[str, Any]:
        price = Decimal(line["price"])
        discount = line_level_discount(
            order.get("discount_applications") or [], line.get("discount_allocations") or []
        )
        total = price * line["quantity"]
        variant = self.store.variants.get(line.get("variant_id") or 0)
        product = self.store.products.get(line.get("product_id") or 0)
        tax_lines = self.tax_lines(line.get("tax_lines") or [], currency)
        return {
            "__typename": "LineItem",
            "id": gid("LineItem", line["id"]),
            "sku": line.get("sku"),
            "name": line["name"],
            "title": line["title"],
            "variantTitle": line.get("variant_title"),
            "vendor": line.get("vendor"),
            "quantity": line["quantity"],
            "currentQuantity": line.get("current_quantity", line["quantity"]),
            "requiresShipping": bool(line.get("requires_shipping")),
            "taxable": bool(line.get("taxable", True)),
            "isGiftCard": bool(line.get("gift_card")),
            "discountAllocations": self.allocations(
                order, line.get("discount_allocations") or [], currency
            ),
            "originalUnitPriceSet": self.money_bag(price, currency),
            "originalTotalSet": self.money_bag(total, currency),
            "discountedUnitPriceSet": self.money_bag(
                (total - discount) / line["quantity"], currency
            ),
            "discountedTotalSet": self.money_bag(total - discount, currency),
            "totalDiscountSet": self.money_bag(discount, currency),
            "taxLines": lambda info, first=None: tax_lines[:first] if first else tax_lines,
            "variant": self.variant(variant) if variant else None,
            "product": self.product(product) if product else None,
        }

    def shipping_line(
        self, line: dict[str, Any], currency: str, order: dict[str, Any]
    ) -> dict[str, Any]:
        discounted = line.get("discounted_price") or line["price"]
        return {
            "id": gid("ShippingLine", line["id"]) if line.get("id") else None,
            "title": line["title"],
            "code": line.get("code"),
            "source": line.get("source"),
            "carrierIdentifier": None,
            "isRemoved": False,
            "originalPriceSet": self.money_bag(line["price"], currency),
            "discountedPriceSet": self.money_bag(discounted, currency),
            "currentDiscountedPriceSet": self.money_bag(discounted, currency),
            "discountAllocations": self.allocations(
                order, line.get("discount_allocations") or [], currency
            ),
            "taxLines": self.tax_lines(line.get("tax_lines") or [], currency),
        }

    def order(self, o: dict[str, Any]) -> dict[str, Any]:
        cur = o["currency"]
        lines = o.get("line_items") or []
        ships = o.get("shipping_lines") or []
        shipping_total = sum(
            (Decimal(s.get("discounted_price") or s["price"]) for s in ships), Decimal(0)
        )
        applications = o.get("discount_applications") or []

        def current(name: str) -> dict[str, Any]:
            return self.money_bag(o.get(f"current_{name}") or o[name], cur)

        def discount_applications(info: Any, **args: Any) -> dict[str, Any]:
            # By position, not by value: two alike applications are still two.
            return paginate(
                list(enumerate(applications)),
                sort="POSITION",
                key=lambda row: (row[0], row[0]),
                node=lambda row: self.discount_application(row[1], row[0], cur),
                **args,
            )

        def line_items(info: Any, **args: Any) -> dict[str, Any]:
            return paginate(
                lines,
                sort="POSITION",
                key=lambda row: (lines.index(row), row["id"]),
                node=lambda row: self.line_item(row, cur, o),
                **args,
            )

        def shipping_lines(info: Any, includeRemovals: bool = False, **args: Any) -> dict[str, Any]:
            return paginate(
                ships,
                sort="POSITION",
                key=lambda row: (ships.index(row), row["id"]),
                node=lambda row: self.shipping_line(row, cur, o),
                **args,
            )

        customer_id = (o.get("customer") or {}).get("id")
        cancel = o.get("cancel_reason")
        return {
            "__typename": "Order",
            "id": gid("Order", o["id"]),
            "legacyResourceId": str(o["id"]),
            "name": o["name"],
            "number": o["number"],
            "email": o.get("email"),
            "phone": o.get("phone"),
            "createdAt": gql_time(parse_time(o["created_at"])),
            "processedAt": gql_time(parse_time(o["created_at"])),
            "updatedAt": gql_time(parse_time(o["updated_at"])),
            "cancelledAt": gql_time(parse_time(o["cancelled_at"]))
            if o.get("cancelled_at")
            else None,
            "cancelReason": cancel.upper() if cancel else None,
            "closed": o.get("closed_at") is not None,
            "closedAt": gql_time(parse_time(o["closed_at"])) if o.get("closed_at") else None,
            "confirmed": bool(o.get("confirmed")),
            "currencyCode": cur,
            "presentmentCurrencyCode": cur,
            "taxesIncluded": bool(o.get("taxes_included")),
            "taxExempt": False,
            "test": bool(o.get("test")),
            "note": o.get("note"),
            "tags": [t.strip() for t in (o.get("tags") or "").split(",") if t.strip()],
            "sourceName": o.get("source_name"),
            "discountCodes": [d["code"] for d in o.get("discount_codes") or []],
            "paymentGatewayNames": o.get("payment_gateway_names")
            or ([o["gateway"]] if o.get("gateway") else []),
            "customerAcceptsMarketing": bool(o.get("buyer_accepts_marketing")),
            "displayFinancialStatus": FINANCIAL.get(o.get("financial_status") or ""),
            "displayFulfillmentStatus": FULFILLMENT.get(o.get("fulfillment_status"), "UNFULFILLED"),
            "customerJourneySummary": self.journey(o),
            "subtotalPriceSet": self.money_bag(o["subtotal_price"], cur),
            "totalPriceSet": self.money_bag(o["total_price"], cur),
            "currentSubtotalPriceSet": current("subtotal_price"),
            "currentTotalPriceSet": current("total_price"),
            "currentTotalTaxSet": current("total_tax"),
            "currentTotalDiscountsSet": current("total_discounts"),
            "totalTaxSet": self.money_bag(o["total_tax"], cur),
            "totalDiscountsSet": self.money_bag(o["total_discounts"], cur),
            "totalTipReceivedSet": self.money_bag(o.get("total_tip_received") or "0", cur),
            "discountApplications": discount_applications,
            "totalShippingPriceSet": self.money_bag(shipping_total, cur),
            "totalWeight": str(o.get("total_weight") or 0),
            "customer": self.customer(customer_id) if customer_id else None,
            "shippingAddress": self.address(o.get("shipping_address"), o["id"]),
            "billingAddress": self.address(o.get("billing_address"), o["id"] + 1),
            "taxLines": self.tax_lines(o.get("tax_lines") or [], cur),
            "lineItems": line_items,
            "shippingLines": shipping_lines,
            "fulfillmentOrders": fulfillment_orders_field(self, o),
            "fulfillments": fulfillments_field(o),
        }

    # ---------------------------------------------------------------- catalogue

    def product(self, p: Product) -> dict[str, Any]:
        def variants(info: Any, sortKey: str = "POSITION", **args: Any) -> dict[str, Any]:
            rows = [self.store.variants[v] for v in p.variant_ids]
            return paginate(
                rows, sort=sortKey, key=lambda v: (v.position, v.id), node=self.variant, **args
            )

        total = 0
        for vid in p.variant_ids:
            level = self.store.levels.get(
                (self.store.variants[vid].inventory_item_id, self.store.default_location_id)
            )
            total += level.get("available") if level else 0
        return {
            "__typename": "Product",
            "id": gid("Product", p.id),
            "legacyResourceId": str(p.id),
            "title": p.title,
            "handle": p.handle,
            "descriptionHtml": p.description_html,
            "description": lambda info, truncateAt=None: plain_text(p.description_html, truncateAt),
            "vendor": p.vendor,
            "productType": p.product_type,
            "status": p.status,
            "tags": list(p.tags),
            "totalInventory": total,
            "createdAt": gql_time(p.created_at),
            "updatedAt": gql_time(p.updated_at),
            "variants": variants,
        }

    def variant(self, v: Variant) -> dict[str, Any]:
        product = self.store.products[v.product_id]
        level = self.store.levels.get((v.inventory_item_id, self.store.default_location_id))
        return {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", v.id),
            "legacyResourceId": str(v.id),
            "sku": v.sku,
            "title": v.title,
            "displayName": f"{product.title} - {v.title}",
            "price": gql_money_scalar(v.price),
            "compareAtPrice": (
                gql_money_scalar(v.compare_at_price) if v.compare_at_price is not None else None
            ),
            "barcode": v.barcode,
            "inventoryQuantity": level.get("available") if level else 0,
            "inventoryPolicy": v.inventory_policy.upper(),
            "taxable": v.taxable,
            "position": v.position,
            "createdAt": gql_time(v.created_at),
            "updatedAt": gql_time(v.updated_at),
            "product": lambda info: self.product(product),
            "inventoryItem": lambda info: self.inventory_item(
                self.store.items[v.inventory_item_id]
            ),
        }

    # ---------------------------------------------------------------- webhooks

    def subscription(self, sub: Subscription) -> dict[str, Any]:
        return {
            "__typename": "WebhookSubscription",
            "id": gid("WebhookSubscription", sub.id),
            "legacyResourceId": str(sub.id),
            "topic": sub.topic,
            "uri": sub.uri,
            "callbackUrl": sub.uri,
            "format": sub.format,
            "includeFields": list(sub.include_fields),
            "metafieldNamespaces": [],
            "filter": sub.filter,
            "createdAt": gql_time(sub.created_at),
            "updatedAt": gql_time(sub.updated_at),
            "apiVersion": {
                "handle": self.api_version,
                "displayName": self.api_version,
                "supported": True,
            },
        }
