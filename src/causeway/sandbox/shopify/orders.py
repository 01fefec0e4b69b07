"""Checkout: turns a control-API request into an order exactly as Shopify would record it.

The result is the REST resource (the body of `orders/create`), with every key of
Shopify's sample order and the few more that real payloads carry and the GraphQL
fields need (`phone`, `tags`, `admin_graphql_api_id`; `tax_lines`,
`total_discount` and `taxable` on lines; `tax_lines` on shipping lines; `phone` on
the customer). Money is Decimal throughout and rounded half up to cents per tax
line, so the totals always add up to the cent: total_tax is the sum of the tax
lines, and total_price = subtotal + shipping + tax (tax excluded) or
subtotal + shipping (tax included).

Stock moves like Shopify's: a tracked item's `available` drops and `committed`
rises by the quantity ordered; a variant whose inventory policy is "deny" refuses
to sell more than is available.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from causeway.sandbox.shopify.formats import gid, money, rest_money
from causeway.sandbox.shopify.inputs import AddressIn, OrderIn, OrderUpdateIn
from causeway.sandbox.shopify.payments import record_checkout_payment
from causeway.sandbox.shopify.store import Store

_COUNTRIES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "DE": "Germany",
    "FR": "France",
    "NL": "Netherlands",
    "BE": "Belgium",
    "ES": "Spain",
    "IT": "Italy",
    "AT": "Austria",
    "CH": "Switzerland",
    "AU": "Australia",
    "NZ": "New Zealand",
    "IE": "Ireland",
    "SE": "Sweden",
    "DK": "Denmark",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "JP": "Japan",
    "MX": "Mexico",
    "BR": "Brazil",
}


class OutOfStockError(Exception):
    """A line asks for more than a "deny" variant has available (Shopify refuses the sale)."""


class UnknownSkuError(Exception):
    """A line names a SKU the sandbox shop does not sell."""


def _rest_address(a: AddressIn, first: str, last: str) -> dict[str, Any]:
    first_name = a.first_name or first
    last_name = a.last_name or last
    return {
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "company": a.company,
        "country": a.country or _COUNTRIES.get(a.country_code, a.country_code),
        "first_name": first_name,
        "last_name": last_name,
        "latitude": a.latitude,
        "longitude": a.longitude,
        "phone": a.phone,
        "province": a.province,
        "zip": a.zip,
        "name": f"{first_name} {last_name}".strip(),
        "country_code": a.country_code,
        "province_code": a.province_code,
    }


def _tax(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    if included:
        return money(amount * rate / (1 + rate))
    return money(amount * rate)


def _tax_lines(amount: Decimal, req: OrderIn) -> list[dict[str, Any]]:
    if req.tax_rate == 0:
        return []
    return [
        {
            "price": rest_money(_tax(amount, req.tax_rate, req.taxes_included)),
            "rate": float(req.tax_rate),
            "title": req.tax_title,
        }
    ]


def _landing_site_ref(landing_site: str | None) -> str | None:
    if not landing_site:
        return None
    params = parse_qs(urlsplit(landing_site).query)
    for key in ("ref", "source"):
        if params.get(key):
            return params[key][0]
    return None


def _customer(store: Store, req: OrderIn, address: dict[str, Any]) -> dict[str, Any]:
    """Find the customer by email (as checkout does) or create one; update the counters."""
    now = store.clock.rest_time(store.clock.now())
    found = next((c for c in store.customers.values() if c["email"] == req.email), None)
    if found is None:
        customer_id = store.next_id("Customer")
        found = {
            "accepts_marketing": req.buyer_accepts_marketing,
            "created_at": now,
            "email": req.email,
            "first_name": req.first_name,
            "id": customer_id,
            "last_name": req.last_name,
            "last_order_id": None,
            "multipass_identifier": None,
            "note": None,
            "orders_count": 0,
            "state": "disabled",
            "total_spent": "0.00",
            "updated_at": now,
            "verified_email": True,
            "tags": "",
            "last_order_name": None,
            "phone": req.phone,
            "default_address": {
                **{
                    k: address[k]
                    for k in (
                        "address1",
                        "address2",
                        "city",
                        "company",
                        "country",
                        "first_name",
                        "last_name",
                        "phone",
                        "province",
                        "zip",
                        "name",
                        "province_code",
                        "country_code",
                    )
                },
                "id": store.next_id("MailingAddress"),
                "country_name": address["country"],
                "default": True,
            },
        }
        store.customers[customer_id] = found
    return found


def create_order(store: Store, req: OrderIn, shop_currency: str) -> dict[str, Any]:
    """Place the order, move the stock, announce orders/create; return the REST order."""
    with store.lock:
        variants = []
        for line in req.lines:
            variant = store.variant_by_sku(line.sku)
            if variant is None:
                raise UnknownSkuError(f"no product with SKU {line.sku!r} in the sandbox shop")
            variants.append(variant)
        wanted: dict[int, int] = {}
        for line, variant in zip(req.lines, variants, strict=True):
            wanted[variant.id] = wanted.get(variant.id, 0) + line.quantity
        for variant in {v.id: v for v in variants}.values():
            item = store.items[variant.inventory_item_id]
            level = store.levels.get((item.id, store.default_location_id))
            available = level.get("available") if level else 0
            if (
                item.tracked
                and variant.inventory_policy == "deny"
                and available < wanted[variant.id]
            ):
                raise OutOfStockError(
                    f"{variant.sku} is out of stock: {wanted[variant.id]} ordered, "
                    f"{available} available"
                )

        currency = req.currency or shop_currency
        now = store.clock.now()
        stamp = store.clock.rest_time(now)
        ship_to = _rest_address(
            req.shipping_address or AddressIn(phone=req.phone), req.first_name, req.last_name
        )
        bill_to = (
            _rest_address(req.billing_address, req.first_name, req.last_name)
            if req.billing_address
            else dict(ship_to)
        )

        line_items: list[dict[str, Any]] = []
        items_total = Decimal(0)
        weight = 0
        all_tax_lines: list[dict[str, Any]] = []
        for line, variant in zip(req.lines, variants, strict=True):
            product = store.products[variant.product_id]
            price = money(line.price if line.price is not None else variant.price)
            amount = price * line.quantity
            items_total += amount
            weight += variant.grams * line.quantity
            taxes = _tax_lines(amount, req) if variant.taxable else []
            all_tax_lines.extend(taxes)
            default = variant.title == "Default Title"
            line_items.append(
                {
                    "fulfillment_service": "manual",
                    "fulfillment_status": None,
                    "grams": variant.grams,
                    "id": store.next_id("LineItem"),
                    "price": rest_money(price),
                    "product_id": product.id,
                    "quantity": line.quantity,
                    "current_quantity": line.quantity,
                    "requires_shipping": variant.requires_shipping,
                    "sku": variant.sku,
                    "title": product.title,
                    "variant_id": variant.id,
                    "variant_title": None if default else variant.title,
                    "vendor": product.vendor,
                    "name": product.title if default else f"{product.title} - {variant.title}",
                    "variant_inventory_management": "shopify"
                    if store.items[variant.inventory_item_id].tracked
                    else None,
                    "properties": [],
                    "product_exists": True,
                    "taxable": variant.taxable,
                    "total_discount": "0.00",
                    "tax_lines": taxes,
                }
            )

        shipping_price = money(req.shipping_price)
        shipping_taxes = _tax_lines(shipping_price, req) if req.shipping_taxable else []
        all_tax_lines.extend(shipping_taxes)
        title = req.shipping_title or ("Free Shipping" if shipping_price == 0 else "Standard")
        shipping_lines = [
            {
                "code": title,
                "price": rest_money(shipping_price),
                "source": "shopify",
                "title": title,
                "id": store.next_id("ShippingLine"),
                "tax_lines": shipping_taxes,
            }
        ]

        grouped: OrderedDict[tuple[str, float], Decimal] = OrderedDict()
        for tax in all_tax_lines:
            key = (tax["title"], tax["rate"])
            grouped[key] = grouped.get(key, Decimal(0)) + Decimal(tax["price"])
        order_tax_lines = [
            {"price": rest_money(total), "rate": rate, "title": title}
            for (title, rate), total in grouped.items()
        ]
        total_tax = sum(grouped.values(), Decimal(0))
        subtotal = items_total  # no discounts in the sandbox checkout
        total = subtotal + shipping_price + (Decimal(0) if req.taxes_included else total_tax)

        customer = _customer(store, req, ship_to)
        store.order_number += 1
        number = store.order_number - 1000
        order_id = store.next_id("Order")
        test = req.test
        order: dict[str, Any] = {
            "buyer_accepts_marketing": req.buyer_accepts_marketing,
            "cancel_reason": None,
            "cancelled_at": None,
            "cart_token": store.token(),
            "checkout_token": store.token(),
            "closed_at": None,
            "confirmed": True,
            "created_at": stamp,
            "currency": currency,
            "email": req.email,
            "financial_status": req.financial_status,
            "fulfillment_status": None,
            "gateway": "bogus" if test else "shopify_payments",
            "id": order_id,
            "landing_site": req.landing_site,
            "location_id": None,
            "name": f"#{store.order_number}",
            "note": req.note,
            "number": number,
            "reference": None,
            "referring_site": req.referring_site,
            "source": None,
            "subtotal_price": rest_money(subtotal),
            "taxes_included": req.taxes_included,
            "test": test,
            "token": store.token(),
            "total_discounts": "0.00",
            "total_line_items_price": rest_money(items_total),
            "total_price": rest_money(total),
            # The sandbox does not convert currencies: this is total_price as is.
            "total_price_usd": rest_money(total),
            "total_tax": rest_money(total_tax),
            "total_weight": weight,
            "updated_at": stamp,
            "user_id": None,
            "browser_ip": None,
            "landing_site_ref": _landing_site_ref(req.landing_site),
            "order_number": store.order_number,
            "discount_codes": [],
            "note_attributes": [a.model_dump() for a in req.note_attributes],
            "processing_method": "direct",
            "checkout_id": store.next_id("Checkout"),
            "source_name": req.source_name,
            "tax_lines": order_tax_lines,
            "line_items": line_items,
            "shipping_lines": shipping_lines,
            "payment_details": {
                "avs_result_code": None,
                "credit_card_bin": None,
                "cvv_result_code": None,
                "credit_card_number": "XXXX-XXXX-XXXX-4242",
                "credit_card_company": "Visa",
            },
            "billing_address": bill_to,
            "shipping_address": ship_to,
            "fulfillments": [],
            "client_details": {
                "accept_language": None,
                "browser_ip": None,
                "session_hash": None,
                "user_agent": None,
            },
            "customer": None,
            "phone": req.phone,
            "tags": ", ".join(req.tags),
            "admin_graphql_api_id": gid("Order", order_id),
        }
        spent = Decimal(customer["total_spent"]) + total
        customer.update(
            {
                "orders_count": customer["orders_count"] + 1,
                "total_spent": rest_money(spent),
                "last_order_id": order_id,
                "last_order_name": order["name"],
                "updated_at": stamp,
            }
        )
        order["customer"] = dict(customer)
        record_checkout_payment(store, order)
        store.orders[order_id] = order

        changed = []
        for variant_id, quantity in wanted.items():
            variant = store.variants[variant_id]
            item = store.items[variant.inventory_item_id]
            level = store.levels.get((item.id, store.default_location_id))
            if item.tracked and level is not None:
                level.quantities["available"] = level.get("available") - quantity
                level.quantities["committed"] = level.get("committed") + quantity
                level.updated_at = now
                changed.append(level)

        store.emit("orders/create", order)
        if order["financial_status"] == "paid":
            store.emit("orders/paid", order)
        for level in changed:
            store.emit("inventory_levels/update", store.level_payload(level))
        return order


def update_order(store: Store, order_id: int, change: OrderUpdateIn) -> dict[str, Any] | None:
    """Apply a merchant edit, bump updated_at, announce orders/updated; None if unknown."""
    with store.lock:
        order = store.orders.get(order_id)
        if order is None:
            return None
        now = store.clock.now()
        if change.note is not None:
            order["note"] = change.note
        if change.tags is not None:
            order["tags"] = ", ".join(change.tags)
        if change.email is not None:
            order["email"] = change.email
        if change.financial_status is not None:
            order["financial_status"] = change.financial_status
        if change.fulfillment_status is not None:
            order["fulfillment_status"] = change.fulfillment_status
        if change.cancel_reason is not None:
            order["cancel_reason"] = change.cancel_reason
            order["cancelled_at"] = store.clock.rest_time(now)
            order["closed_at"] = store.clock.rest_time(now)
        order["updated_at"] = store.clock.rest_time(now)
        store.emit("orders/updated", order)
        return order
