"""The cart (docs/portal/catalogue.md): each line with its price for its quantity, the
total with its currency; change a quantity, remove a line; the ERP's minimum and
multiple checked with a message that says what to order instead. "Checkout" leads to
/portal/checkout once every line can be ordered.

A cart is one person's in one company (engine/portal_carts.py, keyed by both): nothing
here takes an id of a cart or a line, only a SKU, always within the signed-in company.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import portal_carts
from causeway.hub import Hub
from causeway.portal.cart import priced_cart
from causeway.portal.catalogue import CatalogueUnavailable, catalogue_of
from causeway.portal.ordering import MAX_SKU, find_product, parse_quantity, quantity_problem
from causeway.web.portal.pages.catalogue import company_of, unavailable
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import PORTAL, action, customer, page

CART = PORTAL + "/cart"
Sku = Annotated[str, Form(max_length=MAX_SKU)]
Quantity = Annotated[str, Form(max_length=40)]


def add_routes(app: FastAPI, hub: Hub) -> None:
    def cart_page(
        request: Request,
        *,
        message: str | None = None,
        error: str | None = None,
        typed: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        who = customer(request)
        company = company_of(request, hub)
        lines = portal_carts.lines(hub.store, who.company_id, who.user_id)
        try:
            cart = priced_cart(catalogue_of(hub), company, lines)
        except CatalogueUnavailable as exc:
            return unavailable(request, exc)
        context = {"cart": cart, "message": message, "error": error, "typed": typed or {}}
        return render(request, "cart.html", context, status_code=status_code)

    @app.get(CART, **page(Permission.SHOP))
    def cart(request: Request) -> HTMLResponse:
        return cart_page(request)

    @app.post(CART + "/add", **action(Permission.SHOP, 400))
    def add_to_cart(request: Request, sku: Sku = "", quantity: Quantity = "") -> Response:
        """From the catalogue or a product's page: adds to what the cart has of it.
        htmx gets a line of text for the card; a browser without JavaScript the cart."""
        who = customer(request)
        company_of(request, hub)
        htmx = request.headers.get("hx-request") == "true"
        try:
            product = find_product(catalogue_of(hub).products(), sku.strip())
        except CatalogueUnavailable as exc:
            return unavailable(request, exc)
        amount = parse_quantity(quantity)
        problem = (
            "that product is not in the catalogue"
            if product is None
            else amount
            if isinstance(amount, str)
            else quantity_problem(product, amount)
        )
        if problem is not None or product is None or isinstance(amount, str):
            if htmx:
                return render(request, "_added.html", {"error": problem}, status_code=200)
            return cart_page(request, error=f"Not added: {problem}.", status_code=400)
        portal_carts.put(hub.store, who.company_id, who.user_id, product.sku, amount, add=True)
        in_cart = {line.sku: line.quantity for line in portal_carts.lines(
            hub.store, who.company_id, who.user_id)}  # fmt: skip
        if htmx:
            context = {"sku": product.sku, "added": amount, "in_cart": in_cart.get(product.sku)}
            return render(request, "_added.html", context)
        return RedirectResponse(CART, status_code=303)

    @app.post(CART + "/update", **action(Permission.SHOP, 400))
    def update_line(request: Request, sku: Sku = "", quantity: Quantity = "") -> Response:
        """A line's new quantity; 0 removes it. A bad one leaves the line as it was and
        comes back in the field with the reason."""
        who = customer(request)
        company_of(request, hub)
        lines = {line.sku: line for line in portal_carts.lines(
            hub.store, who.company_id, who.user_id)}  # fmt: skip
        if sku not in lines:
            return cart_page(request, error=f"{sku} is not in your cart.", status_code=400)
        amount = parse_quantity(quantity)
        if isinstance(amount, str) and quantity.strip() in ("0", "0.0"):
            amount = Decimal(0)
        if isinstance(amount, str):
            return cart_page(
                request, error=f"{sku}: {amount}; the line is unchanged.",
                typed={sku: quantity}, status_code=400,
            )  # fmt: skip
        try:
            product = catalogue_of(hub).product(sku)
        except CatalogueUnavailable as exc:
            return unavailable(request, exc)
        problem = quantity_problem(product, amount) if product and amount > 0 else None
        if problem is not None:
            return cart_page(
                request, error=f"{problem}; the line is unchanged.",
                typed={sku: quantity}, status_code=400,
            )  # fmt: skip
        portal_carts.put(hub.store, who.company_id, who.user_id, sku, amount)
        return RedirectResponse(CART, status_code=303)

    @app.post(CART + "/remove", **action(Permission.SHOP))
    def remove_line(request: Request, sku: Sku = "") -> Response:
        who = customer(request)
        company_of(request, hub)
        portal_carts.put(hub.store, who.company_id, who.user_id, sku, Decimal(0))
        return RedirectResponse(CART, status_code=303)
