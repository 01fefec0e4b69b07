"""The catalogue (the portal's home page), a product's page, and product images served
through the hub (docs/portal/catalogue.md).

Every figure is the ERP's, for the signed-in person's company: its price list's prices
and breaks, what is available now in the warehouses it may ship from (portal/catalogue.py
reads them in batches and caches them for a few seconds). Images are fetched from the
ERP by the hub: the browser never sees an ERP address or credential.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from causeway.access.permissions import Permission
from causeway.engine import portal_accounts
from causeway.engine.portal_accounts import Company
from causeway.hub import Hub
from causeway.portal.catalogue import CatalogueUnavailable, Found, Offer, catalogue_of
from causeway.portal.ordering import nearest_allowed
from causeway.web.portal.rendering import TEMPLATES, error_page, render
from causeway.web.portal.routing import PORTAL, customer, not_found, page


def quantity_text(value: Decimal | int | None) -> str:
    """2.0000 -> "2", Decimal("2.50") -> "2.5"; "" for none (templates: qty(...))."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


TEMPLATES.env.globals["qty"] = quantity_text
IMAGE_CACHE = "private, max-age=300"  # the ERP's image changes rarely; a buyer's browser keeps it


def company_of(request: Request, hub: Hub) -> Company:
    """The company the signed-in person acts for (its ERP party, its warehouses)."""
    found = portal_accounts.company(hub.store, customer(request).company_id)
    if found is None or found.disabled_at is not None:
        not_found()
    return found


def unavailable(request: Request, exc: CatalogueUnavailable) -> HTMLResponse:
    return error_page(request, 503, str(exc))


def offer_context(offer: Offer) -> dict[str, object]:
    """What a product's card and page show of an offer."""
    product = offer.product
    return {
        "offer": offer,
        "dom_id": "p" + product.sku.encode().hex(),  # an HTML id from any SKU
        "default_quantity": nearest_allowed(product, Decimal(1)),
        "multiple": product.quantity_multiple,
        "minimum": product.minimal_quantity,
    }


def add_routes(app: FastAPI, hub: Hub) -> None:
    @app.get(PORTAL, **page(Permission.SHOP))
    def catalogue_page(
        request: Request,
        q: Annotated[str, Query(max_length=200)] = "",
        category: Annotated[str, Query(max_length=200)] = "",
        page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
    ) -> HTMLResponse:
        company = company_of(request, hub)
        catalogue = catalogue_of(hub)
        context: dict[str, object] = {"q": q, "category": category}
        try:
            found = catalogue.search(q, category, page_number)
            offers = catalogue.offers(company, found.products)
            currency = catalogue.prices(company.party_id, []).currency
        except CatalogueUnavailable as exc:
            # The portal stays open (the cart, the orders): the catalogue says why it is empty.
            context |= {"found": Found([], 0, 1, 1, []), "cards": [], "unavailable": str(exc)}
            return render(request, "catalogue.html", context)
        context |= {"found": found, "cards": [offer_context(o) for o in offers]}
        return render(request, "catalogue.html", context | {"currency": currency})

    @app.get(PORTAL + "/products/{sku}", **page(Permission.SHOP, 404))
    def product_page(request: Request, sku: str) -> HTMLResponse:
        company = company_of(request, hub)
        catalogue = catalogue_of(hub)
        try:
            product = catalogue.product(sku)
            if product is None:
                not_found()
            (offer,) = catalogue.offers(company, [product])
        except CatalogueUnavailable as exc:
            return unavailable(request, exc)
        return render(request, "product.html", {"offer": offer, "card": offer_context(offer)})

    @app.get(PORTAL + "/images/{sku}/{image_index}", **page(Permission.SHOP, 404))
    def product_image(request: Request, sku: str, image_index: int) -> Response:
        company_of(request, hub)
        try:
            image = catalogue_of(hub).image(sku, image_index)
        except CatalogueUnavailable:
            return Response(status_code=503, headers={"Retry-After": "30"})
        if image is None:
            not_found()
        data, media_type = image
        return Response(
            data,
            media_type=media_type,
            headers={"Cache-Control": IMAGE_CACHE, "X-Content-Type-Options": "nosniff"},
        )
