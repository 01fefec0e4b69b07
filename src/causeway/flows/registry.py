"""Every flow Causeway has: one declaration each (flows/declaration.py), in one list.

causeway.yaml's `flows:` section has one key per entry, in this order; the hub builds
the enabled ones and routes received changes to them in this order. Adding a flow is
its module, its declaration beside it, and one line here.
"""

from __future__ import annotations

from typing import Any

from causeway.flows import (
    cancellations_declaration,
    cases_declaration,
    catalog_to_channels_declaration,
    customers_sync_declaration,
    customers_to_crm_declaration,
    files_exchange_declaration,
    fulfillments_to_channels_declaration,
    margins_to_crm_declaration,
    orders_to_erp_declaration,
    payments_and_invoices_declaration,
    privacy_requests_declaration,
    quotes_to_erp_declaration,
    returns_to_erp_declaration,
    stock_to_channels_declaration,
)
from causeway.flows.declaration import FlowDeclaration

FLOWS: tuple[FlowDeclaration[Any], ...] = (
    orders_to_erp_declaration.DECLARATION,
    stock_to_channels_declaration.DECLARATION,
    catalog_to_channels_declaration.DECLARATION,
    fulfillments_to_channels_declaration.DECLARATION,
    payments_and_invoices_declaration.DECLARATION,
    cancellations_declaration.DECLARATION,
    returns_to_erp_declaration.DECLARATION,
    files_exchange_declaration.DECLARATION,
    quotes_to_erp_declaration.DECLARATION,
    margins_to_crm_declaration.DECLARATION,
    customers_to_crm_declaration.DECLARATION,
    cases_declaration.DECLARATION,
    customers_sync_declaration.DECLARATION,
    privacy_requests_declaration.DECLARATION,
)


def declaration(name: str) -> FlowDeclaration[Any]:
    """The declaration of the flow named `name` in causeway.yaml."""
    for declared in FLOWS:
        if declared.name == name:
            return declared
    known = ", ".join(d.name for d in FLOWS)
    raise KeyError(f"no flow named {name!r} (flows: {known})")
