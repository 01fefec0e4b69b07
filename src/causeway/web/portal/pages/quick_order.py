"""Quick order (docs/portal/catalogue.md): rows of SKU and quantity, or a pasted CSV
"sku,quantity". The good lines go to the cart; every bad one is named with its line
number and reason, and comes back in the form as it was typed, so nothing is lost
(the reading is portal/ordering.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.engine import portal_carts
from causeway.hub import Hub
from causeway.portal.catalogue import CatalogueUnavailable, catalogue_of
from causeway.portal.ordering import (
    MAX_CHARS,
    QuickOrder,
    read_quick_order,
    split_paste,
    typed_rows,
)
from causeway.web.portal.pages.catalogue import company_of, unavailable
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import PORTAL, action, customer, page

QUICK_ORDER = PORTAL + "/quick-order"
ROWS = 8  # empty rows the form offers; more come back when more were typed
ECHO_LIMIT = 2 * MAX_CHARS  # the most of a refused paste the page sends back


def add_routes(app: FastAPI, hub: Hub) -> None:
    def quick_order_page(
        request: Request,
        *,
        order: QuickOrder | None = None,
        mode: str = "rows",
        rows: list[tuple[str, str]] | None = None,
        paste: str = "",
        added: list[tuple[str, str]] | None = None,
        status_code: int = 200,
    ) -> HTMLResponse:
        shown = list(rows or [])
        shown += [("", "")] * max(0, ROWS - len(shown))
        context = {
            "order": order,
            "mode": mode,
            "rows": shown,
            "paste": paste,
            "added": added or [],
            "max_chars": MAX_CHARS,
        }
        return render(request, "quick_order.html", context, status_code=status_code)

    @app.get(QUICK_ORDER, **page(Permission.SHOP))
    def quick_order(request: Request) -> HTMLResponse:
        company_of(request, hub)
        return quick_order_page(request)

    @app.post(QUICK_ORDER, **action(Permission.SHOP, 400))
    def submit_quick_order(
        request: Request,
        mode: Annotated[str, Form(max_length=8)] = "rows",
        sku: Annotated[list[str] | None, Form()] = None,
        quantity: Annotated[list[str] | None, Form()] = None,
        paste: Annotated[str, Form()] = "",
    ) -> HTMLResponse:
        who = customer(request)
        company_of(request, hub)
        try:
            products = catalogue_of(hub).products()
        except CatalogueUnavailable as exc:
            return unavailable(request, exc)
        skus, quantities = list(sku or []), list(quantity or [])
        typed_form = list(zip(skus, quantities, strict=False))
        if mode == "paste":
            lines = split_paste(paste)
        else:
            lines = typed_rows(skus, quantities)
        if isinstance(lines, str):  # refused whole: everything comes back as typed
            message = lines[0].upper() + lines[1:] + "."
            if len(paste) > ECHO_LIMIT:  # beyond reason to send back: the start of it
                paste = paste[:ECHO_LIMIT]
                message += f" Only its first {ECHO_LIMIT:,} characters are shown below."
            return quick_order_page(
                request, order=QuickOrder(refused=message), mode=mode, rows=typed_form,
                paste=paste, status_code=400,
            )  # fmt: skip
        order = read_quick_order(lines, products)
        for line_sku, amount in order.good.items():
            portal_carts.put(hub.store, who.company_id, who.user_id, line_sku, amount, add=True)
        added = [(s, f"{q.normalize():f}") for s, q in order.good.items()]
        bad = order.bad_lines()
        if mode == "paste":
            return quick_order_page(
                request, order=order, mode=mode, paste="\n".join(bad), added=added,
                status_code=400 if order.problems or order.refused else 200,
            )  # fmt: skip
        return quick_order_page(
            request, order=order, mode=mode, rows=order.bad_rows(), added=added,
            status_code=400 if order.problems or order.refused else 200,
        )  # fmt: skip
