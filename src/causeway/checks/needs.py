"""What the enabled flows need of each system: Shopify access scopes, Tryton modules
and master data. Kept beside the checks that read it; each entry names the flow that
needs it so that a failure says why."""

from __future__ import annotations

from collections import defaultdict

from causeway.config import CausewayConfig
from causeway.flows.fulfillments_to_channels.declaration import FulfillmentsToChannelsFlow
from causeway.flows.payments_and_invoices.declaration import PaymentsAndInvoicesFlow
from causeway.flows.registry import declaration

# Reading an order (Order + its Customer), as every flow that takes store orders does.
_ORDERS = ("read_orders", "read_customers")
# Shopify access scopes, per flow, of the store it reads or writes (Admin API 2026-01:
# each type's and mutation's required access).
SHOPIFY_SCOPES: dict[str, tuple[str, ...]] = {
    "orders-to-erp": _ORDERS,
    "stock-to-channels": ("read_products", "read_inventory", "write_inventory", "read_locations"),
    "catalog-to-channels": ("read_products", "write_products"),
    "fulfillments-to-channels": (
        *_ORDERS,
        "read_merchant_managed_fulfillment_orders",
        "write_merchant_managed_fulfillment_orders",
    ),
    "payments-and-invoices": _ORDERS,
    "cancellations": _ORDERS,
    "returns-to-erp": _ORDERS,
    "customers-to-crm": _ORDERS,
    "cases": _ORDERS,
}

# Flows that write to the stores they serve (a WooCommerce key needs Read/Write for them).
STORE_WRITERS = ("stock-to-channels", "catalog-to-channels", "fulfillments-to-channels")

# Tryton modules, per flow (ir.module names; `activated` is the state they must be in).
TRYTON_MODULES: dict[str, tuple[str, ...]] = {
    "orders-to-erp": ("sale", "stock"),
    "stock-to-channels": ("stock",),
    "catalog-to-channels": ("product",),
    "fulfillments-to-channels": ("sale", "stock", "carrier"),
    "payments-and-invoices": ("sale", "account_invoice"),
    "cancellations": ("sale",),
    "returns-to-erp": ("sale", "stock", "account_invoice"),
    "files-exchange": ("sale", "stock"),
    "quotes-to-erp": ("sale",),
    "margins-to-crm": ("sale",),
    "customers-sync": ("party",),
    "channel-fees": ("sale", "account_invoice"),
}
# Flows whose sales carry shipping and order discounts as product lines.
PLACES_SALES = {"orders-to-erp", "quotes-to-erp", "files-exchange"}


def _systems_of(config: CausewayConfig, flow: str) -> list[str]:
    settings = config.flows.configured()[flow]
    return [name for role in declaration(flow).roles for name in role.systems(settings)]


def per_system(
    config: CausewayConfig, table: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, list[str]]]:
    """system -> what it must have -> the enabled flows that need it."""
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for flow in config.flows.configured():
        for system in _systems_of(config, flow):
            for item in table.get(flow, ()):
                found[system][item].append(flow)
    return {system: dict(items) for system, items in found.items()}


def flows_using(config: CausewayConfig, system: str) -> list[str]:
    return [flow for flow in config.flows.configured() if system in _systems_of(config, flow)]


def payment_methods(config: CausewayConfig, system: str) -> list[str]:
    flow = config.flows.configured().get("payments-and-invoices")
    if isinstance(flow, PaymentsAndInvoicesFlow) and flow.target == system:
        return flow.payment_methods
    return []


def carriers(config: CausewayConfig, system: str) -> list[str]:
    """Carriers the fulfilments flow has tracking pages for: they must exist in the ERP."""
    flow = config.flows.configured().get("fulfillments-to-channels")
    if isinstance(flow, FulfillmentsToChannelsFlow) and flow.source == system:
        return sorted(flow.tracking_urls)
    return []
