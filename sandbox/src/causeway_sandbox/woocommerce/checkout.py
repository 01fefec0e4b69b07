"""The storefront: a customer buys, as WooCommerce's checkout lets them.

Unlike the REST API, the checkout refuses to sell what is not there: a product
that manages stock and does not allow backorders cannot be bought beyond its
quantity, one that does not manage stock cannot be bought while marked out of
stock, with WooCommerce's own messages. The check and the stock reduction happen
under one lock, so two customers racing for the last unit cannot both get it.

A paid checkout creates the order as pending (`order.created`), then the payment
moves it on (`order.updated`): to processing for a card or cash on delivery, to
on-hold for a bank transfer or a cheque (whose money comes later); either way the
stock is reduced, as WooCommerce does.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causeway_sandbox.woocommerce.errors import WooError
from causeway_sandbox.woocommerce.orders import (
    BILLING_KEYS,
    SHIPPING_KEYS,
    create_order,
    payment_complete,
    set_status,
)
from causeway_sandbox.woocommerce.product_views import (
    backorders_allowed,
    derived_stock_status,
    stock_holder,
)
from causeway_sandbox.woocommerce.store import Order, Product, Store

OFFLINE = frozenset({"bacs", "cheque"})


class CartLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str | None = None
    product_id: int | None = None
    variation_id: int | None = None
    quantity: int = Field(default=1, ge=1)


class Purchase(BaseModel):
    """A customer's checkout (control API `POST /_sandbox/purchases`)."""

    model_config = ConfigDict(extra="forbid")

    lines: list[CartLine] = Field(min_length=1)
    billing: dict[str, str] = Field(
        default_factory=lambda: {
            "first_name": "John",
            "last_name": "Doe",
            "address_1": "969 Market",
            "city": "San Francisco",
            "state": "CA",
            "postcode": "94103",
            "country": "US",
            "email": "john.doe@example.com",
            "phone": "(555) 555-5555",
        }
    )
    shipping: dict[str, str] | None = Field(default=None, description="Default: the billing.")
    payment_method: str = "stripe"
    paid: bool = Field(default=True, description="False: the order waits in pending.")
    customer_id: int = 0
    customer_note: str = ""
    ship: bool = Field(default=True, description="Add the flat-rate shipping line.")
    meta_data: list[dict[str, Any]] = Field(default_factory=list)
    currency: str | None = None


class OutOfStock(Exception):
    """The storefront refused the sale; the message is WooCommerce's."""


def _product(store: Store, line: CartLine) -> Product:
    product = None
    if line.sku:
        product = store.product_by_sku(line.sku)
    elif line.variation_id:
        product = store.products.get(line.variation_id)
    elif line.product_id:
        product = store.products.get(line.product_id)
    if product is None or product.status != "publish":
        raise WooError(404, "woocommerce_rest_product_invalid_id", f"No product for {line}.")
    if product.type == "variable":
        raise OutOfStock(f'Please choose product options for "{product.name}".')
    return product


def check_stock(store: Store, products: list[tuple[Product, int]]) -> None:
    wanted: dict[int, int] = defaultdict(int)
    for product, quantity in products:
        holder = stock_holder(product, store)
        if holder is None:
            if derived_stock_status(product, store) == "outofstock":
                raise OutOfStock(
                    f'Sorry, "{product.name}" is not in stock. Please edit your cart and try '
                    "again. We apologize for any inconvenience caused."
                )
            continue
        wanted[holder.id] += quantity
        available = holder.stock_quantity or 0
        if wanted[holder.id] > available and not backorders_allowed(holder):
            raise OutOfStock(
                f'Sorry, we do not have enough "{product.name}" in stock to fulfill your order '
                f"({max(available, 0)} available). We apologize for any inconvenience caused."
            )


def place_order(store: Store, purchase: Purchase) -> Order:
    """Check out (lock held, inside store.change()); OutOfStock when the shop cannot sell."""
    products = [(_product(store, line), line.quantity) for line in purchase.lines]
    check_stock(store, products)
    body: dict[str, Any] = {
        "payment_method": purchase.payment_method,
        "billing": {k: purchase.billing.get(k, "") for k in BILLING_KEYS},
        "shipping": {k: (purchase.shipping or purchase.billing).get(k, "") for k in SHIPPING_KEYS},
        "customer_id": purchase.customer_id,
        "customer_note": purchase.customer_note,
        "line_items": [{"sku": p.sku} if p.sku else {"product_id": p.id} for p, _ in products],
        "shipping_lines": [{}] if purchase.ship else [],
        "meta_data": purchase.meta_data,
    }
    for spec, (_, quantity) in zip(body["line_items"], products, strict=True):
        spec["quantity"] = quantity
    if purchase.currency:
        body["currency"] = purchase.currency
    order = create_order(store, body, created_via="checkout")
    order.customer_ip_address = "127.0.0.1"
    order.customer_user_agent = "Mozilla/5.0 (causeway-sandbox storefront)"
    if purchase.paid:
        if purchase.payment_method in OFFLINE:
            set_status(store, order, "on-hold", "Awaiting payment.")
        else:
            order.transaction_id = f"txn_{store.token(24)}"
            payment_complete(store, order)
    return order
