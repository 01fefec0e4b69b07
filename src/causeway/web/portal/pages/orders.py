"""A company's orders (docs/portal/history.md): the list (its ERP sales and the portal's
checkouts that have no sale yet, newest first, filtered by state and PO number) and one
order (its lines and amounts, the hub's timeline, shipments with carrier and tracking
link, invoices with their PDF, returns).

Everything is read within the company's ERP party: a sale of another party is not found
by the ERP's own query (ErpPortalHistory.party_sales), so its page is the same 404 as a
sale that does not exist.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from causeway.access.permissions import Permission
from causeway.engine import portal_checkouts, portal_history
from causeway.errors import RetryableError
from causeway.hub import Hub
from causeway.portal.history import STATE_LABELS, filter_rows, order_rows, state_choices
from causeway.web.portal.history_access import erp_down, history_erp, party_of, shipment_link
from causeway.web.portal.rendering import render
from causeway.web.portal.routing import PORTAL, RecordId, customer, not_found, page

SHOWN_INVOICES = ("posted", "paid")
MILESTONE_LABELS = {
    "received": "Order received",
    "in_erp": "Confirmed in our system",
    "allocated": "Stock reserved",
    "partially_shipped": "Partly shipped",
    "shipped": "Shipped",
    "invoiced": "Invoiced",
    "paid": "Paid",
    "refunded": "Refunded",
    "returned": "Returned",
    "cancelled": "Cancelled",
}


def add_routes(app: FastAPI, hub: Hub) -> None:
    erp_system = hub.config.portal.erp or ""

    @app.get(f"{PORTAL}/orders", **page(Permission.SHOP))
    def orders(request: Request, state: str = "", po: str = "") -> HTMLResponse:
        who = customer(request)
        party = party_of(hub, who)
        try:
            sales = history_erp(hub).party_sales(party)
        except RetryableError:
            return erp_down(request)
        checkouts = portal_checkouts.of_company(hub.store, who.company_id, limit=200)
        timelines = portal_history.sale_timelines(hub.store, erp_system, [s.sale_id for s in sales])
        rows = order_rows(sales, checkouts, timelines)
        return render(
            request,
            "orders.html",
            {
                "rows": filter_rows(rows, state=state, po=po),
                "all_count": len(rows),
                "states": state_choices(rows),
                "state": state,
                "po": po,
                "milestones": MILESTONE_LABELS,
            },
        )

    @app.get(f"{PORTAL}/orders/{{sale_id}}", **page(Permission.SHOP))
    def order(request: Request, sale_id: RecordId) -> HTMLResponse:
        who = customer(request)
        party = party_of(hub, who)
        try:
            found = history_erp(hub).party_sales(party, sale_ids=[sale_id], with_returns=True)
        except RetryableError:
            return erp_down(request)
        sale = next((s for s in found if s.sale_id == sale_id), None)
        if sale is None:
            not_found()
        returns = [s for s in found if s.returns_sale_id == sale_id]
        milestones = portal_history.sale_timelines(hub.store, erp_system, [sale_id]).get(
            sale_id, []
        )
        shipments = [
            {"shipment": s, "url": shipment_link(hub, s.carrier, s.tracking_number)}
            for s in sale.shipments
            if s.state != "cancelled"
        ]
        return render(
            request,
            "order.html",
            {
                "sale": sale,
                "state_label": STATE_LABELS.get(sale.state, sale.state),
                "goods": [line for line in sale.lines if not line.service],
                "services": [line for line in sale.lines if line.service],
                "timeline": milestones,
                "milestones": MILESTONE_LABELS,
                "shipments": shipments,
                "invoices": [i for i in sale.invoices if i.state in SHOWN_INVOICES],
                "returns": returns,
            },
        )
