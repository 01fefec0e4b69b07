"""Checkout: turns a control-API request into an order exactly as Shopify would record it.

The result is the REST resource (the body of `orders/create`), with every key of
Shopify's sample order and the few more that real payloads carry and the GraphQL
fields need (`phone`, `tags`, `admin_graphql_api_id`; `tax_lines`,
`total_discount`, `discount_allocations`, `taxable` and `gift_card` on lines;
`tax_lines`, `discounted_price` and `discount_allocations` on shipping lines;
`discount_applications`, `discount_codes`, `total_tip_received` and the `current_*`
totals on the order; `phone` on the customer). The amounts follow Shopify's checkout
arithmetic (pricing.py): discounts allocated to lines, tax rounded half up per line,
so the totals always add up to the cent.

Stock moves like Shopify's: a tracked item's `available` drops and `committed`
rises by the quantity ordered; a variant whose inventory policy is "deny" refuses
to sell more than is available.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from causeway_sandbox.shopify.checkouts import announce_completed, complete_checkout
from causeway_sandbox.shopify.formats import gid, money, rest_money
from causeway_sandbox.shopify.inputs import AddressIn, LineIn, OrderIn, OrderUpdateIn
from causeway_sandbox.shopify.payments import record_checkout_payment
from causeway_sandbox.shopify.pricing import Code, LinePrice, price_checkout
from causeway_sandbox.shopify.store import Store, Variant

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


class CheckoutClosedError(Exception):
    """The order names a checkout the shop does not have, or one already completed."""


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


def _gift_card_item(store: Store, line: LineIn) -> dict[str, Any]:
    """A gift card sold: no variant, no stock, never taxed or shipped."""
    return {
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "grams": 0,
        "id": store.next_id("LineItem"),
        "price": rest_money(money(line.price or 0)),
        "product_id": None,
        "quantity": line.quantity,
        "current_quantity": line.quantity,
        "requires_shipping": False,
        "sku": line.sku,
        "title": "Gift card",
        "variant_id": None,
        "variant_title": None,
        "vendor": None,
        "name": "Gift card",
        "variant_inventory_management": None,
        "properties": [],
        "product_exists": False,
    }


def _item(store: Store, line: LineIn, variant: Variant) -> dict[str, Any]:
    product = store.products[variant.product_id]
    default = variant.title == "Default Title"
    price = money(line.price if line.price is not None else variant.price)
    return {
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
    }


def create_order(store: Store, req: OrderIn, shop_currency: str) -> dict[str, Any]:
    """Place the order, move the stock, announce orders/create; return the REST order."""
    with store.lock:
        if req.checkout_id is not None:
            started = store.checkouts.get(req.checkout_id)
            if started is None or started.get("completed_at"):
                state = "no" if started is None else "a completed"
                raise CheckoutClosedError(f"{state} checkout {req.checkout_id} to order from")
        variants: list[Variant | None] = []
        for line in req.lines:
            variant = None if line.gift_card else store.variant_by_sku(line.sku or "")
            if variant is None and not line.gift_card:
                raise UnknownSkuError(f"no product with SKU {line.sku!r} in the sandbox shop")
            variants.append(variant)
        wanted: dict[int, int] = {}
        for line, variant in zip(req.lines, variants, strict=True):
            if variant is not None:
                wanted[variant.id] = wanted.get(variant.id, 0) + line.quantity
        for variant in {v.id: v for v in variants if v is not None}.values():
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

        line_items = [
            _item(store, line, variant) if variant else _gift_card_item(store, line)
            for line, variant in zip(req.lines, variants, strict=True)
        ]
        weight = sum(li["grams"] * li["quantity"] for li in line_items)
        shipping_price = money(req.shipping_price)
        priced = price_checkout(
            [
                LinePrice(
                    price=Decimal(line_item["price"]),
                    quantity=line.quantity,
                    taxable=variant.taxable if variant else False,
                    gift_card=line.gift_card,
                    tax_rate=line.tax_rate,
                    tax_title=line.tax_title,
                    discount=line.discount,
                )
                for line_item, line, variant in zip(line_items, req.lines, variants, strict=True)
            ],
            codes=[Code(c.code, c.type, c.value) for c in req.discount_codes],
            shipping_price=shipping_price,
            shipping_taxable=req.shipping_taxable,
            tax_rate=req.tax_rate,
            tax_title=req.tax_title,
            taxes_included=req.taxes_included,
            tip=req.tip,
        )
        for line_item, amounts in zip(line_items, priced.lines, strict=True):
            line_item.update(amounts)
        title = req.shipping_title or ("Free Shipping" if shipping_price == 0 else "Standard")
        shipping_lines = [
            {
                "code": title,
                "source": "shopify",
                "title": title,
                "id": store.next_id("ShippingLine"),
                **priced.shipping,
            }
        ]
        total = Decimal(priced.order["total_price"])

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
            **priced.order,
            "current_subtotal_price": priced.order["subtotal_price"],
            "current_total_discounts": priced.order["total_discounts"],
            "current_total_price": priced.order["total_price"],
            "current_total_tax": priced.order["total_tax"],
            "test": test,
            "token": store.token(),
            # The sandbox does not convert currencies: this is total_price as is.
            "total_price_usd": rest_money(total),
            "total_weight": weight,
            "updated_at": stamp,
            "user_id": None,
            "browser_ip": None,
            "landing_site_ref": _landing_site_ref(req.landing_site),
            "order_number": store.order_number,
            "note_attributes": [a.model_dump() for a in req.note_attributes],
            "processing_method": "direct",
            "checkout_id": store.next_id("Checkout"),
            "source_name": req.source_name,
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
        record_checkout_payment(store, order, gift_card=money(req.gift_card_payment))
        if req.checkout_id is not None:
            complete_checkout(store, req.checkout_id, order)
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
        if req.checkout_id is not None:
            announce_completed(store, req.checkout_id)
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
