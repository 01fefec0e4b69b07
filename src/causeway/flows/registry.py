"""Every flow Causeway has: one declaration each (flows/declaration.py), in one list.

causeway.yaml's `flows:` section has one key per entry, in this order; the hub builds
the enabled ones and routes received changes to them in this order. Adding a flow is
its package (flows/<name>/: flow.py and declaration.py) and one line here.
"""

from __future__ import annotations

from typing import Any

from causeway.flows.cancellations import declaration as cancellations
from causeway.flows.carts import declaration as carts
from causeway.flows.cases import declaration as cases
from causeway.flows.catalog_to_channels import declaration as catalog_to_channels
from causeway.flows.channel_fees import declaration as channel_fees
from causeway.flows.customers_sync import declaration as customers_sync
from causeway.flows.customers_to_crm import declaration as customers_to_crm
from causeway.flows.declaration import FlowDeclaration
from causeway.flows.files_exchange import declaration as files_exchange
from causeway.flows.fulfillments_to_channels import declaration as fulfillments_to_channels
from causeway.flows.margins_to_crm import declaration as margins_to_crm
from causeway.flows.orders_to_erp import declaration as orders_to_erp
from causeway.flows.payments_and_invoices import declaration as payments_and_invoices
from causeway.flows.portal_orders import declaration as portal_orders
from causeway.flows.portal_progress import declaration as portal_progress
from causeway.flows.privacy_requests import declaration as privacy_requests
from causeway.flows.quotes_to_erp import declaration as quotes_to_erp
from causeway.flows.returns_to_erp import declaration as returns_to_erp
from causeway.flows.stock_snapshots import declaration as stock_snapshots
from causeway.flows.stock_to_channels import declaration as stock_to_channels

FLOWS: tuple[FlowDeclaration[Any], ...] = (
    orders_to_erp.DECLARATION,
    stock_to_channels.DECLARATION,
    catalog_to_channels.DECLARATION,
    fulfillments_to_channels.DECLARATION,
    payments_and_invoices.DECLARATION,
    cancellations.DECLARATION,
    returns_to_erp.DECLARATION,
    files_exchange.DECLARATION,
    quotes_to_erp.DECLARATION,
    margins_to_crm.DECLARATION,
    customers_to_crm.DECLARATION,
    cases.DECLARATION,
    customers_sync.DECLARATION,
    privacy_requests.DECLARATION,
    portal_progress.DECLARATION,
    portal_orders.DECLARATION,
    carts.DECLARATION,
    stock_snapshots.DECLARATION,
    channel_fees.DECLARATION,
)


def declaration(name: str) -> FlowDeclaration[Any]:
    """The declaration of the flow named `name` in causeway.yaml."""
    for declared in FLOWS:
        if declared.name == name:
            return declared
    known = ", ".join(d.name for d in FLOWS)
    raise KeyError(f"no flow named {name!r} (flows: {known})")
