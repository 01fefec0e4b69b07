"""What the history pages (pages/orders.py, invoices.py, statement.py) share: the ERP as
the portal reads it (ErpPortalHistory), the company's ERP party, and one answer when the
ERP does not answer."""

from __future__ import annotations

from typing import cast

from fastapi import Request
from fastapi.responses import HTMLResponse

from causeway.engine import portal_accounts
from causeway.hub import Hub
from causeway.model.ports.portal import ErpPortalHistory
from causeway.orders.tracking import tracking_url
from causeway.web.portal.rendering import error_page
from causeway.web.portal.routing import Customer, not_found

ERP_DOWN = (
    "Your order history comes live from our ERP, which is not answering right now. "
    "Please try again in a minute."
)


def history_erp(hub: Hub) -> ErpPortalHistory:
    return cast(ErpPortalHistory, hub.connectors[hub.config.portal.erp or ""])


def party_of(hub: Hub, who: Customer) -> int:
    """The ERP party of the company the person acts for (404 if it has none any more)."""
    company = portal_accounts.company(hub.store, who.company_id)
    if company is None:
        not_found()
    return company.party_id


def company_name(hub: Hub, who: Customer) -> str:
    company = portal_accounts.company(hub.store, who.company_id)
    return company.name if company else ""


def erp_down(request: Request) -> HTMLResponse:
    return error_page(request, 503, ERP_DOWN)


def shipment_link(hub: Hub, carrier: str | None, number: str | None) -> str | None:
    """The carrier's tracking page of a shipment: the portal-progress flow's templates
    (flows.portal-progress.tracking_urls), else a well-known carrier's page."""
    settings = hub.config.flows.settings("portal-progress")
    templates = getattr(settings, "tracking_urls", None) or {}
    return tracking_url(carrier, number, templates=templates)
